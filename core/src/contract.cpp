// JSON conversion of the API contract's bodies. Reading goes through
// ObjectReader, which checks each member before touching it (nlohmann/json
// aborts instead of throwing in the wasm build) and keeps the first error.

#include "sesame/contract.hpp"

#include <algorithm>
#include <limits>
#include <tuple>
#include <utility>

namespace sesame::api {
namespace {

using nlohmann::json;

constexpr std::size_t kUnbounded = std::numeric_limits<std::size_t>::max();
constexpr std::int64_t kMaxDurationSeconds = 100LL * 366 * 86400;
constexpr std::size_t kMaxListItems = 1000;
constexpr std::size_t kMaxBackupCodes = 64;
constexpr std::size_t kMaxMethods = 16;
constexpr std::size_t kMaxViolations = 64;

// Which bytes a string may hold. Input is valid UTF-8 already (the parser
// checks), so only control characters need excluding.
enum class Chars {
  any,            // passwords, free text
  text,           // printable text: no C0/C1 control characters
  visible_ascii,  // identifiers and tokens: 0x21..0x7e
};

struct StringRule {
  std::size_t min_bytes;
  std::size_t max_bytes;
  Chars chars;
};

constexpr StringRule kPasswordRule{0, kMaxPasswordBytes, Chars::any};
constexpr StringRule kNameRule{0, kMaxNameBytes, Chars::text};
constexpr StringRule kCodeRule{1, kMaxCodeBytes, Chars::text};
constexpr StringRule kOpaqueTokenRule{1, kMaxOpaqueTokenBytes, Chars::visible_ascii};
constexpr StringRule kAccessTokenRule{1, kMaxAccessTokenBytes, Chars::visible_ascii};
constexpr StringRule kIdRule{1, kMaxIdBytes, Chars::visible_ascii};
constexpr StringRule kRoleRule{1, kMaxRoleBytes, Chars::visible_ascii};
constexpr StringRule kMethodRule{1, 32, Chars::visible_ascii};
constexpr StringRule kEventTypeRule{1, 64, Chars::visible_ascii};
constexpr StringRule kCursorRule{1, 512, Chars::visible_ascii};
constexpr StringRule kProblemCodeRule{1, 64, Chars::visible_ascii};
constexpr StringRule kIpRule{0, 64, Chars::visible_ascii};
constexpr StringRule kUserAgentRule{0, kMaxUserAgentBytes, Chars::text};
constexpr StringRule kSecretRule{1, 256, Chars::visible_ascii};
constexpr StringRule kUriRule{1, 4096, Chars::text};
constexpr StringRule kLineRule{0, kUnbounded, Chars::text};
constexpr StringRule kFreeTextRule{0, kUnbounded, Chars::any};
constexpr StringRule kTenantIdRule{1, 64, Chars::visible_ascii};

bool is_control(unsigned char c) noexcept { return c < 0x20 || c == 0x7f; }

std::optional<std::string> string_violation(std::string_view s, const StringRule& rule) {
  if (s.size() < rule.min_bytes) return rule.min_bytes == 1 ? "must not be empty" : "too short";
  if (s.size() > rule.max_bytes) return "must be at most " + std::to_string(rule.max_bytes) + " bytes";
  switch (rule.chars) {
    case Chars::any:
      break;
    case Chars::text:
      for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        const bool c1_control = c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
                                static_cast<unsigned char>(s[i + 1]) <= 0x9F;  // U+0080..U+009F
        if (is_control(c) || c1_control) return "must not contain control characters";
      }
      break;
    case Chars::visible_ascii:
      for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c >= 0x7f) return "must be printable ASCII without spaces";
      }
      break;
  }
  return std::nullopt;
}

// Shape only: deliverability is for the mail round trip to prove.
std::optional<std::string> email_violation(std::string_view s) {
  if (s.size() > kMaxEmailBytes) return "must be at most " + std::to_string(kMaxEmailBytes) + " bytes";
  if (auto bad = string_violation(s, StringRule{0, kMaxEmailBytes, Chars::text})) return bad;
  if (s.find(' ') != std::string_view::npos) return "must not contain spaces";
  const std::size_t at = s.find('@');
  if (at == std::string_view::npos || s.find('@', at + 1) != std::string_view::npos) {
    return "must contain exactly one '@'";
  }
  if (at == 0 || at + 1 == s.size()) return "needs text before and after '@'";
  if (at > kMaxEmailLocalPartBytes) {
    return "the part before '@' must be at most " + std::to_string(kMaxEmailLocalPartBytes) + " bytes";
  }
  return std::nullopt;
}

