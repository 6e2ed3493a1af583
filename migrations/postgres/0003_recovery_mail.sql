-- Account recovery and mail: the durable outbox, single-use account tokens
-- (email verification, password reset) and the per-address mail budget.
-- Times are unix seconds (bigint).

-- Every message is written in the transaction of the change that causes it and
-- delivered later by the background sender. A row is due when it is neither
-- sent nor given up, next_attempt_at has come and no sender holds a claim on it
-- (claimed_until in the past). Bodies are scrubbed once sent, except in dev mode
-- (the dev mailbox reads them).
-- seq orders messages written in the same second (ids are random within it).
CREATE TABLE mail_outbox (
  seq             bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id              text    NOT NULL UNIQUE,
  kind            text    NOT NULL,
  to_address      text    NOT NULL,
  to_key          text    NOT NULL,
  user_id         text    NOT NULL DEFAULT '',
  subject         text    NOT NULL,
  text_body       text    NOT NULL,
  html_body       text    NOT NULL,
  created_at      bigint  NOT NULL,
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at bigint  NOT NULL,
  claimed_until   bigint  NOT NULL DEFAULT 0,
  sent_at         bigint,
  failed_at       bigint,
  last_error      text    NOT NULL DEFAULT ''
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at, seq) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX mail_outbox_to_idx ON mail_outbox (to_key, seq);

-- Only the SHA-256 of a token is kept. email_key is the address a verification
-- token confirms (an address changed since then is not verified by it).
CREATE TABLE account_tokens (
  token_hash text    PRIMARY KEY,
  purpose    text    NOT NULL CHECK (purpose IN ('email_verification', 'password_reset')),
  user_id    text    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  email_key  text    NOT NULL,
  created_at bigint  NOT NULL,
  expires_at bigint  NOT NULL,
  used_at    bigint
);
CREATE INDEX account_tokens_user_idx ON account_tokens (user_id, purpose);

-- Unauthenticated requests that send mail (password reset, verification
-- resend), by budget key ("reset:<email_key>", "verify:<email_key>"), recorded
-- for unknown addresses too: the budget per address and hour is counted here.
CREATE TABLE mail_requests (
  seq        bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  budget_key text    NOT NULL,
  created_at bigint  NOT NULL
);
CREATE INDEX mail_requests_key_idx ON mail_requests (budget_key, created_at);
