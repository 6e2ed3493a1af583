#include "security/token_sealer.hpp"

#include "security/sodium_random.hpp"
#include "sesame/encoding.hpp"

namespace sesame::server {

namespace {
// crypto_kdf's 8-byte context: names this use of the at-rest key.
constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "sesameSL";
static_assert(crypto_kdf_KEYBYTES == crypto_secretbox_KEYBYTES);
constexpr std::size_t kOverhead = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;
}  // namespace

Result<TokenSealer> TokenSealer::create(const SecretBytes& at_rest_key, SealPurpose purpose) {
  require_sodium();
  if (at_rest_key.size() != crypto_secretbox_KEYBYTES) {
    return Error{ErrorCode::invalid_argument,
                 "the at-rest key must be " + std::to_string(crypto_secretbox_KEYBYTES) + " bytes"};
  }
  TokenSealer sealer;
  if (crypto_kdf_derive_from_key(sealer.key_.data(), sealer.key_.size(), static_cast<std::uint64_t>(purpose),
                                 kKdfContext, at_rest_key.data()) != 0) {
    return Error{ErrorCode::internal_error, "cannot derive the sealing key"};
  }
  return sealer;
}

Result<std::string> TokenSealer::seal(std::string_view plaintext, RandomSource& random) const {
  if (plaintext.size() > kMaxSealedPlaintextBytes) return Error{ErrorCode::input_too_large, "too large to seal"};
  Bytes box(kOverhead + plaintext.size());
  random.fill(std::span(box.data(), crypto_secretbox_NONCEBYTES));
  crypto_secretbox_easy(box.data() + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(), box.data(),
                        key_.data());
  return base64url_encode(box);
}

Result<std::string> TokenSealer::open(std::string_view sealed) const {
  const std::size_t max_sealed_chars = (kOverhead + kMaxSealedPlaintextBytes) * 4 / 3 + 4;
  if (sealed.size() > max_sealed_chars) return Error{ErrorCode::input_too_large, "sealed value too large"};
  auto box = base64url_decode(sealed);
  if (!box || box->size() < kOverhead) return Error{ErrorCode::invalid_argument, "malformed sealed value"};
  std::string plaintext(box->size() - kOverhead, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plaintext.data()),
                                 box->data() + crypto_secretbox_NONCEBYTES, box->size() - crypto_secretbox_NONCEBYTES,
                                 box->data(), key_.data()) != 0) {
    return Error{ErrorCode::invalid_argument, "sealed value does not open: tampered, or another key or purpose"};
  }
  return plaintext;
}

}  // namespace sesame::server
