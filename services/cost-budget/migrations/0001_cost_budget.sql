-- Cost-budget ledger. PostgreSQL is the truth: every operation is one transaction over these tables.
-- Money is integer micro-units (bigint); timestamps are timestamptz (UTC).

-- Explicit budgets set by admins; scopes without one fall back to the configured defaults.
CREATE TABLE budgets (
  scope_kind smallint NOT NULL,
  scope_id text NOT NULL,
  limit_micros bigint NOT NULL CHECK (limit_micros >= 0),
  period smallint NOT NULL,
  alert_thresholds text NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (scope_kind, scope_id)
);

-- One row per scope and period: spend and open holds. Updated only together with ledger entries
-- that add up to it; reservations and charges are admitted by a conditional update of this row.
CREATE TABLE scope_usage (
  scope_kind smallint NOT NULL,
  scope_id text NOT NULL,
  period smallint NOT NULL,
  period_start timestamptz NOT NULL,
  spent_micros bigint NOT NULL DEFAULT 0 CHECK (spent_micros >= 0),
  reserved_micros bigint NOT NULL DEFAULT 0 CHECK (reserved_micros >= 0),
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (scope_kind, scope_id, period, period_start)
);

-- Holds: which usage rows a reservation holds on, so it always settles against the period it was
-- reserved in.
CREATE TABLE reservations (
  reservation_id text PRIMARY KEY,
  amount_micros bigint NOT NULL CHECK (amount_micros > 0),
  status text NOT NULL CHECK (status IN ('open', 'committed', 'released', 'expired')),
  holds jsonb NOT NULL,
  description text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  settled_at timestamptz,
  committed_micros bigint
);
CREATE INDEX reservations_open_by_expiry ON reservations (expires_at) WHERE status = 'open';

-- Append-only: every change of spent/reserved of a usage row, with what caused it.
CREATE TABLE ledger_entries (
  entry_id bigserial PRIMARY KEY,
  occurred_at timestamptz NOT NULL,
  entry_type text NOT NULL CHECK (entry_type IN ('reserve', 'commit', 'release', 'expire', 'charge')),
  reference_id text NOT NULL,
  scope_kind smallint NOT NULL,
  scope_id text NOT NULL,
  period smallint NOT NULL,
  period_start timestamptz NOT NULL,
  spent_delta bigint NOT NULL,
  reserved_delta bigint NOT NULL
);
CREATE INDEX ledger_entries_by_usage ON ledger_entries (scope_kind, scope_id, period, period_start);

CREATE FUNCTION ledger_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger_entries is append-only';
END;
$$;
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only();

-- Results of Reserve and Charge by idempotency key, kept at least 24 hours.
CREATE TABLE idempotency_keys (
  idempotency_key text PRIMARY KEY,
  operation text NOT NULL,
  request_hash text NOT NULL,
  response jsonb NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);

-- Threshold crossings, exhaustion, expiries and over-reservations.
CREATE TABLE budget_events (
  event_id bigserial PRIMARY KEY,
  scope_kind smallint NOT NULL,
  scope_id text NOT NULL,
  event_type smallint NOT NULL,
  threshold_percent smallint NOT NULL DEFAULT 0,
  spent_micros bigint NOT NULL,
  limit_micros bigint NOT NULL,
  occurred_at timestamptz NOT NULL,
  reservation_id text NOT NULL DEFAULT ''
);
CREATE INDEX budget_events_by_scope ON budget_events (scope_kind, scope_id, event_id DESC);
