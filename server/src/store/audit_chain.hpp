#pragma once
// The audit log's hash chain. Event n stores previous_hash = the hash of event
// n - 1 (kAuditGenesisHash for event 1) and hash = audit_event_hash(event n):
// changing, removing or inserting a row breaks a link that
// `sesame-server audit verify` finds.
//
// The canonical encoding hashed (SHA-256, libsodium; written as 64 lowercase
// hex digits) is the tag "sesame-audit-v1" followed by these eleven fields, in
// this order, each as its byte length (4 bytes, big-endian) and then its bytes:
//   sequence (decimal), previous_hash (hex), id, type, created_at (decimal unix
//   seconds), user_id, actor_id, ip, user_agent, request_id, details_json (as stored).
// The length prefixes make the encoding unambiguous: no two different events
// encode to the same bytes, whatever their fields contain.

#include <cstdint>
#include <string>
#include <string_view>

#include "store/records.hpp"

namespace sesame::server {

// What event 1 chains from.
inline constexpr std::string_view kAuditGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// The hash of `event` over its sequence, previous_hash and fields (its own
// `hash` is not read).
[[nodiscard]] std::string audit_event_hash(const AuditEventRecord& event);

// `event` as the next link after (sequence, hash): numbered, chained and hashed.
[[nodiscard]] AuditEventRecord chain_after(AuditEventRecord event, std::int64_t sequence, std::string_view hash);

}  // namespace sesame::server
