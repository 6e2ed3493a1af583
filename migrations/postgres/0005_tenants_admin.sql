-- Tenants, per-tenant email uniqueness and the password a user must change.

CREATE TABLE tenants (
  id         text    PRIMARY KEY,
  name       text    NOT NULL DEFAULT '',
  disabled   boolean NOT NULL DEFAULT false,
  created_at bigint  NOT NULL
);
INSERT INTO tenants (id, name, disabled, created_at) VALUES ('default', 'Default', false, 0);

UPDATE users SET tenant_id = 'default' WHERE tenant_id = '';
INSERT INTO tenants (id, name, disabled, created_at)
  SELECT DISTINCT tenant_id, tenant_id, false, 0 FROM users ON CONFLICT (id) DO NOTHING;
ALTER TABLE users ALTER COLUMN tenant_id SET DEFAULT 'default';
ALTER TABLE users ADD CONSTRAINT users_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id);
ALTER TABLE users DROP CONSTRAINT users_email_key_unique;
ALTER TABLE users ADD CONSTRAINT users_tenant_email_key_unique UNIQUE (tenant_id, email_key);
ALTER TABLE users ADD COLUMN password_must_change boolean NOT NULL DEFAULT false;
-- The admin listing's order: oldest first, ties by id (the cursor is the last row's pair).
CREATE INDEX users_tenant_created_idx ON users (tenant_id, created_at, id);
CREATE INDEX users_created_idx ON users (created_at, id);
