// SqliteStore: the cache invalidation feed. SQLite serialises writers, so the
// log's seq grows in commit order and a reader only remembers the last seq.
#include "store/sqlite/sqlite_store.hpp"

namespace sesame::server {

namespace {

constexpr char kSelectLastInvalidation[] = "SELECT coalesce(max(seq), 0) FROM cache_invalidations";
constexpr char kSelectInvalidationsAfter[] =
    "SELECT seq, session_id, user_id FROM cache_invalidations WHERE seq > ?1 ORDER BY seq";

class SqliteInvalidationFeed final : public CacheInvalidationFeed {
 public:
  SqliteInvalidationFeed(sqlite::ConnectionPool& pool, std::int64_t last_seq) noexcept
      : pool_(pool), last_seq_(last_seq) {}

  Result<Invalidations> take_new() override {
    auto lease = pool_.acquire();
    if (!lease) return lease.error();
    auto rows = (*lease)->query(kSelectInvalidationsAfter, last_seq_);
    if (!rows) return rows.error();
    Invalidations changed;
    std::int64_t seq = last_seq_;
    for (;;) {
      auto has_row = rows->step();
      if (!has_row) return has_row.error();
      if (!*has_row) break;
      seq = rows->integer(0);
      if (auto session = rows->text(1); !session.empty()) changed.sessions.push_back(SessionId{std::move(session)});
      if (auto user = rows->text(2); !user.empty()) changed.users.push_back(UserId{std::move(user)});
    }
    last_seq_ = seq;
    return changed;
  }

 private:
  sqlite::ConnectionPool& pool_;
  std::int64_t last_seq_;
};

}  // namespace

Result<std::unique_ptr<CacheInvalidationFeed>> SqliteStore::open_invalidation_feed() {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  auto last = (*lease)->query(kSelectLastInvalidation);
  if (!last) return last.error();
  auto has_row = last->step();
  if (!has_row) return has_row.error();
  return std::unique_ptr<CacheInvalidationFeed>(std::make_unique<SqliteInvalidationFeed>(pool_, last->integer(0)));
}

std::uint64_t SqliteStore::local_invalidations() const noexcept { return pool_.local_invalidations(); }

}  // namespace sesame::server
