-- Provider accounts (OpenID Connect issuers, GitHub) linked to users, for federated login.
-- A user created by a federated login has no password: its password_hash is '' (never a bcrypt
-- hash), so password login treats it like an unknown account.
CREATE TABLE federated_identities (
  provider       text NOT NULL,
  subject        text NOT NULL,
  user_id        text NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
  email          text NOT NULL DEFAULT '',
  email_verified boolean NOT NULL DEFAULT false,
  linked_at      timestamptz NOT NULL,
  last_login_at  timestamptz,
  PRIMARY KEY (provider, subject)
);
CREATE INDEX federated_identities_user ON federated_identities (user_id);
