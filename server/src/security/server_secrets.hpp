#pragma once
// The server's secret material, loaded at start:
//   pepper          32 bytes, HMAC key applied to passwords before Argon2id
//   at-rest key     32 bytes, crypto_secretbox key (TokenSealer)
//   signing keys    the Ed25519 key ring (SigningKeyRing)
//
// Each comes from the environment when configured there, otherwise from
// <SESAME_DATA_DIR>/secrets/ (directory 0700, files 0600), generated on first
// start. Generation holds a lock per file, so two processes starting at once on
// one data dir end with the same secrets. Back the secrets directory up apart
// from the database: a database copy without the pepper cannot be attacked offline.
//
// Environment (each optional; the names are part of the operator interface):
//   SESAME_PEPPER             base64url (no padding) of exactly 32 bytes
//   SESAME_AT_REST_KEY        base64url (no padding) of exactly 32 bytes
//   SESAME_SIGNING_KEYS_FILE  path of the key ring file (created there if missing;
//                             `keys rotate` rewrites it), e.g. on a volume shared
//                             by several instances
// e.g.  head -c 32 /dev/urandom | basenc --base64url -w0 | tr -d =
// Several instances behind one load balancer must share all three.
//
// A secret file that other users may access (any "other" permission bit) is
// refused at load, like ssh refuses such keys; group access is the operator's call.
//
// The pepper and the at-rest key must never change: a new pepper makes every
// stored password unverifiable, a new at-rest key every sealed value unreadable.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "security/password_hasher.hpp"  // kPepperBytes
#include "security/secret_bytes.hpp"
#include "security/signing_key_ring.hpp"
#include "sesame/random.hpp"
#include "sesame/result.hpp"

namespace sesame::server {

inline constexpr std::size_t kAtRestKeyBytes = 32;  // crypto_secretbox_KEYBYTES

// Secrets configured outside the data dir; an empty member means "not configured".
struct SecretSources {
  std::string pepper_base64url;
  std::string at_rest_key_base64url;
  std::filesystem::path signing_keys_file;

  // SESAME_PEPPER, SESAME_AT_REST_KEY and SESAME_SIGNING_KEYS_FILE from a map
  // of variables (the server's Environment, which may include a config file).
  [[nodiscard]] static SecretSources from_variables(const std::map<std::string, std::string>& variables);
  // The same, from the process environment.
  [[nodiscard]] static SecretSources from_environment();
};

// Where secrets live inside the data dir.
[[nodiscard]] std::filesystem::path secrets_directory(const std::filesystem::path& data_dir);
// The key ring file in use: SESAME_SIGNING_KEYS_FILE, else <data_dir>/secrets/signing_keys.json.
[[nodiscard]] std::filesystem::path signing_keys_path(const std::filesystem::path& data_dir,
                                                      const SecretSources& sources);

struct ServerSecrets {
  SecretBytes pepper;
  SecretBytes at_rest_key;
  std::filesystem::path signing_keys_file;  // for LiveSigningKeyRing and `keys rotate`
  SigningKeyRing signing_keys;
};

// Loads the secrets, generating (and storing) those neither configured nor yet
// in the data dir. invalid_argument names a malformed variable or file (never
// its value); internal_error is a file-system failure.
[[nodiscard]] Result<ServerSecrets> load_server_secrets(const std::filesystem::path& data_dir,
                                                        const SecretSources& sources, RandomSource& random,
                                                        std::int64_t now);

}  // namespace sesame::server
