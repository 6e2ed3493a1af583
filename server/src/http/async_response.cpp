#include "http/async_response.hpp"

#include <exception>
#include <string>
#include <utility>

#include "http/worker_pool.hpp"

namespace sesame::server::http {

bool respond_from_pool(WorkerPool& pool, AsyncResponse response, std::function<Response()> work,
                       std::int64_t busy_retry_after_seconds) {
  const bool queued = pool.submit([response, work = std::move(work)] {
    Response answer;
    try {
      answer = work();
    } catch (const std::exception& error) {
      answer = Response::problem(ErrorCode::internal_error);
      answer.set_log_note(std::string("exception: ") + error.what());
    } catch (...) {
      answer = Response::problem(ErrorCode::internal_error);
      answer.set_log_note("exception");
    }
    response.send(std::move(answer));
  });
  if (!queued) {
    Response busy = Response::problem(ErrorCode::server_busy);
    busy.set_retry_after(busy_retry_after_seconds);
    response.send(std::move(busy));
  }
  return queued;
}

}  // namespace sesame::server::http
