#pragma once
// Internals shared by jwk.cpp, jws.cpp and jwt.cpp: strict JSON reading and the
// structural parse of a compact JWS that both decoding and verification use.

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "sesame/bytes.hpp"
#include "sesame/jwt.hpp"
#include "sesame/result.hpp"

namespace sesame::jws {

// Deep nesting has no use in a header, claims or a JWKS and only costs stack.
inline constexpr int kMaxJsonDepth = 16;

// Parses `text` as a JSON object, refusing duplicate member names at any level
// (RFC 7515 §5.2: no parser-dependent choice of "alg") and deep nesting.
// Never throws, never aborts under JSON_NOEXCEPTION.
[[nodiscard]] std::optional<nlohmann::json> parse_object(std::string_view text);

[[nodiscard]] bool is_valid_utf8(std::string_view text) noexcept;

// True when every string and member name inside `value` is valid UTF-8, so
// that dump() can never throw (or abort under JSON_NOEXCEPTION).
[[nodiscard]] bool holds_only_utf8(const nlohmann::json& value);

// dump() that cannot throw: callers check holds_only_utf8 first; the replace
// handler is the second line of defence.
[[nodiscard]] std::string dump_compact(const nlohmann::json& value);
[[nodiscard]] std::string dump_compact(const nlohmann::ordered_json& value);

struct CompactJws {
  std::string_view signing_input;  // "<header>.<payload>" exactly as received
  nlohmann::json header;
  Bytes payload;
  Bytes signature;
};

// Everything short of the signature check, in this order:
//   size (input_too_large), three segments (jwt_malformed), header base64url
//   and JSON object (jwt_malformed), alg == "EdDSA" (jwt_unsupported_algorithm),
//   no crit (jwt_malformed), payload base64url (jwt_malformed), signature
//   present and base64url (jwt_malformed) and 64 bytes (jwt_invalid_signature).
[[nodiscard]] Result<CompactJws> parse_compact(std::string_view token, std::size_t max_token_bytes);

// crypto_sign_verify_detached over the signing input: jwt_invalid_signature.
[[nodiscard]] Result<void> check_signature(const CompactJws& jws, const Ed25519PublicKey& key);

}  // namespace sesame::jws
