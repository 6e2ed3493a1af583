#include "http/worker_pool.hpp"

#include <cstdio>
#include <exception>
#include <string>

#include <nlohmann/json.hpp>

namespace sesame::server::http {
namespace {

void report_job_failure(const char* what) {
  nlohmann::json line{{"level", "error"}, {"message", "worker job threw"}, {"exception", what}};
  const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::fwrite(text.data(), 1, text.size(), stderr);
}

}  // namespace

WorkerPool::WorkerPool(std::size_t threads, std::size_t queue_capacity)
    : thread_count_(threads == 0 ? 1 : threads), queue_capacity_(queue_capacity) {
  threads_.reserve(thread_count_);
  for (std::size_t i = 0; i < thread_count_; ++i) threads_.emplace_back([this] { run(); });
}

WorkerPool::~WorkerPool() { stop(); }

bool WorkerPool::submit(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    // Jobs waiting + jobs running may not exceed the threads plus the queue.
    if (stopping_ || queue_.size() + busy_ >= thread_count_ + queue_capacity_) return false;
    queue_.push_back(std::move(job));
  }
  wake_.notify_one();
  return true;
}

void WorkerPool::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  std::lock_guard join_lock(join_mutex_);
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void WorkerPool::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left to run
    std::function<void()> job = std::move(queue_.front());
    queue_.pop_front();
    ++busy_;
    lock.unlock();
    try {
      job();
    } catch (const std::exception& error) {
      report_job_failure(error.what());
    } catch (...) {
      report_job_failure("unknown exception");
    }
    // Destroy the job (and whatever it captured) before counting the thread free.
    job = nullptr;
    lock.lock();
    --busy_;
  }
}

}  // namespace sesame::server::http
