-- A cost-budget database as the release with migrations 0001-0004 left it (main at 1fa352c), for
-- ledger/released-database-upgrade.test.ts. Generated, not written by hand: the released service
-- (its own process, PostgreSQL 15, schema released_cost_budget, REDIS_URL set, BUDGET_DEFAULT_USER
-- 5000000/daily, BUDGET_DEFAULT_GLOBAL 100000000/hourly) was driven through its gRPC API on
-- 2026-12-08 at 01:05 UTC: SetBudget user:alice 1000000/daily [50, 80] and team:search
-- 5000000/total; Reserve released-open (alice, 300000, 24 h, left open); Reserve released-committed
-- (bob + team:search, 200000, 10 min) then Commit 150000; Reserve released-released (team:search +
-- alice, 100000) then Release; Charge released-charge (alice, 500000); Reserve released-refused
-- (alice, 900000: refused). Then
--   pg_dump --schema=released_cost_budget --no-owner --no-privileges --no-comments --column-inserts
-- with pg_dump's \restrict and \unrestrict lines removed. Do not edit: it stands for the databases
-- that release deployed.
--
-- PostgreSQL database dump
--


-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: released_cost_budget; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA released_cost_budget;


--
-- Name: budget_balance(jsonb, bigint, bigint); Type: FUNCTION; Schema: released_cost_budget; Owner: -
--

CREATE FUNCTION released_cost_budget.budget_balance(target jsonb, spent bigint, reserved bigint) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    AS $$
  SELECT jsonb_build_object(
    'kind', target->'k', 'id', target->>'i', 'limitMicros', target->>'l',
    'remainingMicros', GREATEST(0, (target->>'l')::numeric - spent - reserved)::text,
    'resetsAtMs', target->'e', 'unlimited', target->'u')
$$;


--
-- Name: budget_epoch_ms(bigint); Type: FUNCTION; Schema: released_cost_budget; Owner: -
--

CREATE FUNCTION released_cost_budget.budget_epoch_ms(ms bigint) RETURNS timestamp with time zone
    LANGUAGE sql STABLE
    AS $$
  SELECT timestamptz 'epoch' + ms * interval '1 millisecond'
$$;


--
-- Name: budget_reserve_batch(timestamp with time zone, jsonb, jsonb); Type: FUNCTION; Schema: released_cost_budget; Owner: -
--

CREATE FUNCTION released_cost_budget.budget_reserve_batch(p_now timestamp with time zone, p_context jsonb, p_requests jsonb) RETURNS SETOF jsonb
    LANGUAGE plpgsql
    SET plan_cache_mode TO 'force_generic_plan'
    SET enable_seqscan TO 'off'
    SET enable_bitmapscan TO 'off'
    SET enable_hashjoin TO 'off'
    SET enable_mergejoin TO 'off'
    AS $$
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


--
-- Name: budget_settle_batch(timestamp with time zone, jsonb, jsonb); Type: FUNCTION; Schema: released_cost_budget; Owner: -
--

CREATE FUNCTION released_cost_budget.budget_settle_batch(p_now timestamp with time zone, p_options jsonb, p_requests jsonb) RETURNS SETOF jsonb
    LANGUAGE plpgsql
    SET plan_cache_mode TO 'force_generic_plan'
    SET enable_seqscan TO 'off'
    SET enable_bitmapscan TO 'off'
    SET enable_hashjoin TO 'off'
    SET enable_mergejoin TO 'off'
    AS $$
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


--
-- Name: budget_spend_turn(timestamp with time zone, jsonb, jsonb, jsonb, jsonb); Type: FUNCTION; Schema: released_cost_budget; Owner: -
--

CREATE FUNCTION released_cost_budget.budget_spend_turn(p_now timestamp with time zone, p_context jsonb, p_reserves jsonb, p_options jsonb, p_settles jsonb) RETURNS SETOF jsonb
    LANGUAGE plpgsql
    SET plan_cache_mode TO 'force_generic_plan'
    SET enable_seqscan TO 'off'
    SET enable_bitmapscan TO 'off'
    SET enable_hashjoin TO 'off'
    SET enable_mergejoin TO 'off'
    AS $$
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


--
-- Name: budget_time_ms(timestamp with time zone); Type: FUNCTION; Schema: released_cost_budget; Owner: -
--

