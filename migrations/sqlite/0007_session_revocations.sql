-- A log of sessions that stopped being active before their time: revoked, or
-- deleted while still live (a deleted user). Each instance keeps access tokens
-- it verified in memory and reads this log, in seq order, to forget those of
-- ended sessions (auth/tokens/verified_token_cache.hpp). Triggers fill it, so
-- every way of ending a session is seen, this process's or another's (the
-- CLI beside a server). Writers are serialised, so seq grows in commit order.
CREATE TABLE session_revocations (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id TEXT NOT NULL,
  revoked_at INTEGER NOT NULL
);
CREATE INDEX session_revocations_by_time ON session_revocations (revoked_at);
CREATE TRIGGER sessions_revoked AFTER UPDATE OF revoked_at ON sessions
  WHEN OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL
BEGIN
  INSERT INTO session_revocations (session_id, revoked_at) VALUES (NEW.id, NEW.revoked_at);
END;
CREATE TRIGGER sessions_deleted_live AFTER DELETE ON sessions
  WHEN OLD.revoked_at IS NULL AND OLD.expires_at > CAST(strftime('%s', 'now') AS INTEGER)
BEGIN
  INSERT INTO session_revocations (session_id, revoked_at)
  VALUES (OLD.id, CAST(strftime('%s', 'now') AS INTEGER));
END;
