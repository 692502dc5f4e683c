-- Writes what a turn decided, each table in one set-based statement: the new reservations, the
-- settled ones, the ledger entries, the usage rows (each moved by exactly the sum of its new
-- entries, so a row always equals the sum of its ledger), the idempotency records and the events.
-- The usage rows must be locked already (budget_lock_usage); a missing one aborts the turn.
--
-- p_event_types: {"thresholdCrossed": <BudgetEventType number>}.
-- p_records: {
--   "opened": [{"reservationId", "amountMicros", "targets", "description", "expiresAtMs"}],
--   "settled": [{"reservationId", "status", "committedMicros"}],
--   "entries": [{"type", "referenceId", "usage" (a target), "spentDelta", "reservedDelta"}],
--   "results": [{"idempotencyKey", "operation", "requestHash", "response"}],
--   "spends": [{"item", "target", "spentBefore", "spentAfter", "reservationId", "extraEvent"}]}
-- where a spend is what one operation did to one target's spend, from which its events follow:
-- the alert thresholds it crossed, then its extra event (an event type number, or null).
-- Everything is recorded in the order given (ledger entries and events get ascending ids).
--
-- Answers the events recorded for each item that has any: (item, [{"scope", "type",
-- "thresholdPercent", "spentMicros", "limitMicros"}]).
CREATE OR REPLACE FUNCTION budget_record_turn(p_now timestamptz, p_event_types jsonb, p_records jsonb)
RETURNS TABLE (item integer, events jsonb) LANGUAGE plpgsql
-- Planned as budget_turn_plans.sql says.
AS $$
#variable_conflict use_column
DECLARE
  rows_moved bigint;
  rows_expected bigint;
BEGIN
  INSERT INTO reservations (reservation_id, amount_micros, status, holds, description, created_at, expires_at)
  SELECT x->>'reservationId', (x->>'amountMicros')::bigint, 'open', x->'targets', x->>'description', p_now,
    budget_epoch_ms((x->>'expiresAtMs')::bigint)
  FROM jsonb_array_elements(p_records->'opened') AS x;

  UPDATE reservations AS r SET status = x->>'status', settled_at = p_now, committed_micros = (x->>'committedMicros')::bigint
  FROM jsonb_array_elements(p_records->'settled') AS x
  WHERE r.reservation_id = x->>'reservationId';

  WITH entry AS (
    SELECT x->>'type' AS type, x->>'referenceId' AS reference, (x->'usage'->'scope'->>'kind')::smallint AS k,
      x->'usage'->'scope'->>'id' AS i, (x->'usage'->>'period')::smallint AS p,
      budget_epoch_ms((x->'usage'->>'periodStartMs')::bigint) AS s, (x->>'spentDelta')::bigint AS spent,
      (x->>'reservedDelta')::bigint AS reserved, n
    FROM jsonb_array_elements(p_records->'entries') WITH ORDINALITY AS e(x, n)
  ), appended AS (
    INSERT INTO ledger_entries (occurred_at, entry_type, reference_id, scope_kind, scope_id, period, period_start,
      spent_delta, reserved_delta)
    SELECT p_now, type, reference, k, i, p, s, spent, reserved FROM entry ORDER BY n
  ), sums AS (
    SELECT k, i, p, s, sum(spent) AS spent, sum(reserved) AS reserved FROM entry GROUP BY k, i, p, s
  ), moved AS (
    UPDATE scope_usage AS u SET spent_micros = u.spent_micros + sums.spent,
      reserved_micros = u.reserved_micros + sums.reserved, updated_at = p_now
    FROM sums
    WHERE u.scope_kind = sums.k AND u.scope_id = sums.i AND u.period = sums.p AND u.period_start = sums.s
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM moved), (SELECT count(*) FROM sums) INTO rows_moved, rows_expected;
  IF rows_moved <> rows_expected THEN
    RAISE EXCEPTION 'budget_record_turn: % of % usage rows exist; lock them with budget_lock_usage first',
      rows_moved, rows_expected;
  END IF;

  INSERT INTO idempotency_keys (idempotency_key, operation, request_hash, response, created_at)
  SELECT x->>'idempotencyKey', x->>'operation', x->>'requestHash', x->'response', p_now
  FROM jsonb_array_elements(p_records->'results') AS x;

  RETURN QUERY
  WITH spend AS (
    SELECT x, n FROM jsonb_array_elements(p_records->'spends') WITH ORDINALITY AS s(x, n)
  ), event AS (
    SELECT spend.x, spend.n, crossed.en, (p_event_types->>'thresholdCrossed')::smallint AS type, crossed.percent
    FROM spend, budget_crossed_thresholds(spend.x->'target', (spend.x->>'spentBefore')::numeric,
      (spend.x->>'spentAfter')::numeric) WITH ORDINALITY AS crossed(percent, en)
    UNION ALL
    SELECT x, n, 2147483647, (x->>'extraEvent')::smallint, 0 FROM spend WHERE x->>'extraEvent' IS NOT NULL
  ), recorded AS (
    INSERT INTO budget_events (scope_kind, scope_id, event_type, threshold_percent, spent_micros, limit_micros,
      occurred_at, reservation_id)
    SELECT (x->'target'->'scope'->>'kind')::smallint, x->'target'->'scope'->>'id', type, percent,
      (x->>'spentAfter')::bigint, (x->'target'->>'limitMicros')::bigint, p_now, x->>'reservationId'
    FROM event ORDER BY n, en
  )
  SELECT (x->>'item')::integer, jsonb_agg(jsonb_build_object('scope', x->'target'->'scope', 'type', type,
      'thresholdPercent', percent, 'spentMicros', x->>'spentAfter', 'limitMicros', x->'target'->>'limitMicros')
    ORDER BY n, en)
  FROM event GROUP BY (x->>'item')::integer;
END;
$$;
