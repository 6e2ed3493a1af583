// PostgresStore: the cache invalidation feed. Concurrent transactions commit
// in any order, so seq alone could skip a row that became visible late. Every
// read also returns its snapshot's xmin, the oldest transaction still running;
// a row not yet visible then belongs to a transaction at or above it, so the
// next read takes every row from there on and reports those it has not seen.
#include <unordered_set>

#include "store/postgres/postgres_store.hpp"

namespace sesame::server {

namespace {

constexpr char kSelectSnapshotXmin[] = "SELECT pg_snapshot_xmin(pg_current_snapshot())::text";
// One row at least (the LEFT JOIN), so the xmin comes back when nothing is new.
constexpr char kSelectInvalidationsFrom[] =
    "SELECT pg_snapshot_xmin(pg_current_snapshot())::text, r.seq, r.session_id, r.user_id"
    " FROM (SELECT 1) AS one LEFT JOIN cache_invalidations r ON r.txid >= $1::xid8";

class PostgresInvalidationFeed final : public CacheInvalidationFeed {
 public:
  PostgresInvalidationFeed(postgres::ConnectionPool& pool, std::string xmin) noexcept
      : pool_(pool), xmin_(std::move(xmin)) {}

  Result<Invalidations> take_new() override {
    return pool_.run([&](pqxx::connection& connection) -> Result<Invalidations> {
      pqxx::nontransaction read(connection);
      const pqxx::result rows = read.exec_params(kSelectInvalidationsFrom, xmin_);
      Invalidations changed;
      std::unordered_set<std::int64_t> returned;
      for (const auto& row : rows) {
        if (row[1].is_null()) continue;
        const auto seq = row[1].as<std::int64_t>();
        returned.insert(seq);
        if (seen_.count(seq) != 0) continue;
        if (!row[2].is_null()) changed.sessions.push_back(SessionId{row[2].as<std::string>()});
        if (!row[3].is_null()) changed.users.push_back(UserId{row[3].as<std::string>()});
      }
      if (!rows.empty()) xmin_ = rows[0][0].as<std::string>();
      // The next read returns a subset of these rows plus new ones.
      seen_ = std::move(returned);
      return changed;
    });
  }

 private:
  postgres::ConnectionPool& pool_;
  std::string xmin_;
  std::unordered_set<std::int64_t> seen_;
};

}  // namespace

Result<std::unique_ptr<CacheInvalidationFeed>> PostgresStore::open_invalidation_feed() {
  return pool_.run([&](pqxx::connection& connection) -> Result<std::unique_ptr<CacheInvalidationFeed>> {
    pqxx::nontransaction read(connection);
    const pqxx::result rows = read.exec(kSelectSnapshotXmin);
    return std::unique_ptr<CacheInvalidationFeed>(
        std::make_unique<PostgresInvalidationFeed>(pool_, rows[0][0].as<std::string>()));
  });
}

std::uint64_t PostgresStore::local_invalidations() const noexcept { return pool_.local_invalidations(); }

}  // namespace sesame::server
