#pragma once
// The text and HTML of every mail the server sends. User data (names,
// addresses) is escaped in HTML; links point at SESAME_PUBLIC_URL with
// `token=<token>` in the query (DESIGN: the demo page handles both links).

#include <string>
#include <string_view>

namespace sesame::server {

struct ComposedMail {
  std::string subject;
  std::string text;
  std::string html;
};

// What happened, for a security alert.
enum class SecurityAlert {
  refresh_token_reused,  // the session was ended
  password_changed,
  password_reset,
  mfa_enabled,
  mfa_disabled,
  email_verified,
};

[[nodiscard]] std::string_view security_alert_kind(SecurityAlert alert) noexcept;  // "alert.password_changed", ...

// &, <, >, " and ' as entities.
[[nodiscard]] std::string html_escape(std::string_view text);

class MailTemplates {
 public:
  // `public_url` without a trailing slash.
  MailTemplates(std::string product_name, std::string public_url)
      : product_(std::move(product_name)), public_url_(std::move(public_url)) {}

  // `name` may be empty (then the address greets).
  [[nodiscard]] ComposedMail email_verification(std::string_view name, std::string_view email,
                                                std::string_view token, std::int64_t valid_hours) const;
  [[nodiscard]] ComposedMail password_reset(std::string_view name, std::string_view email, std::string_view token,
                                            std::int64_t valid_minutes) const;
  // An account an admin created without a password: the link chooses one.
  [[nodiscard]] ComposedMail invitation(std::string_view name, std::string_view email, std::string_view token,
                                        std::int64_t valid_hours) const;
  [[nodiscard]] ComposedMail security_alert(std::string_view name, std::string_view email, SecurityAlert alert) const;

  [[nodiscard]] std::string verification_link(std::string_view token) const;
  [[nodiscard]] std::string reset_link(std::string_view token) const;

 private:
  [[nodiscard]] ComposedMail with_link(std::string subject, std::string_view greeting_name, std::string_view intro,
                                       std::string_view action, const std::string& link,
                                       std::string_view outro) const;

  std::string product_;
  std::string public_url_;
};

}  // namespace sesame::server
