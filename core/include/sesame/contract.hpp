#pragma once
// The HTTP API contract: one C++ type per request and response body of
// /api/v1 (DESIGN.md, "The HTTP contract"), with to_json and a parser that
// never throws. Wire names are fixed forever: add members, never rename them.
//
// Parsing rules shared by every body:
//  - the body must be a JSON object (else invalid_json);
//  - a required member that is absent or null is missing_field, a member of
//    the wrong type, length or shape is invalid_field; the error's detail
//    starts with the member's JSON pointer ("/email: ..."), see
//    error_field_pointer();
//  - an optional member that is null counts as absent (except where a PATCH
//    body says otherwise); unknown members are ignored;
//  - the first problem found is reported, in the order the members are listed.
//
// Timestamps travel as RFC 3339 UTC strings ("2026-11-22T02:15:36Z") and are
// held as unix seconds; the conversion below is plain calendar arithmetic (no
// C library time functions), so the native server and the wasm SDK agree.

#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "sesame/error.hpp"
#include "sesame/result.hpp"

namespace sesame {

// ---- Timestamps on the wire -------------------------------------------------

// The range RFC 3339's four-digit years can express.
inline constexpr std::int64_t kMinRfc3339UnixSeconds = -62167219200;  // 0000-01-01T00:00:00Z
inline constexpr std::int64_t kMaxRfc3339UnixSeconds = 253402300799;  // 9999-12-31T23:59:59Z

// "YYYY-MM-DDTHH:MM:SSZ". Values outside the RFC 3339 range are clamped to it
// (so serialising never fails).
[[nodiscard]] std::string format_rfc3339_utc(std::int64_t unix_seconds);

// Any RFC 3339 date-time: 'T'/'t' separator, optional fractional seconds
// (dropped, i.e. rounded down), 'Z'/'z' or a numeric offset, second 60 (a leap
// second, read as the following second, as POSIX time does). invalid_timestamp
// otherwise, including impossible dates such as 2100-02-29.
[[nodiscard]] Result<std::int64_t> parse_rfc3339(std::string_view text);

// ---- JSON text --------------------------------------------------------------

inline constexpr std::size_t kMaxRequestBodyBytes = 64 * 1024;
// Deeper input is refused before nlohmann/json sees it: its copy, dump and
// comparison recurse, and no body of this contract nests beyond a few levels.
inline constexpr int kMaxJsonDepth = 64;

// Parses untrusted text into a JSON object: input_too_large above max_bytes,
// invalid_json for nesting deeper than kMaxJsonDepth, malformed JSON
// (including invalid UTF-8) or a top-level value that is not an object.
[[nodiscard]] Result<nlohmann::json> parse_json_object(std::string_view text,
                                                       std::size_t max_bytes = kMaxRequestBodyBytes);

// The JSON pointer a missing_field / invalid_field error names ("/users/0/email"),
// or an empty view for any other error.
[[nodiscard]] std::string_view error_field_pointer(const Error& error) noexcept;

namespace api {

// ---- Field limits -----------------------------------------------------------

inline constexpr std::size_t kMaxEmailBytes = 254;        // RFC 5321 path limit
inline constexpr std::size_t kMaxEmailLocalPartBytes = 64;  // RFC 5321 §4.5.3.1.1
inline constexpr std::size_t kMaxNameBytes = 200;
inline constexpr std::size_t kMaxPasswordBytes = 1024;   // bounds Argon2 input; the policy is elsewhere
inline constexpr std::size_t kMaxCodeBytes = 64;         // a TOTP or backup code as typed
inline constexpr std::size_t kMaxOpaqueTokenBytes = 512;  // refresh, MFA, reset, verification tokens
inline constexpr std::size_t kMaxAccessTokenBytes = 8192;
inline constexpr std::size_t kMaxIdBytes = 128;
inline constexpr std::size_t kMaxRoleBytes = 64;
inline constexpr std::size_t kMaxRoles = 64;
inline constexpr std::size_t kMaxUserAgentBytes = 1024;

// ---- Shared value types -----------------------------------------------------

// A point in time on the wire: an RFC 3339 string, held as unix seconds.
struct Timestamp {
  std::int64_t unix_seconds = 0;
  friend auto operator<=>(const Timestamp&, const Timestamp&) = default;
};

// Where the refresh token goes: the JSON body, or only an HttpOnly cookie.
enum class TokenDelivery { body, cookie };

// ---- Accounts ---------------------------------------------------------------

// POST /auth/register
struct RegisterRequest {
  std::string email;
  std::string password;
  std::optional<std::string> name;
  std::optional<std::string> tenant_id;  // absent: the default tenant
  friend bool operator==(const RegisterRequest&, const RegisterRequest&) = default;
};

// A user as the API shows it (GET /auth/me, admin listings).
struct User {
  std::string id;
  std::string email;
  std::optional<std::string> name;  // null on the wire when not set
  std::string tenant_id;
  std::vector<std::string> roles;
  bool email_verified = false;
  bool mfa_enabled = false;
  bool disabled = false;
  Timestamp created_at;
  std::optional<int> backup_codes_remaining;  // GET /auth/me when MFA is on; omitted otherwise
  bool password_must_change = false;  // an admin chose the password: only password/change until it is changed
  friend bool operator==(const User&, const User&) = default;
};

// 201 answer of POST /auth/register: {"user": {...}}.
struct RegisterResponse {
  User user;
  friend bool operator==(const RegisterResponse&, const RegisterResponse&) = default;
};

// GET /auth/me answers the user itself.
using MeResponse = User;

// ---- Sign-in ----------------------------------------------------------------

// POST /auth/token (the password step)
struct TokenRequest {
  std::string email;
  std::string password;
  TokenDelivery delivery = TokenDelivery::body;  // "body" when absent
  std::optional<std::string> tenant_id;          // absent: the default tenant
  friend bool operator==(const TokenRequest&, const TokenRequest&) = default;
};

// 200 of /auth/token, /auth/mfa/verify and /auth/refresh. `token_type` is
// always "Bearer" on the wire, so it is not a member.
struct TokenResponse {
  std::string access_token;
  std::int64_t expires_in = 0;  // seconds
  Timestamp issued_at;
  std::string kid;
  std::string session_id;
  std::int64_t refresh_expires_in = 0;  // seconds
  std::optional<std::string> refresh_token;  // body delivery only; omitted otherwise
  friend bool operator==(const TokenResponse&, const TokenResponse&) = default;
};

// 200 of /auth/token when a second factor is needed: {"mfa_required": true, ...}.
struct MfaChallenge {
  std::string mfa_token;
  std::vector<std::string> methods;  // e.g. "totp", "backup_code"
  std::int64_t expires_in = 0;       // seconds
  friend bool operator==(const MfaChallenge&, const MfaChallenge&) = default;
};

// What /auth/token answers: tokens, or an MFA challenge (told apart by
// "mfa_required": true).
using SignInResult = std::variant<TokenResponse, MfaChallenge>;

enum class MfaCodeKind { totp, backup_code };

// POST /auth/mfa/verify: {mfa_token, code} or {mfa_token, backup_code}, exactly one.
struct MfaVerifyRequest {
  std::string mfa_token;
  MfaCodeKind kind = MfaCodeKind::totp;
  std::string code;  // sent as "code" or "backup_code" according to `kind`
  TokenDelivery delivery = TokenDelivery::body;  // as for /auth/token; "body" when absent
  friend bool operator==(const MfaVerifyRequest&, const MfaVerifyRequest&) = default;
};

// POST /auth/refresh: the token in the body (body delivery) or none (cookie).
struct RefreshRequest {
  std::optional<std::string> refresh_token;
  friend bool operator==(const RefreshRequest&, const RefreshRequest&) = default;
};

// ---- Passwords and email ----------------------------------------------------

struct PasswordChangeRequest {
  std::string current_password;
  std::string new_password;
  friend bool operator==(const PasswordChangeRequest&, const PasswordChangeRequest&) = default;
};

struct PasswordResetInitiateRequest {
  std::string email;
  std::optional<std::string> tenant_id;  // absent: the default tenant
  friend bool operator==(const PasswordResetInitiateRequest&, const PasswordResetInitiateRequest&) = default;
};

struct PasswordResetCompleteRequest {
  std::string token;
  std::string new_password;
  friend bool operator==(const PasswordResetCompleteRequest&, const PasswordResetCompleteRequest&) = default;
};

struct EmailVerifyRequest {
  std::string token;
  friend bool operator==(const EmailVerifyRequest&, const EmailVerifyRequest&) = default;
};

// ---- TOTP and backup codes --------------------------------------------------

// POST /auth/mfa/totp/setup: the password is needed when the sign-in behind
// the access token is older than the re-authentication window.
struct TotpSetupRequest {
  std::optional<std::string> password;
  friend bool operator==(const TotpSetupRequest&, const TotpSetupRequest&) = default;
};

// DELETE /auth/sessions and DELETE /auth/sessions/{id} of another session
// (ASVS 7.5.2): the same {password?}, needed after the same window.
using SessionRevokeRequest = TotpSetupRequest;

// POST /auth/introspect (RFC 7662 §2.1), as JSON or as a form.
struct IntrospectionRequest {
  std::string token;
  std::optional<std::string> token_type_hint;  // accepted and ignored: only access tokens are introspected
  friend bool operator==(const IntrospectionRequest&, const IntrospectionRequest&) = default;
};

struct TotpSetupResponse {
  std::string secret;  // base32
  std::string otpauth_uri;
  std::string qr_svg;
  friend bool operator==(const TotpSetupResponse&, const TotpSetupResponse&) = default;
};

struct TotpConfirmRequest {
  std::string code;
  friend bool operator==(const TotpConfirmRequest&, const TotpConfirmRequest&) = default;
};

// Answer of TOTP confirm and of backup-code regeneration.
struct BackupCodesResponse {
  std::vector<std::string> backup_codes;
  friend bool operator==(const BackupCodesResponse&, const BackupCodesResponse&) = default;
};

// {password, code} or {password, backup_code}: both factors.
struct TotpDisableRequest {
  std::string password;
  std::string code;
  MfaCodeKind kind = MfaCodeKind::totp;  // sent as "code" or "backup_code" according to `kind`
  friend bool operator==(const TotpDisableRequest&, const TotpDisableRequest&) = default;
};

struct BackupCodesRegenerateRequest {
  std::string code;
  friend bool operator==(const BackupCodesRegenerateRequest&, const BackupCodesRegenerateRequest&) = default;
};

// ---- Sessions ---------------------------------------------------------------

struct SessionInfo {
  std::string id;
  bool current = false;
  Timestamp created_at;
  Timestamp last_active_at;
  std::string ip;          // may be empty when unknown
  std::string user_agent;  // may be empty
  friend bool operator==(const SessionInfo&, const SessionInfo&) = default;
};

struct SessionsResponse {
  std::vector<SessionInfo> sessions;
  friend bool operator==(const SessionsResponse&, const SessionsResponse&) = default;
};

// ---- Admin ------------------------------------------------------------------

// GET /admin/users: one page; next_cursor is null on the last page.
struct AdminUserList {
  std::vector<User> users;
  std::optional<std::string> next_cursor;
  friend bool operator==(const AdminUserList&, const AdminUserList&) = default;
};

// POST /admin/users (answers 201 with the User).
struct AdminCreateUserRequest {
  std::string email;
  // Set: the user must change it at the first sign-in. Absent: an invitation
  // mail with a link to choose one.
  std::optional<std::string> password;
  std::optional<std::string> name;
  std::optional<std::vector<std::string>> roles;  // absent: the server's default roles
  std::optional<std::string> tenant_id;           // absent: the admin's own tenant
  friend bool operator==(const AdminCreateUserRequest&, const AdminCreateUserRequest&) = default;
};

// PATCH /admin/users/{id} (answers the User). An absent member is left as it
// is. `name` is the one member that may be null: outer nullopt = absent,
// inner nullopt = null on the wire = clear the name.
struct AdminUpdateUserRequest {
  std::optional<std::optional<std::string>> name;
  std::optional<std::vector<std::string>> roles;
  std::optional<bool> disabled;
  std::optional<bool> email_verified;
  friend bool operator==(const AdminUpdateUserRequest&, const AdminUpdateUserRequest&) = default;
};

struct AuditEvent {
  std::string id;
  std::string type;  // e.g. "user.registered", "session.revoked"
  Timestamp created_at;
  std::optional<std::string> user_id;   // the account concerned
  std::optional<std::string> actor_id;  // who acted, when not that user (an admin)
  std::optional<std::string> ip;
  std::optional<std::string> user_agent;
  std::optional<std::string> request_id;
  nlohmann::json details = nlohmann::json::object();  // always an object
  friend bool operator==(const AuditEvent&, const AuditEvent&) = default;
};

// GET /admin/audit: one page, newest first; next_cursor is null on the last page.
struct AuditEventList {
  std::vector<AuditEvent> events;
  std::optional<std::string> next_cursor;
  friend bool operator==(const AuditEventList&, const AuditEventList&) = default;
};

// A tenant (GET/POST /admin/tenants, PATCH /admin/tenants/{id}: global admins).
struct Tenant {
  std::string id;
  std::string name;
  bool disabled = false;
  Timestamp created_at;
  friend bool operator==(const Tenant&, const Tenant&) = default;
};

struct TenantList {
  std::vector<Tenant> tenants;
  friend bool operator==(const TenantList&, const TenantList&) = default;
};

struct AdminCreateTenantRequest {
  std::string id;  // lower-case letters, digits and '-', at most 64
  std::optional<std::string> name;
  friend bool operator==(const AdminCreateTenantRequest&, const AdminCreateTenantRequest&) = default;
};

struct AdminUpdateTenantRequest {
  std::optional<bool> disabled;  // true: its users cannot sign in, their sessions end
  friend bool operator==(const AdminUpdateTenantRequest&, const AdminUpdateTenantRequest&) = default;
};

// ---- Dev mode ---------------------------------------------------------------

struct DevMailMessage {
  std::string to;
  std::string subject;
  std::string text;
  Timestamp created_at;
  friend bool operator==(const DevMailMessage&, const DevMailMessage&) = default;
};

// GET /dev/mailbox?to=EMAIL
struct DevMailbox {
  std::vector<DevMailMessage> messages;
  friend bool operator==(const DevMailbox&, const DevMailbox&) = default;
};

// ---- Errors: application/problem+json (RFC 9457) ----------------------------

// One reason a request was refused: a password-policy rule ("password_too_short")
// or a body field ("missing_field" at "/email").
struct ProblemViolation {
  std::string code;
  std::optional<std::string> detail;
  std::optional<std::string> pointer;  // JSON pointer into the request body
  friend bool operator==(const ProblemViolation&, const ProblemViolation&) = default;
};

struct Problem {
  std::string type = "about:blank";
  std::string title;
  int status = 500;
  std::optional<std::string> detail;
  std::optional<std::string> instance;
  std::string code;  // error_code_name() of an API problem code; unknown codes parse (newer servers)
  std::optional<std::vector<ProblemViolation>> violations;
  std::optional<std::int64_t> retry_after;  // seconds, mirrors the Retry-After header
  std::optional<std::string> request_id;
  friend bool operator==(const Problem&, const Problem&) = default;
};

// The wire `code` of a problem is the error code's stable name.
[[nodiscard]] inline std::string_view problem_code(ErrorCode code) noexcept { return error_code_name(code); }

// The HTTP status the server answers a problem of this code with (e.g. 409 for
// email_taken, 429 for rate_limited and account_locked); 500 for codes that are
// not API problems. Clients branch on the code, never on the status alone.
[[nodiscard]] int problem_status(ErrorCode code) noexcept;

// type "about:blank", the status's reason phrase as title (RFC 9457 §4.2.1),
// problem_status(code), the code's name and, when not empty, the detail.
[[nodiscard]] Problem make_problem(ErrorCode code, std::string detail = {});

// The answer to a request body that parse_json_object / from_json_checked
// refused: malformed_json, payload_too_large, or validation_failed with one
// violation naming the field. Any other error becomes a bare internal_error,
// so nothing internal leaks into an answer.
[[nodiscard]] Problem problem_for_invalid_body(const Error& error);

// ---- JSON conversion --------------------------------------------------------

[[nodiscard]] std::string_view token_delivery_name(TokenDelivery delivery) noexcept;

[[nodiscard]] nlohmann::json to_json(const RegisterRequest& value);
[[nodiscard]] nlohmann::json to_json(const User& value);
[[nodiscard]] nlohmann::json to_json(const RegisterResponse& value);
[[nodiscard]] nlohmann::json to_json(const TokenRequest& value);
[[nodiscard]] nlohmann::json to_json(const TokenResponse& value);
[[nodiscard]] nlohmann::json to_json(const MfaChallenge& value);
[[nodiscard]] nlohmann::json to_json(const SignInResult& value);
[[nodiscard]] nlohmann::json to_json(const MfaVerifyRequest& value);
[[nodiscard]] nlohmann::json to_json(const RefreshRequest& value);
[[nodiscard]] nlohmann::json to_json(const PasswordChangeRequest& value);
[[nodiscard]] nlohmann::json to_json(const PasswordResetInitiateRequest& value);
[[nodiscard]] nlohmann::json to_json(const PasswordResetCompleteRequest& value);
[[nodiscard]] nlohmann::json to_json(const EmailVerifyRequest& value);
[[nodiscard]] nlohmann::json to_json(const TotpSetupRequest& value);
[[nodiscard]] nlohmann::json to_json(const TotpSetupResponse& value);
[[nodiscard]] nlohmann::json to_json(const TotpConfirmRequest& value);
[[nodiscard]] nlohmann::json to_json(const BackupCodesResponse& value);
[[nodiscard]] nlohmann::json to_json(const TotpDisableRequest& value);
[[nodiscard]] nlohmann::json to_json(const BackupCodesRegenerateRequest& value);
[[nodiscard]] nlohmann::json to_json(const SessionInfo& value);
[[nodiscard]] nlohmann::json to_json(const SessionsResponse& value);
[[nodiscard]] nlohmann::json to_json(const AdminUserList& value);
[[nodiscard]] nlohmann::json to_json(const AdminCreateUserRequest& value);
[[nodiscard]] nlohmann::json to_json(const AdminUpdateUserRequest& value);
[[nodiscard]] nlohmann::json to_json(const AuditEvent& value);
[[nodiscard]] nlohmann::json to_json(const AuditEventList& value);
[[nodiscard]] nlohmann::json to_json(const Tenant& value);
[[nodiscard]] nlohmann::json to_json(const TenantList& value);
[[nodiscard]] nlohmann::json to_json(const AdminCreateTenantRequest& value);
[[nodiscard]] nlohmann::json to_json(const AdminUpdateTenantRequest& value);
[[nodiscard]] nlohmann::json to_json(const DevMailMessage& value);
[[nodiscard]] nlohmann::json to_json(const DevMailbox& value);
[[nodiscard]] nlohmann::json to_json(const ProblemViolation& value);
[[nodiscard]] nlohmann::json to_json(const Problem& value);

// Checks and converts a parsed body; see the rules at the top of this file.
// Defined (explicitly specialised) for every body type above.
template <class T>
[[nodiscard]] Result<T> from_json_checked(const nlohmann::json& body);

template <> Result<RegisterRequest> from_json_checked<RegisterRequest>(const nlohmann::json&);
template <> Result<User> from_json_checked<User>(const nlohmann::json&);
template <> Result<RegisterResponse> from_json_checked<RegisterResponse>(const nlohmann::json&);
template <> Result<TokenRequest> from_json_checked<TokenRequest>(const nlohmann::json&);
template <> Result<TokenResponse> from_json_checked<TokenResponse>(const nlohmann::json&);
template <> Result<MfaChallenge> from_json_checked<MfaChallenge>(const nlohmann::json&);
template <> Result<SignInResult> from_json_checked<SignInResult>(const nlohmann::json&);
template <> Result<MfaVerifyRequest> from_json_checked<MfaVerifyRequest>(const nlohmann::json&);
template <> Result<RefreshRequest> from_json_checked<RefreshRequest>(const nlohmann::json&);
template <> Result<PasswordChangeRequest> from_json_checked<PasswordChangeRequest>(const nlohmann::json&);
template <> Result<PasswordResetInitiateRequest> from_json_checked<PasswordResetInitiateRequest>(const nlohmann::json&);
template <> Result<PasswordResetCompleteRequest> from_json_checked<PasswordResetCompleteRequest>(const nlohmann::json&);
template <> Result<EmailVerifyRequest> from_json_checked<EmailVerifyRequest>(const nlohmann::json&);
template <> Result<TotpSetupRequest> from_json_checked<TotpSetupRequest>(const nlohmann::json&);
template <> Result<IntrospectionRequest> from_json_checked<IntrospectionRequest>(const nlohmann::json&);
template <> Result<TotpSetupResponse> from_json_checked<TotpSetupResponse>(const nlohmann::json&);
template <> Result<TotpConfirmRequest> from_json_checked<TotpConfirmRequest>(const nlohmann::json&);
template <> Result<BackupCodesResponse> from_json_checked<BackupCodesResponse>(const nlohmann::json&);
template <> Result<TotpDisableRequest> from_json_checked<TotpDisableRequest>(const nlohmann::json&);
template <> Result<BackupCodesRegenerateRequest> from_json_checked<BackupCodesRegenerateRequest>(const nlohmann::json&);
template <> Result<SessionInfo> from_json_checked<SessionInfo>(const nlohmann::json&);
template <> Result<SessionsResponse> from_json_checked<SessionsResponse>(const nlohmann::json&);
template <> Result<AdminUserList> from_json_checked<AdminUserList>(const nlohmann::json&);
template <> Result<AdminCreateUserRequest> from_json_checked<AdminCreateUserRequest>(const nlohmann::json&);
template <> Result<AdminUpdateUserRequest> from_json_checked<AdminUpdateUserRequest>(const nlohmann::json&);
template <> Result<AuditEvent> from_json_checked<AuditEvent>(const nlohmann::json&);
template <> Result<AuditEventList> from_json_checked<AuditEventList>(const nlohmann::json&);
template <> Result<Tenant> from_json_checked<Tenant>(const nlohmann::json&);
template <> Result<TenantList> from_json_checked<TenantList>(const nlohmann::json&);
template <> Result<AdminCreateTenantRequest> from_json_checked<AdminCreateTenantRequest>(const nlohmann::json&);
template <> Result<AdminUpdateTenantRequest> from_json_checked<AdminUpdateTenantRequest>(const nlohmann::json&);
template <> Result<DevMailMessage> from_json_checked<DevMailMessage>(const nlohmann::json&);
template <> Result<DevMailbox> from_json_checked<DevMailbox>(const nlohmann::json&);
template <> Result<ProblemViolation> from_json_checked<ProblemViolation>(const nlohmann::json&);
template <> Result<Problem> from_json_checked<Problem>(const nlohmann::json&);

// Text to checked body in one step (what a route handler does).
template <class T>
[[nodiscard]] Result<T> parse_body(std::string_view text, std::size_t max_bytes = kMaxRequestBodyBytes) {
  auto object = parse_json_object(text, max_bytes);
  if (!object.ok()) return object.error();
  return from_json_checked<T>(*object);
}

}  // namespace api
}  // namespace sesame
