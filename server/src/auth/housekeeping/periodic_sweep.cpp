#include "auth/housekeeping/periodic_sweep.hpp"

namespace sesame::server {

void PeriodicSweep::start() {
  std::lock_guard guard(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      (void)sweep_.run_once();  // logged there; the next run tries again
      lock.lock();
      wake_.wait_for(lock, interval_, [this] { return stopping_; });
    }
  });
}

void PeriodicSweep::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace sesame::server
