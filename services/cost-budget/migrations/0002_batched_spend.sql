-- Group commit: Reserve and Commit/Release/expiry run in batches, each batch ONE statement (one round
-- trip, one transaction) calling a function below. Requests of a batch are decided as if one after
-- another in the given order, on rows the batch has locked, so admission stays exact; the global
-- usage row, which every operation touches, is locked once per batch instead of once per operation.
-- When the whole batch fits, it is applied in one set-based pass with the same results.
--
-- A hold ("target") is the JSON stored in reservations.holds: {k: kind, i: id, p: period,
-- s: period start (epoch ms), e: period end (epoch ms) or null, l: limit (text), u: unlimited,
-- t: alert thresholds}.

CREATE FUNCTION budget_epoch_ms(ms bigint) RETURNS timestamptz LANGUAGE sql STABLE AS $$
  SELECT timestamptz 'epoch' + ms * interval '1 millisecond'
$$;

CREATE FUNCTION budget_time_ms(at timestamptz) RETURNS bigint LANGUAGE sql STABLE AS $$
  SELECT floor(extract(epoch FROM at) * 1000)::bigint
$$;

-- A scope's standing after an operation, in the JSON form Reserve/Commit answer and replay.
CREATE FUNCTION budget_balance(target jsonb, spent bigint, reserved bigint) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object(
    'kind', target->'k', 'id', target->>'i', 'limitMicros', target->>'l',
    'remainingMicros', GREATEST(0, (target->>'l')::numeric - spent - reserved)::text,
    'resetsAtMs', target->'e', 'unlimited', target->'u')
$$;

-- p_context: {defaults: {<scope kind>: {p, l, u, t}}, windows: {<period>: {s, e}}}: the budget of a
-- scope without its own, and the current window of each period.
-- p_requests: [{key, hash, rid, amount, expires_ms, description, scopes: [{k, i}] in lock order}] in
-- arrival order.
-- Answers one JSON per request, in order: {outcome: 'recorded', operation, hash, response} (the
-- idempotency key was used before), {outcome: 'refused', target, spent, reserved}, or
-- {outcome: 'reserved', response, holds}.
CREATE FUNCTION budget_reserve_batch(p_now timestamptz, p_context jsonb, p_requests jsonb)
RETURNS SETOF jsonb LANGUAGE plpgsql
-- Plans depend on no argument value (all come as jsonb): plan once per connection, not per call.
SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
DECLARE
  requests jsonb;
  lock_rows jsonb;
  r record;
  recorded record;
  refusal record;
  balances jsonb;
  reply jsonb;
  one_pass boolean;
