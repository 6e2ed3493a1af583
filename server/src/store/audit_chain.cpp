#include "store/audit_chain.hpp"

#include <sodium.h>

#include <array>

namespace sesame::server {
namespace {

constexpr std::string_view kEncodingTag = "sesame-audit-v1";

class CanonicalHash {
 public:
  CanonicalHash() {
    crypto_hash_sha256_init(&state_);
    update(kEncodingTag);
  }

  void field(std::string_view bytes) {
    const auto size = static_cast<std::uint32_t>(bytes.size());
    const std::array<unsigned char, 4> length{static_cast<unsigned char>(size >> 24),
                                              static_cast<unsigned char>(size >> 16),
                                              static_cast<unsigned char>(size >> 8), static_cast<unsigned char>(size)};
    crypto_hash_sha256_update(&state_, length.data(), length.size());
    update(bytes);
  }

  std::string hex() {
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256_final(&state_, digest.data());
    std::array<char, crypto_hash_sha256_BYTES * 2 + 1> text{};
    sodium_bin2hex(text.data(), text.size(), digest.data(), digest.size());
    return std::string(text.data(), crypto_hash_sha256_BYTES * 2);
  }

 private:
  void update(std::string_view bytes) {
    crypto_hash_sha256_update(&state_, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  }

  crypto_hash_sha256_state state_{};
};

}  // namespace

std::string audit_event_hash(const AuditEventRecord& event) {
  CanonicalHash hash;
  hash.field(std::to_string(event.sequence));
  hash.field(event.previous_hash);
  hash.field(event.id);
  hash.field(event.type);
  hash.field(std::to_string(event.created_at));
  hash.field(event.user_id);
  hash.field(event.actor_id);
  hash.field(event.ip);
  hash.field(event.user_agent);
  hash.field(event.request_id);
  hash.field(event.details_json);
  return hash.hex();
}

AuditEventRecord chain_after(AuditEventRecord event, std::int64_t sequence, std::string_view hash) {
  event.sequence = sequence + 1;
  event.previous_hash = std::string(hash);
  event.hash = audit_event_hash(event);
  return event;
}

}  // namespace sesame::server
