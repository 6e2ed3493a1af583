-- Accounts, sessions, rotating refresh tokens, lockout counters and the audit log.
-- Times are unix seconds (bigint). Lists (roles, amr) and details are jsonb.
-- schema_migrations is created by the migration runner itself.

CREATE TABLE users (
  id             text    PRIMARY KEY,
  email          text    NOT NULL,
  email_key      text    NOT NULL,
  name           text    NOT NULL DEFAULT '',
  tenant_id      text    NOT NULL DEFAULT '',
  roles          jsonb   NOT NULL DEFAULT '[]',
  password_hash  text    NOT NULL,
  email_verified boolean NOT NULL DEFAULT false,
  disabled       boolean NOT NULL DEFAULT false,
  created_at     bigint  NOT NULL,
  updated_at     bigint  NOT NULL,
  CONSTRAINT users_email_key_unique UNIQUE (email_key)
);

CREATE TABLE sessions (
  id             text    PRIMARY KEY,
  user_id        text    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at     bigint  NOT NULL,
  last_active_at bigint  NOT NULL,
  expires_at     bigint  NOT NULL,
  ip             text    NOT NULL DEFAULT '',
  user_agent     text    NOT NULL DEFAULT '',
  amr            jsonb   NOT NULL DEFAULT '[]',
  revoked_at     bigint,
  revoked_reason text    NOT NULL DEFAULT ''
);
-- A user's sessions, newest first (list and revoke-all).
CREATE INDEX sessions_user_created_idx ON sessions (user_id, created_at DESC);

CREATE TABLE refresh_tokens (
  token_hash       text   PRIMARY KEY,
  session_id       text   NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  issued_at        bigint NOT NULL,
  expires_at       bigint NOT NULL,
  used_at          bigint,
  successor_hash   text   NOT NULL DEFAULT '',
  successor_sealed text   NOT NULL DEFAULT ''
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);

-- One row per lockout key (e.g. the account's email_key): failures counted in
-- the window that ends at window_ends_at; locked_until set once they reached the limit.
CREATE TABLE login_failures (
  key               text    PRIMARY KEY,
  failures          integer NOT NULL,
  window_ends_at    bigint  NOT NULL,
  locked_until      bigint
);

-- seq orders events that share a second; paging walks (created_at, seq) backwards.
CREATE TABLE audit_events (
  seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id           text   NOT NULL,
  type         text   NOT NULL,
  created_at   bigint NOT NULL,
  user_id      text   NOT NULL DEFAULT '',
  actor_id     text   NOT NULL DEFAULT '',
  ip           text   NOT NULL DEFAULT '',
  user_agent   text   NOT NULL DEFAULT '',
  request_id   text   NOT NULL DEFAULT '',
  details_json jsonb  NOT NULL DEFAULT '{}',
  CONSTRAINT audit_events_id_unique UNIQUE (id)
);
CREATE INDEX audit_events_newest_idx ON audit_events (created_at DESC, seq DESC);
CREATE INDEX audit_events_user_newest_idx ON audit_events (user_id, created_at DESC, seq DESC);
