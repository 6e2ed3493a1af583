#pragma once
// What the server stores, independent of the database. Times are unix seconds.
// Secrets never appear here in the clear: passwords as Argon2id strings,
// refresh tokens as SHA-256 hashes (hex), successors sealed with the at-rest key.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sesame::server {

// Strong IDs: a session id can never be passed where a user id is expected.
template <class Tag>
struct Id {
  std::string value;
  friend bool operator==(const Id&, const Id&) = default;
  friend auto operator<=>(const Id&, const Id&) = default;
};
using UserId = Id<struct UserIdTag>;
using SessionId = Id<struct SessionIdTag>;

struct UserRecord {
  UserId id;
  std::string email;  // as registered; lookups use email_key
  std::string email_key;  // canonical form for uniqueness and lookup (lowercased)
  std::string name;
  std::string tenant_id;
  std::vector<std::string> roles;
  std::string password_hash;  // Argon2id encoded string (includes salt and parameters)
  bool email_verified = false;
  bool disabled = false;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  // Set by an admin who chose the password: the next sign-in only lets the user
  // change it (kPasswordChangeScope); cleared by the change.
  bool password_must_change = false;
};

// Users belong to one tenant; email addresses are unique within a tenant.
inline constexpr char kDefaultTenant[] = "default";

struct TenantRecord {
  std::string id;
  std::string name;
  bool disabled = false;  // its users cannot sign in; their sessions were ended when it was set
  std::int64_t created_at = 0;
};

struct SessionRecord {
  SessionId id;
  UserId user_id;
  std::int64_t created_at = 0;
  std::int64_t last_active_at = 0;
  std::int64_t expires_at = 0;  // absolute lifetime: no refresh extends past it
  std::string ip;
  std::string user_agent;
  std::vector<std::string> amr;  // how the session was authenticated ("pwd", "otp")
  std::string scope;             // empty: full access; kEnrolmentScope: may only enrol TOTP
  std::optional<std::int64_t> revoked_at;
  std::string revoked_reason;  // "logout", "revoked", "refresh_reuse", "password_change", "admin"
};

// One refresh token of a session. Rotation marks it used and links its successor.
struct RefreshTokenRecord {
  std::string token_hash;  // SHA-256 of the opaque token, hex
  SessionId session_id;
  std::int64_t issued_at = 0;
  std::int64_t expires_at = 0;
  std::optional<std::int64_t> used_at;
  // Set when rotated: the successor's hash, and the successor token itself sealed
  // with the at-rest key, so an honest concurrent refresh within the grace
  // interval can be given the same successor (never stored in plaintext).
  std::string successor_hash;
  std::string successor_sealed;
};

// The scope of a session that SESAME_REQUIRE_MFA limits to enrolling TOTP.
inline constexpr char kEnrolmentScope[] = "mfa_enrolment";
// The scope of a session whose user must change an admin-chosen password first:
// it may only call password/change, me and logout.
inline constexpr char kPasswordChangeScope[] = "password_change";

// A user's TOTP authenticator: pending from setup until a first code confirms it.
struct TotpCredentialRecord {
  UserId user_id;
  std::string secret_sealed;  // the raw secret sealed with the at-rest key (SealPurpose::totp_secret)
  std::optional<std::int64_t> confirmed_at;
  std::optional<std::int64_t> last_accepted_step;  // the newest step accepted; never accepted again
  std::int64_t created_at = 0;
  [[nodiscard]] bool enabled() const noexcept { return confirmed_at.has_value(); }
};

// One backup code of a user's set, stored as an Argon2id hash (peppered).
struct BackupCodeRecord {
  std::string id;
  UserId user_id;
  std::string lookup;     // the code's first kBackupCodeLookupChars characters, to find its row
  std::string code_hash;  // PasswordHasher::hash of the whole normalised code
  std::int64_t created_at = 0;
  std::optional<std::int64_t> used_at;
};

// The pending second step of a sign-in: the opaque mfa_token, stored as its hash.
struct MfaChallengeRecord {
  std::string token_hash;
  UserId user_id;
  std::int64_t created_at = 0;  // when the password step succeeded
  std::int64_t expires_at = 0;
  int attempts = 0;
  std::optional<std::int64_t> used_at;
};

struct AuditEventRecord {
  std::string id;
  std::string type;  // e.g. "login.succeeded", "refresh.reuse_detected"
  std::int64_t created_at = 0;
  std::string user_id;  // may be empty
  std::string actor_id;
  std::string ip;
  std::string user_agent;
  std::string request_id;
  std::string details_json = "{}";  // never secrets
  // The hash chain (store/audit_chain.hpp), set by the store when it appends
  // the event; what a caller passes in for them is ignored.
  std::int64_t sequence = 0;  // 1, 2, 3, ... in append order
  std::string previous_hash;  // the hash of event sequence - 1; kAuditGenesisHash for the first
  std::string hash;           // audit_event_hash() of this event
};

// One message of the mail outbox. Bodies hold links with tokens in the clear
// until the message is sent (then they are scrubbed, except in dev mode).
struct MailRecord {
  std::string id;        // UUIDv7: time-ordered
  std::string kind;      // "email_verification", "password_reset", "alert.password_changed", ...
  std::string to;        // the address as registered
  std::string to_key;    // its canonical form (the dev mailbox looks it up)
  std::string user_id;   // may be empty
  std::string subject;
  std::string text_body;
  std::string html_body;
  std::int64_t created_at = 0;
  int attempts = 0;
  std::int64_t next_attempt_at = 0;
  std::optional<std::int64_t> sent_at;
  std::optional<std::int64_t> failed_at;  // the sender gave up after its last attempt
  std::string last_error;
};

// A single-use token mailed to a user; only its SHA-256 is stored.
struct AccountTokenRecord {
  std::string token_hash;
  std::string purpose;  // kEmailVerificationPurpose | kPasswordResetPurpose
  UserId user_id;
  std::string email_key;  // the address the token was sent to
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;
  std::optional<std::int64_t> used_at;
};

inline constexpr char kEmailVerificationPurpose[] = "email_verification";
inline constexpr char kPasswordResetPurpose[] = "password_reset";

}  // namespace sesame::server
