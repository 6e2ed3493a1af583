#pragma once
// Password hashing: Argon2id (libsodium crypto_pwhash) over a peppered input.
//
// The Argon2 input is HMAC-SHA-256(pepper, password), not the password: the
// pepper lives in the secrets directory or the environment, never in the
// database, so a stolen database (or backup) alone cannot be attacked offline.
// libsodium exposes no Argon2 "secret" input, and HMAC gives a fixed 32-byte
// input whatever the password's length. The encoded hash string keeps the
// salt and parameters, so parameters can change while old hashes still verify.
//
// Parameters default to OWASP's Argon2id minimum: m = 19 MiB, t = 2, p = 1
// (libsodium's crypto_pwhash always uses one lane, p = 1). Every call does the
// full Argon2 work: run these on the worker pool, never on HTTP threads.
// Every member function is const and safe to call from several threads at once.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "security/secret_bytes.hpp"
#include "sesame/result.hpp"

namespace sesame::server {

inline constexpr std::size_t kPepperBytes = 32;  // an HMAC-SHA-256 key

struct PasswordHashParameters {
  std::uint32_t memory_kib = 19 * 1024;  // Argon2 m, in KiB (libsodium minimum 8)
  std::uint32_t iterations = 2;          // Argon2 t (libsodium minimum 1 for Argon2id)
  friend bool operator==(const PasswordHashParameters&, const PasswordHashParameters&) = default;
};

class PasswordHasher {
 public:
  // invalid_argument when the pepper is not kPepperBytes long or the parameters
  // are out of libsodium's bounds. Computes the hash dummy_verify() checks
  // against, so creating a hasher costs one hash.
  [[nodiscard]] static Result<PasswordHasher> create(SecretBytes pepper, PasswordHashParameters parameters = {});

  // "$argon2id$v=19$m=...,t=...,p=1$<salt>$<hash>" with a fresh random salt.
  // internal_error when libsodium cannot allocate the memory.
  [[nodiscard]] Result<std::string> hash(std::string_view password) const;

  // True when `password` matches; false for a wrong password and for a
  // malformed or foreign hash. Argon2's final comparison is constant-time.
  [[nodiscard]] bool verify(std::string_view encoded_hash, std::string_view password) const;

  // True when `encoded_hash` was made with other parameters (or another
  // algorithm): after a successful verify, login stores a fresh hash.
  [[nodiscard]] bool needs_rehash(std::string_view encoded_hash) const;

  // The work of one verify with the current parameters, always failing: spent
  // for unknown emails, so they answer no faster than a wrong password.
  void dummy_verify(std::string_view password) const;

  [[nodiscard]] const PasswordHashParameters& parameters() const noexcept { return parameters_; }

 private:
  PasswordHasher(SecretBytes pepper, PasswordHashParameters parameters)
      : pepper_(std::move(pepper)), parameters_(parameters) {}
  [[nodiscard]] std::uint64_t ops_limit() const noexcept { return parameters_.iterations; }
  [[nodiscard]] std::size_t mem_limit() const noexcept { return std::size_t{parameters_.memory_kib} * 1024; }

  SecretBytes pepper_;
  PasswordHashParameters parameters_;
  std::string dummy_hash_;  // a hash of random bytes nobody knows
};

}  // namespace sesame::server
