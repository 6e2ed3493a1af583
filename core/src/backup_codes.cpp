#include "sesame/backup_codes.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdint>

namespace sesame {
namespace {

static_assert(backup_code_alphabet.size() == 32);

// Hands out random bytes from a buffer refilled in blocks, wiped when done.
class RandomBytes {
 public:
  explicit RandomBytes(RandomSource& random) : random_(random) {}
  RandomBytes(const RandomBytes&) = delete;
  RandomBytes& operator=(const RandomBytes&) = delete;
  ~RandomBytes() { sodium_memzero(buffer_.data(), buffer_.size()); }

  std::uint8_t next() noexcept {
    if (used_ == buffer_.size()) {
      random_.fill(buffer_);
      used_ = 0;
    }
    return buffer_[used_++];
  }

  // Uniform in [0, bound): bytes at or above the largest multiple of `bound` are
  // rejected, so no value is favoured by the modulo (none are for a bound of 32).
  std::size_t below(std::size_t bound) noexcept {
    const std::size_t limit = 256 - 256 % bound;
    for (;;) {
      const std::size_t byte = next();
      if (byte < limit) return byte % bound;
    }
  }

 private:
  RandomSource& random_;
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t used_ = buffer_.size();
};

bool is_separator(char c) noexcept { return c == ' ' || c == '-' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

Result<std::vector<std::string>> generate_backup_codes(RandomSource& random, std::size_t count) {
  if (count == 0 || count > max_backup_code_count) {
    return Error{ErrorCode::invalid_argument, "backup code count must be between 1 and 100"};
  }
  RandomBytes bytes(random);
  std::vector<std::string> codes;
  codes.reserve(count);
  // A duplicate has odds of about 2^-50 per pair; retrying a few times is ample,
  // and the bound keeps a broken source from looping forever.
  std::size_t draws_left = count + 8;
  while (codes.size() < count) {
    if (draws_left-- == 0) return Error{ErrorCode::invalid_argument, "random source keeps repeating itself"};
    std::string code(backup_code_length, '\0');
    for (char& c : code) c = backup_code_alphabet[bytes.below(backup_code_alphabet.size())];
    if (std::find(codes.begin(), codes.end(), code) == codes.end()) codes.push_back(std::move(code));
  }
  return codes;
}

std::string format_backup_code(std::string_view code) {
  constexpr std::size_t kGroup = 5;
  std::string out;
  out.reserve(code.size() + code.size() / kGroup);
  for (std::size_t i = 0; i < code.size(); ++i) {
    if (i > 0 && i % kGroup == 0) out.push_back('-');
    out.push_back(code[i]);
  }
  return out;
}

Result<std::string> normalize_backup_code(std::string_view typed) {
  std::string code;
  code.reserve(backup_code_length);
  for (char c : typed) {
    if (is_separator(c)) continue;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == 'o') c = '0';
    if (c == 'i' || c == 'l') c = '1';
    if (backup_code_alphabet.find(c) == std::string_view::npos) {
      return Error{ErrorCode::invalid_backup_code, "character outside the backup code alphabet"};
    }
    if (code.size() == backup_code_length) {
      return Error{ErrorCode::invalid_backup_code, "backup code too long"};
    }
    code.push_back(c);
  }
  if (code.size() != backup_code_length) return Error{ErrorCode::invalid_backup_code, "backup code too short"};
  return code;
}

}  // namespace sesame
