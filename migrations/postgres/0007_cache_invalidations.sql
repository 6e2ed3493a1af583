-- A log of what in-memory caches must forget (auth/invalidation_watch.hpp):
-- sessions that stopped being active before their time (revoked, or deleted
-- while live) and users whose account view changed (the user row, TOTP,
-- backup codes). Triggers fill it, so every change is seen, on whichever
-- instance it happened.
--
-- seq does not grow in commit order here (concurrent transactions), so a
-- reader cannot just remember the last seq: it reads every row of a
-- transaction that was still running at its previous read (txid at or above
-- that read's snapshot xmin; store/postgres/postgres_invalidation_feed.cpp).
-- The triggers also raise a NOTICE that only the connection that ran the
-- statement sees: that is how the instance that made the change forgets at once.
CREATE TABLE cache_invalidations (
  seq bigserial PRIMARY KEY,
  session_id text,
  user_id text,
  logged_at bigint NOT NULL DEFAULT extract(epoch FROM now())::bigint,
  txid xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX cache_invalidations_by_txid ON cache_invalidations (txid);
CREATE INDEX cache_invalidations_by_time ON cache_invalidations (logged_at);

-- Row triggers with WHEN: an UPDATE of sessions that does not set revoked_at
-- (the touch of every refresh) fires none.
CREATE FUNCTION sesame_session_ended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO cache_invalidations (session_id) VALUES (OLD.id);
  RAISE NOTICE 'sesame:cache_invalidations';
  RETURN NULL;
END
$$;
CREATE TRIGGER sessions_revoked AFTER UPDATE OF revoked_at ON sessions FOR EACH ROW
  WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
  EXECUTE FUNCTION sesame_session_ended();
CREATE TRIGGER sessions_deleted_live AFTER DELETE ON sessions FOR EACH ROW
  WHEN (OLD.revoked_at IS NULL AND OLD.expires_at > extract(epoch FROM now())::bigint)
  EXECUTE FUNCTION sesame_session_ended();

-- users.id, or user_id of totp_credentials and backup_codes.
CREATE FUNCTION sesame_account_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  row_after record;
BEGIN
  IF TG_OP = 'DELETE' THEN row_after := OLD; ELSE row_after := NEW; END IF;
  IF TG_TABLE_NAME = 'users' THEN
    INSERT INTO cache_invalidations (user_id) VALUES (row_after.id);
  ELSE
    INSERT INTO cache_invalidations (user_id) VALUES (row_after.user_id);
  END IF;
  RAISE NOTICE 'sesame:cache_invalidations';
  RETURN NULL;
END
$$;
CREATE TRIGGER users_changed AFTER UPDATE OR DELETE ON users FOR EACH ROW
  EXECUTE FUNCTION sesame_account_changed();
CREATE TRIGGER totp_changed AFTER INSERT OR UPDATE OR DELETE ON totp_credentials FOR EACH ROW
  EXECUTE FUNCTION sesame_account_changed();
CREATE TRIGGER backup_codes_changed AFTER INSERT OR UPDATE OR DELETE ON backup_codes FOR EACH ROW
  EXECUTE FUNCTION sesame_account_changed();
