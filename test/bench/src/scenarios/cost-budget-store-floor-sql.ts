/**
 * The fewest PostgreSQL writes a turn of Reserves and Commits needs under the cost-budget storage
 * rules, in the service's schema: each Reserve's reservation row, idempotency record and ledger
 * entries; each Commit's reservation update and ledger entries; each touched usage row's new
 * totals, locked in the service's lock order (global last), all in one statement and transaction.
 * No admission check, no answers, balances or events: what is left of a Reserve and a Commit once
 * everything but the durable record is taken away.
 *
 * p_reserves: [{key, rid, amount, scopes: [{k, i}]}]; p_commits: [{rid, actual}].
 */
export const storeFloorTurnFunction = `
CREATE FUNCTION bench_store_floor_turn(p_now timestamptz, p_reserves jsonb, p_commits jsonb)
RETURNS void LANGUAGE plpgsql
-- As the service's batch functions: plans made once, index lookups at any table size.
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
SET enable_bitmapscan = off
SET enable_hashjoin = off
SET enable_mergejoin = off AS $$
BEGIN
  INSERT INTO scope_usage AS u (scope_kind, scope_id, period, period_start, updated_at)
  SELECT k, i, 2, date_trunc('day', p_now), p_now FROM (
    SELECT DISTINCT (sc->>'k')::smallint AS k, sc->>'i' AS i
    FROM (SELECT x->'scopes' AS scopes FROM jsonb_array_elements(p_reserves) AS x
          UNION ALL
          SELECT r.holds FROM reservations r
          WHERE r.reservation_id = ANY (ARRAY(SELECT x->>'rid' FROM jsonb_array_elements(p_commits) AS x))) AS held,
      jsonb_array_elements(held.scopes) AS sc
  ) AS touched
  ORDER BY k DESC, i COLLATE "C"
  ON CONFLICT (scope_kind, scope_id, period, period_start) DO UPDATE SET updated_at = u.updated_at;

  WITH reserved AS (
    SELECT x->>'key' AS key, x->>'rid' AS rid, (x->>'amount')::bigint AS amount, x->'scopes' AS scopes
    FROM jsonb_array_elements(p_reserves) AS x
  ), reserved_rows AS (
    INSERT INTO reservations (reservation_id, amount_micros, status, holds, created_at, expires_at)
    SELECT rid, amount, 'open', scopes, p_now, p_now + interval '60 seconds' FROM reserved
  ), keys AS (
    INSERT INTO idempotency_keys (idempotency_key, operation, request_hash, response, created_at)
    SELECT key, 'reserve', '', jsonb_build_object('reservationId', rid), p_now FROM reserved
  ), committed AS (
    UPDATE reservations r SET status = 'committed', settled_at = p_now, committed_micros = (x->>'actual')::bigint
    FROM jsonb_array_elements(p_commits) AS x
    WHERE r.reservation_id = x->>'rid'
    RETURNING r.reservation_id AS rid, r.amount_micros AS held, r.committed_micros AS actual, r.holds AS scopes
  ), entries AS (
    SELECT 'reserve' AS type, rid, (sc->>'k')::smallint AS k, sc->>'i' AS i, 0::bigint AS spent, amount AS reserved
    FROM reserved, jsonb_array_elements(reserved.scopes) AS sc
    UNION ALL
    SELECT 'commit', rid, (sc->>'k')::smallint, sc->>'i', actual, -held
    FROM committed, jsonb_array_elements(committed.scopes) AS sc
  ), ledger AS (
    INSERT INTO ledger_entries (occurred_at, entry_type, reference_id, scope_kind, scope_id, period,
      period_start, spent_delta, reserved_delta)
    SELECT p_now, type, rid, k, i, 2, date_trunc('day', p_now), spent, reserved FROM entries
  )
  UPDATE scope_usage u SET spent_micros = u.spent_micros + t.spent,
    reserved_micros = u.reserved_micros + t.reserved, updated_at = p_now
  FROM (SELECT k, i, sum(spent) AS spent, sum(reserved) AS reserved FROM entries GROUP BY k, i) AS t
  WHERE u.scope_kind = t.k AND u.scope_id = t.i AND u.period = 2 AND u.period_start = date_trunc('day', p_now);
END;
$$;
`;
