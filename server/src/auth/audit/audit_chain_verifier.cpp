#include "auth/audit/audit_chain_verifier.hpp"

#include "store/audit_chain.hpp"

namespace sesame::server {
namespace {

// The first broken link of `event`, which should be number `expected` after `previous_hash`.
std::optional<AuditChainBreak> broken_link(const AuditEventRecord& event, std::int64_t expected,
                                           std::string_view previous_hash) {
  if (event.sequence != expected) {
    return AuditChainBreak{event.id, event.sequence,
                           "sequence " + std::to_string(expected) + " expected: " +
                               std::to_string(event.sequence - expected) + " event(s) before it were removed"};
  }
  if (event.previous_hash != previous_hash) {
    return AuditChainBreak{event.id, event.sequence,
                           "its previous_hash is not the hash of event " + std::to_string(expected - 1) +
                               ": an event before it was removed, replaced or inserted"};
  }
  if (audit_event_hash(event) != event.hash) {
    return AuditChainBreak{event.id, event.sequence,
                           "its hash does not match its fields: the event was changed (or inserted with a forged hash)"};
  }
  return std::nullopt;
}

}  // namespace

std::string AuditChainReport::summary() const {
  if (intact()) {
    return "audit chain intact: " + std::to_string(events) + " events, head hash " + head_hash;
  }
  const AuditChainBreak& found = *first_break;
  std::string line = "audit chain broken";
  if (!found.event_id.empty()) {
    line += " at event " + found.event_id + " (" +
            (found.sequence > 0 ? "sequence " + std::to_string(found.sequence) : std::string("no sequence")) + ")";
  }
  return line + ": " + found.reason + "; " + std::to_string(events) + " event(s) before it are intact";
}

Result<AuditChainReport> AuditChainVerifier::verify() {
  AuditChainReport report;
  report.head_hash = std::string(kAuditGenesisHash);
  std::string last_id;
  bool reread = false;  // the head counts more: one more page read, for events appended meanwhile
  for (;;) {
    auto page = store_.read_audit_chain(report.events, page_size_);
    if (!page.ok()) return page.error();
    if (!page->empty()) {
      reread = false;
      for (const AuditEventRecord& event : *page) {
        if (auto broken = broken_link(event, report.events + 1, report.head_hash)) {
          report.first_break = std::move(broken);
          return report;
        }
        ++report.events;
        report.head_hash = event.hash;
        last_id = event.id;
      }
      continue;
    }
    // The end of the rows: the head row, moved in each append's transaction, must agree.
    auto head = store_.audit_chain_head();
    if (!head.ok()) return head.error();
    if (!head->has_value()) {
      report.first_break = AuditChainBreak{last_id, report.events, "the chain head row is missing"};
      return report;
    }
    const AuditChainHead& recorded = **head;
    if (recorded.sequence > report.events) {
      if (!reread) {
        reread = true;
        continue;
      }
      report.first_break = AuditChainBreak{
          last_id, report.events,
          "the chain head records " + std::to_string(recorded.sequence) + " events: the " +
              std::to_string(recorded.sequence - report.events) + " after this one were removed"};
      return report;
    }
    if (recorded.sequence < report.events) {
      auto beyond = store_.read_audit_chain(recorded.sequence, 1);
      if (!beyond.ok()) return beyond.error();
      const AuditEventRecord& first = beyond->front();
      report.events = recorded.sequence;
      report.first_break = AuditChainBreak{
          first.id, first.sequence,
          "it lies beyond the chain head (sequence " + std::to_string(recorded.sequence) + "): it was inserted"};
      return report;
    }
    if (recorded.hash != report.head_hash) {
      report.first_break = AuditChainBreak{last_id, report.events,
                                           "the chain head records another hash for it: the last event was replaced"};
      return report;
    }
    break;
  }
  auto unchained = store_.first_unchained_audit_event();
  if (!unchained.ok()) return unchained.error();
  if (unchained->has_value()) {
    report.first_break = AuditChainBreak{(*unchained)->id, 0,
                                         "it has no place in the chain: it was written behind the server's back"};
  }
  return report;
}

}  // namespace sesame::server
