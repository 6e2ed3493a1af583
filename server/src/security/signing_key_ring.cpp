#include "security/signing_key_ring.hpp"

#include <algorithm>
#include <set>

#include <sys/stat.h>

#include "security/private_files.hpp"
#include "security/secret_bytes.hpp"
#include "sesame/encoding.hpp"

namespace sesame::server {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int kFormatVersion = 1;

Error malformed(std::string detail) {
  return Error{ErrorCode::invalid_argument, "signing key ring: " + std::move(detail)};
}

// Current first, then by retirement, newest first (the order entries() promises).
void sort_entries(std::vector<SigningKeyEntry>& entries) {
  std::stable_sort(entries.begin(), entries.end(), [](const SigningKeyEntry& a, const SigningKeyEntry& b) {
    if (!a.retired_at || !b.retired_at) return !a.retired_at && b.retired_at;
    return *a.retired_at > *b.retired_at;
  });
}

Result<void> write_ring(const fs::path& path, const SigningKeyRing& ring) {
  std::string text = ring.to_json();
  auto written = replace_private_file(path, as_bytes(text));
  wipe_string(text);
  return written;
}

}  // namespace

Result<SigningKeyRing> SigningKeyRing::generate(RandomSource& random, std::int64_t now) {
  auto key = Ed25519SigningKey::generate(random);
  if (!key) return key.error();
  std::vector<SigningKeyEntry> entries;
  entries.push_back(SigningKeyEntry{std::move(key).value(), now, std::nullopt});
  return SigningKeyRing(std::move(entries));
}

Result<SigningKeyRing> SigningKeyRing::from_json(std::string_view text) {
  const json document = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!document.is_object()) return malformed("not a JSON object");
  const auto version = document.find("version");
  if (version == document.end() || !version->is_number_integer() || version->get<int>() != kFormatVersion) {
    return malformed("unsupported version");
  }
  const auto keys = document.find("keys");
  if (keys == document.end() || !keys->is_array() || keys->empty()) return malformed("no keys");

  std::vector<SigningKeyEntry> entries;
  std::set<std::string, std::less<>> kids;
  int current_keys = 0;
  for (const json& item : *keys) {
    if (!item.is_object()) return malformed("a key is not an object");
    const auto kid = item.find("kid");
    const auto seed = item.find("seed");
    const auto created_at = item.find("created_at");
    const auto retired_at = item.find("retired_at");
    if (kid == item.end() || !kid->is_string() || kid->get_ref<const std::string&>().empty()) {
      return malformed("a key has no kid");
    }
    if (seed == item.end() || !seed->is_string()) return malformed("key " + kid->get<std::string>() + " has no seed");
    if (created_at == item.end() || !created_at->is_number_integer()) {
      return malformed("key " + kid->get<std::string>() + " has no created_at");
    }
    std::optional<std::int64_t> retired;
    if (retired_at != item.end() && !retired_at->is_null()) {
      if (!retired_at->is_number_integer()) return malformed("key " + kid->get<std::string>() + ": bad retired_at");
      retired = retired_at->get<std::int64_t>();
    }
    auto seed_bytes = base64url_decode(seed->get_ref<const std::string&>());
    if (!seed_bytes) return malformed("key " + kid->get<std::string>() + ": seed is not base64url");
    const SecretBytes seed_secret(std::move(seed_bytes).value());
    auto key = Ed25519SigningKey::from_seed(seed_secret.view(), kid->get<std::string>());
    if (!key) return malformed("key " + kid->get<std::string>() + ": " + key.error().detail);
    if (!kids.insert(kid->get<std::string>()).second) return malformed("duplicate kid " + kid->get<std::string>());
    if (!retired) ++current_keys;
    entries.push_back(SigningKeyEntry{std::move(key).value(), created_at->get<std::int64_t>(), retired});
  }
  if (current_keys != 1) return malformed("exactly one key must be current (retired_at null)");
  sort_entries(entries);
  return SigningKeyRing(std::move(entries));
}

std::string SigningKeyRing::to_json() const {
  json keys = json::array();
  for (const SigningKeyEntry& entry : entries_) {
    keys.push_back(json{{"kid", entry.key.kid()},
                        {"seed", base64url_encode(entry.key.seed())},
                        {"created_at", entry.created_at},
                        {"retired_at", entry.retired_at ? json(*entry.retired_at) : json(nullptr)}});
  }
  return json{{"version", kFormatVersion}, {"keys", std::move(keys)}}.dump(2) + "\n";
}

bool SigningKeyRing::has_kid(std::string_view kid) const noexcept {
  return std::any_of(entries_.begin(), entries_.end(), [&](const SigningKeyEntry& e) { return e.key.kid() == kid; });
}

