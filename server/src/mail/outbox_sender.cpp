#include "mail/outbox_sender.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

namespace sesame::server {
namespace {

// JSON string content without quotes or control characters (log lines are JSON).
std::string log_text(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\'';
    else if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  return out;
}

}  // namespace

std::int64_t mail_backoff_seconds(int attempt, const OutboxSenderOptions& options) noexcept {
  std::int64_t delay = std::max<std::int64_t>(1, options.backoff_base_seconds);
  for (int i = 1; i < attempt && delay < options.backoff_cap_seconds; ++i) delay *= 2;
  return std::min(delay, options.backoff_cap_seconds);
}

void OutboxSender::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void OutboxSender::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void OutboxSender::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    (void)deliver_due();
    lock.lock();
    wake_.wait_for(lock, options_.poll_interval, [this] { return stopping_; });
  }
}

int OutboxSender::deliver_due() {
  const std::int64_t now = clock_.now_unix_seconds();
  auto claimed = store_.claim_due_mail(now, options_.batch, options_.claim_seconds);
  if (!claimed.ok()) {
    std::fprintf(stderr, "{\"level\":\"warning\",\"msg\":\"mail outbox not readable\",\"code\":\"%s\"}\n",
                 std::string(error_code_name(claimed.code())).c_str());
    return 0;
  }
  int delivered = 0;
  for (const MailRecord& mail : claimed.value()) {
    const auto sent = sink_.deliver(mail, now);
    if (sent.ok()) {
      if (auto marked = store_.mark_mail_sent(mail.id, now, options_.keep_bodies); !marked.ok()) {
        // The claim runs out and the message is sent again: twice is better than never.
        std::fprintf(stderr, "{\"level\":\"error\",\"msg\":\"mail sent but not recorded\",\"id\":\"%s\"}\n",
                     mail.id.c_str());
      }
      ++delivered;
      continue;
    }
    const int attempt = mail.attempts + 1;
    std::optional<std::int64_t> next;
    if (attempt < options_.max_attempts) next = now + mail_backoff_seconds(attempt, options_);
    // The id and the sink's reason only: never the recipient's message.
    std::fprintf(stderr,
                 "{\"level\":\"warning\",\"msg\":\"%s\",\"id\":\"%s\",\"kind\":\"%s\",\"attempt\":%d,\"error\":\"%s\"}\n",
                 next ? "mail not delivered; will retry" : "mail not delivered; giving up", mail.id.c_str(),
                 log_text(mail.kind).c_str(), attempt, log_text(sent.error().detail).c_str());
    if (auto recorded = store_.record_mail_failure(mail.id, now, next, sent.error().detail); !recorded.ok()) {
      std::fprintf(stderr, "{\"level\":\"error\",\"msg\":\"mail failure not recorded\",\"id\":\"%s\"}\n",
                   mail.id.c_str());
    }
  }
  return delivered;
}

}  // namespace sesame::server
