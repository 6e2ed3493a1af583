#define BOOST_TEST_MODULE core_refresh
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <limits>
#include <string>

#include "sesame/refresh.hpp"
#include "printing.hpp"
#include "vectors.hpp"

using namespace sesame;
using sesame::test::vector_table;

namespace {

// The default policy with the fields a vector overrides.
RefreshPolicy policy_of(const nlohmann::json& v) {
  RefreshPolicy policy;
  if (!v.contains("policy")) return policy;
  const auto& p = v.at("policy");
  if (p.contains("refresh_after_permille")) policy.refresh_after_permille = p.at("refresh_after_permille").get<std::int32_t>();
  if (p.contains("refresh_margin_ms")) policy.refresh_margin_ms = p.at("refresh_margin_ms").get<std::int64_t>();
  if (p.contains("max_jitter_ms")) policy.max_jitter_ms = p.at("max_jitter_ms").get<std::int64_t>();
  if (p.contains("max_delay_ms")) policy.max_delay_ms = p.at("max_delay_ms").get<std::int64_t>();
  if (p.contains("retry_base_delay_ms")) policy.retry_base_delay_ms = p.at("retry_base_delay_ms").get<std::int64_t>();
  if (p.contains("retry_max_delay_ms")) policy.retry_max_delay_ms = p.at("retry_max_delay_ms").get<std::int64_t>();
  return policy;
}

Result<RefreshPlan> plan_of(const nlohmann::json& v) {
  return plan_refresh(v.at("issued_at").get<std::int64_t>(), v.at("expires_at").get<std::int64_t>(),
                      v.at("now_ms").get<std::int64_t>(), policy_of(v), v.at("jitter_unit").get<double>());
}

}  // namespace

