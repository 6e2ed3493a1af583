-- A log of what in-memory caches must forget (auth/invalidation_watch.hpp):
-- sessions that stopped being active before their time (revoked, or deleted
-- while live) and users whose account view changed (the user row, TOTP,
-- backup codes). Each instance reads it in seq order. Triggers fill it, so
-- every change is seen, this process's or another's (the CLI beside a
-- server). Writers are serialised, so seq grows in commit order.
CREATE TABLE cache_invalidations (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id TEXT,
  user_id TEXT,
  logged_at INTEGER NOT NULL
);
CREATE INDEX cache_invalidations_by_time ON cache_invalidations (logged_at);

CREATE TRIGGER sessions_revoked AFTER UPDATE OF revoked_at ON sessions
  WHEN OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL
BEGIN
  INSERT INTO cache_invalidations (session_id, logged_at) VALUES (NEW.id, CAST(strftime('%s', 'now') AS INTEGER));
END;
CREATE TRIGGER sessions_deleted_live AFTER DELETE ON sessions
  WHEN OLD.revoked_at IS NULL AND OLD.expires_at > CAST(strftime('%s', 'now') AS INTEGER)
BEGIN
  INSERT INTO cache_invalidations (session_id, logged_at) VALUES (OLD.id, CAST(strftime('%s', 'now') AS INTEGER));
END;

CREATE TRIGGER users_changed AFTER UPDATE ON users
BEGIN
  INSERT INTO cache_invalidations (user_id, logged_at) VALUES (NEW.id, CAST(strftime('%s', 'now') AS INTEGER));
END;
CREATE TRIGGER users_deleted AFTER DELETE ON users
BEGIN
  INSERT INTO cache_invalidations (user_id, logged_at) VALUES (OLD.id, CAST(strftime('%s', 'now') AS INTEGER));
END;
CREATE TRIGGER totp_added AFTER INSERT ON totp_credentials
BEGIN
  INSERT INTO cache_invalidations (user_id, logged_at) VALUES (NEW.user_id, CAST(strftime('%s', 'now') AS INTEGER));
END;
CREATE TRIGGER totp_changed AFTER UPDATE ON totp_credentials
BEGIN
  INSERT INTO cache_invalidations (user_id, logged_at) VALUES (NEW.user_id, CAST(strftime('%s', 'now') AS INTEGER));
END;
CREATE TRIGGER totp_removed AFTER DELETE ON totp_credentials
BEGIN
  INSERT INTO cache_invalidations (user_id, logged_at) VALUES (OLD.user_id, CAST(strftime('%s', 'now') AS INTEGER));
END;
CREATE TRIGGER backup_codes_added AFTER INSERT ON backup_codes
BEGIN
  INSERT INTO cache_invalidations (user_id, logged_at) VALUES (NEW.user_id, CAST(strftime('%s', 'now') AS INTEGER));
END;
CREATE TRIGGER backup_codes_changed AFTER UPDATE ON backup_codes
BEGIN
  INSERT INTO cache_invalidations (user_id, logged_at) VALUES (NEW.user_id, CAST(strftime('%s', 'now') AS INTEGER));
END;
CREATE TRIGGER backup_codes_removed AFTER DELETE ON backup_codes
BEGIN
  INSERT INTO cache_invalidations (user_id, logged_at) VALUES (OLD.user_id, CAST(strftime('%s', 'now') AS INTEGER));
END;
