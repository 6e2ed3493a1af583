#pragma once
// A bounded map shared by the HTTP threads, split into shards with a lock
// each, that fills only under a current InvalidationWatch ticket. Past its
// capacity it makes room anywhere: the bound matters, the order does not.

#include <algorithm>
#include <array>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "auth/cache/invalidation_watch.hpp"

namespace sesame::server {

template <class Key, class Value, class Hash = std::hash<Key>, class Equal = std::equal_to<Key>>
class ShardedCache {
 public:
  ShardedCache(const InvalidationWatch& watch, std::size_t capacity)
      : watch_(watch), capacity_(capacity), shard_capacity_(std::max<std::size_t>(1, capacity / kShards)) {}

  [[nodiscard]] bool enabled() const noexcept { return capacity_ != 0; }

  // The value, if present and `usable(value)`; an unusable one is dropped.
  template <class Usable>
  [[nodiscard]] std::optional<Value> find(const Key& key, Usable usable) {
    Shard& shard = shard_of(key);
    std::lock_guard lock(shard.mutex);
    const auto found = shard.entries.find(key);
    if (found == shard.entries.end()) return std::nullopt;
    if (!usable(found->second)) {
      shard.entries.erase(found);
      return std::nullopt;
    }
    return found->second;
  }

  // Keeps `value`, read from the database after `ticket` was taken, unless an
  // invalidation was applied since.
  void remember(const Key& key, Value value, const InvalidationWatch::Ticket& ticket) {
    if (!enabled() || !ticket.trusted) return;
    Shard& shard = shard_of(key);
    std::lock_guard lock(shard.mutex);
    if (watch_.generation() != ticket.generation) return;
    if (shard.entries.size() >= shard_capacity_ && !shard.entries.contains(key)) {
      shard.entries.erase(shard.entries.begin());
    }
    shard.entries.insert_or_assign(key, std::move(value));
  }

  // Drops every entry for which `doomed(key, value)` holds.
  template <class Doomed>
  void erase_if(Doomed doomed) {
    for (auto& shard : shards_) {
      std::lock_guard lock(shard.mutex);
      std::erase_if(shard.entries, [&](const auto& entry) { return doomed(entry.first, entry.second); });
    }
  }

  void clear() {
    erase_if([](const Key&, const Value&) { return true; });
  }

 private:
  static constexpr std::size_t kShards = 16;
  struct Shard {
    std::mutex mutex;
    std::unordered_map<Key, Value, Hash, Equal> entries;
  };
  [[nodiscard]] Shard& shard_of(const Key& key) noexcept { return shards_[Hash{}(key) % kShards]; }

  const InvalidationWatch& watch_;
  std::size_t capacity_;
  std::size_t shard_capacity_;
  std::array<Shard, kShards> shards_;
};

}  // namespace sesame::server
