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

CREATE FUNCTION sesame_log_session_revocations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO session_revocations (session_id, revoked_at)
    SELECT n.id, n.revoked_at FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE o.revoked_at IS NULL AND n.revoked_at IS NOT NULL;
  ELSE
    INSERT INTO session_revocations (session_id, revoked_at)
    SELECT o.id, extract(epoch FROM now())::bigint FROM old_rows o
    WHERE o.revoked_at IS NULL AND o.expires_at > extract(epoch FROM now())::bigint;
  END IF;
  IF FOUND THEN
    RAISE NOTICE 'sesame:session_revocations';
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER sessions_revoked AFTER UPDATE ON sessions
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sesame_log_session_revocations();
CREATE TRIGGER sessions_deleted_live AFTER DELETE ON sessions
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sesame_log_session_revocations();
