#define BOOST_TEST_MODULE server_security_rate_limit
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "security/ip_rate_limiter.hpp"

using namespace sesame::server;
using namespace std::chrono_literals;

namespace {

// A fake clock: time points built from an arbitrary origin.
const IpRateLimiter::Clock::time_point kStart = IpRateLimiter::Clock::time_point{} + 1000h;

int allowed_count(IpRateLimiter& limiter, std::string_view address, int attempts,
                  IpRateLimiter::Clock::time_point now) {
  int allowed = 0;
  for (int i = 0; i < attempts; ++i) allowed += limiter.check(address, now).allowed ? 1 : 0;
  return allowed;
}

}  // namespace

BOOST_AUTO_TEST_CASE(allows_n_then_denies_with_a_positive_retry_after) {
  IpRateLimiter limiter(5);
  for (int i = 0; i < 5; ++i) BOOST_TEST(limiter.check("203.0.113.7", kStart + std::chrono::seconds(i)).allowed);
  const auto denied = limiter.check("203.0.113.7", kStart + 5s);
  BOOST_TEST(!denied.allowed);
  // One request is worth 60/5 = 12 s; the first was spent at 0 s, so the next fits at 12 s.
  BOOST_TEST(denied.retry_after_seconds == 7);
  BOOST_TEST(!limiter.check("203.0.113.7", kStart + 11s).allowed);
  BOOST_TEST(limiter.check("203.0.113.7", kStart + 12s).allowed);
  BOOST_TEST(!limiter.check("203.0.113.7", kStart + 12s).allowed);
}

BOOST_AUTO_TEST_CASE(retry_after_is_at_least_one_second) {
  IpRateLimiter limiter(120);  // 0.5 s per request
  BOOST_TEST(allowed_count(limiter, "198.51.100.1", 120, kStart) == 120);
  const auto denied = limiter.check("198.51.100.1", kStart);
  BOOST_TEST(!denied.allowed);
  BOOST_TEST(denied.retry_after_seconds == 1);
}

BOOST_AUTO_TEST_CASE(recovers_after_the_window) {
  IpRateLimiter limiter(10);
  BOOST_TEST(allowed_count(limiter, "198.51.100.1", 15, kStart) == 10);
  const auto denied = limiter.check("198.51.100.1", kStart + 1s);
  BOOST_TEST(!denied.allowed);
  BOOST_TEST(denied.retry_after_seconds == 5);
  // Retrying while denied does not push the recovery further out.
  BOOST_TEST(allowed_count(limiter, "198.51.100.1", 50, kStart + 30s) == 5);
  BOOST_TEST(allowed_count(limiter, "198.51.100.1", 15, kStart + 30s + 60s) == 10);
}

BOOST_AUTO_TEST_CASE(zero_disables_the_limiter) {
  IpRateLimiter limiter(0);
  BOOST_TEST(!limiter.enabled());
  BOOST_TEST(allowed_count(limiter, "198.51.100.1", 10'000, kStart) == 10'000);
  BOOST_TEST(limiter.tracked_addresses() == 0u);
  IpRateLimiter negative(-3);
  BOOST_TEST(!negative.enabled());
  BOOST_TEST(negative.check("198.51.100.1", kStart).allowed);
}

BOOST_AUTO_TEST_CASE(addresses_are_counted_separately) {
  IpRateLimiter limiter(3);
  BOOST_TEST(allowed_count(limiter, "198.51.100.1", 5, kStart) == 3);
  BOOST_TEST(allowed_count(limiter, "198.51.100.2", 5, kStart) == 3);
  BOOST_TEST(limiter.tracked_addresses() == 2u);
}

BOOST_AUTO_TEST_CASE(ipv6_addresses_are_counted_per_64) {
  IpRateLimiter limiter(3);
  BOOST_TEST(allowed_count(limiter, "2001:db8:1:2::1", 2, kStart) == 2);
  BOOST_TEST(allowed_count(limiter, "2001:db8:1:2:ffff::9", 2, kStart) == 1);  // same /64
  BOOST_TEST(allowed_count(limiter, "2001:db8:1:3::1", 3, kStart) == 3);       // another /64
  BOOST_TEST(IpRateLimiter::address_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::/64");
  BOOST_TEST(IpRateLimiter::address_key("::ffff:192.0.2.5") == "192.0.2.5");
  BOOST_TEST(IpRateLimiter::address_key("192.0.2.5") == "192.0.2.5");
  BOOST_TEST(IpRateLimiter::address_key("unix-socket") == "unix-socket");
  BOOST_TEST(IpRateLimiter::address_key("") == "");
}

BOOST_AUTO_TEST_CASE(idle_addresses_are_evicted) {
  IpRateLimiter limiter(5);
  for (int i = 0; i < 100; ++i) BOOST_TEST(limiter.check("10.0.0." + std::to_string(i), kStart).allowed);
  BOOST_TEST(limiter.tracked_addresses() == 100u);
  // After a full window every bucket has refilled: those entries carry nothing.
  BOOST_TEST(limiter.check("10.0.1.1", kStart + 60s).allowed);
  BOOST_TEST(limiter.tracked_addresses() == 1u);
}

BOOST_AUTO_TEST_CASE(busy_addresses_are_not_evicted_as_idle) {
  IpRateLimiter limiter(2);
  BOOST_TEST(allowed_count(limiter, "10.0.0.1", 3, kStart) == 2);  // bucket empty until 60 s
  BOOST_TEST(limiter.check("10.0.0.2", kStart + 59s).allowed);
  BOOST_TEST(limiter.tracked_addresses() == 2u);
  // Its state survived: one request has refilled by 59 s, not a full burst.
  BOOST_TEST(allowed_count(limiter, "10.0.0.1", 2, kStart + 59s) == 1);
}

BOOST_AUTO_TEST_CASE(tracked_addresses_are_capped) {
  IpRateLimiter limiter(5, 3);
  for (int i = 0; i < 10; ++i) BOOST_TEST(limiter.check("10.0.0." + std::to_string(i), kStart).allowed);
  BOOST_TEST(limiter.tracked_addresses() == 3u);
}

BOOST_AUTO_TEST_CASE(concurrent_checks_allow_exactly_n) {
  IpRateLimiter limiter(50);
  constexpr int kThreads = 4;
  std::atomic<int> allowed{0};
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      allowed += allowed_count(limiter, "192.0.2.1", 50, kStart);
    });
  }
  for (auto& thread : threads) thread.join();
  BOOST_TEST(allowed.load() == 50);
}
