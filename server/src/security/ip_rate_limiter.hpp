#pragma once
// The per-IP limiter in front of the auth endpoints (SESAME_RATE_LIMIT_PER_IP):
// N requests per minute per client address, as a token bucket of capacity N
// refilled at N per minute, kept as one "theoretical arrival time" per address
// (GCRA): a burst of N passes, then one request every 60/N seconds.
//
// IPv6 clients usually hold a whole /64, so IPv6 addresses are counted per /64
// (IPv4-mapped IPv6 addresses count as their IPv4 address).
//
// Memory is bounded: an address whose bucket has refilled carries no state and
// is dropped; entries are kept in least-recently-seen order, so idle ones are
// dropped from the tail on every call, and beyond `max_tracked_addresses` the
// least recently seen address is dropped even if not idle (an attacker flooding
// with more addresses than that could not be stopped per address anyway).
// Thread-safe; the clock is a parameter of every call.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sesame::server {

struct RateLimitDecision {
  bool allowed = true;
  std::int64_t retry_after_seconds = 0;  // > 0 when denied: for the Retry-After header
};

class IpRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kDefaultMaxTrackedAddresses = 100'000;

  // requests_per_minute <= 0 disables the limiter: every request is allowed.
  explicit IpRateLimiter(int requests_per_minute, std::size_t max_tracked_addresses = kDefaultMaxTrackedAddresses);
  IpRateLimiter(const IpRateLimiter&) = delete;
  IpRateLimiter& operator=(const IpRateLimiter&) = delete;

  // Counts one request from `address` at `now` and says whether it may proceed.
  [[nodiscard]] RateLimitDecision check(std::string_view address, Clock::time_point now);

  [[nodiscard]] bool enabled() const noexcept { return requests_per_minute_ > 0; }
  [[nodiscard]] std::size_t tracked_addresses() const;

  // The key an address is counted under: IPv4 as is, IPv6 as its /64 prefix;
  // anything unparseable as given.
  [[nodiscard]] static std::string address_key(std::string_view address);

 private:
  struct Entry {
    std::string key;
    Clock::time_point theoretical_arrival;  // the bucket is full again at this time
  };
  void drop_idle_tail(Clock::time_point now);  // holds mutex_

  const int requests_per_minute_;
  const std::size_t max_tracked_addresses_;
  const Clock::duration emission_interval_;  // 60 s / N: what one request costs
  const Clock::duration burst_tolerance_;    // 60 s - one interval: how far ahead the bucket may run

  mutable std::mutex mutex_;
  std::list<Entry> recency_;  // most recently seen first
  std::unordered_map<std::string, std::list<Entry>::iterator> by_key_;
};

}  // namespace sesame::server
