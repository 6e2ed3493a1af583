// Compact JWS with EdDSA (RFC 7515 §7.1, RFC 8037 §3.1) and the strict JSON
// reading shared by the JWK and JWT code.

#include <sodium.h>

#include <set>
#include <string>

#include "jws_compact.hpp"
#include "sesame/encoding.hpp"
#include "sesame/jwt.hpp"

namespace sesame {

static_assert(kEd25519SignatureBytes == crypto_sign_BYTES);

namespace jws {

using nlohmann::json;

std::optional<json> parse_object(std::string_view text) {
  // Member names seen so far in each object that is still open.
  std::vector<std::set<std::string>> open_objects;
  bool refused = false;
  const json::parser_callback_t watch = [&](int depth, json::parse_event_t event, json& parsed) {
    if (depth > kMaxJsonDepth) refused = true;
    switch (event) {
      case json::parse_event_t::object_start:
        open_objects.emplace_back();
        break;
      case json::parse_event_t::object_end:
        if (!open_objects.empty()) open_objects.pop_back();
        break;
      case json::parse_event_t::key: {
        const auto* name = parsed.get_ptr<const std::string*>();
        if (open_objects.empty() || name == nullptr || !open_objects.back().insert(*name).second) refused = true;
        break;
      }
      default:
        break;
    }
    return true;
  };
  json value = json::parse(text.begin(), text.end(), watch, /*allow_exceptions=*/false);
  if (refused || value.is_discarded() || !value.is_object()) return std::nullopt;
  return value;
}

bool is_valid_utf8(std::string_view text) noexcept {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<std::uint8_t>(text[i]);
    std::size_t length = 0;
    std::uint32_t code_point = 0;
    std::uint32_t minimum = 0;  // refuses overlong encodings
    if (lead < 0x80) {
      ++i;
      continue;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2, code_point = lead & 0x1Fu, minimum = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3, code_point = lead & 0x0Fu, minimum = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4, code_point = lead & 0x07u, minimum = 0x10000;
    } else {
      return false;
    }
    if (text.size() - i < length) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<std::uint8_t>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code_point = (code_point << 6) | (next & 0x3Fu);
    }
    if (code_point < minimum || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

bool holds_only_utf8(const json& value) {
  if (value.is_string()) return is_valid_utf8(*value.get_ptr<const std::string*>());
  if (value.is_object()) {
    for (const auto& item : value.items()) {
      if (!is_valid_utf8(item.key()) || !holds_only_utf8(item.value())) return false;
    }
  } else if (value.is_array()) {
    for (const auto& element : value) {
      if (!holds_only_utf8(element)) return false;
    }
  }
  return true;
}

std::string dump_compact(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string dump_compact(const nlohmann::ordered_json& value) {
  return value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Result<CompactJws> parse_compact(std::string_view token, std::size_t max_token_bytes) {
  if (token.size() > max_token_bytes) return Error{ErrorCode::input_too_large, "token longer than the limit"};

  const auto first_dot = token.find('.');
  if (first_dot == std::string_view::npos) return Error{ErrorCode::jwt_malformed, "not three segments"};
  const auto second_dot = token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos) return Error{ErrorCode::jwt_malformed, "not three segments"};
  if (token.find('.', second_dot + 1) != std::string_view::npos) {
    return Error{ErrorCode::jwt_malformed, "more than three segments"};
  }
  const auto header_text = token.substr(0, first_dot);
  const auto payload_text = token.substr(first_dot + 1, second_dot - first_dot - 1);
  const auto signature_text = token.substr(second_dot + 1);

  if (header_text.empty()) return Error{ErrorCode::jwt_malformed, "empty header"};
  auto header_bytes = base64url_decode(header_text);
  if (!header_bytes) return Error{ErrorCode::jwt_malformed, "header is not base64url"};
  auto header = parse_object({reinterpret_cast<const char*>(header_bytes->data()), header_bytes->size()});
  if (!header) return Error{ErrorCode::jwt_malformed, "header is not a JSON object"};

  // Exactly "EdDSA": the algorithm is fixed by us, never chosen by the token.
  const auto alg = header->find("alg");
  if (alg == header->end() || !alg->is_string() || *alg->get_ptr<const std::string*>() != "EdDSA") {
    return Error{ErrorCode::jwt_unsupported_algorithm, "alg must be EdDSA"};
  }
  // RFC 7515 §4.1.11: extensions listed in crit must be understood; we understand none.
  if (header->contains("crit")) return Error{ErrorCode::jwt_malformed, "crit header parameter is not supported"};

  auto payload = base64url_decode(payload_text);
  if (!payload) return Error{ErrorCode::jwt_malformed, "payload is not base64url"};

  if (signature_text.empty()) return Error{ErrorCode::jwt_malformed, "empty signature"};
  auto signature = base64url_decode(signature_text);
  if (!signature) return Error{ErrorCode::jwt_malformed, "signature is not base64url"};
  if (signature->size() != kEd25519SignatureBytes) {
    return Error{ErrorCode::jwt_invalid_signature, "an Ed25519 signature is 64 bytes"};
  }

  return CompactJws{token.substr(0, second_dot), std::move(*header), std::move(*payload), std::move(*signature)};
}

Result<void> check_signature(const CompactJws& jws, const Ed25519PublicKey& key) {
  return verify_ed25519_signature(as_bytes(jws.signing_input), jws.signature, key);
}

}  // namespace jws

Result<void> verify_ed25519_signature(ByteView message, ByteView signature, const Ed25519PublicKey& key) {
  if (signature.size() != crypto_sign_BYTES) return Error{ErrorCode::jwt_invalid_signature, "an Ed25519 signature is 64 bytes"};
  if (crypto_sign_verify_detached(signature.data(), message.data(), message.size(), key.bytes().data()) != 0) {
    return Error{ErrorCode::jwt_invalid_signature, "signature does not verify"};
  }
  return {};
}

Result<std::string> sign_compact_jws(std::string_view protected_header, ByteView payload,
                                     const Ed25519SigningKey& key) {
  const auto header = jws::parse_object(protected_header);
  if (!header) return Error{ErrorCode::invalid_argument, "protected header must be a JSON object"};
  const auto alg = header->find("alg");
  if (alg == header->end() || !alg->is_string() || *alg->get_ptr<const std::string*>() != "EdDSA") {
    return Error{ErrorCode::jwt_unsupported_algorithm, "alg must be EdDSA"};
  }
  if (header->contains("crit")) return Error{ErrorCode::invalid_argument, "crit is not supported"};

  std::string token = base64url_encode(as_bytes(protected_header));
  token.push_back('.');
  token += base64url_encode(payload);
  const auto signature = key.sign(as_bytes(token));
  token.push_back('.');
  token += base64url_encode(signature);
  return token;
}

Result<VerifiedJws> verify_compact_jws(std::string_view token, const Ed25519PublicKey& key,
                                       std::size_t max_token_bytes) {
  auto parsed = jws::parse_compact(token, max_token_bytes);
  if (!parsed) return parsed.error();
  if (const auto kid = parsed->header.find("kid"); kid != parsed->header.end()) {
    if (!kid->is_string()) return Error{ErrorCode::jwt_malformed, "kid must be a string"};
    if (*kid->get_ptr<const std::string*>() != key.kid()) return Error{ErrorCode::jwt_unknown_key, "kid names another key"};
  }
  if (auto verified = jws::check_signature(*parsed, key); !verified) return verified.error();
  return VerifiedJws{std::move(parsed->header), std::move(parsed->payload)};
}

}  // namespace sesame
