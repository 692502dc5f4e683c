-- A scope's standing after an operation, as Reserve, Commit, Release and Charge answer it (and as
-- an idempotency record keeps it for replays): {"kind", "id", "limitMicros", "remainingMicros"
-- (both text), "resetsAtMs" (null: never resets), "unlimited"}. remaining = limit - spent -
-- reserved, never below zero.
CREATE OR REPLACE FUNCTION budget_balance(target jsonb, spent numeric, reserved numeric) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object(
    'kind', target->'scope'->'kind', 'id', target->'scope'->'id', 'limitMicros', target->'limitMicros',
    'remainingMicros', GREATEST(0, (target->>'limitMicros')::numeric - spent - reserved)::text,
    'resetsAtMs', target->'periodEndMs', 'unlimited', target->'unlimited')
$$;
