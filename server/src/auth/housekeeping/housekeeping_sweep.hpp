#pragma once
// The housekeeping sweep: deletes what has expired (sessions with their refresh
// tokens, unused expired refresh tokens, spent MFA challenges and account
// tokens, stale mail budget rows, lapsed lockout windows) and mail delivered or
// given up longer ago than the retention. Never the audit log. Each run writes
// one JSON log line with the counts.

#include <cstdint>
#include <optional>

#include "auth/service.hpp"
#include "sesame/result.hpp"
#include "store/store.hpp"

namespace sesame::server {

struct SweepPolicy {
  // A revoked session is kept until every access token it issued has expired
  // (SESAME_ACCESS_TOKEN_TTL); it refuses them until then.
  std::int64_t revoked_session_retention_seconds = 900;
  std::int64_t mail_retention_seconds = 7 * 86400;  // SESAME_MAIL_RETENTION
};

// How much longer than a revoked session a line of the cache invalidation log
// stays: far more than InvalidationWatchTiming::forget_all_after, so a watch
// that missed lines swept meanwhile has forgotten everything anyway.
inline constexpr std::int64_t kInvalidationLogMarginSeconds = 3600;

// The cutoffs of a sweep at `now` (pure).
[[nodiscard]] SweepCutoffs sweep_cutoffs(std::int64_t now, const SweepPolicy& policy) noexcept;

class HousekeepingSweep {
 public:
  HousekeepingSweep(HousekeepingStore& store, const Clock& clock, SweepPolicy policy)
      : store_(store), clock_(clock), policy_(policy) {}

  // One sweep now, logged: the counts, or nullopt when another instance was
  // sweeping at that moment.
  [[nodiscard]] Result<std::optional<SweepCounts>> run_once();

 private:
  HousekeepingStore& store_;
  const Clock& clock_;
  SweepPolicy policy_;
};

}  // namespace sesame::server
