-- The alert thresholds (percent of the target's limit, in the target's order) that its spend
-- crossed going from spent_before to spent_after. None for an unlimited or zero limit.
CREATE OR REPLACE FUNCTION budget_crossed_thresholds(target jsonb, spent_before numeric, spent_after numeric)
RETURNS TABLE (percent smallint)
LANGUAGE sql IMMUTABLE AS $$
  SELECT pct.value::smallint
  FROM jsonb_array_elements_text(target->'alertThresholds') WITH ORDINALITY AS pct(value, n)
  WHERE NOT (target->>'unlimited')::boolean AND (target->>'limitMicros')::numeric > 0
    AND spent_before * 100 < (target->>'limitMicros')::numeric * pct.value::numeric
    AND spent_after * 100 >= (target->>'limitMicros')::numeric * pct.value::numeric
  ORDER BY pct.n
$$;
