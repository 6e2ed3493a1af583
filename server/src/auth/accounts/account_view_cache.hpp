#pragma once
// The answer of GET /auth/me per user, kept so that a repeated `me` costs no
// database reads (the user, TOTP, the backup codes left). Users the
// InvalidationWatch reports changed are forgotten (see there for how soon).

#include <optional>
#include <string>

#include "auth/cache/invalidation_watch.hpp"
#include "auth/cache/sharded_cache.hpp"
#include "sesame/contract.hpp"
#include "store/records.hpp"

namespace sesame::server {

class AccountViewCache {
 public:
  // capacity 0: off.
  AccountViewCache(InvalidationWatch& watch, std::size_t capacity);

  struct Lookup {
    std::optional<api::User> user;  // a hit
    InvalidationWatch::Ticket ticket;
  };
  [[nodiscard]] Lookup find(const UserId& user);
  // Keeps a view read from the database after `lookup`.
  void remember(const UserId& user, const api::User& view, const Lookup& lookup);

 private:
  InvalidationWatch& watch_;
  ShardedCache<std::string, api::User> views_;
};

}  // namespace sesame::server
