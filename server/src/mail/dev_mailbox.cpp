#include "mail/dev_mailbox.hpp"

#include "auth/identifiers.hpp"

namespace sesame::server {

namespace {
constexpr int kMailboxSize = 200;  // a developer's inbox, not an archive
}  // namespace

Result<api::DevMailbox> DevMailboxReader::messages_to(std::string_view email) {
  auto stored = store_.list_mail_to(email_key(email), kMailboxSize);
  if (!stored) return stored.error();
  api::DevMailbox mailbox;
  for (const MailRecord& mail : stored.value()) {
    mailbox.messages.push_back({mail.to, mail.subject, mail.text_body, api::Timestamp{mail.created_at}});
  }
  return mailbox;
}

}  // namespace sesame::server
