#include "auth/housekeeping/housekeeping_sweep.hpp"

#include <chrono>
#include <cstdio>
#include <string>

#include "auth/recovery/recovery_service.hpp"

namespace sesame::server {

SweepCutoffs sweep_cutoffs(std::int64_t now, const SweepPolicy& policy) noexcept {
  SweepCutoffs cutoffs;
  cutoffs.now = now;
  cutoffs.revoked_before = now - policy.revoked_session_retention_seconds;
  cutoffs.mail_before = now - policy.mail_retention_seconds;
  cutoffs.mail_requests_before = now - kMailBudgetWindowSeconds;  // older rows no longer count
  cutoffs.invalidations_before = cutoffs.revoked_before - kInvalidationLogMarginSeconds;
  return cutoffs;
}

Result<std::optional<SweepCounts>> HousekeepingSweep::run_once() {
  const auto started = std::chrono::steady_clock::now();
  auto swept = store_.sweep_expired(sweep_cutoffs(clock_.now_unix_seconds(), policy_));
  if (!swept.ok()) {
    std::fprintf(stderr, "{\"level\":\"warning\",\"msg\":\"housekeeping sweep failed\",\"code\":\"%s\"}\n",
                 std::string(error_code_name(swept.code())).c_str());
    return swept;
  }
  if (!swept->has_value()) {
    std::fprintf(stderr, "{\"level\":\"info\",\"msg\":\"housekeeping sweep skipped: another instance is sweeping\"}\n");
    return swept;
  }
  const SweepCounts& counts = **swept;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  std::fprintf(stderr,
               "{\"level\":\"info\",\"msg\":\"housekeeping sweep\",\"sessions\":%d,\"refresh_tokens\":%d,"
               "\"mfa_challenges\":%d,\"account_tokens\":%d,\"mail_requests\":%d,\"mail\":%d,\"login_failures\":%d,"
               "\"cache_invalidations\":%d,\"ms\":%lld}\n",
               counts.sessions, counts.refresh_tokens, counts.mfa_challenges, counts.account_tokens,
               counts.mail_requests, counts.mail, counts.login_failures, counts.cache_invalidations,
               static_cast<long long>(ms.count()));
  return swept;
}

}  // namespace sesame::server
