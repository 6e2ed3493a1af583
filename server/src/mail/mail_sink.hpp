#pragma once
// Where the outbox sender hands a message: SMTP (libcurl), stdout, or the dev
// mailbox (nothing to do: the dev mailbox reads the outbox itself). A sink is
// called from the sender's one thread.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "sesame/result.hpp"
#include "store/records.hpp"

namespace sesame::server {

class MailSink {
 public:
  virtual ~MailSink() = default;
  // service_unavailable (with the reason) when the message was not accepted;
  // the sender retries it later.
  [[nodiscard]] virtual Result<void> deliver(const MailRecord& mail, std::int64_t now) = 0;
};

// "Product <no-reply@example.com>" → the address between the angle brackets
// (or the whole text when there are none).
[[nodiscard]] std::string envelope_address(std::string_view from);

// An RFC 5322 message: multipart/alternative with the text and HTML parts,
// UTF-8, CRLF line ends. Header values lose any CR, LF or other control
// character, so user data cannot add headers.
[[nodiscard]] std::string mime_message(const MailRecord& mail, std::string_view from, std::int64_t now);

struct SmtpSettings {
  std::string url;   // smtp://host:port (STARTTLS when offered) or smtps://host:port; may hold user:pass@
  std::string from;  // SESAME_MAIL_FROM
  std::string username;  // from SESAME_SMTP_CREDENTIALS_FILE, when set
  std::string password;
  long timeout_seconds = 30;
};

class SmtpSink final : public MailSink {
 public:
  explicit SmtpSink(SmtpSettings settings) : settings_(std::move(settings)) {}
  Result<void> deliver(const MailRecord& mail, std::int64_t now) override;

 private:
  SmtpSettings settings_;
};

// Prints every message on stdout: the explicit choice when no SMTP server is
// configured outside dev mode (the operator sees what would be sent).
class StdoutSink final : public MailSink {
 public:
  explicit StdoutSink(std::string from) : from_(std::move(from)) {}
  Result<void> deliver(const MailRecord& mail, std::int64_t now) override;

 private:
  std::string from_;
  std::mutex mutex_;
};

// Dev mode without SMTP: the message stays in the outbox, where
// GET /api/v1/dev/mailbox reads it.
class DevMailboxSink final : public MailSink {
 public:
  Result<void> deliver(const MailRecord&, std::int64_t) override { return {}; }
};

// "user:password" on the first line of `path` (SESAME_SMTP_CREDENTIALS_FILE).
[[nodiscard]] Result<SmtpSettings> with_credentials_file(SmtpSettings settings, const std::string& path);

}  // namespace sesame::server
