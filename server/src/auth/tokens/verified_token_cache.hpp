#pragma once
// Access tokens this instance has verified, whose session was active then:
// a bearer seen again costs neither an Ed25519 check nor a database lookup.
// Tokens of sessions the InvalidationWatch reports ended are forgotten (see
// there for how soon). The key is a BLAKE2b digest of the token, compared in
// constant time.

#include <sodium.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "auth/cache/invalidation_watch.hpp"
#include "auth/cache/sharded_cache.hpp"
#include "auth/tokens/principal.hpp"

namespace sesame::server {

class VerifiedTokenCache {
 public:
  // capacity 0: off.
  VerifiedTokenCache(InvalidationWatch& watch, std::size_t capacity);

  // What find() saw, to hand back to remember().
  struct Lookup {
    std::optional<Principal> principal;  // a hit
    InvalidationWatch::Ticket ticket;
  };
  // A hit needs `now_unix_seconds` before the entry's valid_until.
  [[nodiscard]] Lookup find(std::string_view token, std::int64_t now_unix_seconds);
  // Keeps a token verified (and its session found active) after `lookup`.
  void remember(std::string_view token, const Principal& principal, std::int64_t valid_until, const Lookup& lookup);

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
  [[nodiscard]] static Key key_of(std::string_view token) noexcept;

  InvalidationWatch& watch_;
  ShardedCache<Key, Entry, KeyHash, KeyEqual> entries_;
};

}  // namespace sesame::server
