#include "security/ip_rate_limiter.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include <arpa/inet.h>

namespace sesame::server {

namespace {

constexpr std::chrono::seconds kWindow{60};

IpRateLimiter::Clock::duration interval_for(int requests_per_minute) {
  if (requests_per_minute <= 0) return kWindow;
  const auto interval = std::chrono::duration_cast<IpRateLimiter::Clock::duration>(kWindow) / requests_per_minute;
  return std::max(interval, IpRateLimiter::Clock::duration{1});
}

}  // namespace

IpRateLimiter::IpRateLimiter(int requests_per_minute, std::size_t max_tracked_addresses)
    : requests_per_minute_(std::max(requests_per_minute, 0)),
      max_tracked_addresses_(std::max<std::size_t>(max_tracked_addresses, 1)),
      emission_interval_(interval_for(requests_per_minute)),
      burst_tolerance_(std::chrono::duration_cast<Clock::duration>(kWindow) - emission_interval_) {}

std::string IpRateLimiter::address_key(std::string_view address) {
  std::array<char, INET6_ADDRSTRLEN + 1> text{};
  if (address.empty() || address.size() >= text.size()) return std::string(address);
  std::memcpy(text.data(), address.data(), address.size());

  in6_addr v6{};
  if (::inet_pton(AF_INET6, text.data(), &v6) != 1) return std::string(address);  // IPv4 or not an address
  if (IN6_IS_ADDR_V4MAPPED(&v6)) {
    std::array<char, INET_ADDRSTRLEN> v4{};
    ::inet_ntop(AF_INET, &v6.s6_addr[12], v4.data(), v4.size());
    return v4.data();
  }
  std::fill(std::begin(v6.s6_addr) + 8, std::end(v6.s6_addr), std::uint8_t{0});
  std::array<char, INET6_ADDRSTRLEN> prefix{};
  ::inet_ntop(AF_INET6, &v6, prefix.data(), prefix.size());
  return std::string(prefix.data()) + "/64";
}

RateLimitDecision IpRateLimiter::check(std::string_view address, Clock::time_point now) {
  if (!enabled()) return {};
  std::string key = address_key(address);

  const std::lock_guard guard(mutex_);
  auto found = by_key_.find(key);
  if (found == by_key_.end()) {
    recency_.push_front(Entry{key, now});
    found = by_key_.emplace(std::move(key), recency_.begin()).first;
  } else {
    recency_.splice(recency_.begin(), recency_, found->second);
  }
  Entry& entry = *found->second;

  RateLimitDecision decision;
  const Clock::time_point arrival = std::max(entry.theoretical_arrival, now);
  const Clock::duration ahead = arrival - now;
  if (ahead > burst_tolerance_) {
    // Denied requests cost nothing, so a client that keeps retrying is not locked out longer.
    const auto wait = ahead - burst_tolerance_;
    const auto whole_seconds = std::chrono::ceil<std::chrono::seconds>(wait).count();
    decision.allowed = false;
    decision.retry_after_seconds = std::max<std::int64_t>(whole_seconds, 1);
  } else {
    entry.theoretical_arrival = arrival + emission_interval_;
  }

  drop_idle_tail(now);
  return decision;
}

void IpRateLimiter::drop_idle_tail(Clock::time_point now) {
  while (!recency_.empty()) {
    const Entry& oldest = recency_.back();
    const bool idle = oldest.theoretical_arrival <= now;  // its bucket is full: forgetting it changes nothing
    if (!idle && recency_.size() <= max_tracked_addresses_) break;
    by_key_.erase(oldest.key);
    recency_.pop_back();
  }
}

std::size_t IpRateLimiter::tracked_addresses() const {
  const std::lock_guard guard(mutex_);
  return recency_.size();
}

}  // namespace sesame::server
