-- The audit log becomes a hash chain, append-only; and indexes for the
-- housekeeping sweep.
--
-- chain_seq numbers events 1, 2, 3, ... in the order they were appended;
-- previous_hash is the event_hash of event chain_seq - 1 (64 zeros for the
-- first); event_hash is the SHA-256 of the event's canonical encoding
-- (server/src/store/audit_chain.hpp). They are NULL only for a row written
-- behind the server's back: the migration runner chains the rows that exist
-- now, in this migration's transaction, so after it every row is chained.
ALTER TABLE audit_events ADD COLUMN chain_seq INTEGER;
ALTER TABLE audit_events ADD COLUMN previous_hash TEXT;
ALTER TABLE audit_events ADD COLUMN event_hash TEXT;
CREATE UNIQUE INDEX audit_events_chain_idx ON audit_events (chain_seq);
-- Admin listing: newest first by chain_seq, per user or per type.
DROP INDEX audit_events_newest_idx;
DROP INDEX audit_events_user_newest_idx;
CREATE INDEX audit_events_user_chain_idx ON audit_events (user_id, chain_seq);
CREATE INDEX audit_events_type_chain_idx ON audit_events (type, chain_seq);

-- The end of the chain, one row, moved in the transaction of each append. The
-- write lock (BEGIN IMMEDIATE) serialises appends; the verifier compares the
-- last event with it, so events cut off the end are noticed too.
CREATE TABLE audit_chain_head (
  id        INTEGER PRIMARY KEY CHECK (id = 1),
  chain_seq INTEGER NOT NULL,
  event_hash TEXT   NOT NULL
);
INSERT INTO audit_chain_head (id, chain_seq, event_hash)
  VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Append-only: a chained event is never updated, no event is deleted. (These
-- stop mistakes; whoever can drop them is caught by sesame-server audit verify.)
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
  WHEN OLD.chain_seq IS NOT NULL
  BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
  BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

-- The sweep finds what expired without reading whole tables.
CREATE INDEX sessions_expires_idx ON sessions (expires_at);
CREATE INDEX sessions_revoked_idx ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;
CREATE INDEX refresh_tokens_expires_idx ON refresh_tokens (expires_at) WHERE used_at IS NULL;
CREATE INDEX account_tokens_expires_idx ON account_tokens (expires_at);
CREATE INDEX mail_outbox_sent_idx ON mail_outbox (sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX mail_outbox_failed_idx ON mail_outbox (failed_at) WHERE failed_at IS NOT NULL;
CREATE INDEX mail_requests_created_idx ON mail_requests (created_at);
CREATE INDEX login_failures_window_idx ON login_failures (window_ends_at);
