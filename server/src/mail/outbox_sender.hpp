#pragma once
// The background sender of the mail outbox: one thread that claims due
// messages from the store (so several instances never send one twice), hands
// each to the sink, and records the outcome. A refused message is retried
// with capped exponential backoff until max_attempts, its last error kept.
// Times of attempts come from the Clock (tests move it); the poll interval is
// real time.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "auth/service.hpp"
#include "mail/mail_sink.hpp"
#include "store/store.hpp"

namespace sesame::server {

struct OutboxSenderOptions {
  std::chrono::milliseconds poll_interval{1000};  // SESAME_MAIL_POLL_MS
  int batch = 20;
  int max_attempts = 10;                 // SESAME_MAIL_MAX_ATTEMPTS
  std::int64_t backoff_base_seconds = 30;
  std::int64_t backoff_cap_seconds = 3600;
  std::int64_t claim_seconds = 300;      // a crashed sender's claim ends after this
  bool keep_bodies = false;              // dev mode: the dev mailbox shows sent mail
};

// Seconds to wait after the attempt-th failure (1-based): base, 2·base, 4·base, ... capped.
[[nodiscard]] std::int64_t mail_backoff_seconds(int attempt, const OutboxSenderOptions& options) noexcept;

class OutboxSender {
 public:
  OutboxSender(MailOutboxStore& store, MailSink& sink, const Clock& clock, OutboxSenderOptions options)
      : store_(store), sink_(sink), clock_(clock), options_(options) {}
  ~OutboxSender() { stop(); }
  OutboxSender(const OutboxSender&) = delete;
  OutboxSender& operator=(const OutboxSender&) = delete;

  void start();
  // Finishes the message in hand, then returns.
  void stop();
  // One pass: claims due messages and delivers them; how many were delivered.
  int deliver_due();

 private:
  void run();

  MailOutboxStore& store_;
  MailSink& sink_;
  const Clock& clock_;
  OutboxSenderOptions options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sesame::server
