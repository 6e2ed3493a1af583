#pragma once
// The server's access-token signing keys: one current Ed25519 key that signs,
// and previous keys kept (public halves published in the JWKS) until every
// token they signed has expired.
//
// File format (mode 0600; `keys rotate` and first start write it):
//   {"version":1,"keys":[{"kid":"...","seed":"<base64url 32 bytes>",
//                         "created_at":<unix s>,"retired_at":<unix s>|null}, ...]}
// Exactly one key has retired_at null: the current one. Kids are the RFC 7638
// thumbprints of the keys when generated here; a file may carry other kids.
//
// Rotation and running servers: `rotate_signing_key_ring_file` (the CLI's
// `keys rotate`) rewrites the file under its lock. A running server holds a
// LiveSigningKeyRing, which notices a replaced file (checked with stat at most
// every recheck interval, and at once, at most once a second, when a token
// names a kid it does not know) and then signs with the new current key. So
// instances sharing one file (SESAME_SIGNING_KEYS_FILE on a shared volume)
// converge within the recheck interval without a restart; a restart also works.
//
// Retention: a retired key must verify until the last token it signed expires.
// A server may still sign with it for up to one recheck interval after the
// rotation, so prune with signing_key_retention_seconds(access token TTL).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sesame/jwt.hpp"
#include "sesame/random.hpp"
#include "sesame/result.hpp"

namespace sesame::server {

inline constexpr std::int64_t kSigningKeyRecheckSeconds = 30;

// How long a retired key stays verifiable: the access token lifetime, the
// verifier's maximum leeway, and the time a server may take to notice the rotation.
[[nodiscard]] constexpr std::int64_t signing_key_retention_seconds(std::int64_t access_token_ttl_seconds) {
  return access_token_ttl_seconds + kMaxLeewaySeconds + kSigningKeyRecheckSeconds;
}

struct SigningKeyEntry {
  Ed25519SigningKey key;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> retired_at;  // empty for the current key
};

// A value: not synchronised (LiveSigningKeyRing shares immutable snapshots).
// Move-only, because signing keys are.
class SigningKeyRing {
 public:
  // A ring with one freshly generated current key.
  [[nodiscard]] static Result<SigningKeyRing> generate(RandomSource& random, std::int64_t now);

  // Parses the file format above; invalid_argument when it is malformed, has
  // no or several current keys, duplicate kids or seeds of the wrong length.
  [[nodiscard]] static Result<SigningKeyRing> from_json(std::string_view text);
  // The file format, private seeds included: for the 0600 file only.
  [[nodiscard]] std::string to_json() const;

  // The key that signs new tokens.
  [[nodiscard]] const Ed25519SigningKey& current() const noexcept { return entries_.front().key; }
  // Current first, then retired keys, most recently retired first.
  [[nodiscard]] const std::vector<SigningKeyEntry>& entries() const noexcept { return entries_; }
  [[nodiscard]] bool has_kid(std::string_view kid) const noexcept;

  // Retires the current key at `now` and makes a new key current.
  [[nodiscard]] Result<void> rotate(RandomSource& random, std::int64_t now);

  // Drops retired keys with retired_at + retention_seconds <= now (their tokens
  // can no longer be valid). The current key is never dropped. Returns how many.
  std::size_t prune(std::int64_t now, std::int64_t retention_seconds);

  // Every key's public half, for verifying tokens.
  [[nodiscard]] JwkSet verification_keys() const;
  // {"keys":[...]} for /.well-known/jwks.json: public keys only.
  [[nodiscard]] nlohmann::json jwks() const;

 private:
  explicit SigningKeyRing(std::vector<SigningKeyEntry> entries) : entries_(std::move(entries)) {}
  std::vector<SigningKeyEntry> entries_;  // never empty; entries_.front() is current
};

// The ring stored at `path`; internal_error when the file is missing or unreadable.
[[nodiscard]] Result<SigningKeyRing> load_signing_key_ring(const std::filesystem::path& path);

// The ring at `path`, created with one fresh key (under the file's lock, so
// concurrent first starts agree on one ring) when the file does not exist.
[[nodiscard]] Result<SigningKeyRing> load_or_create_signing_key_ring(const std::filesystem::path& path,
                                                                    RandomSource& random, std::int64_t now);

// `keys rotate`: under the file's lock, reads the ring, rotates, prunes keys
// older than the retention window and writes it back. Returns the new ring.
[[nodiscard]] Result<SigningKeyRing> rotate_signing_key_ring_file(const std::filesystem::path& path,
                                                                 RandomSource& random, std::int64_t now,
                                                                 std::int64_t retention_seconds);

// A server's view of the ring file: thread-safe, hands out immutable snapshots
// and swaps in the file's new contents when it has been replaced. A file that
// fails to load keeps the previous snapshot in service.
class LiveSigningKeyRing {
 public:
  LiveSigningKeyRing(std::filesystem::path path, SigningKeyRing initial,
                     std::int64_t recheck_seconds = kSigningKeyRecheckSeconds);
  LiveSigningKeyRing(const LiveSigningKeyRing&) = delete;
  LiveSigningKeyRing& operator=(const LiveSigningKeyRing&) = delete;

  // For signing and for the JWKS: rechecks the file at most every recheck interval.
  [[nodiscard]] std::shared_ptr<const SigningKeyRing> snapshot(std::int64_t now);

  // For verifying a token that names `kid`: when the snapshot lacks it, checks
  // the file at once (at most once a second, so bogus kids cannot make every
  // request read the disk).
  [[nodiscard]] std::shared_ptr<const SigningKeyRing> snapshot_for_kid(std::string_view kid, std::int64_t now);

 private:
  struct FileIdentity {
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
    std::int64_t size = 0;
    std::int64_t modified_ns = 0;
    friend bool operator==(const FileIdentity&, const FileIdentity&) = default;
  };
  void reload_if_replaced();  // holds mutex_

  const std::filesystem::path path_;
  const std::int64_t recheck_seconds_;
  std::mutex mutex_;
  std::shared_ptr<const SigningKeyRing> ring_;
  std::optional<FileIdentity> identity_;  // of the file ring_ came from; unknown at first
  std::optional<std::int64_t> last_check_;  // empty: check on first use
  std::optional<std::int64_t> last_forced_check_;
};

}  // namespace sesame::server