BOOST_AUTO_TEST_CASE(refresh_defaults_are_80_percent_30s_margin_5s_jitter) {
  const RefreshPolicy policy;
  BOOST_TEST(policy.refresh_after_permille == 800);
  BOOST_TEST(policy.refresh_margin_ms == 30'000);
  BOOST_TEST(policy.max_jitter_ms == 5'000);
  BOOST_TEST(policy.max_delay_ms == 2'147'483'647);
  BOOST_TEST(validate_refresh_policy(policy).ok());
}

BOOST_AUTO_TEST_CASE(refresh_plans_match_vectors) {
  for (const auto& v : vector_table("refresh.json", "plans")) {
    BOOST_TEST_CONTEXT(v.at("why").get<std::string>()) {
      auto plan = plan_of(v);
      BOOST_TEST_REQUIRE(plan.ok());
      BOOST_TEST(plan->refresh_at_unix_ms == v.at("refresh_at_ms").get<std::int64_t>());
      BOOST_TEST(plan->delay_ms == v.at("delay_ms").get<std::int64_t>());
      BOOST_TEST(plan->expired == v.at("expired").get<bool>());
    }
  }
}

BOOST_AUTO_TEST_CASE(refresh_rejects_degenerate_inputs) {
  for (const auto& v : vector_table("refresh.json", "plan_errors")) {
    BOOST_TEST_CONTEXT(v.at("why").get<std::string>()) {
      auto plan = plan_of(v);
      BOOST_TEST_REQUIRE(!plan.ok());
      BOOST_TEST(plan.code() == ErrorCode::invalid_argument);
    }
  }
}

BOOST_AUTO_TEST_CASE(refresh_rejects_extreme_integers_and_nan_without_overflow) {
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  const RefreshPolicy policy;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double infinity = std::numeric_limits<double>::infinity();
  struct Case { std::int64_t iat, exp, now; double jitter; };
  for (const Case c : {Case{0, kMax, 0, 0.0}, Case{kMin, 900, 0, 0.0}, Case{kMin, kMax, 0, 0.0}, Case{0, 900, kMax, 0.0},
                       Case{0, 900, kMin, 0.0}, Case{kMax - 1, kMax, 0, 0.0}, Case{0, 900, 0, nan},
                       Case{0, 900, 0, infinity}, Case{0, 900, 0, -infinity}, Case{0, 900, 0, -0.0001}}) {
    BOOST_TEST_CONTEXT("iat " << c.iat << " exp " << c.exp << " now " << c.now << " jitter " << c.jitter) {
      auto plan = plan_refresh(c.iat, c.exp, c.now, policy, c.jitter);
      BOOST_TEST_REQUIRE(!plan.ok());
      BOOST_TEST(plan.code() == ErrorCode::invalid_argument);
    }
  }
  RefreshPolicy absurd;
  absurd.refresh_margin_ms = kMax;
  BOOST_TEST(!plan_refresh(0, 900, 0, absurd, 0.0).ok());
  absurd = {};
  absurd.max_jitter_ms = kMax;
  BOOST_TEST(!plan_refresh(0, 900, 0, absurd, 0.0).ok());
  absurd = {};
  absurd.refresh_after_permille = std::numeric_limits<std::int32_t>::max();
  BOOST_TEST(!plan_refresh(0, 900, 0, absurd, 0.0).ok());
  BOOST_TEST(!retry_delay_ms(1, policy, nan).ok());
}

BOOST_AUTO_TEST_CASE(refresh_is_never_after_expiry_nor_a_negative_delay) {
  // A sweep over lifetimes, clock positions, jitter and policies: the guarantees hold
  // everywhere, not only at the hand-picked vectors.
  const std::int64_t issued_at = 1'700'000'000;
  for (std::int64_t lifetime_s : {1, 2, 7, 20, 59, 60, 61, 300, 900, 3600, 86400, 2'592'000, 31'536'000}) {
    for (std::int32_t permille : {1, 500, 750, 800, 999, 1000}) {
      for (std::int64_t margin_ms : {std::int64_t{0}, std::int64_t{1}, std::int64_t{30'000}, std::int64_t{86'400'000}}) {
        RefreshPolicy policy;
        policy.refresh_after_permille = permille;
        policy.refresh_margin_ms = margin_ms;
        const std::int64_t expires_at_ms = (issued_at + lifetime_s) * 1000;
        for (std::int64_t now_ms : {issued_at * 1000 - 5000, issued_at * 1000, issued_at * 1000 + lifetime_s * 500,
                                    expires_at_ms - 1, expires_at_ms, expires_at_ms + 1}) {
          for (double jitter : {0.0, 0.5, 0.999999}) {
            BOOST_TEST_CONTEXT("lifetime " << lifetime_s << "s permille " << permille << " margin " << margin_ms
                                           << " now " << now_ms << " jitter " << jitter) {
              auto plan = plan_refresh(issued_at, issued_at + lifetime_s, now_ms, policy, jitter);
              BOOST_TEST_REQUIRE(plan.ok());
              BOOST_TEST(plan->delay_ms >= 0);
              BOOST_TEST(plan->delay_ms <= policy.max_delay_ms);
              BOOST_TEST(plan->refresh_at_unix_ms == now_ms + plan->delay_ms);
              BOOST_TEST(plan->expired == (now_ms >= expires_at_ms));
              if (plan->expired) {
                BOOST_TEST(plan->delay_ms == 0);
              } else {
                BOOST_TEST(plan->refresh_at_unix_ms < expires_at_ms);
              }
              // A fresh token is not refreshed the moment it arrives.
              if (now_ms == issued_at * 1000) BOOST_TEST(plan->delay_ms > 0);
            }
          }
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(more_jitter_never_refreshes_later) {
  std::int64_t previous = std::numeric_limits<std::int64_t>::max();
  for (double jitter = 0.0; jitter < 1.0; jitter += 0.0625) {
    auto plan = plan_refresh(1'700'000'000, 1'700'000'900, 1'700'000'000'000, RefreshPolicy{}, jitter);
    BOOST_TEST_REQUIRE(plan.ok());
    BOOST_TEST(plan->refresh_at_unix_ms <= previous);
    BOOST_TEST(plan->refresh_at_unix_ms > 1'700'000'720'000 - RefreshPolicy{}.max_jitter_ms);
    previous = plan->refresh_at_unix_ms;
  }
  BOOST_TEST(previous < 1'700'000'720'000);
}

BOOST_AUTO_TEST_CASE(retry_delays_match_vectors) {
  for (const auto& v : vector_table("refresh.json", "retries")) {
    const auto attempt = v.at("attempt").get<std::uint32_t>();
    const auto jitter = v.at("jitter_unit").get<double>();
    BOOST_TEST_CONTEXT("attempt " << attempt << " jitter " << jitter) {
      auto delay = retry_delay_ms(attempt, policy_of(v), jitter);
      BOOST_TEST_REQUIRE(delay.ok());
      BOOST_TEST(*delay == v.at("delay_ms").get<std::int64_t>());
    }
  }
}

BOOST_AUTO_TEST_CASE(retry_rejects_invalid_inputs) {
  for (const auto& v : vector_table("refresh.json", "retry_errors")) {
    BOOST_TEST_CONTEXT(v.at("why").get<std::string>()) {
      auto delay = retry_delay_ms(v.at("attempt").get<std::uint32_t>(), policy_of(v), v.at("jitter_unit").get<double>());
      BOOST_TEST_REQUIRE(!delay.ok());
      BOOST_TEST(delay.code() == ErrorCode::invalid_argument);
    }
  }
}

BOOST_AUTO_TEST_CASE(retry_delay_grows_to_the_cap_and_stays_there) {
  const RefreshPolicy policy;
  std::int64_t previous = 0;
  for (std::uint32_t attempt = 1; attempt <= 200; ++attempt) {
    auto delay = retry_delay_ms(attempt, policy, 0.999999);
    BOOST_TEST_REQUIRE(delay.ok());
    BOOST_TEST(*delay >= previous);
    BOOST_TEST(*delay < policy.retry_max_delay_ms);
    previous = *delay;
  }
  BOOST_TEST(previous == policy.retry_max_delay_ms - 1);  // floor(0.999999 * 60000)
}
