-- sesame:foreign_keys_off
-- Tenants, per-tenant email uniqueness and the password a user must change.
-- The marker above makes the runner apply this with foreign keys off (SQLite's
-- way to rebuild a table that others reference: https://sqlite.org/lang_altertable.html,
-- "Making Other Kinds Of Table Schema Changes"), then check them before commit.

CREATE TABLE tenants (
  id         TEXT    PRIMARY KEY,
  name       TEXT    NOT NULL DEFAULT '',
  disabled   INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at INTEGER NOT NULL
);
INSERT INTO tenants (id, name, disabled, created_at) VALUES ('default', 'Default', 0, 0);

-- users, rebuilt: UNIQUE (tenant_id, email_key) instead of UNIQUE (email_key),
-- tenant_id references tenants, and password_must_change.
CREATE TABLE users_rebuilt (
  id                   TEXT    PRIMARY KEY,
  email                TEXT    NOT NULL,
  email_key            TEXT    NOT NULL,
  name                 TEXT    NOT NULL DEFAULT '',
  tenant_id            TEXT    NOT NULL DEFAULT 'default' REFERENCES tenants (id),
  roles                TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(roles)),
  password_hash        TEXT    NOT NULL,
  email_verified       INTEGER NOT NULL DEFAULT 0 CHECK (email_verified IN (0, 1)),
  disabled             INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL,
  password_must_change INTEGER NOT NULL DEFAULT 0 CHECK (password_must_change IN (0, 1)),
  CONSTRAINT users_tenant_email_key_unique UNIQUE (tenant_id, email_key)
);
INSERT INTO users_rebuilt (id, email, email_key, name, tenant_id, roles, password_hash, email_verified, disabled,
                           created_at, updated_at)
  SELECT id, email, email_key, name, CASE tenant_id WHEN '' THEN 'default' ELSE tenant_id END, roles, password_hash,
         email_verified, disabled, created_at, updated_at FROM users;
INSERT OR IGNORE INTO tenants (id, name, disabled, created_at)
  SELECT DISTINCT tenant_id, tenant_id, 0, 0 FROM users_rebuilt;
DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;
-- The admin listing's order: oldest first, ties by id (the cursor is the last row's pair).
CREATE INDEX users_tenant_created_idx ON users (tenant_id, created_at, id);
CREATE INDEX users_created_idx ON users (created_at, id);
