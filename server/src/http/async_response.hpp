#pragma once
// The way back to the client of one request, usable from any thread: slow
// work (Argon2) runs on a WorkerPool and sends its answer from there, which
// keeps the HTTP threads free (Pistache's ResponseWriter may be moved across
// threads; DESIGN.md, gotchas).
//
// Copies share one channel; the first send wins. When the last copy goes away
// without a send (a lost job, an exception), the client still gets a 500.

#include <cstdint>
#include <functional>
#include <memory>

#include "http/response.hpp"

namespace sesame::server::http {

class WorkerPool;

class ResponseChannel {
 public:
  virtual ~ResponseChannel() = default;
  // Sends the response; false when one was sent already.
  virtual bool send(Response response) = 0;
};

class AsyncResponse {
 public:
  explicit AsyncResponse(std::shared_ptr<ResponseChannel> channel) : channel_(std::move(channel)) {}

  // Thread-safe; true the first time, false (and nothing sent) afterwards.
  bool send(Response response) const { return channel_->send(std::move(response)); }

 private:
  std::shared_ptr<ResponseChannel> channel_;
};

inline constexpr std::int64_t kServerBusyRetryAfterSeconds = 1;

// Runs `work` on `pool` and sends what it returns from the worker thread. When
// the pool's queue is full the client gets 503 server_busy with Retry-After
// at once, and `work` never runs. An exception from `work` answers 500
// internal_error (its message goes to the access log only).
// Returns whether the work was queued.
bool respond_from_pool(WorkerPool& pool, AsyncResponse response, std::function<Response()> work,
                       std::int64_t busy_retry_after_seconds = kServerBusyRetryAfterSeconds);

}  // namespace sesame::server::http
