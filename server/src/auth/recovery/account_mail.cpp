#include "auth/recovery/account_mail.hpp"

#include "auth/identifiers.hpp"
#include "security/opaque_token.hpp"

namespace sesame::server {

MailRecord AccountMail::message(std::string_view kind, const UserRecord& user, ComposedMail composed,
                                std::int64_t now) const {
  MailRecord mail;
  mail.id = new_uuid_v7(now * 1000, random_);
  mail.kind = kind;
  mail.to = user.email;
  mail.to_key = user.email_key;
  mail.user_id = user.id.value;
  mail.subject = std::move(composed.subject);
  mail.text_body = std::move(composed.text);
  mail.html_body = std::move(composed.html);
  mail.created_at = now;
  mail.next_attempt_at = now;
  return mail;
}

AccountMail::TokenMail AccountMail::email_verification(const UserRecord& user, std::int64_t now) const {
  TokenMail out;
  out.token = generate_opaque_token(random_);
  out.record = {hash_opaque_token(out.token), kEmailVerificationPurpose, user.id, user.email_key, now,
                now + lifetimes_.email_verification_seconds, std::nullopt};
  out.mail = message(kEmailVerificationPurpose, user,
                     templates_.email_verification(user.name, user.email, out.token,
                                                   lifetimes_.email_verification_seconds / 3600),
                     now);
  return out;
}

AccountMail::TokenMail AccountMail::password_reset(const UserRecord& user, std::int64_t now) const {
  TokenMail out;
  out.token = generate_opaque_token(random_);
  out.record = {hash_opaque_token(out.token), kPasswordResetPurpose, user.id, user.email_key, now,
                now + lifetimes_.password_reset_seconds, std::nullopt};
  out.mail = message(kPasswordResetPurpose, user,
                     templates_.password_reset(user.name, user.email, out.token,
                                               lifetimes_.password_reset_seconds / 60),
                     now);
  return out;
}

AccountMail::TokenMail AccountMail::invitation(const UserRecord& user, std::int64_t now) const {
  TokenMail out;
  out.token = generate_opaque_token(random_);
  out.record = {hash_opaque_token(out.token), kPasswordResetPurpose, user.id, user.email_key, now,
                now + lifetimes_.invitation_seconds, std::nullopt};
  out.mail = message("invitation", user,
                     templates_.invitation(user.name, user.email, out.token, lifetimes_.invitation_seconds / 3600), now);
  return out;
}

AccountMail::TokenMail AccountMail::password_reset_for_unknown(std::string_view email, std::int64_t now) const {
  UserRecord nobody;
  nobody.email = email;
  nobody.email_key = email_key(email);
  return password_reset(nobody, now);
}

MailRecord AccountMail::security_alert(const UserRecord& user, SecurityAlert alert, std::int64_t now) const {
  return message(security_alert_kind(alert), user, templates_.security_alert(user.name, user.email, alert), now);
}

}  // namespace sesame::server
