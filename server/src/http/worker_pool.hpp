#pragma once
// A fixed set of threads with a bounded queue, for work too slow for the HTTP
// threads (password hashing). It refuses work instead of queueing without
// bound: submit() answers false when every thread is busy and the queue is
// full, and the caller answers 503 with Retry-After.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace sesame::server::http {

class WorkerPool {
 public:
  // `threads` ≥ 1 (0 is taken as 1); `queue_capacity` jobs may wait beyond
  // the ones running (0: a job is accepted only when a thread is idle).
  WorkerPool(std::size_t threads, std::size_t queue_capacity);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False, and `job` dropped, when full or stopped. A job that throws is
  // reported on stderr; its thread carries on.
  [[nodiscard]] bool submit(std::function<void()> job);

  // Refuses new jobs, runs the queued ones, joins the threads. Idempotent.
  void stop();

  [[nodiscard]] std::size_t thread_count() const noexcept { return thread_count_; }
  [[nodiscard]] std::size_t queue_capacity() const noexcept { return queue_capacity_; }

 private:
  void run();

  const std::size_t thread_count_;
  const std::size_t queue_capacity_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  std::size_t busy_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
  std::mutex join_mutex_;
};

}  // namespace sesame::server::http