std::optional<std::int64_t> as_int64(const json& value) {
  if (value.is_number_unsigned()) {
    const auto u = value.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  if (value.is_number_integer()) return value.get<std::int64_t>();
  return std::nullopt;
}

// Reads the members of one JSON object. All readers of a body share one error
// slot: after the first failure every read returns a default and changes
// nothing, so a parse function is a straight list of reads.
class ObjectReader {
 public:
  ObjectReader(const json& object, std::string pointer, std::optional<Error>& error)
      : object_(object), pointer_(std::move(pointer)), error_(error) {}

  [[nodiscard]] bool failed() const noexcept { return error_.has_value(); }

  // The member, or nullptr when absent. Null counts as present here.
  [[nodiscard]] const json* member(std::string_view key) const {
    const auto it = object_.find(key);
    return it == object_.end() ? nullptr : &*it;
  }
  // The member, or nullptr when absent or null.
  [[nodiscard]] const json* value(std::string_view key) const {
    const json* found = member(key);
    return found == nullptr || found->is_null() ? nullptr : found;
  }
  [[nodiscard]] bool has(std::string_view key) const { return value(key) != nullptr; }

  void fail(ErrorCode code, std::string_view key, std::string_view reason) {
    if (failed()) return;
    error_ = Error{code, pointer_to(key) + ": " + std::string(reason)};
  }
  void fail_missing(std::string_view key) { fail(ErrorCode::missing_field, key, "required"); }
  void fail_invalid(std::string_view key, std::string_view reason) { fail(ErrorCode::invalid_field, key, reason); }

  std::string string(std::string_view key, const StringRule& rule) {
    if (failed()) return {};
    const json* found = value(key);
    if (found == nullptr) {
      fail_missing(key);
      return {};
    }
    return checked_string(key, *found, rule);
  }

  std::optional<std::string> optional_string(std::string_view key, const StringRule& rule) {
    if (failed() || !has(key)) return std::nullopt;
    std::string out = string(key, rule);
    if (failed()) return std::nullopt;
    return out;
  }

  std::string email(std::string_view key) {
    std::string out = string(key, kLineRule);
    if (failed()) return {};
    if (auto bad = email_violation(out)) {
      fail_invalid(key, "not an email address: " + *bad);
      return {};
    }
    return out;
  }

  bool boolean(std::string_view key) {
    if (failed()) return false;
    const json* found = value(key);
    if (found == nullptr) {
      fail_missing(key);
      return false;
    }
    if (!found->is_boolean()) {
      fail_invalid(key, "must be true or false");
      return false;
    }
    return found->get<bool>();
  }

  std::optional<bool> optional_boolean(std::string_view key) {
    if (failed() || !has(key)) return std::nullopt;
    const bool out = boolean(key);
    if (failed()) return std::nullopt;
    return out;
  }

  std::int64_t integer(std::string_view key, std::int64_t min, std::int64_t max) {
    if (failed()) return 0;
    const json* found = value(key);
    if (found == nullptr) {
      fail_missing(key);
      return 0;
    }
    const auto number = as_int64(*found);
    if (!number) {
      fail_invalid(key, "must be an integer");
      return 0;
    }
    if (*number < min || *number > max) {
      fail_invalid(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
      return 0;
    }
    return *number;
  }

  std::optional<std::int64_t> optional_integer(std::string_view key, std::int64_t min, std::int64_t max) {
    if (failed() || !has(key)) return std::nullopt;
    const std::int64_t out = integer(key, min, max);
    if (failed()) return std::nullopt;
    return out;
  }

  std::int64_t duration_seconds(std::string_view key) { return integer(key, 0, kMaxDurationSeconds); }

  Timestamp timestamp(std::string_view key) {
    const std::string text = string(key, StringRule{1, 64, Chars::visible_ascii});
    if (failed()) return {};
    auto parsed = parse_rfc3339(text);
    if (!parsed.ok()) {
      fail_invalid(key, "not an RFC 3339 timestamp: " + parsed.error().detail);
      return {};
    }
    return Timestamp{*parsed};
  }

  std::vector<std::string> strings(std::string_view key, const StringRule& rule, std::size_t max_items) {
    std::vector<std::string> out;
    const json* array = array_member(key, max_items);
    if (array == nullptr) return out;
    std::size_t index = 0;
    for (const json& item : *array) {
      const std::string item_key = std::string(key) + "/" + std::to_string(index++);
      out.push_back(checked_string(item_key, item, rule));
      if (failed()) return {};
    }
    return out;
  }

  std::optional<std::vector<std::string>> optional_strings(std::string_view key, const StringRule& rule,
                                                           std::size_t max_items) {
    if (failed() || !has(key)) return std::nullopt;
    auto out = strings(key, rule, max_items);
    if (failed()) return std::nullopt;
    return out;
  }

  // A member that is an object, read by `read(ObjectReader&)`.
  template <class Read>
  auto object(std::string_view key, Read read) -> decltype(read(std::declval<ObjectReader&>())) {
    using T = decltype(read(std::declval<ObjectReader&>()));
    if (failed()) return T{};
    const json* found = value(key);
    if (found == nullptr) {
      fail_missing(key);
      return T{};
    }
    if (!found->is_object()) {
      fail_invalid(key, "must be an object");
      return T{};
    }
    ObjectReader nested(*found, pointer_to(key), error_);
    return read(nested);
  }

  // A member that is an array of objects, each read by `read(ObjectReader&)`.
  template <class Read>
  auto objects(std::string_view key, std::size_t max_items, Read read)
      -> std::vector<decltype(read(std::declval<ObjectReader&>()))> {
    std::vector<decltype(read(std::declval<ObjectReader&>()))> out;
    const json* array = array_member(key, max_items);
    if (array == nullptr) return out;
    std::size_t index = 0;
    for (const json& item : *array) {
      const std::string item_key = std::string(key) + "/" + std::to_string(index++);
      if (!item.is_object()) {
        fail_invalid(item_key, "must be an object");
        return {};
      }
      ObjectReader nested(item, pointer_to(item_key), error_);
      out.push_back(read(nested));
      if (failed()) return {};
    }
    return out;
  }

 private:
  [[nodiscard]] std::string pointer_to(std::string_view key) const { return pointer_ + "/" + std::string(key); }

  std::string checked_string(std::string_view key, const json& item, const StringRule& rule) {
    if (!item.is_string()) {
      fail_invalid(key, "must be a string");
      return {};
    }
    const auto& text = item.get_ref<const std::string&>();
    if (auto bad = string_violation(text, rule)) {
      fail_invalid(key, *bad);
      return {};
    }
    return text;
  }

  const json* array_member(std::string_view key, std::size_t max_items) {
    if (failed()) return nullptr;
    const json* found = value(key);
    if (found == nullptr) {
      fail_missing(key);
      return nullptr;
    }
    if (!found->is_array()) {
      fail_invalid(key, "must be an array");
      return nullptr;
    }
    if (found->size() > max_items) {
      fail_invalid(key, "must have at most " + std::to_string(max_items) + " items");
      return nullptr;
    }
    return found;
  }

  const json& object_;
  std::string pointer_;
  std::optional<Error>& error_;
};

template <class T, class Read>
Result<T> read_body(const json& body, Read read) {
  if (!body.is_object()) return Error{ErrorCode::invalid_json, "expected a JSON object"};
  std::optional<Error> error;
  ObjectReader in(body, "", error);
  T value = read(in);
  if (error) return std::move(*error);
  return value;
}

json timestamp_json(Timestamp t) { return format_rfc3339_utc(t.unix_seconds); }

template <class T>
json nullable(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

template <class T>
json array_of(const std::vector<T>& items) {
  json out = json::array();
  for (const auto& item : items) out.push_back(to_json(item));
  return out;
}

// ---- readers, one per type (shared by nested and top-level parsing) ----------

// Tenant ids go into URLs, logs and tokens: lower-case letters, digits and '-'.
std::optional<std::string> optional_tenant_id(ObjectReader& in, std::string_view key) {
  auto id = in.optional_string(key, kTenantIdRule);
  if (id && !std::all_of(id->begin(), id->end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      })) {
    in.fail_invalid(key, "must hold only a-z, 0-9 and '-'");
  }
  return id;
}

User read_user(ObjectReader& in) {
  User out;
  out.id = in.string("id", kIdRule);
  out.email = in.email("email");
  out.name = in.optional_string("name", kNameRule);
  out.tenant_id = in.string("tenant_id", kIdRule);
  out.roles = in.strings("roles", kRoleRule, kMaxRoles);
  out.email_verified = in.boolean("email_verified");
  out.mfa_enabled = in.boolean("mfa_enabled");
  out.disabled = in.boolean("disabled");
  out.created_at = in.timestamp("created_at");
  if (const auto remaining = in.optional_integer("backup_codes_remaining", 0, kMaxBackupCodes)) {
    out.backup_codes_remaining = static_cast<int>(*remaining);
  }
  out.password_must_change = in.optional_boolean("password_must_change").value_or(false);
  return out;
}

Tenant read_tenant(ObjectReader& in) {
  Tenant out;
  out.id = in.string("id", kTenantIdRule);
  out.name = in.string("name", kNameRule);
  out.disabled = in.boolean("disabled");
  out.created_at = in.timestamp("created_at");
  return out;
}

TokenResponse read_token_response(ObjectReader& in) {
  TokenResponse out;
  out.access_token = in.string("access_token", kAccessTokenRule);
  const std::string token_type = in.string("token_type", StringRule{1, 16, Chars::visible_ascii});
  // RFC 6749 §5.1: the token type is case-insensitive.
  const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  if (!in.failed() && !(token_type.size() == 6 && std::equal(token_type.begin(), token_type.end(), "bearer",
                                                              [&](char a, char b) { return lower(a) == b; }))) {
    in.fail_invalid("token_type", "must be \"Bearer\"");
  }
  out.expires_in = in.duration_seconds("expires_in");
  out.issued_at = in.timestamp("issued_at");
  out.kid = in.string("kid", kIdRule);
  out.session_id = in.string("session_id", kIdRule);
  out.refresh_expires_in = in.duration_seconds("refresh_expires_in");
  out.refresh_token = in.optional_string("refresh_token", kOpaqueTokenRule);
  return out;
}

MfaChallenge read_mfa_challenge(ObjectReader& in) {
  MfaChallenge out;
  if (!in.boolean("mfa_required") && !in.failed()) in.fail_invalid("mfa_required", "must be true");
  out.mfa_token = in.string("mfa_token", kOpaqueTokenRule);
  out.methods = in.strings("methods", kMethodRule, kMaxMethods);
  out.expires_in = in.duration_seconds("expires_in");
  return out;
}

SessionInfo read_session_info(ObjectReader& in) {
  SessionInfo out;
  out.id = in.string("id", kIdRule);
  out.current = in.boolean("current");
  out.created_at = in.timestamp("created_at");
  out.last_active_at = in.timestamp("last_active_at");
  out.ip = in.string("ip", kIpRule);
  out.user_agent = in.string("user_agent", kUserAgentRule);
  return out;
}

AuditEvent read_audit_event(ObjectReader& in) {
  AuditEvent out;
  out.id = in.string("id", kIdRule);
  out.type = in.string("type", kEventTypeRule);
  out.created_at = in.timestamp("created_at");
  out.user_id = in.optional_string("user_id", kIdRule);
  out.actor_id = in.optional_string("actor_id", kIdRule);
  out.ip = in.optional_string("ip", kIpRule);
  out.user_agent = in.optional_string("user_agent", kUserAgentRule);
  out.request_id = in.optional_string("request_id", kIdRule);
  if (const json* details = in.value("details")) {
    if (details->is_object()) {
      out.details = *details;
    } else {
      in.fail_invalid("details", "must be an object");
    }
  }
  return out;
}

DevMailMessage read_dev_mail_message(ObjectReader& in) {
  DevMailMessage out;
  out.to = in.email("to");
  out.subject = in.string("subject", kLineRule);
  out.text = in.string("text", kFreeTextRule);
  out.created_at = in.timestamp("created_at");
  return out;
}

ProblemViolation read_problem_violation(ObjectReader& in) {
  ProblemViolation out;
  out.code = in.string("code", kProblemCodeRule);
  out.detail = in.optional_string("detail", kFreeTextRule);
  out.pointer = in.optional_string("pointer", kLineRule);
  return out;
}

}  // namespace

std::string_view token_delivery_name(TokenDelivery delivery) noexcept {
  return delivery == TokenDelivery::cookie ? "cookie" : "body";
}

// ---- to_json ----------------------------------------------------------------

json to_json(const RegisterRequest& value) {
  json out{{"email", value.email}, {"password", value.password}};
  if (value.name) out["name"] = *value.name;
  if (value.tenant_id) out["tenant_id"] = *value.tenant_id;
  return out;
}

json to_json(const User& value) {
  json out{{"id", value.id},
           {"email", value.email},
           {"name", nullable(value.name)},
           {"tenant_id", value.tenant_id},
           {"roles", value.roles},
           {"email_verified", value.email_verified},
           {"mfa_enabled", value.mfa_enabled},
           {"disabled", value.disabled},
           {"created_at", timestamp_json(value.created_at)}};
  if (value.backup_codes_remaining) out["backup_codes_remaining"] = *value.backup_codes_remaining;
  out["password_must_change"] = value.password_must_change;
  return out;
}

json to_json(const RegisterResponse& value) { return json{{"user", to_json(value.user)}}; }

json to_json(const TokenRequest& value) {
  json out{{"email", value.email},
           {"password", value.password},
           {"delivery", std::string(token_delivery_name(value.delivery))}};
  if (value.tenant_id) out["tenant_id"] = *value.tenant_id;
  return out;
}

json to_json(const TokenResponse& value) {
  json out{{"access_token", value.access_token},
           {"token_type", "Bearer"},
           {"expires_in", value.expires_in},
           {"issued_at", timestamp_json(value.issued_at)},
           {"kid", value.kid},
           {"session_id", value.session_id},
           {"refresh_expires_in", value.refresh_expires_in}};
  if (value.refresh_token) out["refresh_token"] = *value.refresh_token;
  return out;
}

json to_json(const MfaChallenge& value) {
  return json{{"mfa_required", true},
              {"mfa_token", value.mfa_token},
              {"methods", value.methods},
              {"expires_in", value.expires_in}};
}

json to_json(const SignInResult& value) {
  return std::visit([](const auto& alternative) { return to_json(alternative); }, value);
}

json to_json(const MfaVerifyRequest& value) {
  json out{{"mfa_token", value.mfa_token},
           {value.kind == MfaCodeKind::backup_code ? "backup_code" : "code", value.code}};
  if (value.delivery == TokenDelivery::cookie) out["delivery"] = "cookie";
  return out;
}

json to_json(const RefreshRequest& value) {
  json out = json::object();
  if (value.refresh_token) out["refresh_token"] = *value.refresh_token;
  return out;
}

json to_json(const PasswordChangeRequest& value) {
  return json{{"current_password", value.current_password}, {"new_password", value.new_password}};
}

json to_json(const PasswordResetInitiateRequest& value) {
  json out{{"email", value.email}};
  if (value.tenant_id) out["tenant_id"] = *value.tenant_id;
  return out;
}

json to_json(const PasswordResetCompleteRequest& value) {
  return json{{"token", value.token}, {"new_password", value.new_password}};
}

json to_json(const EmailVerifyRequest& value) { return json{{"token", value.token}}; }

json to_json(const TotpSetupRequest& value) {
  json out = json::object();
  if (value.password) out["password"] = *value.password;
  return out;
}

json to_json(const TotpSetupResponse& value) {
  return json{{"secret", value.secret}, {"otpauth_uri", value.otpauth_uri}, {"qr_svg", value.qr_svg}};
}

json to_json(const TotpConfirmRequest& value) { return json{{"code", value.code}}; }

json to_json(const BackupCodesResponse& value) { return json{{"backup_codes", value.backup_codes}}; }

json to_json(const TotpDisableRequest& value) {
  return json{{"password", value.password},
              {value.kind == MfaCodeKind::backup_code ? "backup_code" : "code", value.code}};
}

json to_json(const BackupCodesRegenerateRequest& value) { return json{{"code", value.code}}; }

json to_json(const SessionInfo& value) {
  return json{{"id", value.id},
              {"current", value.current},
              {"created_at", timestamp_json(value.created_at)},
              {"last_active_at", timestamp_json(value.last_active_at)},
              {"ip", value.ip},
              {"user_agent", value.user_agent}};
}

json to_json(const SessionsResponse& value) { return json{{"sessions", array_of(value.sessions)}}; }

json to_json(const AdminUserList& value) {
  return json{{"users", array_of(value.users)}, {"next_cursor", nullable(value.next_cursor)}};
}

json to_json(const AdminCreateUserRequest& value) {
  json out{{"email", value.email}};
  if (value.password) out["password"] = *value.password;
  if (value.name) out["name"] = *value.name;
  if (value.roles) out["roles"] = *value.roles;
  if (value.tenant_id) out["tenant_id"] = *value.tenant_id;
  return out;
}

json to_json(const AdminUpdateUserRequest& value) {
  json out = json::object();
  if (value.name) out["name"] = nullable(*value.name);
  if (value.roles) out["roles"] = *value.roles;
  if (value.disabled) out["disabled"] = *value.disabled;
  if (value.email_verified) out["email_verified"] = *value.email_verified;
  return out;
}

json to_json(const Tenant& value) {
  return json{{"id", value.id}, {"name", value.name}, {"disabled", value.disabled},
              {"created_at", timestamp_json(value.created_at)}};
}

json to_json(const TenantList& value) { return json{{"tenants", array_of(value.tenants)}}; }

json to_json(const AdminCreateTenantRequest& value) {
  json out{{"id", value.id}};
  if (value.name) out["name"] = *value.name;
  return out;
}

json to_json(const AdminUpdateTenantRequest& value) {
  json out = json::object();
  if (value.disabled) out["disabled"] = *value.disabled;
  return out;
}

json to_json(const AuditEvent& value) {
  return json{{"id", value.id},
              {"type", value.type},
              {"created_at", timestamp_json(value.created_at)},
              {"user_id", nullable(value.user_id)},
              {"actor_id", nullable(value.actor_id)},
              {"ip", nullable(value.ip)},
              {"user_agent", nullable(value.user_agent)},
              {"request_id", nullable(value.request_id)},
              {"details", value.details.is_object() ? value.details : json::object()}};
}

json to_json(const AuditEventList& value) {
  return json{{"events", array_of(value.events)}, {"next_cursor", nullable(value.next_cursor)}};
}

json to_json(const DevMailMessage& value) {
  return json{{"to", value.to},
              {"subject", value.subject},
              {"text", value.text},
              {"created_at", timestamp_json(value.created_at)}};
}

json to_json(const DevMailbox& value) { return json{{"messages", array_of(value.messages)}}; }

json to_json(const ProblemViolation& value) {
  json out{{"code", value.code}};
  if (value.detail) out["detail"] = *value.detail;
  if (value.pointer) out["pointer"] = *value.pointer;
  return out;
}

json to_json(const Problem& value) {
  json out{{"type", value.type}, {"title", value.title}, {"status", value.status}, {"code", value.code}};
  if (value.detail) out["detail"] = *value.detail;
  if (value.instance) out["instance"] = *value.instance;
  if (value.violations) out["violations"] = array_of(*value.violations);
  if (value.retry_after) out["retry_after"] = *value.retry_after;
  if (value.request_id) out["request_id"] = *value.request_id;
  return out;
}

// ---- from_json_checked ------------------------------------------------------

template <>
Result<RegisterRequest> from_json_checked<RegisterRequest>(const json& body) {
  return read_body<RegisterRequest>(body, [](ObjectReader& in) {
    RegisterRequest out;
    out.email = in.email("email");
    out.password = in.string("password", kPasswordRule);
    out.name = in.optional_string("name", kNameRule);
    out.tenant_id = optional_tenant_id(in, "tenant_id");
    return out;
  });
}

template <>
Result<User> from_json_checked<User>(const json& body) {
  return read_body<User>(body, read_user);
}

// "delivery": "body" (also when absent) or "cookie".
TokenDelivery read_delivery(ObjectReader& in) {
  const auto delivery = in.optional_string("delivery", StringRule{0, 16, Chars::any});
  if (!delivery || *delivery == "body") return TokenDelivery::body;
  if (*delivery == "cookie") return TokenDelivery::cookie;
  in.fail_invalid("delivery", "must be \"body\" or \"cookie\"");
  return TokenDelivery::body;
}

// {code} or {backup_code}, exactly one: the second factor of /mfa/verify and /mfa/totp/disable.
std::pair<MfaCodeKind, std::string> read_second_factor(ObjectReader& in) {
  const bool has_code = in.has("code");
  const bool has_backup_code = in.has("backup_code");
  if (has_code && has_backup_code) {
    in.fail_invalid("backup_code", "send either code or backup_code, not both");
  } else if (has_backup_code) {
    return {MfaCodeKind::backup_code, in.string("backup_code", kCodeRule)};
  } else if (has_code) {
    return {MfaCodeKind::totp, in.string("code", kCodeRule)};
  } else {
    in.fail(ErrorCode::missing_field, "code", "required (or backup_code)");
  }
  return {MfaCodeKind::totp, {}};
}

template <>
Result<RegisterResponse> from_json_checked<RegisterResponse>(const json& body) {
  return read_body<RegisterResponse>(body, [](ObjectReader& in) { return RegisterResponse{in.object("user", read_user)}; });
}

template <>
Result<TokenRequest> from_json_checked<TokenRequest>(const json& body) {
  return read_body<TokenRequest>(body, [](ObjectReader& in) {
    TokenRequest out;
    out.email = in.email("email");
    out.password = in.string("password", kPasswordRule);
    out.delivery = read_delivery(in);
    out.tenant_id = optional_tenant_id(in, "tenant_id");
    return out;
  });
}

template <>
Result<TokenResponse> from_json_checked<TokenResponse>(const json& body) {
  return read_body<TokenResponse>(body, read_token_response);
}

template <>
Result<MfaChallenge> from_json_checked<MfaChallenge>(const json& body) {
  return read_body<MfaChallenge>(body, read_mfa_challenge);
}

template <>
Result<SignInResult> from_json_checked<SignInResult>(const json& body) {
  return read_body<SignInResult>(body, [](ObjectReader& in) -> SignInResult {
    const json* flag = in.value("mfa_required");
    if (flag == nullptr || (flag->is_boolean() && !flag->get<bool>())) return read_token_response(in);
    return read_mfa_challenge(in);  // true, or not a boolean: refused there
  });
}

template <>
Result<MfaVerifyRequest> from_json_checked<MfaVerifyRequest>(const json& body) {
  return read_body<MfaVerifyRequest>(body, [](ObjectReader& in) {
    MfaVerifyRequest out;
    out.mfa_token = in.string("mfa_token", kOpaqueTokenRule);
    std::tie(out.kind, out.code) = read_second_factor(in);
    out.delivery = read_delivery(in);
    return out;
  });
}

template <>
Result<RefreshRequest> from_json_checked<RefreshRequest>(const json& body) {
  return read_body<RefreshRequest>(
      body, [](ObjectReader& in) { return RefreshRequest{in.optional_string("refresh_token", kOpaqueTokenRule)}; });
}

template <>
Result<PasswordChangeRequest> from_json_checked<PasswordChangeRequest>(const json& body) {
  return read_body<PasswordChangeRequest>(body, [](ObjectReader& in) {
    PasswordChangeRequest out;
    out.current_password = in.string("current_password", kPasswordRule);
    out.new_password = in.string("new_password", kPasswordRule);
    return out;
  });
}

template <>
Result<PasswordResetInitiateRequest> from_json_checked<PasswordResetInitiateRequest>(const json& body) {
  return read_body<PasswordResetInitiateRequest>(
      body, [](ObjectReader& in) {
        PasswordResetInitiateRequest out;
        out.email = in.email("email");
        out.tenant_id = optional_tenant_id(in, "tenant_id");
        return out;
      });
}

template <>
Result<PasswordResetCompleteRequest> from_json_checked<PasswordResetCompleteRequest>(const json& body) {
  return read_body<PasswordResetCompleteRequest>(body, [](ObjectReader& in) {
    PasswordResetCompleteRequest out;
    out.token = in.string("token", kOpaqueTokenRule);
    out.new_password = in.string("new_password", kPasswordRule);
    return out;
  });
}

template <>
Result<EmailVerifyRequest> from_json_checked<EmailVerifyRequest>(const json& body) {
  return read_body<EmailVerifyRequest>(
      body, [](ObjectReader& in) { return EmailVerifyRequest{in.string("token", kOpaqueTokenRule)}; });
}

template <>
Result<TotpSetupRequest> from_json_checked<TotpSetupRequest>(const json& body) {
  return read_body<TotpSetupRequest>(
      body, [](ObjectReader& in) { return TotpSetupRequest{in.optional_string("password", kPasswordRule)}; });
}

template <>
Result<IntrospectionRequest> from_json_checked<IntrospectionRequest>(const json& body) {
  return read_body<IntrospectionRequest>(body, [](ObjectReader& in) {
    IntrospectionRequest out;
    out.token = in.string("token", kAccessTokenRule);
    out.token_type_hint = in.optional_string("token_type_hint", kMethodRule);
    return out;
  });
}

template <>
Result<TotpSetupResponse> from_json_checked<TotpSetupResponse>(const json& body) {
  return read_body<TotpSetupResponse>(body, [](ObjectReader& in) {
    TotpSetupResponse out;
    out.secret = in.string("secret", kSecretRule);
    out.otpauth_uri = in.string("otpauth_uri", kUriRule);
    out.qr_svg = in.string("qr_svg", kFreeTextRule);
    return out;
  });
}

template <>
Result<TotpConfirmRequest> from_json_checked<TotpConfirmRequest>(const json& body) {
  return read_body<TotpConfirmRequest>(
      body, [](ObjectReader& in) { return TotpConfirmRequest{in.string("code", kCodeRule)}; });
}

template <>
Result<BackupCodesResponse> from_json_checked<BackupCodesResponse>(const json& body) {
  return read_body<BackupCodesResponse>(body, [](ObjectReader& in) {
    return BackupCodesResponse{in.strings("backup_codes", kCodeRule, kMaxBackupCodes)};
  });
}

template <>
Result<TotpDisableRequest> from_json_checked<TotpDisableRequest>(const json& body) {
  return read_body<TotpDisableRequest>(body, [](ObjectReader& in) {
    TotpDisableRequest out;
    out.password = in.string("password", kPasswordRule);
    std::tie(out.kind, out.code) = read_second_factor(in);
    return out;
  });
}

template <>
Result<BackupCodesRegenerateRequest> from_json_checked<BackupCodesRegenerateRequest>(const json& body) {
  return read_body<BackupCodesRegenerateRequest>(
      body, [](ObjectReader& in) { return BackupCodesRegenerateRequest{in.string("code", kCodeRule)}; });
}

template <>
Result<SessionInfo> from_json_checked<SessionInfo>(const json& body) {
  return read_body<SessionInfo>(body, read_session_info);
}

template <>
Result<SessionsResponse> from_json_checked<SessionsResponse>(const json& body) {
  return read_body<SessionsResponse>(body, [](ObjectReader& in) {
    return SessionsResponse{in.objects("sessions", kMaxListItems, read_session_info)};
  });
}

template <>
Result<AdminUserList> from_json_checked<AdminUserList>(const json& body) {
  return read_body<AdminUserList>(body, [](ObjectReader& in) {
    AdminUserList out;
    out.users = in.objects("users", kMaxListItems, read_user);
    out.next_cursor = in.optional_string("next_cursor", kCursorRule);
    return out;
  });
}

template <>
Result<AdminCreateUserRequest> from_json_checked<AdminCreateUserRequest>(const json& body) {
  return read_body<AdminCreateUserRequest>(body, [](ObjectReader& in) {
    AdminCreateUserRequest out;
    out.email = in.email("email");
    out.password = in.optional_string("password", kPasswordRule);
    out.name = in.optional_string("name", kNameRule);
    out.roles = in.optional_strings("roles", kRoleRule, kMaxRoles);
    out.tenant_id = optional_tenant_id(in, "tenant_id");
    return out;
  });
}

template <>
Result<AdminUpdateUserRequest> from_json_checked<AdminUpdateUserRequest>(const json& body) {
  return read_body<AdminUpdateUserRequest>(body, [](ObjectReader& in) {
    AdminUpdateUserRequest out;
    if (const json* name = in.member("name")) {
      if (name->is_null()) {
        out.name = std::optional<std::string>{};  // present and null: clear the name
      } else {
        out.name = in.optional_string("name", kNameRule);
      }
    }
    // Null would be ambiguous for these (clear the roles? re-enable?): refuse it.
    if (const json* roles = in.member("roles"); roles != nullptr && roles->is_null()) {
      in.fail_invalid("roles", "must be an array, not null");
    }
    out.roles = in.optional_strings("roles", kRoleRule, kMaxRoles);
    for (const std::string_view flag : {"disabled", "email_verified"}) {
      if (const json* member = in.member(flag); member != nullptr && member->is_null()) {
        in.fail_invalid(flag, "must be true or false, not null");
      }
    }
    out.disabled = in.optional_boolean("disabled");
    out.email_verified = in.optional_boolean("email_verified");
    return out;
  });
}

template <>
Result<AuditEvent> from_json_checked<AuditEvent>(const json& body) {
  return read_body<AuditEvent>(body, read_audit_event);
}

template <>
Result<AuditEventList> from_json_checked<AuditEventList>(const json& body) {
  return read_body<AuditEventList>(body, [](ObjectReader& in) {
    AuditEventList out;
    out.events = in.objects("events", kMaxListItems, read_audit_event);
    out.next_cursor = in.optional_string("next_cursor", kCursorRule);
    return out;
  });
}

template <>
Result<DevMailMessage> from_json_checked<DevMailMessage>(const json& body) {
  return read_body<DevMailMessage>(body, read_dev_mail_message);
}

template <>
Result<DevMailbox> from_json_checked<DevMailbox>(const json& body) {
  return read_body<DevMailbox>(body, [](ObjectReader& in) {
    return DevMailbox{in.objects("messages", kMaxListItems, read_dev_mail_message)};
  });
}

template <>
Result<ProblemViolation> from_json_checked<ProblemViolation>(const json& body) {
  return read_body<ProblemViolation>(body, read_problem_violation);
}

template <>
Result<Problem> from_json_checked<Problem>(const json& body) {
  return read_body<Problem>(body, [](ObjectReader& in) {
    Problem out;
    // RFC 9457 §3.1.1: an absent type means "about:blank".
    out.type = in.optional_string("type", kUriRule).value_or("about:blank");
    out.title = in.optional_string("title", kLineRule).value_or("");
    out.status = static_cast<int>(in.integer("status", 100, 599));
    out.detail = in.optional_string("detail", kFreeTextRule);
    out.instance = in.optional_string("instance", kUriRule);
    out.code = in.string("code", kProblemCodeRule);
    if (in.has("violations")) out.violations = in.objects("violations", kMaxViolations, read_problem_violation);
    out.retry_after = in.optional_integer("retry_after", 0, kMaxDurationSeconds);
    out.request_id = in.optional_string("request_id", kIdRule);
    return out;
  });
}

template <>
Result<Tenant> from_json_checked<Tenant>(const json& body) {
  return read_body<Tenant>(body, read_tenant);
}

template <>
Result<TenantList> from_json_checked<TenantList>(const json& body) {
  return read_body<TenantList>(body, [](ObjectReader& in) {
    return TenantList{in.objects("tenants", kMaxListItems, read_tenant)};
  });
}

template <>
Result<AdminCreateTenantRequest> from_json_checked<AdminCreateTenantRequest>(const json& body) {
  return read_body<AdminCreateTenantRequest>(body, [](ObjectReader& in) {
    AdminCreateTenantRequest out;
    if (!in.has("id")) in.fail(ErrorCode::missing_field, "id", "required");
    out.id = optional_tenant_id(in, "id").value_or("");
    out.name = in.optional_string("name", kNameRule);
    return out;
  });
}

template <>
Result<AdminUpdateTenantRequest> from_json_checked<AdminUpdateTenantRequest>(const json& body) {
  return read_body<AdminUpdateTenantRequest>(body, [](ObjectReader& in) {
    AdminUpdateTenantRequest out;
    out.disabled = in.optional_boolean("disabled");
    return out;
  });
}

}  // namespace sesame::api
