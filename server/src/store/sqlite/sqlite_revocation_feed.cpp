// SqliteStore: the session revocation feed. SQLite serialises writers, so the
// log's seq grows in commit order and a reader only remembers the last seq.
#include "store/sqlite/sqlite_store.hpp"

namespace sesame::server {

namespace {

constexpr char kSelectLastRevocation[] = "SELECT coalesce(max(seq), 0) FROM session_revocations";
constexpr char kSelectRevocationsAfter[] =
    "SELECT seq, session_id FROM session_revocations WHERE seq > ?1 ORDER BY seq";

class SqliteRevocationFeed final : public SessionRevocationFeed {
 public:
  SqliteRevocationFeed(sqlite::ConnectionPool& pool, std::int64_t last_seq) noexcept
      : pool_(pool), last_seq_(last_seq) {}

  Result<std::vector<SessionId>> take_new() override {
    auto lease = pool_.acquire();
    if (!lease) return lease.error();
    auto rows = (*lease)->query(kSelectRevocationsAfter, last_seq_);
    if (!rows) return rows.error();
    std::vector<SessionId> ended;
    std::int64_t seq = last_seq_;
    for (;;) {
      auto has_row = rows->step();
      if (!has_row) return has_row.error();
      if (!*has_row) break;
      seq = rows->integer(0);
      ended.push_back(SessionId{rows->text(1)});
    }
    last_seq_ = seq;
    return ended;
  }

 private:
  sqlite::ConnectionPool& pool_;
  std::int64_t last_seq_;
};

}  // namespace

Result<std::unique_ptr<SessionRevocationFeed>> SqliteStore::open_revocation_feed() {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  auto last = (*lease)->query(kSelectLastRevocation);
  if (!last) return last.error();
  auto has_row = last->step();
  if (!has_row) return has_row.error();
  return std::unique_ptr<SessionRevocationFeed>(std::make_unique<SqliteRevocationFeed>(pool_, last->integer(0)));
}

std::uint64_t SqliteStore::local_revocations() const noexcept { return pool_.local_revocations(); }

}  // namespace sesame::server
