-- Revocations that local token verifiers must know (WatchRevocations snapshot), kept until every
-- token they concern has expired. kind: 'token' (jti), 'session' (sid) or 'subject' (user id).
CREATE TABLE revocation_journal (
  seq        bigserial PRIMARY KEY,
  kind       text NOT NULL,
  id         text NOT NULL,
  revoked_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX revocation_journal_expiry ON revocation_journal (expires_at);
