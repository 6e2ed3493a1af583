#pragma once
// `sesame-server audit verify`: walks the audit hash chain (store/audit_chain.hpp)
// from its first event, a page at a time, and names the first event where a
// link breaks: a changed row (its hash no longer matches its fields), a removed
// one (a gap in the sequence, or events cut off the end that the chain head
// still counts), an inserted one (a previous_hash that does not match, a row
// beyond the head, or a row with no place in the chain).
//
// The hash is not keyed: someone who can write to the database and recompute
// every later hash can rewrite the log undetected. Record the head hash this
// prints somewhere else (a ticket, a second system) to catch that too.

#include <cstdint>
#include <optional>
#include <string>

#include "sesame/result.hpp"
#include "store/store.hpp"

namespace sesame::server {

struct AuditChainBreak {
  std::string event_id;      // empty when no event is left to name
  std::int64_t sequence = 0;  // its place in the chain (0: it has none)
  std::string reason;
};

struct AuditChainReport {
  std::int64_t events = 0;  // events found linked, from the first
  std::string head_hash;    // the hash of the last of them
  std::optional<AuditChainBreak> first_break;

  [[nodiscard]] bool intact() const noexcept { return !first_break.has_value(); }
  // One line: "audit chain intact: N events, ..." or "audit chain broken at event ...".
  [[nodiscard]] std::string summary() const;
};

class AuditChainVerifier {
 public:
  explicit AuditChainVerifier(AuditStore& store, int page_size = 500) : store_(store), page_size_(page_size) {}

  // An error only when the store cannot be read; a broken chain is a report.
  [[nodiscard]] Result<AuditChainReport> verify();

 private:
  AuditStore& store_;
  int page_size_;
};

}  // namespace sesame::server