CREATE FUNCTION released_cost_budget.budget_time_ms(at timestamp with time zone) RETURNS bigint
    LANGUAGE sql STABLE
    AS $$
  SELECT floor(extract(epoch FROM at) * 1000)::bigint
$$;


--
-- Name: ledger_entries_append_only(); Type: FUNCTION; Schema: released_cost_budget; Owner: -
--

CREATE FUNCTION released_cost_budget.ledger_entries_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  RAISE EXCEPTION 'ledger_entries is append-only';
END;
$$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: budget_events; Type: TABLE; Schema: released_cost_budget; Owner: -
--

CREATE TABLE released_cost_budget.budget_events (
    event_id bigint NOT NULL,
    scope_kind smallint NOT NULL,
    scope_id text NOT NULL,
    event_type smallint NOT NULL,
    threshold_percent smallint DEFAULT 0 NOT NULL,
    spent_micros bigint NOT NULL,
    limit_micros bigint NOT NULL,
    occurred_at timestamp with time zone NOT NULL,
    reservation_id text DEFAULT ''::text NOT NULL
);


--
-- Name: budget_events_event_id_seq; Type: SEQUENCE; Schema: released_cost_budget; Owner: -
--

CREATE SEQUENCE released_cost_budget.budget_events_event_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: budget_events_event_id_seq; Type: SEQUENCE OWNED BY; Schema: released_cost_budget; Owner: -
--

ALTER SEQUENCE released_cost_budget.budget_events_event_id_seq OWNED BY released_cost_budget.budget_events.event_id;


--
-- Name: budgets; Type: TABLE; Schema: released_cost_budget; Owner: -
--

CREATE TABLE released_cost_budget.budgets (
    scope_kind smallint NOT NULL,
    scope_id text NOT NULL,
    limit_micros bigint NOT NULL,
    period smallint NOT NULL,
    alert_thresholds text NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT budgets_limit_micros_check CHECK ((limit_micros >= 0))
);


--
-- Name: gatehouse_migrations; Type: TABLE; Schema: released_cost_budget; Owner: -
--

