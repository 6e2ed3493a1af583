#include "auth/tokens/verified_token_cache.hpp"

#include <cstring>
#include <string>
#include <unordered_set>

namespace sesame::server {
namespace {

std::int64_t steady_now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::size_t VerifiedTokenCache::KeyHash::operator()(const Key& key) const noexcept {
  // The digest is uniform already.
  std::size_t hash = 0;
  std::memcpy(&hash, key.data(), sizeof hash);
  return hash;
}

bool VerifiedTokenCache::KeyEqual::operator()(const Key& a, const Key& b) const noexcept {
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

VerifiedTokenCache::VerifiedTokenCache(SessionRevocationStore& store, VerifiedTokenCacheOptions options)
    : store_(store), options_(options), shard_capacity_(std::max<std::size_t>(1, options.capacity / kShards)) {}

VerifiedTokenCache::Key VerifiedTokenCache::key_of(std::string_view token) noexcept {
  Key key;
  crypto_generichash(key.data(), key.size(), reinterpret_cast<const unsigned char*>(token.data()), token.size(),
                     nullptr, 0);
  return key;
}

bool VerifiedTokenCache::up_to_date() {
  const bool local_change = store_.local_revocations() != local_revocations_read_.load(std::memory_order_acquire);
  const std::int64_t age_ns = steady_now_ns() - read_began_ns_.load(std::memory_order_acquire);
  const bool fresh = ever_read_.load(std::memory_order_acquire) && !local_change;
  if (fresh && age_ns < std::chrono::nanoseconds(options_.read_after).count()) return true;
  // Due: one thread reads, the others never wait for it (the database may be
  // slow or down): while the last read is recent enough they go on trusting,
  // otherwise they ask the database themselves.
  const bool trusted = fresh && age_ns < std::chrono::nanoseconds(options_.trusted_for).count();
  std::unique_lock lock(feed_mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return trusted;
  return read_feed() || trusted;
}

bool VerifiedTokenCache::read_feed() {
  // Taken before the read: a revocation committed after them is read next time.
  const std::int64_t began_ns = steady_now_ns();
  const std::uint64_t local = store_.local_revocations();
  if (!feed_) {
    // Nothing was kept before the feed opened, so nothing before it matters.
    auto opened = store_.open_revocation_feed();
    if (!opened.ok()) return false;
    feed_ = std::move(opened.value());
  } else {
    auto ended = feed_->take_new();
    if (!ended.ok()) return false;
    if (!ended->empty()) forget(*ended);
  }
  local_revocations_read_.store(local, std::memory_order_release);
  read_began_ns_.store(began_ns, std::memory_order_release);
  ever_read_.store(true, std::memory_order_release);
  return true;
}

void VerifiedTokenCache::forget(const std::vector<SessionId>& ended) {
  std::unordered_set<std::string> sessions;
  for (const auto& session : ended) sessions.insert(session.value);
  // Before erasing: a remember() racing with this either sees the new
  // generation and keeps nothing, or inserts before its shard is swept.
  generation_.fetch_add(1, std::memory_order_acq_rel);
  for (auto& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    std::erase_if(shard.entries,
                  [&](const auto& entry) { return sessions.count(entry.second.principal.session_id.value) != 0; });
  }
}

VerifiedTokenCache::Lookup VerifiedTokenCache::find(std::string_view token, std::int64_t now_unix_seconds) {
  Lookup lookup;
  if (options_.capacity == 0 || !up_to_date()) return lookup;
  lookup.trusted = true;
  lookup.generation = generation_.load(std::memory_order_acquire);
  const Key key = key_of(token);
  Shard& shard = shard_of(key);
  std::lock_guard lock(shard.mutex);
  const auto found = shard.entries.find(key);
  if (found == shard.entries.end()) return lookup;
  if (now_unix_seconds < found->second.valid_until) {
    lookup.principal = found->second.principal;
  } else {
    shard.entries.erase(found);
  }
  return lookup;
}

void VerifiedTokenCache::remember(std::string_view token, const Principal& principal, std::int64_t valid_until,
                                  const Lookup& lookup) {
  if (!lookup.trusted) return;
  const Key key = key_of(token);
  Shard& shard = shard_of(key);
  std::lock_guard lock(shard.mutex);
  if (generation_.load(std::memory_order_acquire) != lookup.generation) return;
  // Full: make room anywhere (the bound matters, the order does not).
  if (shard.entries.size() >= shard_capacity_ && !shard.entries.contains(key)) shard.entries.erase(shard.entries.begin());
  shard.entries.insert_or_assign(key, Entry{principal, valid_until});
}

}  // namespace sesame::server
