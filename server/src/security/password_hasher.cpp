#include "security/password_hasher.hpp"

#include <array>
#include <cstring>

#include <sodium.h>

#include "security/sodium_random.hpp"

namespace sesame::server {

namespace {

// HMAC-SHA-256(pepper, password): the bytes Argon2 sees. Wiped on destruction.
class PepperedPassword {
 public:
  PepperedPassword(const SecretBytes& pepper, std::string_view password) {
    static_assert(crypto_auth_hmacsha256_BYTES == 32);
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, pepper.data(), pepper.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(password.data()), password.size());
    crypto_auth_hmacsha256_final(&state, digest_.data());
    sodium_memzero(&state, sizeof state);
  }
  PepperedPassword(const PepperedPassword&) = delete;
  PepperedPassword& operator=(const PepperedPassword&) = delete;
  ~PepperedPassword() { sodium_memzero(digest_.data(), digest_.size()); }

  // Argon2 takes (pointer, length): binary input with zero bytes is fine.
  [[nodiscard]] const char* data() const noexcept { return reinterpret_cast<const char*>(digest_.data()); }
  [[nodiscard]] unsigned long long size() const noexcept { return digest_.size(); }

 private:
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> digest_{};
};

// crypto_pwhash_str_* read a NUL-terminated string of at most STRBYTES - 1 characters.
bool fits_hash_string(std::string_view encoded_hash) {
  return !encoded_hash.empty() && encoded_hash.size() < crypto_pwhash_STRBYTES &&
         encoded_hash.find('\0') == std::string_view::npos;
}

}  // namespace

Result<PasswordHasher> PasswordHasher::create(SecretBytes pepper, PasswordHashParameters parameters) {
  require_sodium();
  if (pepper.size() != kPepperBytes) {
    return Error{ErrorCode::invalid_argument, "the pepper must be " + std::to_string(kPepperBytes) + " bytes"};
  }
  const std::size_t memory = std::size_t{parameters.memory_kib} * 1024;
  if (memory < crypto_pwhash_argon2id_MEMLIMIT_MIN || memory > crypto_pwhash_argon2id_MEMLIMIT_MAX) {
    return Error{ErrorCode::invalid_argument, "Argon2 memory is out of range"};
  }
  if (parameters.iterations < crypto_pwhash_argon2id_OPSLIMIT_MIN) {
    return Error{ErrorCode::invalid_argument, "Argon2 iterations are out of range"};
  }
  PasswordHasher hasher(std::move(pepper), parameters);

  std::array<std::uint8_t, 32> unknowable{};
  randombytes_buf(unknowable.data(), unknowable.size());
  auto dummy = hasher.hash(std::string_view(reinterpret_cast<const char*>(unknowable.data()), unknowable.size()));
  sodium_memzero(unknowable.data(), unknowable.size());
  if (!dummy) return dummy.error();
  hasher.dummy_hash_ = std::move(dummy).value();
  return hasher;
}

Result<std::string> PasswordHasher::hash(std::string_view password) const {
  const PepperedPassword input(pepper_, password);
  std::array<char, crypto_pwhash_STRBYTES> encoded{};
  if (crypto_pwhash_str_alg(encoded.data(), input.data(), input.size(), ops_limit(), mem_limit(),
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Error{ErrorCode::internal_error, "Argon2id could not allocate its memory"};
  }
  return std::string(encoded.data());
}

bool PasswordHasher::verify(std::string_view encoded_hash, std::string_view password) const {
  if (!fits_hash_string(encoded_hash)) return false;
  const std::string terminated(encoded_hash);
  const PepperedPassword input(pepper_, password);
  return crypto_pwhash_str_verify(terminated.c_str(), input.data(), input.size()) == 0;
}

bool PasswordHasher::needs_rehash(std::string_view encoded_hash) const {
  if (!fits_hash_string(encoded_hash)) return true;
  const std::string terminated(encoded_hash);
  // The Argon2id-specific check also flags Argon2i hashes (-1: not this algorithm).
  return crypto_pwhash_argon2id_str_needs_rehash(terminated.c_str(), ops_limit(), mem_limit()) != 0;
}

void PasswordHasher::dummy_verify(std::string_view password) const {
  [[maybe_unused]] const bool matched = verify(dummy_hash_, password);
}

}  // namespace sesame::server
