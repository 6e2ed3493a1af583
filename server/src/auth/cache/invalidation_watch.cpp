#include "auth/cache/invalidation_watch.hpp"

namespace sesame::server {
namespace {

std::int64_t steady_now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

template <class Duration>
std::int64_t ns(Duration duration) noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(duration).count();
}

}  // namespace

InvalidationWatch::InvalidationWatch(CacheInvalidationStore& store, InvalidationWatchTiming timing)
    : store_(store), timing_(timing) {}

InvalidationWatch::Ticket InvalidationWatch::check() {
  const bool local_change =
      store_.local_invalidations() != local_invalidations_read_.load(std::memory_order_acquire);
  const std::int64_t age_ns = steady_now_ns() - read_began_ns_.load(std::memory_order_acquire);
  const bool fresh = ever_read_.load(std::memory_order_acquire) && !local_change;
  // Read before the caches are looked at: a remember() after this ticket is
  // refused if a read in between applied anything.
  const std::uint64_t generation = this->generation();
  if (fresh && age_ns < ns(timing_.read_after)) return {true, generation};
  // Due: one thread reads, the others never wait for it (the database may be
  // slow or down): while the last read is recent enough they go on trusting,
  // otherwise they ask the database themselves.
  const bool trusted = fresh && age_ns < ns(timing_.trusted_for);
  std::unique_lock lock(feed_mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return {trusted, generation};
  if (read_feed()) return {true, this->generation()};
  return {trusted, generation};
}

bool InvalidationWatch::read_feed() {
  // Taken before the read: a change committed after them is read next time.
  const std::int64_t began_ns = steady_now_ns();
  const std::uint64_t local = store_.local_invalidations();
  if (!feed_) {
    // Nothing was cached before the first read, so nothing before it matters.
    auto opened = store_.open_invalidation_feed();
    if (!opened.ok()) return false;
    feed_ = std::move(opened.value());
  } else {
    auto changed = feed_->take_new();
    if (!changed.ok()) return false;
    if (began_ns - read_began_ns_.load(std::memory_order_acquire) > ns(timing_.forget_all_after)) {
      notify(nullptr);  // the log may have been swept past what we missed
    } else if (!changed->empty()) {
      notify(&changed.value());
    }
  }
  local_invalidations_read_.store(local, std::memory_order_release);
  read_began_ns_.store(began_ns, std::memory_order_release);
  ever_read_.store(true, std::memory_order_release);
  return true;
}

void InvalidationWatch::notify(const Invalidations* changed) {
  // Before the caches forget: a remember() racing with this either sees the
  // new generation and keeps nothing, or inserts before its entry is erased.
  generation_.fetch_add(1, std::memory_order_acq_rel);
  for (const auto& listener : listeners_) listener(changed);
}

}  // namespace sesame::server
