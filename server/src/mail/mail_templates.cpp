#include "mail/mail_templates.hpp"

#include <cstdint>

namespace sesame::server {
namespace {

std::string greeting(std::string_view name, std::string_view email) {
  return std::string(name.empty() ? email : name);
}

// The one page layout every HTML mail shares; `body` is already escaped.
std::string html_page(std::string_view product, std::string_view body) {
  std::string html =
      "<!DOCTYPE html>\r\n<html><head><meta charset=\"utf-8\"><title>" + html_escape(product) +
      "</title></head>\r\n<body style=\"font-family: sans-serif; line-height: 1.5\">\r\n";
  html += body;
  html += "<p style=\"color: #666\">" + html_escape(product) + "</p>\r\n</body></html>\r\n";
  return html;
}

}  // namespace

std::string_view security_alert_kind(SecurityAlert alert) noexcept {
  switch (alert) {
    case SecurityAlert::refresh_token_reused: return "alert.refresh_token_reused";
    case SecurityAlert::password_changed: return "alert.password_changed";
    case SecurityAlert::password_reset: return "alert.password_reset";
    case SecurityAlert::mfa_enabled: return "alert.mfa_enabled";
    case SecurityAlert::mfa_disabled: return "alert.mfa_disabled";
    case SecurityAlert::email_verified: return "alert.email_verified";
  }
  return "alert";
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string MailTemplates::verification_link(std::string_view token) const {
  // The token is base64url: nothing in it needs percent-encoding.
  return public_url_ + "/?action=verify-email&token=" + std::string(token);
}

std::string MailTemplates::reset_link(std::string_view token) const {
  return public_url_ + "/?action=reset-password&token=" + std::string(token);
}

ComposedMail MailTemplates::with_link(std::string subject, std::string_view greeting_name, std::string_view intro,
                                      std::string_view action, const std::string& link,
                                      std::string_view outro) const {
  ComposedMail mail;
  mail.subject = std::move(subject);
  mail.text = "Hello " + std::string(greeting_name) + ",\r\n\r\n" + std::string(intro) + "\r\n\r\n" + link +
              "\r\n\r\n" + std::string(outro) + "\r\n\r\n-- \r\n" + product_ + "\r\n";
  std::string body = "<p>Hello " + html_escape(greeting_name) + ",</p>\r\n<p>" + html_escape(intro) +
                     "</p>\r\n<p><a href=\"" + html_escape(link) + "\">" + html_escape(action) + "</a></p>\r\n<p>" +
                     html_escape(outro) + "</p>\r\n";
  mail.html = html_page(product_, body);
  return mail;
}

ComposedMail MailTemplates::email_verification(std::string_view name, std::string_view email, std::string_view token,
                                               std::int64_t valid_hours) const {
  return with_link("Confirm your email address for " + product_, greeting(name, email),
                   "Please confirm that " + std::string(email) + " is your address by opening this link:",
                   "Confirm my email address", verification_link(token),
                   "The link works once, for " + std::to_string(valid_hours) +
                       " hours. If you did not create an account, ignore this message.");
}

ComposedMail MailTemplates::password_reset(std::string_view name, std::string_view email, std::string_view token,
                                           std::int64_t valid_minutes) const {
  return with_link("Reset your " + product_ + " password", greeting(name, email),
                   "Someone asked to reset the password of your account. To choose a new one, open this link:",
                   "Choose a new password", reset_link(token),
                   "The link works once, for " + std::to_string(valid_minutes) +
                       " minutes, and signs you out everywhere. If you did not ask for it, ignore this message: "
                       "your password stays as it is.");
}

ComposedMail MailTemplates::invitation(std::string_view name, std::string_view email, std::string_view token,
                                       std::int64_t valid_hours) const {
  return with_link("You have a " + product_ + " account", greeting(name, email),
                   "An administrator created an account for you. To choose its password, open this link:",
                   "Choose a password", reset_link(token),
                   "The link works once, for " + std::to_string(valid_hours) +
                       " hours. If you did not expect this, ignore this message.");
}

ComposedMail MailTemplates::security_alert(std::string_view name, std::string_view email, SecurityAlert alert) const {
  std::string subject;
  std::string what;
  switch (alert) {
    case SecurityAlert::refresh_token_reused:
      subject = "A session of your " + product_ + " account was ended";
      what = "A sign-in token of your account was used twice, which happens when it was copied. We ended that "
             "session. If you did not expect this, change your password.";
      break;
    case SecurityAlert::password_changed:
      subject = "Your " + product_ + " password was changed";
      what = "The password of your account was changed, and your other sessions were signed out.";
      break;
    case SecurityAlert::password_reset:
      subject = "Your " + product_ + " password was reset";
      what = "The password of your account was reset with a link sent to this address, and every session was "
             "signed out.";
      break;
    case SecurityAlert::mfa_enabled:
      subject = "Two-factor authentication is on for your " + product_ + " account";
      what = "Two-factor authentication was turned on for your account.";
      break;
    case SecurityAlert::mfa_disabled:
      subject = "Two-factor authentication is off for your " + product_ + " account";
      what = "Two-factor authentication was turned off for your account.";
      break;
    case SecurityAlert::email_verified:
      subject = "Your email address for " + product_ + " is confirmed";
      what = std::string(email) + " is now the confirmed address of your account.";
      break;
  }
  const std::string outro = "If this was not you, reset your password at " + public_url_ + " and contact support.";
  ComposedMail mail;
  mail.subject = subject;
  mail.text = "Hello " + greeting(name, email) + ",\r\n\r\n" + what + "\r\n\r\n" + outro + "\r\n\r\n-- \r\n" +
              product_ + "\r\n";
  mail.html = html_page(product_, "<p>Hello " + html_escape(greeting(name, email)) + ",</p>\r\n<p>" +
                                      html_escape(what) + "</p>\r\n<p>" + html_escape(outro) + "</p>\r\n");
  return mail;
}

}  // namespace sesame::server
