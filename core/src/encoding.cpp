#include "sesame/encoding.hpp"

#include <sodium.h>

#include <array>

namespace sesame {
namespace {

constexpr std::string_view kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::size_t kBase32BlockChars = 8;
constexpr int kBitsPerBase32Char = 5;

int base32_value(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

}  // namespace

std::string base32_encode(ByteView data, Base32Padding padding) {
  std::string out;
  out.reserve((data.size() + 4) / 5 * kBase32BlockChars);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::uint8_t byte : data) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= kBitsPerBase32Char) {
      bits -= kBitsPerBase32Char;
      out.push_back(kBase32Alphabet[(buffer >> bits) & 0x1F]);
    }
  }
  if (bits > 0) out.push_back(kBase32Alphabet[(buffer << (kBitsPerBase32Char - bits)) & 0x1F]);
  if (padding == Base32Padding::with_padding) {
    while (out.size() % kBase32BlockChars != 0) out.push_back('=');
  }
  return out;
}

Result<Bytes> base32_decode(std::string_view text) {
  std::size_t data_chars = text.size();
  while (data_chars > 0 && text[data_chars - 1] == '=') --data_chars;
  const bool padded = data_chars != text.size();
  if (padded && text.size() % kBase32BlockChars != 0) {
    return Error{ErrorCode::invalid_base32, "padding does not complete a block of 8"};
  }
  // Lengths that no whole number of bytes produces (RFC 4648 §6).
  switch (data_chars % kBase32BlockChars) {
    case 1: case 3: case 6:
      return Error{ErrorCode::invalid_base32, "impossible length"};
    default:
      break;
  }
  if (padded && text.size() - data_chars >= kBase32BlockChars) {
    return Error{ErrorCode::invalid_base32, "too much padding"};
  }
  Bytes out;
  out.reserve(data_chars * 5 / 8);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::size_t i = 0; i < data_chars; ++i) {
    const int value = base32_value(text[i]);
    if (value < 0) return Error{ErrorCode::invalid_base32, "character outside the base32 alphabet"};
    buffer = (buffer << kBitsPerBase32Char) | static_cast<std::uint32_t>(value);
    bits += kBitsPerBase32Char;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((buffer >> bits) & 0xFF));
    }
  }
  if (bits > 0 && (buffer & ((1U << bits) - 1)) != 0) {
    return Error{ErrorCode::invalid_base32, "non-zero trailing bits"};
  }
  return out;
}

std::string base64url_encode(ByteView data) {
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_encoded_len(data.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), data.data(), data.size(), kVariant);
  out.pop_back();  // libsodium writes a terminating NUL
  return out;
}

Result<Bytes> base64url_decode(std::string_view text) {
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  Bytes out(text.size() / 4 * 3 + 3);
  std::size_t written = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &written, &end, kVariant) != 0 ||
      end != text.data() + text.size()) {
    return Error{ErrorCode::invalid_base64url, "not canonical unpadded base64url"};
  }
  out.resize(written);
  return out;
}

}  // namespace sesame
