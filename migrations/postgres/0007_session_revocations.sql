-- A log of sessions that stopped being active before their time: revoked, or
-- deleted while still live (a deleted user). Each instance keeps access tokens
-- it verified in memory and reads this log to forget those of ended sessions
-- (auth/tokens/verified_token_cache.hpp). Triggers fill it, so every way of
-- ending a session is seen, on whichever instance it happened.
--
-- seq does not grow in commit order here (concurrent transactions), so a
-- reader cannot just remember the last seq: it reads every row of a
-- transaction that was still running at its previous read (txid at or above
-- that read's snapshot xmin; store/postgres/postgres_revocation_feed.cpp).
-- The trigger also raises a NOTICE that only the connection that ran the
-- statement sees: that is how the instance that revoked forgets at once.
CREATE TABLE session_revocations (
  seq bigserial PRIMARY KEY,
  session_id text NOT NULL,
  revoked_at bigint NOT NULL,
  txid xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX session_revocations_by_txid ON session_revocations (txid);
CREATE INDEX session_revocations_by_time ON session_revocations (revoked_at);

-- Row triggers with WHEN: an UPDATE that does not set revoked_at (the touch
-- of every refresh) does not fire them at all.
CREATE FUNCTION sesame_log_session_revocation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO session_revocations (session_id, revoked_at) VALUES (NEW.id, NEW.revoked_at);
  ELSE
    INSERT INTO session_revocations (session_id, revoked_at) VALUES (OLD.id, extract(epoch FROM now())::bigint);
  END IF;
  RAISE NOTICE 'sesame:session_revocations';
  RETURN NULL;
END
$$;

CREATE TRIGGER sessions_revoked AFTER UPDATE OF revoked_at ON sessions FOR EACH ROW
  WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
  EXECUTE FUNCTION sesame_log_session_revocation();
CREATE TRIGGER sessions_deleted_live AFTER DELETE ON sessions FOR EACH ROW
  WHEN (OLD.revoked_at IS NULL AND OLD.expires_at > extract(epoch FROM now())::bigint)
  EXECUTE FUNCTION sesame_log_session_revocation();
