-- One transaction per turn for both kinds of spend batch: the Reserves and the settlements
-- (Commit, Release, expiry) that queued up while the previous turn ran. Every batch updates the
-- global usage row, so batches of the two kinds used to take turns on its lock, each paying its own
-- round trip, WAL flush and lock hand-over; one turn carries both.
--
-- Lock order, as everywhere else: reservations by id, then usage rows by (scope_kind DESC,
-- scope_id, period, period_start), global last. Running the two batch functions one after the other
-- would lock usage rows in two passes (the reserve's, then the settlement's), which can deadlock
-- against another replica's turn; so the turn first locks the settled reservations, then the usage
-- rows of both sides in one pass, and only then runs the two batch functions, which find every row
-- they lock already held.
--
-- Answers the reserve batch's answers (one per p_reserves entry, in order), then the settle batch's.
CREATE FUNCTION budget_spend_turn(p_now timestamptz, p_context jsonb, p_reserves jsonb, p_options jsonb,
  p_settles jsonb)
RETURNS SETOF jsonb LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
SET enable_bitmapscan = off
SET enable_hashjoin = off
SET enable_mergejoin = off AS $$
BEGIN
  PERFORM 1 FROM reservations
  WHERE reservation_id = ANY (ARRAY(SELECT x->>'rid' FROM jsonb_array_elements(p_settles) AS x))
  ORDER BY reservation_id FOR UPDATE;

  -- The reserve side's rows are those budget_reserve_batch will hold on (each scope's own budget
  -- or its kind's default decides the period); the settlement side's are the open holds' rows.
  -- A budget set between this statement and the batch's could make it lock one more row out of
  -- order; the caller retries a turn that PostgreSQL aborted as a deadlock.
  INSERT INTO scope_usage AS u (scope_kind, scope_id, period, period_start, updated_at)
  SELECT k, i, p, s, p_now FROM (
    SELECT scopes.k, scopes.i, (budget.p)::smallint AS p,
      budget_epoch_ms((p_context->'windows'->budget.p->>'s')::bigint) AS s
    FROM (
      SELECT DISTINCT (sc->>'k')::smallint AS k, sc->>'i' AS i
      FROM jsonb_array_elements(p_reserves) AS x, jsonb_array_elements(x->'scopes') AS sc
    ) scopes
    LEFT JOIN budgets b ON b.scope_kind = scopes.k AND b.scope_id = scopes.i,
    LATERAL (SELECT COALESCE(b.period::text, p_context->'defaults'->(scopes.k::text)->>'p') AS p) budget
    UNION
    SELECT (h->>'k')::smallint, h->>'i', (h->>'p')::smallint, budget_epoch_ms((h->>'s')::bigint)
    FROM reservations r, jsonb_array_elements(r.holds) AS h
    WHERE r.status = 'open'
      AND r.reservation_id = ANY (ARRAY(SELECT x->>'rid' FROM jsonb_array_elements(p_settles) AS x))
  ) rows_of_turn
  ORDER BY k DESC, i COLLATE "C", p, s
  ON CONFLICT (scope_kind, scope_id, period, period_start) DO UPDATE SET updated_at = u.updated_at;

  IF jsonb_array_length(p_reserves) > 0 THEN
    RETURN QUERY SELECT budget_reserve_batch(p_now, p_context, p_reserves);
  END IF;
  IF jsonb_array_length(p_settles) > 0 THEN
    RETURN QUERY SELECT budget_settle_batch(p_now, p_options, p_settles);
  END IF;
END;
$$;
