#pragma once
// The outbox messages of account events: verification and reset links, and
// security alerts. Services build them here and hand them to the store call
// that makes the change, so the mail is written in the same transaction.

#include <cstdint>
#include <string>
#include <string_view>

#include "mail/mail_templates.hpp"
#include "sesame/random.hpp"
#include "store/records.hpp"

namespace sesame::server {

struct AccountTokenLifetimes {
  std::int64_t email_verification_seconds = 24 * 3600;
  std::int64_t password_reset_seconds = 30 * 60;
  std::int64_t invitation_seconds = 7 * 24 * 3600;  // an invitation waits for its reader longer than a reset
};

class AccountMail {
 public:
  AccountMail(MailTemplates templates, RandomSource& random, AccountTokenLifetimes lifetimes = {})
      : templates_(std::move(templates)), random_(random), lifetimes_(lifetimes) {}

  [[nodiscard]] const AccountTokenLifetimes& lifetimes() const noexcept { return lifetimes_; }

  // A fresh token for `purpose` (its hash in the record) and the mail with its link.
  struct TokenMail {
    std::string token;  // in the clear: only in the link of `mail`
    AccountTokenRecord record;
    MailRecord mail;
  };
  [[nodiscard]] TokenMail email_verification(const UserRecord& user, std::int64_t now) const;
  [[nodiscard]] TokenMail password_reset(const UserRecord& user, std::int64_t now) const;
  // A password-reset token with the invitation's lifetime and wording.
  [[nodiscard]] TokenMail invitation(const UserRecord& user, std::int64_t now) const;
  [[nodiscard]] MailRecord security_alert(const UserRecord& user, SecurityAlert alert, std::int64_t now) const;

  // Rendered exactly like a real one for an address without an account, so
  // that an unknown email costs the same work (nothing is stored).
  [[nodiscard]] TokenMail password_reset_for_unknown(std::string_view email, std::int64_t now) const;

 private:
  [[nodiscard]] MailRecord message(std::string_view kind, const UserRecord& user, ComposedMail composed,
                                   std::int64_t now) const;

  MailTemplates templates_;
  RandomSource& random_;
  AccountTokenLifetimes lifetimes_;
};

}  // namespace sesame::server