BEGIN
  -- The usage row each scope holds on, with the budget that applies (its own, or its kind's
  -- default), attached to every request as its holds.
  WITH scopes AS (
    SELECT DISTINCT (sc->>'k')::smallint AS k, sc->>'i' AS i
    FROM jsonb_array_elements(p_requests) AS x, jsonb_array_elements(x->'scopes') AS sc
  ), effective AS (
    SELECT scopes.k, scopes.i,
      CASE WHEN b.scope_kind IS NULL THEN p_context->'defaults'->(scopes.k::text)
           ELSE jsonb_build_object('p', b.period, 'l', b.limit_micros::text, 'u', false,
             't', CASE WHEN b.alert_thresholds = '' THEN '[]'::jsonb
                       ELSE to_jsonb(string_to_array(b.alert_thresholds, ',')::int[]) END) END AS budget
    FROM scopes LEFT JOIN budgets b ON b.scope_kind = scopes.k AND b.scope_id = scopes.i
  ), targets AS (
    SELECT k, i, jsonb_build_object('k', k, 'i', i, 'p', budget->'p',
      's', p_context->'windows'->(budget->>'p')->'s', 'e', p_context->'windows'->(budget->>'p')->'e',
      'l', budget->'l', 'u', budget->'u', 't', budget->'t') AS h
    FROM effective
  )
  SELECT
    (SELECT jsonb_agg(h ORDER BY k DESC, i COLLATE "C") FROM targets),
    (SELECT jsonb_agg(x || jsonb_build_object('holds', (
        SELECT jsonb_agg(targets.h ORDER BY sc.n)
        FROM jsonb_array_elements(x->'scopes') WITH ORDINALITY AS sc(v, n)
        JOIN targets ON targets.k = (sc.v->>'k')::smallint AND targets.i = sc.v->>'i')) ORDER BY xn)
     FROM jsonb_array_elements(p_requests) WITH ORDINALITY AS req(x, xn))
  INTO lock_rows, requests;

  -- Creates missing rows and locks all of them in the one lock order, before deciding anything.
  INSERT INTO scope_usage AS u (scope_kind, scope_id, period, period_start, updated_at)
  SELECT (x->>'k')::smallint, x->>'i', (x->>'p')::smallint, budget_epoch_ms((x->>'s')::bigint), p_now
  FROM jsonb_array_elements(lock_rows) WITH ORDINALITY AS batch_rows(x, n)
  ORDER BY n
  ON CONFLICT (scope_kind, scope_id, period, period_start) DO UPDATE SET updated_at = u.updated_at;

  -- The common case in one pass: every key new and distinct, and every row has room for the whole
  -- batch; the one-by-one loop below would then admit every request too.
  WITH req AS (
    SELECT x->>'key' AS key, (x->>'amount')::numeric AS amount, x->'holds' AS holds
    FROM jsonb_array_elements(requests) AS x
  ), totals AS (
    SELECT (h->>'k')::smallint AS k, h->>'i' AS i, (h->>'p')::smallint AS p,
      budget_epoch_ms((h->>'s')::bigint) AS s, min((h->>'l')::numeric) AS l, sum(req.amount) AS total
    FROM req, jsonb_array_elements(req.holds) AS h GROUP BY 1, 2, 3, 4
  )
  SELECT (SELECT count(DISTINCT key) = count(*) FROM req)
    AND NOT EXISTS (SELECT 1 FROM idempotency_keys WHERE idempotency_key = ANY (ARRAY(SELECT key FROM req)))
    AND NOT EXISTS (
      SELECT 1 FROM totals t JOIN scope_usage u
        ON u.scope_kind = t.k AND u.scope_id = t.i AND u.period = t.p AND u.period_start = t.s
      WHERE u.spent_micros::numeric + u.reserved_micros + t.total > t.l)
  INTO one_pass;
  IF one_pass THEN
    RETURN QUERY
    WITH req AS (
      SELECT n, x->>'key' AS key, x->>'hash' AS hash, x->>'rid' AS rid, (x->>'amount')::bigint AS amount,
        (x->>'expires_ms')::bigint AS expires_ms, x->>'description' AS description, x->'holds' AS holds
      FROM jsonb_array_elements(requests) WITH ORDINALITY AS batch(x, n)
    ), flat AS (
      SELECT req.n, req.rid, req.amount, t.h, t.hn, (t.h->>'k')::smallint AS k, t.h->>'i' AS i,
        (t.h->>'p')::smallint AS p, budget_epoch_ms((t.h->>'s')::bigint) AS s
      FROM req, jsonb_array_elements(req.holds) WITH ORDINALITY AS t(h, hn)
    ), totals AS (
      SELECT k, i, p, s, sum(amount) AS total FROM flat GROUP BY k, i, p, s
    ), updated AS (
      UPDATE scope_usage u SET reserved_micros = u.reserved_micros + t.total, updated_at = p_now
      FROM totals t
      WHERE u.scope_kind = t.k AND u.scope_id = t.i AND u.period = t.p AND u.period_start = t.s
      RETURNING u.scope_kind AS k, u.scope_id AS i, u.period AS p, u.period_start AS s, u.spent_micros AS spent,
        u.reserved_micros - t.total AS reserved_before
    ), running AS (
      SELECT f.n, f.rid, f.h, f.hn, updated.spent,
        (updated.reserved_before + sum(f.amount) OVER (PARTITION BY f.k, f.i, f.p, f.s ORDER BY f.n))::bigint AS reserved
      FROM flat f JOIN updated USING (k, i, p, s)
    ), replies AS (
      SELECT req.n, req.key, req.hash, req.holds, jsonb_build_object('reservationId', req.rid, 'expiresAtMs', req.expires_ms,
        'balances', jsonb_agg(budget_balance(running.h, running.spent, running.reserved) ORDER BY running.hn)) AS reply
      FROM req JOIN running USING (n) GROUP BY req.n, req.key, req.hash, req.holds, req.rid, req.expires_ms
    ), reservations_added AS (
      INSERT INTO reservations (reservation_id, amount_micros, status, holds, description, created_at, expires_at)
      SELECT rid, amount, 'open', holds, description, p_now, budget_epoch_ms(expires_ms) FROM req
    ), entries_added AS (
      INSERT INTO ledger_entries (occurred_at, entry_type, reference_id, scope_kind, scope_id, period,
        period_start, spent_delta, reserved_delta)
      SELECT p_now, 'reserve', rid, k, i, p, s, 0, amount FROM flat ORDER BY n, hn
    ), keys_added AS (
      INSERT INTO idempotency_keys (idempotency_key, operation, request_hash, response, created_at)
      SELECT key, 'reserve', hash, reply, p_now FROM replies
    )
    SELECT jsonb_build_object('outcome', 'reserved', 'response', reply, 'holds', holds) FROM replies ORDER BY n;
    RETURN;
  END IF;

  FOR r IN
    SELECT * FROM jsonb_to_recordset(requests)
      AS x(key text, hash text, rid text, amount bigint, expires_ms bigint, description text, holds jsonb)
  LOOP
    -- Every Reserve and Charge holds the global row until it commits, so a key recorded by any
    -- other transaction is already visible here.
    SELECT operation, request_hash, response INTO recorded FROM idempotency_keys WHERE idempotency_key = r.key;
    IF FOUND THEN
      RETURN NEXT jsonb_build_object('outcome', 'recorded', 'operation', recorded.operation,
        'hash', recorded.request_hash, 'response', recorded.response);
      CONTINUE;
    END IF;

    SELECT t.n, u.spent_micros, u.reserved_micros INTO refusal
    FROM jsonb_array_elements(r.holds) WITH ORDINALITY AS t(h, n)
    JOIN scope_usage u ON u.scope_kind = (t.h->>'k')::smallint AND u.scope_id = t.h->>'i'
      AND u.period = (t.h->>'p')::smallint AND u.period_start = budget_epoch_ms((t.h->>'s')::bigint)
    WHERE u.spent_micros::numeric + u.reserved_micros + r.amount > (t.h->>'l')::numeric
    ORDER BY t.n LIMIT 1;
    IF FOUND THEN
      RETURN NEXT jsonb_build_object('outcome', 'refused', 'target', r.holds->(refusal.n::int - 1),
        'spent', refusal.spent_micros::text, 'reserved', refusal.reserved_micros::text);
      CONTINUE;
    END IF;

    -- Every scope has room: the sums stay within limits that fit int64.
    WITH updated AS (
      UPDATE scope_usage u SET reserved_micros = u.reserved_micros + r.amount, updated_at = p_now
      FROM jsonb_array_elements(r.holds) WITH ORDINALITY AS t(h, n)
      WHERE u.scope_kind = (t.h->>'k')::smallint AND u.scope_id = t.h->>'i'
        AND u.period = (t.h->>'p')::smallint AND u.period_start = budget_epoch_ms((t.h->>'s')::bigint)
      RETURNING t.n, t.h, u.spent_micros, u.reserved_micros
    )
    SELECT jsonb_agg(budget_balance(h, spent_micros, reserved_micros) ORDER BY n) INTO balances FROM updated;

    reply := jsonb_build_object('reservationId', r.rid, 'expiresAtMs', r.expires_ms, 'balances', balances);
    INSERT INTO reservations (reservation_id, amount_micros, status, holds, description, created_at, expires_at)
    VALUES (r.rid, r.amount, 'open', r.holds, r.description, p_now, budget_epoch_ms(r.expires_ms));
    INSERT INTO ledger_entries (occurred_at, entry_type, reference_id, scope_kind, scope_id, period,
      period_start, spent_delta, reserved_delta)
    SELECT p_now, 'reserve', r.rid, (t.h->>'k')::smallint, t.h->>'i', (t.h->>'p')::smallint,
      budget_epoch_ms((t.h->>'s')::bigint), 0, r.amount
    FROM jsonb_array_elements(r.holds) WITH ORDINALITY AS t(h, n) ORDER BY t.n;
    INSERT INTO idempotency_keys (idempotency_key, operation, request_hash, response, created_at)
    VALUES (r.key, 'reserve', r.hash, reply, p_now);
    RETURN NEXT jsonb_build_object('outcome', 'reserved', 'response', reply, 'holds', r.holds);
  END LOOP;
