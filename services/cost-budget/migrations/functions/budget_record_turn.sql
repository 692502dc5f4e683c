-- Writes what a turn decided, from its items and their answers (budget_spend_turn's formats), in
-- one statement: the new reservations ("reserved"), the settled ones ("applied"), the idempotency
-- records ("reserved", "charged"), a ledger entry per target of each of those, the usage rows
-- (each moved by exactly the sum of its new entries, so a row always equals the sum of its ledger)
-- and the events. Other answers write nothing. The usage rows must be locked already
-- (budget_lock_usage); a missing one aborts the turn.
--
-- Events follow from each entry's spend, in entry order: the alert thresholds its target's spend
-- crossed (budget_crossed_thresholds, on the running spend of the row), then an expiry's or an
-- over-reservation's event.
--
-- p_event_types: {"thresholdCrossed", "reservationExpired", "overReservation"}: BudgetEventType
-- numbers. Answers the events of each item that has any: (item number from 1, [{"scope", "type",
-- "thresholdPercent", "spentMicros", "limitMicros"}]).
CREATE OR REPLACE FUNCTION budget_record_turn(p_now timestamptz, p_event_types jsonb, p_items jsonb[], p_answers jsonb[])
RETURNS TABLE (item integer, events jsonb) LANGUAGE plpgsql
-- Planned as budget_turn_plans.sql says.
AS $$
#variable_conflict use_column
DECLARE
  numbers integer[];
  lists jsonb[];
  rows_moved bigint;
  rows_expected bigint;
BEGIN
  WITH operation AS (
    SELECT v, a, n FROM unnest(p_items, p_answers) WITH ORDINALITY AS t(v, a, n)
    WHERE a->>'outcome' IN ('reserved', 'charged', 'applied')
  ), opened AS (
    INSERT INTO reservations (reservation_id, amount_micros, status, holds, description, created_at, expires_at)
    SELECT a->'response'->>'reservationId', (v->>'amountMicros')::bigint, 'open', a->'targets', v->>'description',
      p_now, budget_epoch_ms((a->'response'->>'expiresAtMs')::bigint)
    FROM operation WHERE a->>'outcome' = 'reserved'
  ), settled AS (
    UPDATE reservations AS r
    SET status = CASE a->>'action' WHEN 'commit' THEN 'committed' WHEN 'release' THEN 'released' ELSE 'expired' END,
      settled_at = p_now, committed_micros = (a->>'committedMicros')::bigint
    FROM operation
    WHERE a->>'outcome' = 'applied' AND r.reservation_id = v->>'reservationId'
  ), recorded AS (
    INSERT INTO idempotency_keys (idempotency_key, operation, request_hash, response, created_at)
    SELECT v->>'idempotencyKey', v->>'operation', v->>'requestHash', a->'response', p_now
    FROM operation WHERE a->>'outcome' IN ('reserved', 'charged')
  ), entry AS MATERIALIZED (
    SELECT o.n, h.j, h.target,
      CASE o.a->>'outcome' WHEN 'applied' THEN o.a->>'action' ELSE o.v->>'operation' END AS type,
      CASE o.a->>'outcome' WHEN 'reserved' THEN o.a->'response'->>'reservationId'
        WHEN 'charged' THEN o.a->'response'->>'chargeId' ELSE o.v->>'reservationId' END AS reference,
      (h.target->'scope'->>'kind')::smallint AS k, h.target->'scope'->>'id' AS i, (h.target->>'period')::smallint AS p,
      budget_epoch_ms((h.target->>'periodStartMs')::bigint) AS s,
      CASE o.a->>'outcome' WHEN 'reserved' THEN 0 WHEN 'charged' THEN (o.v->>'amountMicros')::bigint
        ELSE (o.a->>'committedMicros')::bigint END AS spent,
      CASE o.a->>'outcome' WHEN 'reserved' THEN (o.v->>'amountMicros')::bigint WHEN 'charged' THEN 0
        ELSE -(o.a->>'heldMicros')::bigint END AS reserved,
      CASE WHEN o.a->>'action' = 'expire' THEN 'reservationExpired'
        WHEN (o.a->>'overReservation')::boolean THEN 'overReservation' END AS extra_event
    FROM operation AS o, jsonb_array_elements(o.a->'targets') WITH ORDINALITY AS h(target, j)
  ), appended AS (
    INSERT INTO ledger_entries (occurred_at, entry_type, reference_id, scope_kind, scope_id, period, period_start,
      spent_delta, reserved_delta)
    SELECT p_now, type, reference, k, i, p, s, spent, reserved FROM entry ORDER BY n, j
  ), sums AS (
    SELECT k, i, p, s, sum(spent) AS spent, sum(reserved) AS reserved FROM entry GROUP BY k, i, p, s
  ), moved AS (
    UPDATE scope_usage AS u SET spent_micros = u.spent_micros + sums.spent,
      reserved_micros = u.reserved_micros + sums.reserved, updated_at = p_now
    FROM sums
    WHERE u.scope_kind = sums.k AND u.scope_id = sums.i AND u.period = sums.p AND u.period_start = sums.s
    RETURNING u.scope_kind AS k, u.scope_id AS i, u.period AS p, u.period_start AS s, u.spent_micros AS spent_now
  ), running AS (
    -- The row's spend after each entry: its spend now (the turn's entries added) less what the
    -- entries after it added.
    SELECT entry.*, moved.spent_now::numeric - COALESCE(sum(entry.spent) OVER (PARTITION BY k, i, p, s ORDER BY n, j
        ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING), 0) AS spent_after
    FROM entry JOIN moved USING (k, i, p, s)
  ), event AS (
    SELECT running.*, crossed.en, (p_event_types->>'thresholdCrossed')::smallint AS event_type, crossed.percent
    FROM running, budget_crossed_thresholds(running.target, running.spent_after - running.spent, running.spent_after)
      WITH ORDINALITY AS crossed(percent, en)
    WHERE running.spent > 0
    UNION ALL
    SELECT running.*, 2147483647, (p_event_types->>extra_event)::smallint, 0::smallint
    FROM running WHERE extra_event IS NOT NULL
  ), logged AS (
    INSERT INTO budget_events (scope_kind, scope_id, event_type, threshold_percent, spent_micros, limit_micros,
      occurred_at, reservation_id)
    SELECT k, i, event_type, percent, spent_after, (target->>'limitMicros')::bigint, p_now,
      CASE WHEN type = 'charge' THEN '' ELSE reference END
    FROM event ORDER BY n, j, en
  )
  SELECT array_agg(per_item.n), array_agg(per_item.events), (SELECT count(*) FROM moved), (SELECT count(*) FROM sums)
  INTO numbers, lists, rows_moved, rows_expected
  FROM (SELECT n::integer AS n, jsonb_agg(jsonb_build_object('scope', target->'scope', 'type', event_type,
          'thresholdPercent', percent, 'spentMicros', spent_after::text, 'limitMicros', target->>'limitMicros')
        ORDER BY j, en) AS events
        FROM event GROUP BY n) AS per_item;
  IF rows_moved <> rows_expected THEN
    RAISE EXCEPTION 'budget_record_turn: % of % usage rows exist; lock them with budget_lock_usage first',
      rows_moved, rows_expected;
  END IF;
  RETURN QUERY SELECT * FROM unnest(numbers, lists);
END;
$$;
