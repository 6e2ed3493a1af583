#pragma once
// Keeps this process's in-memory caches (verified access tokens, account
// views) in step with the database's log of what they must forget
// (CacheInvalidationFeed, migration 0007), so that caching never delays a
// revocation or a change:
//  - at once after a change made by this process: the store's
//    local_invalidations() moved, and the next check() reads the feed first;
//  - for changes by other instances (or the CLI): a check() more than
//    `read_after` after the last read starts a new one, and caches are trusted
//    only while the last successful read began less than `trusted_for` ago.
//    So another instance's change is seen within `trusted_for`; when the
//    database cannot be read, callers ask it themselves, as without caches.
// A cache remembers a value only if no invalidation was applied since the
// check() that preceded its database read (the ticket's generation).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "store/store.hpp"

namespace sesame::server {

struct InvalidationWatchTiming {
  std::chrono::milliseconds read_after{250};
  std::chrono::milliseconds trusted_for{500};
  // Log lines are swept after the revoked-session retention plus an hour
  // (housekeeping); a watch that could not read for this long forgets all.
  std::chrono::minutes forget_all_after{10};
};

class InvalidationWatch {
 public:
  explicit InvalidationWatch(CacheInvalidationStore& store, InvalidationWatchTiming timing = {});

  // Called with what the feed reported, or with nullptr for "forget
  // everything". Subscribe before the caches are used (not thread-safe).
  using Listener = std::function<void(const Invalidations*)>;
  void subscribe(Listener listener) { listeners_.push_back(std::move(listener)); }

  struct Ticket {
    bool trusted = false;  // caches may answer, and be filled
    std::uint64_t generation = 0;
  };
  // Reads the feed when due; never waits for another thread's read.
  [[nodiscard]] Ticket check();
  // Bumped before listeners run; compare under the cache's own lock.
  [[nodiscard]] std::uint64_t generation() const noexcept { return generation_.load(std::memory_order_acquire); }

 private:
  // With feed_mutex_ held. False when the database could not be read.
  [[nodiscard]] bool read_feed();
  void notify(const Invalidations* changed);

  CacheInvalidationStore& store_;
  InvalidationWatchTiming timing_;
  std::vector<Listener> listeners_;
  std::mutex feed_mutex_;                        // one reader of the feed at a time
  std::unique_ptr<CacheInvalidationFeed> feed_;  // opened by the first read
  // Of the last successful read, both taken as it began.
  std::atomic<std::int64_t> read_began_ns_{0};  // steady clock
  std::atomic<std::uint64_t> local_invalidations_read_{0};
  std::atomic<bool> ever_read_{false};
  std::atomic<std::uint64_t> generation_{0};
};

}  // namespace sesame::server