END;
$$;

-- p_options: {cap: boolean (over-commit policy), threshold, expired, over: event type numbers}.
-- p_requests: [{rid, action: 'commit' | 'release' | 'expire', actual}] in arrival order.
-- Answers one JSON per request, in order: {outcome: 'missing'}, {outcome: 'closed', status,
-- settled_ms}, {outcome: 'overflow'}, or {outcome: 'applied', action, lapsed, expires_ms, held,
-- committed, over, holds, balances, events}. A Commit/Release of a lapsed hold expires it instead.
CREATE FUNCTION budget_settle_batch(p_now timestamptz, p_options jsonb, p_requests jsonb)
RETURNS SETOF jsonb LANGUAGE plpgsql
-- Plans depend on no argument value (all come as jsonb): plan once per connection, not per call.
SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
DECLARE
  q record;
  res record;
  t record;
  act text;
  lapsed boolean;
  held bigint;
  actual bigint;
  committed bigint;
  over_hold boolean;
  extra smallint;
  after_spent bigint;
  after_reserved bigint;
  balances jsonb;
  events jsonb;
  cap boolean := (p_options->>'cap')::boolean;
  one_pass boolean;
BEGIN
  -- Locks first the reservations, then their usage rows in the one lock order (global last).
  PERFORM 1 FROM reservations
  WHERE reservation_id = ANY (ARRAY(SELECT x->>'rid' FROM jsonb_array_elements(p_requests) AS x))
  ORDER BY reservation_id FOR UPDATE;
  PERFORM 1 FROM scope_usage u
  JOIN (
    SELECT DISTINCT (h->>'k')::smallint AS k, h->>'i' AS i, (h->>'p')::smallint AS p,
      budget_epoch_ms((h->>'s')::bigint) AS s
    FROM reservations r, jsonb_array_elements(r.holds) AS h
    WHERE r.status = 'open'
      AND r.reservation_id = ANY (ARRAY(SELECT x->>'rid' FROM jsonb_array_elements(p_requests) AS x))
  ) w ON u.scope_kind = w.k AND u.scope_id = w.i AND u.period = w.p AND u.period_start = w.s
  ORDER BY u.scope_kind DESC, u.scope_id COLLATE "C", u.period, u.period_start
  FOR UPDATE OF u;

  -- The common case in one pass: distinct reservations, all open and not lapsed, no spend past int64.
  WITH req AS (
    SELECT x->>'rid' AS rid, x->>'action' AS act, (x->>'actual')::numeric AS actual
    FROM jsonb_array_elements(p_requests) AS x
  ), calc AS (
    SELECT req.*, r.status, r.expires_at, r.holds,
      CASE WHEN req.act <> 'commit' THEN 0
           WHEN req.actual > r.amount_micros AND cap THEN r.amount_micros ELSE req.actual END AS committed
    FROM req LEFT JOIN reservations r ON r.reservation_id = req.rid
  ), totals AS (
    SELECT (h->>'k')::smallint AS k, h->>'i' AS i, (h->>'p')::smallint AS p,
      budget_epoch_ms((h->>'s')::bigint) AS s, sum(calc.committed) AS spent
    FROM calc, jsonb_array_elements(calc.holds) AS h GROUP BY 1, 2, 3, 4
  )
  SELECT (SELECT count(DISTINCT rid) = count(*) FROM req)
    AND NOT EXISTS (
      SELECT 1 FROM calc
      WHERE status IS DISTINCT FROM 'open' OR (act <> 'expire' AND expires_at <= p_now))
    AND (SELECT count(*) FROM totals t JOIN scope_usage u
           ON u.scope_kind = t.k AND u.scope_id = t.i AND u.period = t.p AND u.period_start = t.s
         WHERE u.spent_micros::numeric + t.spent <= 9223372036854775807) = (SELECT count(*) FROM totals)
  INTO one_pass;
  IF one_pass THEN
    RETURN QUERY
    WITH req AS (
      SELECT n, x->>'rid' AS rid, x->>'action' AS act, (x->>'actual')::bigint AS actual
      FROM jsonb_array_elements(p_requests) WITH ORDINALITY AS batch(x, n)
    ), calc AS (
      SELECT req.n, req.rid, req.act, r.amount_micros AS held, r.holds, budget_time_ms(r.expires_at) AS expires_ms,
        CASE WHEN req.act = 'commit' THEN req.actual ELSE 0 END > r.amount_micros AS over_hold,
        CASE WHEN req.act <> 'commit' THEN 0
             WHEN req.actual > r.amount_micros AND cap THEN r.amount_micros ELSE req.actual END AS committed
      FROM req JOIN reservations r ON r.reservation_id = req.rid
    ), flat AS (
      SELECT c.n, c.rid, c.act, c.over_hold, c.held, c.committed, t.h, t.hn, (t.h->>'k')::smallint AS k,
        t.h->>'i' AS i, (t.h->>'p')::smallint AS p, budget_epoch_ms((t.h->>'s')::bigint) AS s
      FROM calc c, jsonb_array_elements(c.holds) WITH ORDINALITY AS t(h, hn)
    ), totals AS (
      SELECT k, i, p, s, sum(committed) AS spent, sum(held) AS reserved FROM flat GROUP BY k, i, p, s
    ), updated AS (
      UPDATE scope_usage u SET spent_micros = u.spent_micros + t.spent,
        reserved_micros = u.reserved_micros - t.reserved, updated_at = p_now
      FROM totals t
      WHERE u.scope_kind = t.k AND u.scope_id = t.i AND u.period = t.p AND u.period_start = t.s
      RETURNING u.scope_kind AS k, u.scope_id AS i, u.period AS p, u.period_start AS s,
        u.spent_micros - t.spent AS spent_before, u.reserved_micros + t.reserved AS reserved_before
    ), running AS (
      SELECT f.*,
        (updated.spent_before + sum(f.committed) OVER w)::bigint AS spent_after,
        (updated.reserved_before - sum(f.held) OVER w)::bigint AS reserved_after
      FROM flat f JOIN updated USING (k, i, p, s)
      WINDOW w AS (PARTITION BY f.k, f.i, f.p, f.s ORDER BY f.n)
    ), new_events AS (
      SELECT running.n, running.hn, pct.en, running.rid, running.k, running.i, running.spent_after,
        (running.h->>'l')::bigint AS lim, (p_options->>'threshold')::smallint AS type, pct.value::smallint AS pct
      FROM running, jsonb_array_elements_text(running.h->'t') WITH ORDINALITY AS pct(value, en)
      WHERE NOT (running.h->>'u')::boolean AND (running.h->>'l')::numeric > 0
        AND (running.spent_after::numeric - running.committed) * 100 < (running.h->>'l')::numeric * pct.value::numeric
        AND running.spent_after::numeric * 100 >= (running.h->>'l')::numeric * pct.value::numeric
      UNION ALL
      SELECT n, hn, 2147483647, rid, k, i, spent_after, (h->>'l')::bigint,
        CASE WHEN act = 'expire' THEN (p_options->>'expired')::smallint ELSE (p_options->>'over')::smallint END, 0
      FROM running WHERE act = 'expire' OR over_hold
    ), events_added AS (
      INSERT INTO budget_events (scope_kind, scope_id, event_type, threshold_percent, spent_micros,
        limit_micros, occurred_at, reservation_id)
      SELECT k, i, type, pct, spent_after, lim, p_now, rid FROM new_events ORDER BY n, hn, en
      RETURNING event_id, scope_kind, scope_id, event_type, threshold_percent, spent_micros, limit_micros,
        reservation_id
    ), entries_added AS (
      INSERT INTO ledger_entries (occurred_at, entry_type, reference_id, scope_kind, scope_id, period,
        period_start, spent_delta, reserved_delta)
      SELECT p_now, act, rid, k, i, p, s, committed, -held FROM flat ORDER BY n, hn
    ), closed AS (
      UPDATE reservations r SET
        status = CASE c.act WHEN 'commit' THEN 'committed' WHEN 'release' THEN 'released' ELSE 'expired' END,
        settled_at = p_now, committed_micros = c.committed
      FROM calc c WHERE r.reservation_id = c.rid
    )
    SELECT jsonb_build_object('outcome', 'applied', 'action', c.act, 'lapsed', false,
      'expires_ms', c.expires_ms, 'held', c.held::text, 'committed', c.committed::text,
      'over', c.over_hold, 'holds', c.holds,
      'balances', (SELECT jsonb_agg(budget_balance(running.h, running.spent_after, running.reserved_after)
                   ORDER BY running.hn) FROM running WHERE running.n = c.n),
      'events', COALESCE((SELECT jsonb_agg(jsonb_build_object('k', e.scope_kind, 'i', e.scope_id,
          'type', e.event_type, 'pct', e.threshold_percent, 'spent', e.spent_micros::text,
          'limit', e.limit_micros::text) ORDER BY e.event_id) FROM events_added e WHERE e.reservation_id = c.rid), '[]'))
    FROM calc c ORDER BY c.n;
    RETURN;
  END IF;

  FOR q IN SELECT * FROM jsonb_to_recordset(p_requests) AS x(rid text, action text, actual bigint) LOOP
    SELECT * INTO res FROM reservations WHERE reservation_id = q.rid;
    IF NOT FOUND THEN
      RETURN NEXT jsonb_build_object('outcome', 'missing');
      CONTINUE;
    END IF;
    IF res.status <> 'open' THEN
      RETURN NEXT jsonb_build_object('outcome', 'closed', 'status', res.status,
        'settled_ms', budget_time_ms(res.settled_at));
      CONTINUE;
    END IF;
    lapsed := q.action <> 'expire' AND res.expires_at <= p_now;
    act := CASE WHEN lapsed THEN 'expire' ELSE q.action END;
    held := res.amount_micros;
    actual := CASE WHEN act = 'commit' THEN q.actual ELSE 0 END;
    over_hold := actual > held;
    committed := CASE WHEN over_hold AND cap THEN held ELSE actual END;
    IF EXISTS (
      SELECT 1 FROM jsonb_array_elements(res.holds) AS h
      LEFT JOIN scope_usage u ON u.scope_kind = (h->>'k')::smallint AND u.scope_id = h->>'i'
        AND u.period = (h->>'p')::smallint AND u.period_start = budget_epoch_ms((h->>'s')::bigint)
      WHERE u.spent_micros IS NULL OR u.spent_micros::numeric + committed > 9223372036854775807
    ) THEN
      RETURN NEXT jsonb_build_object('outcome', 'overflow');
      CONTINUE;
    END IF;

    extra := CASE WHEN act = 'expire' THEN (p_options->>'expired')::smallint
                  WHEN over_hold THEN (p_options->>'over')::smallint END;
    balances := '[]';
    events := '[]';
    FOR t IN SELECT e.h, e.n FROM jsonb_array_elements(res.holds) WITH ORDINALITY AS e(h, n) ORDER BY e.n LOOP
      UPDATE scope_usage u SET spent_micros = u.spent_micros + committed,
        reserved_micros = u.reserved_micros - held, updated_at = p_now
      WHERE u.scope_kind = (t.h->>'k')::smallint AND u.scope_id = t.h->>'i'
        AND u.period = (t.h->>'p')::smallint AND u.period_start = budget_epoch_ms((t.h->>'s')::bigint)
      RETURNING u.spent_micros, u.reserved_micros INTO after_spent, after_reserved;
      balances := balances || jsonb_build_array(budget_balance(t.h, after_spent, after_reserved));
      -- Alert thresholds the spend crossed, then the expiry / over-reservation event, in that order.
      WITH inserted AS (
        INSERT INTO budget_events (scope_kind, scope_id, event_type, threshold_percent, spent_micros,
          limit_micros, occurred_at, reservation_id)
        SELECT (t.h->>'k')::smallint, t.h->>'i', e.type, e.pct, after_spent, (t.h->>'l')::bigint, p_now, q.rid
        FROM (
          SELECT (p_options->>'threshold')::smallint AS type, pct.value::smallint AS pct, pct.n AS n
          FROM jsonb_array_elements_text(t.h->'t') WITH ORDINALITY AS pct(value, n)
          WHERE NOT (t.h->>'u')::boolean AND (t.h->>'l')::numeric > 0
            AND (after_spent::numeric - committed) * 100 < (t.h->>'l')::numeric * pct.value::numeric
            AND after_spent::numeric * 100 >= (t.h->>'l')::numeric * pct.value::numeric
          UNION ALL
          SELECT extra, 0, 2147483647 WHERE extra IS NOT NULL
        ) e
        ORDER BY e.n
        RETURNING event_id, scope_kind, scope_id, event_type, threshold_percent, spent_micros, limit_micros
      )
      SELECT events || COALESCE(jsonb_agg(jsonb_build_object('k', scope_kind, 'i', scope_id,
          'type', event_type, 'pct', threshold_percent, 'spent', spent_micros::text,
          'limit', limit_micros::text) ORDER BY event_id), '[]')
      INTO events FROM inserted;
    END LOOP;

    INSERT INTO ledger_entries (occurred_at, entry_type, reference_id, scope_kind, scope_id, period,
      period_start, spent_delta, reserved_delta)
    SELECT p_now, act, q.rid, (e.h->>'k')::smallint, e.h->>'i', (e.h->>'p')::smallint,
      budget_epoch_ms((e.h->>'s')::bigint), committed, -held
    FROM jsonb_array_elements(res.holds) WITH ORDINALITY AS e(h, n) ORDER BY e.n;
    UPDATE reservations SET
      status = CASE act WHEN 'commit' THEN 'committed' WHEN 'release' THEN 'released' ELSE 'expired' END,
      settled_at = p_now, committed_micros = committed
    WHERE reservation_id = q.rid;
    RETURN NEXT jsonb_build_object('outcome', 'applied', 'action', act, 'lapsed', lapsed,
      'expires_ms', budget_time_ms(res.expires_at), 'held', held::text, 'committed', committed::text,
      'over', over_hold, 'holds', res.holds, 'balances', balances, 'events', events);
  END LOOP;
END;
$$;
