#include "auth/accounts/account_view_cache.hpp"

#include <unordered_set>

namespace sesame::server {

AccountViewCache::AccountViewCache(InvalidationWatch& watch, std::size_t capacity)
    : watch_(watch), views_(watch, capacity) {
  watch_.subscribe([this](const Invalidations* changed) {
    if (changed == nullptr) return views_.clear();
    if (changed->users.empty()) return;
    std::unordered_set<std::string> users;
    for (const auto& user : changed->users) users.insert(user.value);
    views_.erase_if([&](const std::string& user, const api::User&) { return users.count(user) != 0; });
  });
}

AccountViewCache::Lookup AccountViewCache::find(const UserId& user) {
  Lookup lookup;
  if (!views_.enabled()) return lookup;
  lookup.ticket = watch_.check();
  if (lookup.ticket.trusted) lookup.user = views_.find(user.value, [](const api::User&) { return true; });
  return lookup;
}

void AccountViewCache::remember(const UserId& user, const api::User& view, const Lookup& lookup) {
  views_.remember(user.value, view, lookup.ticket);
}

}  // namespace sesame::server
