#pragma once
// Access tokens this instance has verified, whose session was active then:
// a bearer seen again costs neither an Ed25519 check nor a database lookup.
//
// Revocation stays immediate. The cache reads the database's log of ended
// sessions (SessionRevocationFeed) and forgets their tokens:
//  - at once after a revocation made by this process (the store's
//    local_revocations() changed: the next lookup reads the feed first);
//  - for revocations by other instances (or the CLI), a lookup more than
//    `read_after` after the last read starts a new one, and entries are used
//    only while the last successful read began less than `trusted_for` ago.
//    So another instance's revocation is honoured within `trusted_for`, and
//    when the database cannot be read the caller falls back to asking it.
// The key is a BLAKE2b digest of the token, compared in constant time.

#include <sodium.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth/tokens/principal.hpp"
#include "store/store.hpp"

namespace sesame::server {

struct VerifiedTokenCacheOptions {
  std::size_t capacity = 16384;  // entries; 0 turns the cache off
  std::chrono::milliseconds read_after{250};
  std::chrono::milliseconds trusted_for{500};
};

class VerifiedTokenCache {
 public:
  VerifiedTokenCache(SessionRevocationStore& store, VerifiedTokenCacheOptions options);

  // What find() saw, to hand back to remember().
  struct Lookup {
    std::optional<Principal> principal;  // a hit
    bool trusted = false;                // the cache is up to date and may be filled
    std::uint64_t generation = 0;
  };
  // A hit needs `now_unix_seconds` before the entry's valid_until.
  [[nodiscard]] Lookup find(std::string_view token, std::int64_t now_unix_seconds);
  // Keeps a token verified (and its session found active) after `lookup`:
  // nothing is kept when a revocation was applied in between.
  void remember(std::string_view token, const Principal& principal, std::int64_t valid_until,
                const Lookup& lookup);

 private:
  using Key = std::array<unsigned char, crypto_generichash_BYTES>;
  struct KeyHash {
    std::size_t operator()(const Key& key) const noexcept;
  };
  struct KeyEqual {
    bool operator()(const Key& a, const Key& b) const noexcept;
  };
  struct Entry {
    Principal principal;
    std::int64_t valid_until;
  };
  struct Shard {
    std::mutex mutex;
    std::unordered_map<Key, Entry, KeyHash, KeyEqual> entries;
  };
  static constexpr std::size_t kShards = 16;

  [[nodiscard]] static Key key_of(std::string_view token) noexcept;
  [[nodiscard]] Shard& shard_of(const Key& key) noexcept { return shards_[KeyHash{}(key) % kShards]; }
  // True when entries may be used now; reads the feed when due.
  [[nodiscard]] bool up_to_date();
  // With feed_mutex_ held. False when the database could not be read.
  [[nodiscard]] bool read_feed();
  void forget(const std::vector<SessionId>& ended);

  SessionRevocationStore& store_;
  VerifiedTokenCacheOptions options_;
  std::size_t shard_capacity_;
  std::array<Shard, kShards> shards_;

  std::mutex feed_mutex_;                        // one reader of the feed at a time
  std::unique_ptr<SessionRevocationFeed> feed_;  // opened by the first read
  // Of the last successful read, both taken as it began.
  std::atomic<std::int64_t> read_began_ns_{0};  // steady clock
  std::atomic<std::uint64_t> local_revocations_read_{0};
  std::atomic<bool> ever_read_{false};
  std::atomic<std::uint64_t> generation_{0};  // bumped before entries are forgotten
};

}  // namespace sesame::server
