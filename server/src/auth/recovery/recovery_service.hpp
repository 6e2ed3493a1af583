#pragma once
// Account recovery: password reset by mail, email verification and its
// resend. Every mail is enqueued (never sent) on the request path, in the
// store transaction of the change that causes it.

#include "auth/audit_trail.hpp"
#include "auth/password_screen.hpp"
#include "auth/recovery/account_mail.hpp"
#include "auth/service.hpp"
#include "auth/tokens/token_service.hpp"
#include "security/password_hasher.hpp"
#include "sesame/contract.hpp"
#include "store/store.hpp"

namespace sesame::server {

// Mail budgets count the requests of the last hour (older rows are swept).
inline constexpr std::int64_t kMailBudgetWindowSeconds = 3600;

struct RecoveryPolicy {
  int reset_mails_per_hour = 3;  // per address (SESAME_RESET_MAILS_PER_HOUR); bounds inbox bombing
  int verification_mails_per_hour = 3;  // unauthenticated resends per address
};

class RecoveryService {
 public:
  RecoveryService(Store& store, const PasswordHasher& hasher, const Clock& clock, AuditTrail& audit,
                  const AccountMail& mail, const PasswordScreen& screen, RecoveryPolicy policy)
      : store_(store), hasher_(hasher), clock_(clock), audit_(audit), mail_(mail), screen_(screen), policy_(policy) {}

  // Always succeeds for a well-formed request (202), with the same store work
  // for unknown addresses; a mail only for an existing account within its budget.
  [[nodiscard]] Outcome<void> initiate_password_reset(const api::PasswordResetInitiateRequest& request,
                                                      const ClientContext& client);

  // reset_token_invalid unless the token is unused, unexpired and a reset
  // token; the policy as at registration. Then, in one transaction: the new
  // password, every session revoked, the lockout cleared, the alert queued.
  // MFA is not touched: the next sign-in still asks for the second factor.
  [[nodiscard]] Outcome<void> complete_password_reset(const api::PasswordResetCompleteRequest& request,
                                                      const ClientContext& client);

  // verification_token_invalid unless unused, unexpired and for the user's current address.
  [[nodiscard]] Outcome<void> verify_email(const api::EmailVerifyRequest& request, const ClientContext& client);

  // A new verification link for the signed-in user (the old one stops working).
  [[nodiscard]] Outcome<void> resend_verification(const Principal& principal, const ClientContext& client);
  // The same without a session, for a user whose sign-in is refused until the
  // address is verified: 202 whatever the email, within a per-address budget.
  [[nodiscard]] Outcome<void> resend_verification_to(std::string_view email, const ClientContext& client);

 private:
  [[nodiscard]] Outcome<void> send_verification(const UserRecord& user, const ClientContext& client);

  Store& store_;
  const PasswordHasher& hasher_;
  const Clock& clock_;
  AuditTrail& audit_;
  const AccountMail& mail_;
  const PasswordScreen& screen_;
  RecoveryPolicy policy_;
};

}  // namespace sesame::server