Result<void> SigningKeyRing::rotate(RandomSource& random, std::int64_t now) {
  auto key = Ed25519SigningKey::generate(random);
  if (!key) return key.error();
  if (has_kid(key->kid())) return Error{ErrorCode::internal_error, "generated a key whose kid is already in the ring"};
  entries_.front().retired_at = now;
  entries_.insert(entries_.begin(), SigningKeyEntry{std::move(key).value(), now, std::nullopt});
  return {};
}

std::size_t SigningKeyRing::prune(std::int64_t now, std::int64_t retention_seconds) {
  const auto before = entries_.size();
  std::erase_if(entries_, [&](const SigningKeyEntry& entry) {
    return entry.retired_at && *entry.retired_at + retention_seconds <= now;
  });
  return before - entries_.size();
}

JwkSet SigningKeyRing::verification_keys() const {
  JwkSet set;
  for (const SigningKeyEntry& entry : entries_) {
    // Kids are unique by construction (from_json and rotate check), so add cannot fail.
    [[maybe_unused]] auto added = set.add(entry.key.public_key());
  }
  return set;
}

json SigningKeyRing::jwks() const { return verification_keys().to_json(); }

Result<SigningKeyRing> load_signing_key_ring(const fs::path& path) {
  auto contents = read_private_file(path);
  if (!contents) return contents.error();
  if (!*contents) return Error{ErrorCode::internal_error, "no signing key ring at " + path.string()};
  const SecretBytes& bytes = **contents;
  auto ring = SigningKeyRing::from_json(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  if (!ring) return Error{ring.error().code, path.string() + ": " + ring.error().detail};
  return ring;
}

Result<SigningKeyRing> load_or_create_signing_key_ring(const fs::path& path, RandomSource& random,
                                                      std::int64_t now) {
  // Fast path without the lock: files are only ever published whole.
  if (std::error_code ec; fs::exists(path, ec)) return load_signing_key_ring(path);
  auto lock = ExclusiveFileLock::acquire(lock_path_for(path));
  if (!lock) return lock.error();
  if (std::error_code ec; fs::exists(path, ec)) return load_signing_key_ring(path);  // another process won
  auto ring = SigningKeyRing::generate(random, now);
  if (!ring) return ring.error();
  if (auto written = write_ring(path, *ring); !written) return written.error();
  return ring;
}

Result<SigningKeyRing> rotate_signing_key_ring_file(const fs::path& path, RandomSource& random, std::int64_t now,
                                                   std::int64_t retention_seconds) {
  auto lock = ExclusiveFileLock::acquire(lock_path_for(path));
  if (!lock) return lock.error();
  auto ring = load_signing_key_ring(path);
  if (!ring) return ring.error();
  if (auto rotated = ring->rotate(random, now); !rotated) return rotated.error();
  ring->prune(now, retention_seconds);
  if (auto written = write_ring(path, *ring); !written) return written.error();
  return ring;
}

// ---------------------------------------------------------------------------
// LiveSigningKeyRing

LiveSigningKeyRing::LiveSigningKeyRing(fs::path path, SigningKeyRing initial, std::int64_t recheck_seconds)
    : path_(std::move(path)),
      recheck_seconds_(recheck_seconds),
      ring_(std::make_shared<const SigningKeyRing>(std::move(initial))) {}

std::shared_ptr<const SigningKeyRing> LiveSigningKeyRing::snapshot(std::int64_t now) {
  const std::lock_guard guard(mutex_);
  if (!last_check_ || now - *last_check_ >= recheck_seconds_) {
    last_check_ = now;
    reload_if_replaced();
  }
  return ring_;
}

std::shared_ptr<const SigningKeyRing> LiveSigningKeyRing::snapshot_for_kid(std::string_view kid, std::int64_t now) {
  const std::lock_guard guard(mutex_);
  const bool due = !last_check_ || now - *last_check_ >= recheck_seconds_;
  const bool unknown_kid = !ring_->has_kid(kid) && (!last_forced_check_ || now - *last_forced_check_ >= 1);
  if (due || unknown_kid) {
    last_check_ = now;
    if (unknown_kid) last_forced_check_ = now;
    reload_if_replaced();
  }
  return ring_;
}

void LiveSigningKeyRing::reload_if_replaced() {
  struct stat status {};
  if (::stat(path_.c_str(), &status) != 0) return;  // keep serving what we have
  const FileIdentity identity{static_cast<std::uint64_t>(status.st_dev), static_cast<std::uint64_t>(status.st_ino),
                              static_cast<std::int64_t>(status.st_size),
                              static_cast<std::int64_t>(status.st_mtim.tv_sec) * 1'000'000'000 +
                                  static_cast<std::int64_t>(status.st_mtim.tv_nsec)};
  if (identity_ && *identity_ == identity) return;
  auto ring = load_signing_key_ring(path_);
  // Remember the identity even when loading failed, so a broken file is not
  // re-parsed on every check; a fixed file gets a new identity.
  identity_ = identity;
  if (ring) ring_ = std::make_shared<const SigningKeyRing>(std::move(ring).value());
}

}  // namespace sesame::server