CREATE TABLE released_cost_budget.gatehouse_migrations (
    id text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: idempotency_keys; Type: TABLE; Schema: released_cost_budget; Owner: -
--

CREATE TABLE released_cost_budget.idempotency_keys (
    idempotency_key text NOT NULL,
    operation text NOT NULL,
    request_hash text NOT NULL,
    response jsonb NOT NULL,
    created_at timestamp with time zone NOT NULL
);


--
-- Name: ledger_entries; Type: TABLE; Schema: released_cost_budget; Owner: -
--

CREATE TABLE released_cost_budget.ledger_entries (
    entry_id bigint NOT NULL,
    occurred_at timestamp with time zone NOT NULL,
    entry_type text NOT NULL,
    reference_id text NOT NULL,
    scope_kind smallint NOT NULL,
    scope_id text NOT NULL,
    period smallint NOT NULL,
    period_start timestamp with time zone NOT NULL,
    spent_delta bigint NOT NULL,
    reserved_delta bigint NOT NULL,
    CONSTRAINT ledger_entries_entry_type_check CHECK ((entry_type = ANY (ARRAY['reserve'::text, 'commit'::text, 'release'::text, 'expire'::text, 'charge'::text])))
);


--
-- Name: ledger_entries_entry_id_seq; Type: SEQUENCE; Schema: released_cost_budget; Owner: -
--

CREATE SEQUENCE released_cost_budget.ledger_entries_entry_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: ledger_entries_entry_id_seq; Type: SEQUENCE OWNED BY; Schema: released_cost_budget; Owner: -
--

ALTER SEQUENCE released_cost_budget.ledger_entries_entry_id_seq OWNED BY released_cost_budget.ledger_entries.entry_id;


--
-- Name: reservations; Type: TABLE; Schema: released_cost_budget; Owner: -
--

CREATE TABLE released_cost_budget.reservations (
    reservation_id text NOT NULL,
    amount_micros bigint NOT NULL,
    status text NOT NULL,
    holds jsonb NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    settled_at timestamp with time zone,
    committed_micros bigint,
    CONSTRAINT reservations_amount_micros_check CHECK ((amount_micros > 0)),
    CONSTRAINT reservations_status_check CHECK ((status = ANY (ARRAY['open'::text, 'committed'::text, 'released'::text, 'expired'::text])))
);


--
-- Name: scope_usage; Type: TABLE; Schema: released_cost_budget; Owner: -
--

CREATE TABLE released_cost_budget.scope_usage (
    scope_kind smallint NOT NULL,
    scope_id text NOT NULL,
    period smallint NOT NULL,
    period_start timestamp with time zone NOT NULL,
    spent_micros bigint DEFAULT 0 NOT NULL,
    reserved_micros bigint DEFAULT 0 NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT scope_usage_reserved_micros_check CHECK ((reserved_micros >= 0)),
    CONSTRAINT scope_usage_spent_micros_check CHECK ((spent_micros >= 0))
);


--
-- Name: budget_events event_id; Type: DEFAULT; Schema: released_cost_budget; Owner: -
--

ALTER TABLE ONLY released_cost_budget.budget_events ALTER COLUMN event_id SET DEFAULT nextval('released_cost_budget.budget_events_event_id_seq'::regclass);


--
-- Name: ledger_entries entry_id; Type: DEFAULT; Schema: released_cost_budget; Owner: -
--

ALTER TABLE ONLY released_cost_budget.ledger_entries ALTER COLUMN entry_id SET DEFAULT nextval('released_cost_budget.ledger_entries_entry_id_seq'::regclass);


--
-- Data for Name: budget_events; Type: TABLE DATA; Schema: released_cost_budget; Owner: -
--

INSERT INTO released_cost_budget.budget_events (event_id, scope_kind, scope_id, event_type, threshold_percent, spent_micros, limit_micros, occurred_at, reservation_id) VALUES (1, 3, 'alice', 1, 50, 500000, 1000000, '2026-12-08 01:05:18.485+00', '');
INSERT INTO released_cost_budget.budget_events (event_id, scope_kind, scope_id, event_type, threshold_percent, spent_micros, limit_micros, occurred_at, reservation_id) VALUES (2, 3, 'alice', 2, 0, 500000, 1000000, '2026-12-08 01:05:18.51+00', '');


--
-- Data for Name: budgets; Type: TABLE DATA; Schema: released_cost_budget; Owner: -
--

INSERT INTO released_cost_budget.budgets (scope_kind, scope_id, limit_micros, period, alert_thresholds, updated_at) VALUES (3, 'alice', 1000000, 2, '50,80', '2026-12-08 01:05:18.274+00');
INSERT INTO released_cost_budget.budgets (scope_kind, scope_id, limit_micros, period, alert_thresholds, updated_at) VALUES (2, 'search', 5000000, 5, '50,80,100', '2026-12-08 01:05:18.295+00');


--
-- Data for Name: gatehouse_migrations; Type: TABLE DATA; Schema: released_cost_budget; Owner: -
--

INSERT INTO released_cost_budget.gatehouse_migrations (id, checksum, applied_at) VALUES ('0001_cost_budget', '02254f35cb88f990da2f505ec0c0c0507f625ebd737d9a3f60ff7a0369f15c77', '2026-12-08 01:05:17.054481+00');
INSERT INTO released_cost_budget.gatehouse_migrations (id, checksum, applied_at) VALUES ('0002_batched_spend', 'e6be0ac2794d2e56bfdeffd5397ba5618cf82430cdac5da67c3a8f95b77ea732', '2026-12-08 01:05:17.158324+00');
INSERT INTO released_cost_budget.gatehouse_migrations (id, checksum, applied_at) VALUES ('0003_index_driven_batch_plans', '4b0d681360136945cb8fbff414439edf38e4bd1adf4cbe4ccba7e138fe58d701', '2026-12-08 01:05:17.176623+00');
INSERT INTO released_cost_budget.gatehouse_migrations (id, checksum, applied_at) VALUES ('0004_spend_turns', '1fce469e565ebeefd2579f918e4ea555951df7aedf711fbf29ac6d2ec6c6b1ee', '2026-12-08 01:05:17.187863+00');


--
-- Data for Name: idempotency_keys; Type: TABLE DATA; Schema: released_cost_budget; Owner: -
--

INSERT INTO released_cost_budget.idempotency_keys (idempotency_key, operation, request_hash, response, created_at) VALUES ('released-open', 'reserve', '267d1b2ab1246718d2763674ff0eccabbbbc6a630b75ddc100fc6246c9645775', '{"balances": [{"id": "alice", "kind": 3, "unlimited": false, "resetsAtMs": 1796774400000, "limitMicros": "1000000", "remainingMicros": "700000"}, {"id": "", "kind": 1, "unlimited": false, "resetsAtMs": 1796695200000, "limitMicros": "100000000", "remainingMicros": "99700000"}], "expiresAtMs": 1796778318311, "reservationId": "rsv_d51b7ac5-8545-4217-910f-c294954560f8"}', '2026-12-08 01:05:18.311+00');
INSERT INTO released_cost_budget.idempotency_keys (idempotency_key, operation, request_hash, response, created_at) VALUES ('released-committed', 'reserve', '2d94f93626e5a07e5779630f21ee5a4efad29312ecf1c3c82e7d382c8c2d82b6', '{"balances": [{"id": "bob", "kind": 3, "unlimited": false, "resetsAtMs": 1796774400000, "limitMicros": "5000000", "remainingMicros": "4800000"}, {"id": "search", "kind": 2, "unlimited": false, "resetsAtMs": null, "limitMicros": "5000000", "remainingMicros": "4800000"}, {"id": "", "kind": 1, "unlimited": false, "resetsAtMs": 1796695200000, "limitMicros": "100000000", "remainingMicros": "99500000"}], "expiresAtMs": 1796692518381, "reservationId": "rsv_d025f517-89e2-455e-8ef2-6daa3e66b751"}', '2026-12-08 01:05:18.381+00');
INSERT INTO released_cost_budget.idempotency_keys (idempotency_key, operation, request_hash, response, created_at) VALUES ('released-released', 'reserve', '3d1177e5e843e42e0f9de1d0cacb46804a8a0086162b53b84789a068d8faac84', '{"balances": [{"id": "alice", "kind": 3, "unlimited": false, "resetsAtMs": 1796774400000, "limitMicros": "1000000", "remainingMicros": "600000"}, {"id": "search", "kind": 2, "unlimited": false, "resetsAtMs": null, "limitMicros": "5000000", "remainingMicros": "4750000"}, {"id": "", "kind": 1, "unlimited": false, "resetsAtMs": 1796695200000, "limitMicros": "100000000", "remainingMicros": "99450000"}], "expiresAtMs": 1796692518447, "reservationId": "rsv_133c5227-e4a5-4b25-956c-31bb7234e3c3"}', '2026-12-08 01:05:18.447+00');
INSERT INTO released_cost_budget.idempotency_keys (idempotency_key, operation, request_hash, response, created_at) VALUES ('released-charge', 'charge', '1142ee5aaae611c437f3d4f93a1b56bae5232716b9f8f5ceb688ec3b6fdefaea', '{"balances": [{"id": "alice", "kind": 3, "unlimited": false, "resetsAtMs": 1796774400000, "limitMicros": "1000000", "remainingMicros": "200000"}, {"id": "", "kind": 1, "unlimited": false, "resetsAtMs": 1796695200000, "limitMicros": "100000000", "remainingMicros": "99050000"}], "chargeId": "chg_b7e72264-d29c-4645-bff2-539621296f12"}', '2026-12-08 01:05:18.485+00');


--
-- Data for Name: ledger_entries; Type: TABLE DATA; Schema: released_cost_budget; Owner: -
--

INSERT INTO released_cost_budget.ledger_entries (entry_id, occurred_at, entry_type, reference_id, scope_kind, scope_id, period, period_start, spent_delta, reserved_delta) VALUES (1, '2026-12-08 01:05:18.311+00', 'reserve', 'rsv_d51b7ac5-8545-4217-910f-c294954560f8', 3, 'alice', 2, '2026-12-08 00:00:00+00', 0, 300000);
INSERT INTO released_cost_budget.ledger_entries (entry_id, occurred_at, entry_type, reference_id, scope_kind, scope_id, period, period_start, spent_delta, reserved_delta) VALUES (2, '2026-12-08 01:05:18.311+00', 'reserve', 'rsv_d51b7ac5-8545-4217-910f-c294954560f8', 1, '', 1, '2026-12-08 01:00:00+00', 0, 300000);
INSERT INTO released_cost_budget.ledger_entries (entry_id, occurred_at, entry_type, reference_id, scope_kind, scope_id, period, period_start, spent_delta, reserved_delta) VALUES (3, '2026-12-08 01:05:18.381+00', 'reserve', 'rsv_d025f517-89e2-455e-8ef2-6daa3e66b751', 3, 'bob', 2, '2026-12-08 00:00:00+00', 0, 200000);
INSERT INTO released_cost_budget.ledger_entries (entry_id, occurred_at, entry_type, reference_id, scope_kind, scope_id, period, period_start, spent_delta, reserved_delta) VALUES (4, '2026-12-08 01:05:18.381+00', 'reserve', 'rsv_d025f517-89e2-455e-8ef2-6daa3e66b751', 2, 'search', 5, '1970-01-01 00:00:00+00', 0, 200000);
INSERT INTO released_cost_budget.ledger_entries (entry_id, occurred_at, entry_type, reference_id, scope_kind, scope_id, period, period_start, spent_delta, reserved_delta) VALUES (5, '2026-12-08 01:05:18.381+00', 'reserve', 'rsv_d025f517-89e2-455e-8ef2-6daa3e66b751', 1, '', 1, '2026-12-08 01:00:00+00', 0, 200000);
INSERT INTO released_cost_budget.ledger_entries (entry_id, occurred_at, entry_type, reference_id, scope_kind, scope_id, period, period_start, spent_delta, reserved_delta) VALUES (6, '2026-12-08 01:05:18.408+00', 'commit', 'rsv_d025f517-89e2-455e-8ef2-6daa3e66b751', 3, 'bob', 2, '2026-12-08 00:00:00+00', 150000, -200000);
INSERT INTO released_cost_budget.ledger_entries (entry_id, occurred_at, entry_type, reference_id, scope_kind, scope_id, period, period_start, spent_delta, reserved_delta) VALUES (7, '2026-12-08 01:05:18.408+00', 'commit', 'rsv_d025f517-89e2-455e-8ef2-6daa3e66b751', 2, 'search', 5, '1970-01-01 00:00:00+00', 150000, -200000);
INSERT INTO released_cost_budget.ledger_entries (entry_id, occurred_at, entry_type, reference_id, scope_kind, scope_id, period, period_start, spent_delta, reserved_delta) VALUES (8, '2026-12-08 01:05:18.408+00', 'commit', 'rsv_d025f517-89e2-455e-8ef2-6daa3e66b751', 1, '', 1, '2026-12-08 01:00:00+00', 150000, -200000);
INSERT INTO released_cost_budget.ledger_entries (entry_id, occurred_at, entry_type, reference_id, scope_kind, scope_id, period, period_start, spent_delta, reserved_delta) VALUES (9, '2026-12-08 01:05:18.447+00', 'reserve', 'rsv_133c5227-e4a5-4b25-956c-31bb7234e3c3', 3, 'alice', 2, '2026-12-08 00:00:00+00', 0, 100000);
INSERT INTO released_cost_budget.ledger_entries (entry_id, occurred_at, entry_type, reference_id, scope_kind, scope_id, period, period_start, spent_delta, reserved_delta) VALUES (10, '2026-12-08 01:05:18.447+00', 'reserve', 'rsv_133c5227-e4a5-4b25-956c-31bb7234e3c3', 2, 'search', 5, '1970-01-01 00:00:00+00', 0, 100000);
INSERT INTO released_cost_budget.ledger_entries (entry_id, occurred_at, entry_type, reference_id, scope_kind, scope_id, period, period_start, spent_delta, reserved_delta) VALUES (11, '2026-12-08 01:05:18.447+00', 'reserve', 'rsv_133c5227-e4a5-4b25-956c-31bb7234e3c3', 1, '', 1, '2026-12-08 01:00:00+00', 0, 100000);
INSERT INTO released_cost_budget.ledger_entries (entry_id, occurred_at, entry_type, reference_id, scope_kind, scope_id, period, period_start, spent_delta, reserved_delta) VALUES (12, '2026-12-08 01:05:18.464+00', 'release', 'rsv_133c5227-e4a5-4b25-956c-31bb7234e3c3', 3, 'alice', 2, '2026-12-08 00:00:00+00', 0, -100000);
INSERT INTO released_cost_budget.ledger_entries (entry_id, occurred_at, entry_type, reference_id, scope_kind, scope_id, period, period_start, spent_delta, reserved_delta) VALUES (13, '2026-12-08 01:05:18.464+00', 'release', 'rsv_133c5227-e4a5-4b25-956c-31bb7234e3c3', 2, 'search', 5, '1970-01-01 00:00:00+00', 0, -100000);
INSERT INTO released_cost_budget.ledger_entries (entry_id, occurred_at, entry_type, reference_id, scope_kind, scope_id, period, period_start, spent_delta, reserved_delta) VALUES (14, '2026-12-08 01:05:18.464+00', 'release', 'rsv_133c5227-e4a5-4b25-956c-31bb7234e3c3', 1, '', 1, '2026-12-08 01:00:00+00', 0, -100000);
INSERT INTO released_cost_budget.ledger_entries (entry_id, occurred_at, entry_type, reference_id, scope_kind, scope_id, period, period_start, spent_delta, reserved_delta) VALUES (15, '2026-12-08 01:05:18.485+00', 'charge', 'chg_b7e72264-d29c-4645-bff2-539621296f12', 3, 'alice', 2, '2026-12-08 00:00:00+00', 500000, 0);
INSERT INTO released_cost_budget.ledger_entries (entry_id, occurred_at, entry_type, reference_id, scope_kind, scope_id, period, period_start, spent_delta, reserved_delta) VALUES (16, '2026-12-08 01:05:18.485+00', 'charge', 'chg_b7e72264-d29c-4645-bff2-539621296f12', 1, '', 1, '2026-12-08 01:00:00+00', 500000, 0);


--
-- Data for Name: reservations; Type: TABLE DATA; Schema: released_cost_budget; Owner: -
--

INSERT INTO released_cost_budget.reservations (reservation_id, amount_micros, status, holds, description, created_at, expires_at, settled_at, committed_micros) VALUES ('rsv_d51b7ac5-8545-4217-910f-c294954560f8', 300000, 'open', '[{"e": 1796774400000, "i": "alice", "k": 3, "l": "1000000", "p": 2, "s": 1796688000000, "t": [50, 80], "u": false}, {"e": 1796695200000, "i": "", "k": 1, "l": "100000000", "p": 1, "s": 1796691600000, "t": [50, 80, 100], "u": false}]', 'left open', '2026-12-08 01:05:18.311+00', '2026-12-09 01:05:18.311+00', NULL, NULL);
INSERT INTO released_cost_budget.reservations (reservation_id, amount_micros, status, holds, description, created_at, expires_at, settled_at, committed_micros) VALUES ('rsv_d025f517-89e2-455e-8ef2-6daa3e66b751', 200000, 'committed', '[{"e": 1796774400000, "i": "bob", "k": 3, "l": "5000000", "p": 2, "s": 1796688000000, "t": [50, 80, 100], "u": false}, {"e": null, "i": "search", "k": 2, "l": "5000000", "p": 5, "s": 0, "t": [50, 80, 100], "u": false}, {"e": 1796695200000, "i": "", "k": 1, "l": "100000000", "p": 1, "s": 1796691600000, "t": [50, 80, 100], "u": false}]', '', '2026-12-08 01:05:18.381+00', '2026-12-08 01:15:18.381+00', '2026-12-08 01:05:18.408+00', 150000);
INSERT INTO released_cost_budget.reservations (reservation_id, amount_micros, status, holds, description, created_at, expires_at, settled_at, committed_micros) VALUES ('rsv_133c5227-e4a5-4b25-956c-31bb7234e3c3', 100000, 'released', '[{"e": 1796774400000, "i": "alice", "k": 3, "l": "1000000", "p": 2, "s": 1796688000000, "t": [50, 80], "u": false}, {"e": null, "i": "search", "k": 2, "l": "5000000", "p": 5, "s": 0, "t": [50, 80, 100], "u": false}, {"e": 1796695200000, "i": "", "k": 1, "l": "100000000", "p": 1, "s": 1796691600000, "t": [50, 80, 100], "u": false}]', '', '2026-12-08 01:05:18.447+00', '2026-12-08 01:15:18.447+00', '2026-12-08 01:05:18.464+00', 0);


--
-- Data for Name: scope_usage; Type: TABLE DATA; Schema: released_cost_budget; Owner: -
--

INSERT INTO released_cost_budget.scope_usage (scope_kind, scope_id, period, period_start, spent_micros, reserved_micros, updated_at) VALUES (3, 'bob', 2, '2026-12-08 00:00:00+00', 150000, 0, '2026-12-08 01:05:18.408+00');
INSERT INTO released_cost_budget.scope_usage (scope_kind, scope_id, period, period_start, spent_micros, reserved_micros, updated_at) VALUES (2, 'search', 5, '1970-01-01 00:00:00+00', 150000, 0, '2026-12-08 01:05:18.464+00');
INSERT INTO released_cost_budget.scope_usage (scope_kind, scope_id, period, period_start, spent_micros, reserved_micros, updated_at) VALUES (3, 'alice', 2, '2026-12-08 00:00:00+00', 500000, 300000, '2026-12-08 01:05:18.485+00');
INSERT INTO released_cost_budget.scope_usage (scope_kind, scope_id, period, period_start, spent_micros, reserved_micros, updated_at) VALUES (1, '', 1, '2026-12-08 01:00:00+00', 650000, 300000, '2026-12-08 01:05:18.485+00');


--
-- Name: budget_events_event_id_seq; Type: SEQUENCE SET; Schema: released_cost_budget; Owner: -
--

SELECT pg_catalog.setval('released_cost_budget.budget_events_event_id_seq', 2, true);


--
-- Name: ledger_entries_entry_id_seq; Type: SEQUENCE SET; Schema: released_cost_budget; Owner: -
--

SELECT pg_catalog.setval('released_cost_budget.ledger_entries_entry_id_seq', 16, true);


--
-- Name: budget_events budget_events_pkey; Type: CONSTRAINT; Schema: released_cost_budget; Owner: -
--

ALTER TABLE ONLY released_cost_budget.budget_events
    ADD CONSTRAINT budget_events_pkey PRIMARY KEY (event_id);


--
-- Name: budgets budgets_pkey; Type: CONSTRAINT; Schema: released_cost_budget; Owner: -
--

ALTER TABLE ONLY released_cost_budget.budgets
    ADD CONSTRAINT budgets_pkey PRIMARY KEY (scope_kind, scope_id);


--
-- Name: gatehouse_migrations gatehouse_migrations_pkey; Type: CONSTRAINT; Schema: released_cost_budget; Owner: -
--

ALTER TABLE ONLY released_cost_budget.gatehouse_migrations
    ADD CONSTRAINT gatehouse_migrations_pkey PRIMARY KEY (id);


--
-- Name: idempotency_keys idempotency_keys_pkey; Type: CONSTRAINT; Schema: released_cost_budget; Owner: -
--

ALTER TABLE ONLY released_cost_budget.idempotency_keys
    ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (idempotency_key);


--
-- Name: ledger_entries ledger_entries_pkey; Type: CONSTRAINT; Schema: released_cost_budget; Owner: -
--

ALTER TABLE ONLY released_cost_budget.ledger_entries
    ADD CONSTRAINT ledger_entries_pkey PRIMARY KEY (entry_id);


--
-- Name: reservations reservations_pkey; Type: CONSTRAINT; Schema: released_cost_budget; Owner: -
--

ALTER TABLE ONLY released_cost_budget.reservations
    ADD CONSTRAINT reservations_pkey PRIMARY KEY (reservation_id);


--
-- Name: scope_usage scope_usage_pkey; Type: CONSTRAINT; Schema: released_cost_budget; Owner: -
--

ALTER TABLE ONLY released_cost_budget.scope_usage
    ADD CONSTRAINT scope_usage_pkey PRIMARY KEY (scope_kind, scope_id, period, period_start);


--
-- Name: budget_events_by_scope; Type: INDEX; Schema: released_cost_budget; Owner: -
--

CREATE INDEX budget_events_by_scope ON released_cost_budget.budget_events USING btree (scope_kind, scope_id, event_id DESC);


--
-- Name: idempotency_keys_by_age; Type: INDEX; Schema: released_cost_budget; Owner: -
--

CREATE INDEX idempotency_keys_by_age ON released_cost_budget.idempotency_keys USING btree (created_at);


--
-- Name: ledger_entries_by_usage; Type: INDEX; Schema: released_cost_budget; Owner: -
--

CREATE INDEX ledger_entries_by_usage ON released_cost_budget.ledger_entries USING btree (scope_kind, scope_id, period, period_start);


--
-- Name: reservations_unsettled_by_expiry; Type: INDEX; Schema: released_cost_budget; Owner: -
--

CREATE INDEX reservations_unsettled_by_expiry ON released_cost_budget.reservations USING btree (expires_at) WHERE (settled_at IS NULL);


--
-- Name: ledger_entries ledger_entries_append_only; Type: TRIGGER; Schema: released_cost_budget; Owner: -
--

CREATE TRIGGER ledger_entries_append_only BEFORE DELETE OR UPDATE ON released_cost_budget.ledger_entries FOR EACH ROW EXECUTE FUNCTION released_cost_budget.ledger_entries_append_only();


--
-- PostgreSQL database dump complete
--


