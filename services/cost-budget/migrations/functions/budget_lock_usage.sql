-- The usage rows of a turn: created when missing, locked in the one lock order, and read.
--
-- Lock order, the same for every turn of every replica, so turns never deadlock: usage rows by
-- (scope_kind DESC, scope_id in byte order, period, period_start), which puts API keys first and
-- the global row, which every operation touches, last (held for the shortest time). A turn locks
-- the reservations it settles (by id) before any usage row.

-- The text that keys a usage row in the lookups of a turn, from its columns or from a target.
CREATE OR REPLACE FUNCTION budget_usage_key(kind smallint, id text, period smallint, start_ms bigint) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT kind || '|' || id || '|' || period || '|' || start_ms
$$;

CREATE OR REPLACE FUNCTION budget_usage_key(usage jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT budget_usage_key((usage->'scope'->>'kind')::smallint, usage->'scope'->>'id', (usage->>'period')::smallint,
    (usage->>'periodStartMs')::bigint)
$$;

-- p_usage: targets (or any {"scope": {"kind", "id"}, "period", "periodStartMs"}), repeats allowed.
CREATE OR REPLACE FUNCTION budget_lock_usage(p_now timestamptz, p_usage jsonb)
RETURNS TABLE (usage_key text, spent_micros bigint, reserved_micros bigint) LANGUAGE plpgsql
-- PL/pgSQL, so that its plan is kept (a LANGUAGE sql function is planned at each call); planned
-- as budget_turn_plans.sql says.
AS $$
BEGIN
  RETURN QUERY
  WITH wanted AS (
    SELECT DISTINCT (x->'scope'->>'kind')::smallint AS k, x->'scope'->>'id' AS i, (x->>'period')::smallint AS p,
      (x->>'periodStartMs')::bigint AS s
    FROM jsonb_array_elements(p_usage) AS x
  ), locked AS (
    INSERT INTO scope_usage AS u (scope_kind, scope_id, period, period_start, updated_at)
    SELECT k, i, p, budget_epoch_ms(s), p_now FROM wanted
    ORDER BY k DESC, i COLLATE "C", p, s
    ON CONFLICT (scope_kind, scope_id, period, period_start) DO UPDATE SET updated_at = u.updated_at
    RETURNING u.scope_kind, u.scope_id, u.period, u.period_start, u.spent_micros, u.reserved_micros
  )
  SELECT budget_usage_key(l.scope_kind, l.scope_id, l.period, budget_time_ms(l.period_start)), l.spent_micros,
    l.reserved_micros
  FROM locked AS l;
END;
$$;
