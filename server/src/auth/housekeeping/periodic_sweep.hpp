#pragma once
// The thread that runs the housekeeping sweep: once at start, then every
// interval (SESAME_SWEEP_INTERVAL, real time) until stopped.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "auth/housekeeping/housekeeping_sweep.hpp"

namespace sesame::server {

class PeriodicSweep {
 public:
  PeriodicSweep(HousekeepingSweep& sweep, std::chrono::seconds interval) : sweep_(sweep), interval_(interval) {}
  ~PeriodicSweep() { stop(); }
  PeriodicSweep(const PeriodicSweep&) = delete;
  PeriodicSweep& operator=(const PeriodicSweep&) = delete;

  void start();
  // Lets a sweep in progress finish, then returns.
  void stop();

 private:
  HousekeepingSweep& sweep_;
  std::chrono::seconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sesame::server
