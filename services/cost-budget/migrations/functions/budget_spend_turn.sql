-- One turn of a replica's hot operations: the Reserves, Charges, Commits, Releases and expiries
-- that queued up while its previous turn ran, decided one after another in arrival order and
-- recorded in ONE statement (one round trip, one transaction). Every operation touches the global
-- usage row, so the row is locked once per turn instead of once per operation.
--
-- The turn first locks what it will change: the reservations it settles, then every usage row of
-- the turn in the one lock order (budget_lock_usage), and reads them into memory. It then decides
-- each operation against those values, which it keeps current as it goes, so each answer reflects
-- the operations before it; and it writes what the answers say at the end (budget_record_turn).
--
-- This is the one place a spend is decided:
--   admission   Reserve and Charge hold or charge `amount` on every one of their scopes only if each
--               has room, spent + reserved + amount <= limit, and on none otherwise;
--   settlement  Commit records its actual (capped at the hold under the 'cap' policy) and returns
--               the rest of the hold, Release returns all of it, expiry likewise; a Commit or
--               Release of a lapsed hold expires it instead; no spend may pass int64;
--   idempotency a Reserve or Charge whose key has a record answers that record instead.
--
-- p_context: what budget_targets reads, plus {"overCommitPolicy": "allow-and-flag" | "cap",
-- "eventTypes": {"thresholdCrossed", "reservationExpired", "overReservation"}}.
-- p_items, in arrival order, each one of:
--   {"operation": "reserve", "idempotencyKey", "requestHash", "reservationId", "amountMicros",
--    "expiresAtMs", "description", "scopes": [{"kind", "id"}]}
--   {"operation": "charge", "idempotencyKey", "requestHash", "chargeId", "amountMicros",
--    "description", "scopes"}
--   {"operation": "commit", "reservationId", "actualMicros"}
--   {"operation": "release" | "expire", "reservationId"}
--
-- Answers one JSON per item, in order, its "outcome" one of:
--   "recorded"  {"record": {"operation", "requestHash", "response"}}: the key was used before
--   "refused"   {"target", "spentMicros", "reservedMicros", "balance"}: the first scope without room
--   "reserved"  {"response": {"reservationId", "expiresAtMs", "balances"}, "targets"}
--   "charged"   {"response": {"chargeId", "balances"}, "targets", "events"}
--   "missing", "overflow", "closed" {"status", "settledAtMs"}
--   "applied"   {"action", "lapsed", "expiresAtMs", "heldMicros", "committedMicros",
--                "overReservation", "targets", "balances", "events"}
-- (balances: budget_balance; events: budget_record_turn's).
CREATE OR REPLACE FUNCTION budget_spend_turn(p_now timestamptz, p_context jsonb, p_items jsonb)
RETURNS SETOF jsonb LANGUAGE plpgsql
-- Planned as budget_turn_plans.sql says.
AS $$
DECLARE
  now_ms bigint := budget_time_ms(p_now);
  items jsonb[];               -- p_items, numbered from 1
  settling jsonb;              -- reservation id -> its locked row, for the settlements
  scopes jsonb;                -- the scopes of the Reserves and Charges
  targets jsonb;               -- scope key -> target, for the Reserves and Charges
  usage_of_turn jsonb;         -- the targets of every operation
  usage_index jsonb;           -- usage key -> index into spent and reserved
  spent numeric[];
  reserved numeric[];
  recorded jsonb;              -- idempotency key -> record of an earlier turn
  admitted_keys text[] := '{}';   -- ... and the keys this turn admitted, with their item numbers
  admitted_items integer[] := '{}';
  closed_ids text[] := '{}';      -- reservations settled in this turn, and the status they were given
  closed_statuses text[] := '{}';
  answers jsonb[] := '{}';
  -- One item.
  item record;
  operation text;
  key text;
  replay jsonb;
  first integer;
  reservation jsonb;
  closed_at integer;
  refused boolean;
  overflow boolean;
  r integer;
  target jsonb;
  amount numeric;
  action text;
  lapsed boolean;
  held numeric;
  committed numeric;
  over boolean;
  status text;
  spent_delta numeric;
  reserved_delta numeric;
  balances jsonb;
  recorded_events record;
BEGIN
  items := ARRAY(SELECT x FROM jsonb_array_elements(p_items) WITH ORDINALITY AS e(x, n) ORDER BY n);

  SELECT COALESCE(jsonb_object_agg(x.reservation_id, jsonb_build_object('status', x.status,
      'amountMicros', x.amount_micros, 'targets', x.holds, 'expiresAtMs', budget_time_ms(x.expires_at),
      'settledAtMs', budget_time_ms(x.settled_at))), '{}')
  INTO settling
  FROM (SELECT * FROM reservations
        WHERE reservation_id = ANY (ARRAY(SELECT x->>'reservationId' FROM unnest(items) AS x
                                          WHERE x->>'operation' IN ('commit', 'release', 'expire')))
        ORDER BY reservation_id FOR UPDATE) AS x;

  -- (Each function gets its arguments from variables: a sub-select as an argument would keep the
  -- planner from inlining budget_targets.)
  SELECT COALESCE(jsonb_agg(DISTINCT sc), '[]') INTO scopes
  FROM unnest(items) AS x, jsonb_array_elements(x->'scopes') AS sc
  WHERE x->>'operation' IN ('reserve', 'charge');
  SELECT COALESCE(jsonb_object_agg(budget_scope_key(t.target->'scope'), t.target), '{}')
  INTO targets
  FROM budget_targets(p_context, scopes) AS t;

  SELECT COALESCE(jsonb_agg(u), '[]') INTO usage_of_turn FROM (
    SELECT value AS u FROM jsonb_each(targets)
    UNION ALL
    SELECT h FROM jsonb_each(settling) AS x, jsonb_array_elements(x.value->'targets') AS h
    WHERE x.value->>'status' = 'open') AS rows_of_turn;
  SELECT COALESCE(jsonb_object_agg(l.usage_key, l.n), '{}'), array_agg(l.spent_micros::numeric ORDER BY l.n),
    array_agg(l.reserved_micros::numeric ORDER BY l.n)
  INTO usage_index, spent, reserved
  FROM (SELECT locked.*, row_number() OVER () AS n FROM budget_lock_usage(p_now, usage_of_turn) AS locked) AS l;

  -- Read after the usage rows are locked: every Reserve and Charge holds the global row until it
  -- commits, so a key recorded by any other transaction is visible by now.
  SELECT COALESCE(jsonb_object_agg(k.idempotency_key, jsonb_build_object('operation', k.operation,
      'requestHash', k.request_hash, 'response', k.response)), '{}')
  INTO recorded
  FROM idempotency_keys AS k
  WHERE k.idempotency_key = ANY (ARRAY(SELECT x->>'idempotencyKey' FROM unnest(items) AS x
                                       WHERE x->>'operation' IN ('reserve', 'charge')));

  -- Each operation with its targets (those of its scopes, or of the reservation it settles) and
  -- the index of each target's usage row in spent and reserved.
  FOR item IN
    SELECT x.v, x.n::integer AS n, settling->(x.v->>'reservationId') AS reservation, t.targets, t.rows
    FROM unnest(items) WITH ORDINALITY AS x(v, n)
    CROSS JOIN LATERAL (
      SELECT jsonb_agg(h.target ORDER BY h.j) AS targets,
        jsonb_agg((usage_index->>budget_usage_key(h.target))::integer ORDER BY h.j) AS rows
      FROM (SELECT targets->budget_scope_key(sc.value) AS target, sc.j
            FROM jsonb_array_elements(x.v->'scopes') WITH ORDINALITY AS sc(value, j)
            UNION ALL
            SELECT held.value, held.j
            FROM jsonb_array_elements(settling->(x.v->>'reservationId')->'targets') WITH ORDINALITY AS held(value, j)
           ) AS h
    ) AS t
    ORDER BY x.n
  LOOP
    operation := item.v->>'operation';
    IF operation IN ('reserve', 'charge') THEN
      key := item.v->>'idempotencyKey';
      replay := recorded->key;
      first := admitted_items[array_position(admitted_keys, key)];
      IF replay IS NULL AND first IS NOT NULL THEN
        replay := jsonb_build_object('operation', items[first]->>'operation',
          'requestHash', items[first]->>'requestHash', 'response', answers[first]->'response');
      END IF;
      IF replay IS NOT NULL THEN
        answers := answers || jsonb_build_object('outcome', 'recorded', 'record', replay);
        CONTINUE;
      END IF;
      -- Admission. (A row missing from the turn would compare as null: refused, never admitted.)
      amount := (item.v->>'amountMicros')::numeric;
      refused := false;
      FOR j IN 0 .. jsonb_array_length(item.targets) - 1 LOOP
        r := (item.rows->>j)::integer;
        IF (spent[r] + reserved[r] + amount <= (item.targets->j->>'limitMicros')::numeric) IS NOT TRUE THEN
          answers := answers || jsonb_build_object('outcome', 'refused', 'target', item.targets->j,
            'spentMicros', spent[r]::text, 'reservedMicros', reserved[r]::text,
            'balance', budget_balance(item.targets->j, spent[r], reserved[r]));
          refused := true;
          EXIT;
        END IF;
      END LOOP;
      CONTINUE WHEN refused;
      spent_delta := CASE operation WHEN 'charge' THEN amount ELSE 0 END;
      reserved_delta := CASE operation WHEN 'reserve' THEN amount ELSE 0 END;
    ELSE
      reservation := item.reservation;
      closed_at := array_position(closed_ids, item.v->>'reservationId');
      IF reservation IS NULL THEN
        answers := answers || '{"outcome": "missing"}'::jsonb;
        CONTINUE;
      ELSIF closed_at IS NOT NULL THEN
        answers := answers || jsonb_build_object('outcome', 'closed', 'status', closed_statuses[closed_at],
          'settledAtMs', now_ms);
        CONTINUE;
      ELSIF reservation->>'status' <> 'open' THEN
        answers := answers || jsonb_build_object('outcome', 'closed', 'status', reservation->>'status',
          'settledAtMs', reservation->'settledAtMs');
        CONTINUE;
      END IF;
      lapsed := operation <> 'expire' AND (reservation->>'expiresAtMs')::bigint <= now_ms;
      action := CASE WHEN lapsed THEN 'expire' ELSE operation END;
      held := (reservation->>'amountMicros')::numeric;
      committed := CASE WHEN action = 'commit' THEN (item.v->>'actualMicros')::numeric ELSE 0 END;
      over := committed > held;
      IF over AND p_context->>'overCommitPolicy' = 'cap' THEN
        committed := held;
      END IF;
      -- No scope's spend may pass int64.
      overflow := false;
      FOR j IN 0 .. jsonb_array_length(item.targets) - 1 LOOP
        r := (item.rows->>j)::integer;
        overflow := overflow OR (spent[r] + committed <= 9223372036854775807) IS NOT TRUE;
      END LOOP;
      IF overflow THEN
        answers := answers || '{"outcome": "overflow"}'::jsonb;
        CONTINUE;
      END IF;
      spent_delta := committed;
      reserved_delta := -held;
    END IF;

    -- Apply it to each of its targets. (The target goes through a variable: budget_balance is
    -- inlined, and would take it out of the array again at each of its uses.)
    balances := '[]';
    FOR j IN 0 .. jsonb_array_length(item.targets) - 1 LOOP
      r := (item.rows->>j)::integer;
      spent[r] := spent[r] + spent_delta;
      reserved[r] := reserved[r] + reserved_delta;
      target := item.targets->j;
      balances := balances || budget_balance(target, spent[r], reserved[r]);
    END LOOP;

    IF operation IN ('reserve', 'charge') THEN
      answers := answers || CASE operation
        WHEN 'reserve' THEN jsonb_build_object('outcome', 'reserved', 'targets', item.targets,
          'response', jsonb_build_object('reservationId', item.v->'reservationId',
            'expiresAtMs', item.v->'expiresAtMs', 'balances', balances))
        ELSE jsonb_build_object('outcome', 'charged', 'targets', item.targets, 'events', '[]'::jsonb,
          'response', jsonb_build_object('chargeId', item.v->'chargeId', 'balances', balances)) END;
      admitted_keys := admitted_keys || key;
      admitted_items := admitted_items || item.n;
    ELSE
      status := CASE action WHEN 'commit' THEN 'committed' WHEN 'release' THEN 'released' ELSE 'expired' END;
      closed_ids := closed_ids || (item.v->>'reservationId');
      closed_statuses := closed_statuses || status;
      answers := answers || jsonb_build_object('outcome', 'applied', 'action', action, 'lapsed', lapsed,
        'expiresAtMs', reservation->'expiresAtMs', 'heldMicros', held::text, 'committedMicros', committed::text,
        'overReservation', over, 'targets', item.targets, 'balances', balances, 'events', '[]'::jsonb);
    END IF;
  END LOOP;

  FOR recorded_events IN SELECT * FROM budget_record_turn(p_now, p_context->'eventTypes', items, answers) LOOP
    answers[recorded_events.item] := answers[recorded_events.item]
      || jsonb_build_object('events', recorded_events.events);
  END LOOP;
  RETURN QUERY SELECT answer FROM unnest(answers) WITH ORDINALITY AS a(answer, n) ORDER BY n;
END;
$$;
