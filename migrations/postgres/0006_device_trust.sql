-- Sign-in protection that cannot lock the owner out (docs/SECURITY.md): besides
-- the counter of unknown clients (key "email:<email_key>"), an account now has
-- one counter per device that signed in before ("device:<id>") and a hard
-- ceiling over all of them ("ceiling:<email_key>"). account_key names the
-- account's "email:" key on each, so that clearing the account (a right
-- password, an admin unlock, a password reset) clears every counter at once.
ALTER TABLE login_failures ADD COLUMN account_key TEXT NOT NULL DEFAULT '';
UPDATE login_failures SET account_key = key;
CREATE INDEX login_failures_by_account ON login_failures (account_key);
