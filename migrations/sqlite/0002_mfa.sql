-- TOTP (one credential a user: pending until confirmed), backup codes and the
-- MFA challenges of the two-step sign-in; sessions get a scope.

-- secret_sealed: the TOTP secret sealed with the at-rest key (never in the clear).
-- last_accepted_step only grows: a code is accepted once (RFC 6238 §5.2).
CREATE TABLE totp_credentials (
  user_id            TEXT    PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  secret_sealed      TEXT    NOT NULL,
  confirmed_at       INTEGER,
  last_accepted_step INTEGER,
  created_at         INTEGER NOT NULL
);

-- lookup: the code's first characters in the clear, so that checking a typed
-- code costs one Argon2 verification instead of one per code of the set.
CREATE TABLE backup_codes (
  id         TEXT    PRIMARY KEY,
  user_id    TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  lookup     TEXT    NOT NULL,
  code_hash  TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  used_at    INTEGER
);
CREATE INDEX backup_codes_user_lookup_idx ON backup_codes (user_id, lookup);

-- token_hash: SHA-256 of the opaque mfa_token. attempts counts second-factor tries.
CREATE TABLE mfa_challenges (
  token_hash TEXT    PRIMARY KEY,
  user_id    TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  attempts   INTEGER NOT NULL DEFAULT 0,
  used_at    INTEGER
);
CREATE INDEX mfa_challenges_expires_idx ON mfa_challenges (expires_at);

-- '' for a full session; 'mfa_enrolment' when SESAME_REQUIRE_MFA limits it to enrolling TOTP.
ALTER TABLE sessions ADD COLUMN scope TEXT NOT NULL DEFAULT '';
