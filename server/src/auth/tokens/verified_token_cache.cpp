#include "auth/tokens/verified_token_cache.hpp"

#include <cstring>
#include <string>
#include <unordered_set>

namespace sesame::server {

std::size_t VerifiedTokenCache::KeyHash::operator()(const Key& key) const noexcept {
  // The digest is uniform already.
  std::size_t hash = 0;
  std::memcpy(&hash, key.data(), sizeof hash);
  return hash;
}

bool VerifiedTokenCache::KeyEqual::operator()(const Key& a, const Key& b) const noexcept {
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

VerifiedTokenCache::VerifiedTokenCache(InvalidationWatch& watch, std::size_t capacity)
    : watch_(watch), entries_(watch, capacity) {
  watch_.subscribe([this](const Invalidations* changed) {
    if (changed == nullptr) return entries_.clear();
    if (changed->sessions.empty()) return;
    std::unordered_set<std::string> ended;
    for (const auto& session : changed->sessions) ended.insert(session.value);
    entries_.erase_if([&](const Key&, const Entry& entry) { return ended.count(entry.principal.session_id.value) != 0; });
  });
}

VerifiedTokenCache::Key VerifiedTokenCache::key_of(std::string_view token) noexcept {
  Key key;
  crypto_generichash(key.data(), key.size(), reinterpret_cast<const unsigned char*>(token.data()), token.size(),
                     nullptr, 0);
  return key;
}

VerifiedTokenCache::Lookup VerifiedTokenCache::find(std::string_view token, std::int64_t now_unix_seconds) {
  Lookup lookup;
  if (!entries_.enabled()) return lookup;
  lookup.ticket = watch_.check();
  if (!lookup.ticket.trusted) return lookup;
  auto entry = entries_.find(key_of(token), [&](const Entry& e) { return now_unix_seconds < e.valid_until; });
  if (entry) lookup.principal = std::move(entry->principal);
  return lookup;
}

void VerifiedTokenCache::remember(std::string_view token, const Principal& principal, std::int64_t valid_until,
                                  const Lookup& lookup) {
  entries_.remember(key_of(token), Entry{principal, valid_until}, lookup.ticket);
}

}  // namespace sesame::server
