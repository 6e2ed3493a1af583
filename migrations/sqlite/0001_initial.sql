-- Accounts, sessions, rotating refresh tokens, lockout counters and the audit log.
-- Times are unix seconds. Lists (roles, amr) and details are JSON text.
-- schema_migrations is created by the migration runner itself.

CREATE TABLE users (
  id             TEXT    PRIMARY KEY,
  email          TEXT    NOT NULL,
  email_key      TEXT    NOT NULL,
  name           TEXT    NOT NULL DEFAULT '',
  tenant_id      TEXT    NOT NULL DEFAULT '',
  roles          TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(roles)),
  password_hash  TEXT    NOT NULL,
  email_verified INTEGER NOT NULL DEFAULT 0 CHECK (email_verified IN (0, 1)),
  disabled       INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  CONSTRAINT users_email_key_unique UNIQUE (email_key)
);

CREATE TABLE sessions (
  id             TEXT    PRIMARY KEY,
  user_id        TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at     INTEGER NOT NULL,
  last_active_at INTEGER NOT NULL,
  expires_at     INTEGER NOT NULL,
  ip             TEXT    NOT NULL DEFAULT '',
  user_agent     TEXT    NOT NULL DEFAULT '',
  amr            TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(amr)),
  revoked_at     INTEGER,
  revoked_reason TEXT    NOT NULL DEFAULT ''
);
-- A user's sessions, newest first (list and revoke-all).
CREATE INDEX sessions_user_created_idx ON sessions (user_id, created_at DESC);

CREATE TABLE refresh_tokens (
  token_hash       TEXT    PRIMARY KEY,
  session_id       TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  issued_at        INTEGER NOT NULL,
  expires_at       INTEGER NOT NULL,
  used_at          INTEGER,
  successor_hash   TEXT    NOT NULL DEFAULT '',
  successor_sealed TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);

-- One row per lockout key (e.g. the account's email_key): failures counted in
-- the window that ends at window_ends_at; locked_until set once they reached the limit.
CREATE TABLE login_failures (
  key               TEXT    PRIMARY KEY,
  failures          INTEGER NOT NULL,
  window_ends_at    INTEGER NOT NULL,
  locked_until      INTEGER
);

-- seq orders events that share a second; paging walks (created_at, seq) backwards.
CREATE TABLE audit_events (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  id           TEXT    NOT NULL,
  type         TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  user_id      TEXT    NOT NULL DEFAULT '',
  actor_id     TEXT    NOT NULL DEFAULT '',
  ip           TEXT    NOT NULL DEFAULT '',
  user_agent   TEXT    NOT NULL DEFAULT '',
  request_id   TEXT    NOT NULL DEFAULT '',
  details_json TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(details_json)),
  CONSTRAINT audit_events_id_unique UNIQUE (id)
);
CREATE INDEX audit_events_newest_idx ON audit_events (created_at DESC, seq DESC);
CREATE INDEX audit_events_user_newest_idx ON audit_events (user_id, created_at DESC, seq DESC);
