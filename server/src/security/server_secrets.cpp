#include "security/server_secrets.hpp"

#include <cstdlib>
#include <optional>

#include <sodium.h>

#include "security/private_files.hpp"
#include "sesame/encoding.hpp"

namespace sesame::server {

namespace fs = std::filesystem;

namespace {

constexpr const char* kPepperVariable = "SESAME_PEPPER";
constexpr const char* kAtRestKeyVariable = "SESAME_AT_REST_KEY";
constexpr const char* kSigningKeysFileVariable = "SESAME_SIGNING_KEYS_FILE";

// base64url of exactly `size` bytes; `origin` names the variable or file in errors.
Result<SecretBytes> decode_secret(std::string_view text, std::size_t size, const std::string& origin) {
  // Files end with a newline so that `cat` shows them cleanly; tolerate that.
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
  auto bytes = base64url_decode(text);
  if (!bytes) return Error{ErrorCode::invalid_argument, origin + " is not base64url (no padding)"};
  SecretBytes secret(std::move(bytes).value());
  if (secret.size() != size) {
    return Error{ErrorCode::invalid_argument, origin + " must encode exactly " + std::to_string(size) + " bytes"};
  }
  return secret;
}

Result<SecretBytes> read_secret_file(const fs::path& path, std::size_t size) {
  auto contents = read_private_file(path);
  if (!contents) return contents.error();
  if (!*contents) return Error{ErrorCode::internal_error, "no secret at " + path.string()};
  const SecretBytes& bytes = **contents;
  return decode_secret(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), size,
                       path.string());
}

// The secret in `path`, generated there first (under the file's lock) if missing.
Result<SecretBytes> load_or_create_secret_file(const fs::path& path, std::size_t size, RandomSource& random) {
  if (std::error_code ec; fs::exists(path, ec)) return read_secret_file(path, size);
  auto lock = ExclusiveFileLock::acquire(lock_path_for(path));
  if (!lock) return lock.error();
  if (std::error_code ec; fs::exists(path, ec)) return read_secret_file(path, size);  // another process won

  Bytes fresh(size);
  random.fill(fresh);
  SecretBytes secret(std::move(fresh));
  std::string text = base64url_encode(secret.view()) + "\n";
  auto written = replace_private_file(path, as_bytes(text));
  wipe_string(text);
  if (!written) return written.error();
  return secret;
}

Result<SecretBytes> configured_or_stored(const std::string& configured, const char* variable, const fs::path& path,
                                         std::size_t size, RandomSource& random) {
  if (!configured.empty()) return decode_secret(configured, size, variable);
  return load_or_create_secret_file(path, size, random);
}

}  // namespace

SecretSources SecretSources::from_variables(const std::map<std::string, std::string>& variables) {
  const auto value_of = [&](const char* name) {
    const auto found = variables.find(name);
    return found == variables.end() ? std::string() : found->second;
  };
  SecretSources sources;
  sources.pepper_base64url = value_of(kPepperVariable);
  sources.at_rest_key_base64url = value_of(kAtRestKeyVariable);
  sources.signing_keys_file = value_of(kSigningKeysFileVariable);
  return sources;
}

SecretSources SecretSources::from_environment() {
  std::map<std::string, std::string> variables;
  for (const char* name : {kPepperVariable, kAtRestKeyVariable, kSigningKeysFileVariable}) {
    if (const char* value = std::getenv(name); value != nullptr) variables.emplace(name, value);
  }
  return from_variables(variables);
}

fs::path secrets_directory(const fs::path& data_dir) { return data_dir / "secrets"; }

fs::path signing_keys_path(const fs::path& data_dir, const SecretSources& sources) {
  if (!sources.signing_keys_file.empty()) return sources.signing_keys_file;
  return secrets_directory(data_dir) / "signing_keys.json";
}

Result<ServerSecrets> load_server_secrets(const fs::path& data_dir, const SecretSources& sources,
                                          RandomSource& random, std::int64_t now) {
  static_assert(kAtRestKeyBytes == crypto_secretbox_KEYBYTES);
  const bool needs_secrets_dir = sources.pepper_base64url.empty() || sources.at_rest_key_base64url.empty() ||
                                 sources.signing_keys_file.empty();
  const fs::path dir = secrets_directory(data_dir);
  if (needs_secrets_dir) {
    if (auto made = ensure_private_directory(dir); !made) return made.error();
  }

  auto pepper = configured_or_stored(sources.pepper_base64url, kPepperVariable, dir / "pepper", kPepperBytes, random);
  if (!pepper) return pepper.error();
  auto at_rest_key = configured_or_stored(sources.at_rest_key_base64url, kAtRestKeyVariable, dir / "at_rest_key",
                                          kAtRestKeyBytes, random);
  if (!at_rest_key) return at_rest_key.error();

  fs::path ring_path = signing_keys_path(data_dir, sources);
  auto ring = load_or_create_signing_key_ring(ring_path, random, now);
  if (!ring) return ring.error();

  return ServerSecrets{std::move(pepper).value(), std::move(at_rest_key).value(), std::move(ring_path),
                       std::move(ring).value()};
}

}  // namespace sesame::server
