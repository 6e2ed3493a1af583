// One conformance suite for every Store implementation. The same executable is
// registered once per dialect (tests/server/store/tests.cmake):
//   SESAME_TEST_STORE=sqlite    fresh SQLite files in a temp dir
//   SESAME_TEST_STORE=postgres  fresh databases on the PostgreSQL that
//                               tests/support/postgres.sh started; its state
//                               file is SESAME_TEST_POSTGRES_STATE
// The postgres_recovery suite stops and restarts that server through the script
// (SESAME_TEST_POSTGRES_SCRIPT), so it runs on a cluster of its own.
#define BOOST_TEST_MODULE store_conformance
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <latch>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "printing.hpp"
#include "test_databases.hpp"
#include "auth/audit/audit_chain_verifier.hpp"
#include "store/audit_chain.hpp"
#include "store/migrations.hpp"
#include "store/sqlite/sqlite_connection.hpp"
#include "store/store.hpp"

namespace sesame::server {
inline std::ostream& operator<<(std::ostream& out, RotationOutcome outcome) {
  switch (outcome) {
    case RotationOutcome::rotated: return out << "rotated";
    case RotationOutcome::already_rotated: return out << "already_rotated";
    case RotationOutcome::reuse_detected: return out << "reuse_detected";
    case RotationOutcome::unknown_token: return out << "unknown_token";
    case RotationOutcome::expired_token: return out << "expired_token";
    case RotationOutcome::inactive_session: return out << "inactive_session";
  }
  return out << "?";
}
inline std::ostream& operator<<(std::ostream& out, const SweepCounts& c) {
  return out << "{sessions " << c.sessions << ", refresh_tokens " << c.refresh_tokens << ", mfa " << c.mfa_challenges
             << ", account_tokens " << c.account_tokens << ", mail_requests " << c.mail_requests << ", mail " << c.mail
             << ", login_failures " << c.login_failures << ", cache_invalidations " << c.cache_invalidations << "}";
}
}  // namespace sesame::server

namespace {

using namespace sesame;
using namespace sesame::server;
using sesame::test::Databases;
using sesame::test::env_or;
using sesame::test::read_key_values;
using sesame::test::store_kind;

constexpr std::int64_t kNow = 1'700'000'000;
constexpr std::int64_t kDay = 24 * 60 * 60;

template <class T>
std::string describe(const Result<T>& result) {
  if (result.ok()) return "ok";
  return std::string(error_code_name(result.code())) + ": " + result.error().detail;
}

// REQUIRE_OK(call): the call must succeed (a statement).
// value_of(call): the call must succeed; its value.
#define REQUIRE_OK(expr)                                                          \
  do {                                                                            \
    const auto& required_result = (expr);                                         \
    BOOST_REQUIRE_MESSAGE(required_result.ok(), #expr << ": " << describe(required_result)); \
  } while (false)

template <class T>
T value_of_impl(Result<T> result, const char* expr) {
  BOOST_REQUIRE_MESSAGE(result.ok(), expr << ": " << describe(result));
  return std::move(result).value();
}
#define value_of(expr) value_of_impl((expr), #expr)

// Names unique to this run, so tests can share one database.
std::string unique(const std::string& prefix) {
  static std::atomic<int> counter{0};
  static const std::string run = std::to_string(::getpid());
  return prefix + "-" + run + "-" + std::to_string(++counter);
}



// Created on first use, torn down by the global fixture below (not at exit:
// libpqxx's own statics are gone by then).
std::unique_ptr<Databases> g_databases;

Databases& databases() {
  if (!g_databases) g_databases = std::make_unique<Databases>();
  return *g_databases;
}

std::unique_ptr<Store> open(const std::string& url) {
  auto store = open_store(url, databases().temp_dir().string());
  BOOST_REQUIRE_MESSAGE(store.ok(), describe(store));
  return std::move(store).value();
}

// A migrated database of its own, for tests that count every row of a kind in it.
std::unique_ptr<Store> fresh_migrated(const std::string& url = databases().fresh_url()) {
  auto fresh = open(url);
  REQUIRE_OK(fresh->migrate());
  return fresh;
}

// One migrated database shared by the tests that only add uniquely named rows.
struct SharedStore {
  SharedStore() : url(databases().fresh_url()), store(open(url)) { REQUIRE_OK(store->migrate()); }
  std::string url;
  std::unique_ptr<Store> store;
};

std::unique_ptr<SharedStore> g_shared;

SharedStore& shared() {
  if (!g_shared) g_shared = std::make_unique<SharedStore>();
  return *g_shared;
}

struct TearDown {
  TearDown() = default;
  ~TearDown() {
    g_shared.reset();  // stores first: PostgreSQL drops databases nobody uses
    g_databases.reset();
  }
};
Store& store() { return *shared().store; }

std::size_t migration_count() {
  return store_kind() == "postgres" ? postgres_migrations().size() : sqlite_migrations().size();
}

UserRecord make_user(const std::string& email_key = unique("user") + "@example.com") {
  UserRecord user;
  user.id.value = unique("u");
  user.email = email_key;
  user.email_key = email_key;
  user.name = "Ada";
  user.tenant_id = "default";
  user.roles = {"user"};
  user.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA";
  user.created_at = kNow;
  user.updated_at = kNow;
  return user;
}

MailRecord make_mail(const std::string& to_key, std::int64_t now = kNow) {
  MailRecord mail;
  mail.id = unique("mail");
  mail.kind = "email_verification";
  mail.to = to_key;
  mail.to_key = to_key;
  mail.subject = "Subject";
  mail.text_body = "text with a link";
  mail.html_body = "<p>html</p>";
  mail.created_at = now;
  mail.next_attempt_at = now;
  return mail;
}

UserRecord create_user() {
  UserRecord user = make_user();
  REQUIRE_OK(store().create_user(user));
  return user;
}

SessionRecord make_session(const UserId& user, std::int64_t created_at = kNow, std::int64_t lifetime = 30 * kDay) {
  SessionRecord session;
  session.id.value = unique("s");
  session.user_id = user;
  session.created_at = created_at;
  session.last_active_at = created_at;
  session.expires_at = created_at + lifetime;
  session.ip = "203.0.113.7";
  session.user_agent = "conformance/1.0";
  session.amr = {"pwd"};
  return session;
}

SessionRecord create_session(const UserId& user, std::int64_t created_at = kNow, std::int64_t lifetime = 30 * kDay) {
  SessionRecord session = make_session(user, created_at, lifetime);
  REQUIRE_OK(store().create_session(session));
  return session;
}

RefreshTokenRecord make_token(const SessionId& session, std::int64_t issued_at = kNow,
                              std::int64_t lifetime = 30 * kDay) {
  RefreshTokenRecord token;
  token.token_hash = unique("hash");
  token.session_id = session;
  token.issued_at = issued_at;
  token.expires_at = issued_at + lifetime;
  return token;
}

// A user with a session and its first refresh token, stored.
struct Family {
  UserRecord user;
  SessionRecord session;
  RefreshTokenRecord token;
};

Family create_family(Store& target = store()) {
  Family family{make_user(), {}, {}};
  REQUIRE_OK(target.create_user(family.user));
  family.session = make_session(family.user.id);
  REQUIRE_OK(target.create_session(family.session));
  family.token = make_token(family.session.id);
  REQUIRE_OK(target.insert_refresh_token(family.token));
  return family;
}

AuditQuery query_of(const std::string& user_id, const std::string& before_id, int limit) {
  AuditQuery query;
  query.user_id = user_id;
  query.before_id = before_id;
  query.limit = limit;
  return query;
}

struct SqliteOnly {
  boost::test_tools::assertion_result operator()(boost::unit_test::test_unit_id) const {
    return store_kind() == "sqlite";
  }
};

// Runs `work(i)` on `count` threads released together; returns the results in order.
template <class Work>
auto on_threads(int count, Work work) {
  using Value = decltype(work(0));
  std::vector<std::optional<Value>> results(static_cast<std::size_t>(count));
  std::latch start(count);
  std::vector<std::thread> threads;
  for (int i = 0; i < count; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      results[static_cast<std::size_t>(i)].emplace(work(i));
    });
  }
  for (auto& thread : threads) thread.join();
  std::vector<Value> values;
  for (auto& result : results) values.push_back(std::move(*result));
  return values;
}

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(TearDown);

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(migrations)

BOOST_AUTO_TEST_CASE(migrate_applies_every_migration_once_then_nothing) {
  auto fresh = open(databases().fresh_url());
  const auto first = value_of(fresh->migrate());
  BOOST_TEST(static_cast<std::size_t>(first) == migration_count());
  const auto second = value_of(fresh->migrate());
  BOOST_TEST(second == 0);
  BOOST_TEST(fresh->ping().ok());
}

BOOST_AUTO_TEST_CASE(concurrent_migrations_from_two_stores_apply_each_version_once) {
  const auto url = databases().fresh_url();
  auto one = open(url);
  auto two = open(url);
  auto applied = on_threads(2, [&](int i) { return (i == 0 ? one : two)->migrate(); });
  BOOST_REQUIRE_MESSAGE(applied[0].ok(), describe(applied[0]));
  BOOST_REQUIRE_MESSAGE(applied[1].ok(), describe(applied[1]));
  BOOST_TEST(static_cast<std::size_t>(applied[0].value() + applied[1].value()) == migration_count());
  BOOST_TEST(value_of(one->migrate()) == 0);
}

// Runs raw SQL on the database at `url`, outside any store.
void execute_raw(const std::string& url, const std::string& sql) {
  if (store_kind() == "postgres") {
    pqxx::connection connection(url);
    pqxx::work transaction(connection);
    transaction.exec(sql);
    transaction.commit();
    return;
  }
  auto connection = sqlite::Connection::open(url.substr(std::string_view("sqlite:").size()), std::chrono::seconds(5));
  BOOST_REQUIRE_MESSAGE(connection.ok(), describe(connection));
  REQUIRE_OK((*connection)->execute(sql));
}

// What a database of the previous release holds: users in the old '' tenant
// and in named ones, each with rows in the tables that reference users.
constexpr char kRowsBeforeTenants[] = R"sql(
INSERT INTO users (id, email, email_key, name, tenant_id, roles, password_hash, email_verified, disabled, created_at, updated_at) VALUES
  ('u-blank', 'Ann@example.com', 'ann@example.com', 'Ann', '', '["user"]', 'hash-ann', true, false, 100, 101),
  ('u-default', 'bob@example.com', 'bob@example.com', 'Bob', 'default', '["admin"]', 'hash-bob', false, true, 200, 201),
  ('u-acme', 'cy@example.com', 'cy@example.com', 'Cy', 'acme', '[]', 'hash-cy', false, false, 300, 301);
INSERT INTO sessions (id, user_id, created_at, last_active_at, expires_at, ip, user_agent, amr, revoked_at, revoked_reason, scope) VALUES
  ('s-blank', 'u-blank', 1700000000, 1700000000, 1800000000, '203.0.113.1', 'old/1', '["pwd"]', NULL, '', ''),
  ('s-acme', 'u-acme', 1700000000, 1700000000, 1800000000, '203.0.113.2', 'old/2', '["pwd","otp"]', NULL, '', '');
INSERT INTO refresh_tokens (token_hash, session_id, issued_at, expires_at, used_at, successor_hash, successor_sealed) VALUES
  ('t-blank', 's-blank', 1700000000, 1800000000, NULL, '', '');
INSERT INTO totp_credentials (user_id, secret_sealed, confirmed_at, last_accepted_step, created_at) VALUES
  ('u-default', 'sealed-secret', 150, 7, 140);
INSERT INTO backup_codes (id, user_id, lookup, code_hash, created_at, used_at) VALUES
  ('b-1', 'u-default', 'look', 'code-hash', 150, NULL);
INSERT INTO mfa_challenges (token_hash, user_id, created_at, expires_at, attempts, used_at) VALUES
  ('c-acme', 'u-acme', 1700000000, 1800000000, 0, NULL);
INSERT INTO account_tokens (token_hash, purpose, user_id, email_key, created_at, expires_at, used_at) VALUES
  ('a-blank', 'password_reset', 'u-blank', 'ann@example.com', 1700000000, 1800000000, NULL);
INSERT INTO mail_outbox (id, kind, to_address, to_key, user_id, subject, text_body, html_body, created_at, next_attempt_at) VALUES
  ('m-blank', 'password_reset', 'Ann@example.com', 'ann@example.com', 'u-blank', 'Reset', 'text', '<p>html</p>', 1700000000, 1700000000);
INSERT INTO audit_events (id, type, created_at, user_id, actor_id, ip, user_agent, request_id, details_json) VALUES
  ('e-1', 'login_succeeded', 1700000000, 'u-blank', 'u-blank', '203.0.113.1', 'old/1', 'r-1', '{}');
INSERT INTO login_failures (key, failures, window_ends_at, locked_until) VALUES ('login:ann@example.com', 2, 1800000000, NULL);
)sql";

BOOST_AUTO_TEST_CASE(tenants_migration_keeps_every_existing_row_and_reference) {
  // A database of the release before the audit chain (0004) and tenants (0005):
  // migrate() runs both, the chain's C++ step included.
  constexpr int kFirstMigratedVersion = 4;
  const auto url = databases().fresh_url();
  const auto migrations = store_kind() == "postgres" ? postgres_migrations() : sqlite_migrations();
  execute_raw(url, "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                   " applied_at INTEGER NOT NULL)");
  int later = 0;
  for (const Migration& migration : migrations) {
    if (migration.version >= kFirstMigratedVersion) {
      ++later;
      continue;
    }
    execute_raw(url, std::string(migration.sql));
    execute_raw(url, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (" +
                         std::to_string(migration.version) + ", '" + std::string(migration.name) + "', 0)");
  }
  execute_raw(url, kRowsBeforeTenants);

  auto migrated = open(url);
  BOOST_TEST(value_of(migrated->migrate()) == later);

  // Users: the blank tenant became the default one; every field survived.
  const auto ann = value_of(migrated->find_user_by_email_key(kDefaultTenant, "ann@example.com"));
  BOOST_REQUIRE(ann.has_value());
  BOOST_TEST(ann->id.value == "u-blank");
  BOOST_TEST(ann->email == "Ann@example.com");
  BOOST_TEST(ann->name == "Ann");
  BOOST_TEST(ann->roles == std::vector<std::string>{"user"}, boost::test_tools::per_element());
  BOOST_TEST(ann->password_hash == "hash-ann");
  BOOST_TEST(ann->email_verified);
  BOOST_TEST(!ann->disabled);
  BOOST_TEST(!ann->password_must_change);
  BOOST_TEST(ann->created_at == 100);
  BOOST_TEST(ann->updated_at == 101);
  const auto bob = value_of(migrated->find_user_by_id(UserId{"u-default"}));
  BOOST_TEST(bob->tenant_id == kDefaultTenant);
  BOOST_TEST(bob->disabled);
  BOOST_TEST(value_of(migrated->find_user_by_email_key("acme", "cy@example.com"))->id.value == "u-acme");
  // Every tenant a user named exists now.
  BOOST_REQUIRE(value_of(migrated->find_tenant("acme")).has_value());
  BOOST_TEST(value_of(migrated->find_tenant(kDefaultTenant))->name == "Default");
  BOOST_TEST(value_of(migrated->list_users(UserQuery{})).size() == 3u);

  // Rows that reference users still point at them and still work.
  BOOST_TEST(value_of(migrated->find_session(SessionId{"s-blank"}))->user_id.value == "u-blank");
  BOOST_TEST(value_of(migrated->list_active_sessions(UserId{"u-acme"}, 1700000001)).size() == 1u);
  const auto rotation = value_of(migrated->rotate_refresh_token("t-blank", make_token(SessionId{"s-blank"}, 1700000100),
                                                                "sealed", 1700000100, 10));
  BOOST_TEST(rotation.outcome == RotationOutcome::rotated);
  BOOST_TEST((value_of(migrated->find_totp_credential(UserId{"u-default"}))->last_accepted_step ==
              std::optional<std::int64_t>(7)));
  BOOST_TEST(value_of(migrated->find_backup_codes(UserId{"u-default"}, "look")).size() == 1u);
  BOOST_TEST(value_of(migrated->count_mfa_attempt("c-acme", 1700000001, 5)).has_value());
  BOOST_TEST(value_of(migrated->find_account_token("a-blank"))->user_id.value == "u-blank");
  BOOST_TEST(value_of(migrated->list_mail_to("ann@example.com", 10)).size() == 1u);
  BOOST_TEST(value_of(migrated->list_audit_events(query_of("u-blank", "", 10))).size() == 1u);
  BOOST_TEST(value_of(migrated->lockout_state("login:ann@example.com", 1700000000)).failures == 2);

  // Foreign keys are enforced, and email is now unique per tenant.
  BOOST_TEST(!migrated->create_session(make_session(UserId{"no-such-user"})).ok());
  REQUIRE_OK(migrated->create_session(make_session(UserId{"u-blank"})));
  UserRecord in_acme = make_user("ann@example.com");
  in_acme.tenant_id = "acme";
  REQUIRE_OK(migrated->create_user(in_acme));
  UserRecord in_default = make_user("ann@example.com");
  BOOST_TEST(migrated->create_user(in_default).code() == ErrorCode::email_taken);
  UserRecord in_no_tenant = make_user();
  in_no_tenant.tenant_id = unique("missing");
  BOOST_TEST(!migrated->create_user(in_no_tenant).ok());
}

BOOST_AUTO_TEST_CASE(store_reports_its_dialect) { BOOST_TEST(store().dialect() == store_kind()); }

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(open_store_urls, *boost::unit_test::precondition(SqliteOnly{}))

BOOST_AUTO_TEST_CASE(empty_url_creates_a_private_data_dir_and_database) {
  const auto data_dir = databases().temp_dir() / "nested" / "data";
  auto opened = open_store("", data_dir.string());
  BOOST_REQUIRE_MESSAGE(opened.ok(), describe(opened));
  BOOST_TEST(opened.value()->dialect() == "sqlite");
  struct stat info {};
  BOOST_REQUIRE(::stat(data_dir.c_str(), &info) == 0);
  BOOST_TEST((info.st_mode & 0777) == 0700u);
  BOOST_REQUIRE(::stat((data_dir / "sesame.db").c_str(), &info) == 0);
  BOOST_TEST((info.st_mode & 0777) == 0600u);
}

BOOST_AUTO_TEST_CASE(sqlite_url_names_the_file) {
  const auto path = databases().temp_dir() / "named" / "custom.sqlite";
  auto opened = open_store("sqlite:" + path.string(), "");
  BOOST_REQUIRE_MESSAGE(opened.ok(), describe(opened));
  BOOST_TEST(std::filesystem::exists(path));
}

BOOST_AUTO_TEST_CASE(unknown_url_scheme_is_invalid_and_not_echoed) {
  auto opened = open_store("mysql://root:hunter2@db/sesame", "");
  BOOST_REQUIRE(!opened.ok());
  BOOST_TEST(opened.code() == ErrorCode::invalid_argument);
  BOOST_TEST(opened.error().detail.find("hunter2") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(accounts)

BOOST_AUTO_TEST_CASE(created_user_is_found_by_email_key_and_by_id) {
  UserRecord user = make_user();
  user.roles = {"user", "admin"};
  user.email_verified = true;
  REQUIRE_OK(store().create_user(user));

  const auto by_key = value_of(store().find_user_by_email_key(user.tenant_id, user.email_key));
  BOOST_REQUIRE(by_key.has_value());
  const UserRecord& found = *by_key;
  BOOST_TEST(found.id.value == user.id.value);
  BOOST_TEST(found.email == user.email);
  BOOST_TEST(found.name == user.name);
  BOOST_TEST(found.tenant_id == user.tenant_id);
  BOOST_TEST(found.roles == user.roles, boost::test_tools::per_element());
  BOOST_TEST(found.password_hash == user.password_hash);
  BOOST_TEST(found.email_verified);
  BOOST_TEST(!found.disabled);
  BOOST_TEST(found.created_at == user.created_at);

  const auto by_id = value_of(store().find_user_by_id(user.id));
  BOOST_REQUIRE(by_id.has_value());
  BOOST_TEST(by_id->email_key == user.email_key);
}

BOOST_AUTO_TEST_CASE(unknown_user_is_empty_not_an_error) {
  BOOST_TEST(!value_of(store().find_user_by_email_key(kDefaultTenant, "nobody@example.com")).has_value());
  BOOST_TEST(!value_of(store().find_user_by_id(UserId{"no-such-id"})).has_value());
}

BOOST_AUTO_TEST_CASE(second_user_with_the_same_email_key_is_email_taken) {
  const UserRecord first = create_user();
  UserRecord second = make_user(first.email_key);
  second.email = "Other.Case@Example.com";
  const auto created = store().create_user(second);
  BOOST_REQUIRE(!created.ok());
  BOOST_TEST(created.code() == ErrorCode::email_taken);
  BOOST_TEST(!value_of(store().find_user_by_id(second.id)).has_value());
}

BOOST_AUTO_TEST_CASE(twenty_concurrent_creates_of_one_email_exactly_one_succeeds) {
  const std::string email_key = unique("race") + "@example.com";
  auto results = on_threads(20, [&](int) { return store().create_user(make_user(email_key)); });
  int succeeded = 0;
  int taken = 0;
  for (const auto& result : results) {
    if (result.ok()) ++succeeded;
    else if (result.code() == ErrorCode::email_taken) ++taken;
    else BOOST_ERROR("unexpected: " << describe(result));
  }
  BOOST_TEST(succeeded == 1);
  BOOST_TEST(taken == 19);
}

BOOST_AUTO_TEST_CASE(password_hash_update_is_stored_with_its_time) {
  const UserRecord user = create_user();
  REQUIRE_OK(store().update_password_hash(user.id, "$argon2id$v=19$m=65536,t=3,p=1$bmV3$bmV3", kNow + 60));
  const auto found = value_of(store().find_user_by_id(user.id));
  BOOST_TEST(found->password_hash == "$argon2id$v=19$m=65536,t=3,p=1$bmV3$bmV3");
  BOOST_TEST(found->updated_at == kNow + 60);
}

BOOST_AUTO_TEST_CASE(password_hash_update_of_unknown_user_is_not_found) {
  const auto updated = store().update_password_hash(UserId{"no-such-id"}, "x", kNow);
  BOOST_REQUIRE(!updated.ok());
  BOOST_TEST(updated.code() == ErrorCode::not_found);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(sessions)

BOOST_AUTO_TEST_CASE(created_session_is_found_with_every_field) {
  const UserRecord user = create_user();
  SessionRecord session = make_session(user.id);
  session.amr = {"pwd", "otp"};
  REQUIRE_OK(store().create_session(session));
  const auto found = value_of(store().find_session(session.id));
  BOOST_REQUIRE(found.has_value());
  const SessionRecord& record = *found;
  BOOST_TEST(record.user_id.value == user.id.value);
  BOOST_TEST(record.created_at == session.created_at);
  BOOST_TEST(record.last_active_at == session.last_active_at);
  BOOST_TEST(record.expires_at == session.expires_at);
  BOOST_TEST(record.ip == session.ip);
  BOOST_TEST(record.user_agent == session.user_agent);
  BOOST_TEST(record.amr == session.amr, boost::test_tools::per_element());
  BOOST_TEST(!record.revoked_at.has_value());
  BOOST_TEST(!value_of(store().find_session(SessionId{"no-such-session"})).has_value());
}

BOOST_AUTO_TEST_CASE(active_sessions_exclude_revoked_and_expired_newest_first) {
  const UserRecord user = create_user();
  const UserRecord other = create_user();
  const auto older = create_session(user.id, kNow - 100);
  const auto newer = create_session(user.id, kNow - 10);
  const auto revoked = create_session(user.id, kNow - 50);
  const auto expired = create_session(user.id, kNow - 2 * kDay, kDay);
  create_session(other.id);
  BOOST_TEST(value_of(store().revoke_session(revoked.id, user.id, kNow, "logout")));

  const auto active = value_of(store().list_active_sessions(user.id, kNow));
  std::vector<std::string> ids;
  for (const auto& session : active) ids.push_back(session.id.value);
  const std::vector<std::string> expected{newer.id.value, older.id.value};
  BOOST_TEST(ids == expected, boost::test_tools::per_element());
  (void)expired;
}

BOOST_AUTO_TEST_CASE(revoking_all_sessions_ends_every_users_active_sessions) {
  const UserRecord one = create_user();
  const UserRecord two = create_user();
  const auto first = create_session(one.id);
  const auto second = create_session(two.id);
  const auto expired = create_session(two.id, kNow - 2 * kDay, kDay);
  // Other cases' sessions in this database end too: at least these two.
  BOOST_TEST(value_of(store().revoke_all_sessions(kNow, "incident")) >= 2);
  BOOST_TEST(!value_of(store().is_session_active(first.id, kNow)));
  BOOST_TEST(!value_of(store().is_session_active(second.id, kNow)));
  BOOST_TEST(value_of(store().find_session(first.id))->revoked_reason == "incident");
  BOOST_TEST(!value_of(store().find_session(expired.id))->revoked_at.has_value());
  BOOST_TEST(value_of(store().revoke_all_sessions(kNow, "incident")) == 0);
}

BOOST_AUTO_TEST_CASE(revoking_another_users_session_is_false_and_changes_nothing) {
  const UserRecord owner = create_user();
  const UserRecord stranger = create_user();
  const auto session = create_session(owner.id);
  BOOST_TEST(!value_of(store().revoke_session(session.id, stranger.id, kNow, "revoked")));
  BOOST_TEST(value_of(store().is_session_active(session.id, kNow)));
}

BOOST_AUTO_TEST_CASE(refresh_token_leads_to_its_active_session_only) {
  const Family family = create_family();
  const auto found = value_of(store().find_refresh_token_session(family.token.token_hash, kNow + 1));
  BOOST_TEST_REQUIRE(found.has_value());
  BOOST_TEST(found->id.value == family.session.id.value);
  BOOST_TEST(!value_of(store().find_refresh_token_session("no-such-hash", kNow + 1)).has_value());
  BOOST_TEST(!value_of(store().find_refresh_token_session(family.token.token_hash, family.session.expires_at)).has_value());
  BOOST_TEST(value_of(store().revoke_session(family.session.id, family.user.id, kNow + 2, "logout")));
  BOOST_TEST(!value_of(store().find_refresh_token_session(family.token.token_hash, kNow + 3)).has_value());
}

BOOST_AUTO_TEST_CASE(revoking_a_session_records_why_and_only_once) {
  const UserRecord user = create_user();
  const auto session = create_session(user.id);
  BOOST_TEST(value_of(store().revoke_session(session.id, user.id, kNow + 5, "logout")));
  BOOST_TEST(!value_of(store().revoke_session(session.id, user.id, kNow + 6, "revoked")));
  const auto found = value_of(store().find_session(session.id));
  BOOST_TEST(found->revoked_at.value_or(-1) == kNow + 5);
  BOOST_TEST(found->revoked_reason == "logout");
  BOOST_TEST(!value_of(store().is_session_active(session.id, kNow + 6)));
}

BOOST_AUTO_TEST_CASE(revoking_all_but_the_current_session_keeps_only_that_one) {
  const UserRecord user = create_user();
  const UserRecord other = create_user();
  const auto current = create_session(user.id);
  const auto second = create_session(user.id);
  const auto third = create_session(user.id);
  const auto bystander = create_session(other.id);
  const auto revoked = value_of(store().revoke_user_sessions(user.id, current.id, kNow, "revoked"));
  BOOST_TEST(revoked == 2);
  BOOST_TEST(value_of(store().is_session_active(current.id, kNow)));
  BOOST_TEST(!value_of(store().is_session_active(second.id, kNow)));
  BOOST_TEST(!value_of(store().is_session_active(third.id, kNow)));
  BOOST_TEST(value_of(store().is_session_active(bystander.id, kNow)));

  const auto everything = value_of(store().revoke_user_sessions(user.id, std::nullopt, kNow, "password_change"));
  BOOST_TEST(everything == 1);
  BOOST_TEST(!value_of(store().is_session_active(current.id, kNow)));
  BOOST_TEST(value_of(store().find_session(current.id))->revoked_reason == "password_change");
}

BOOST_AUTO_TEST_CASE(session_is_active_until_its_absolute_expiry) {
  const UserRecord user = create_user();
  const auto session = create_session(user.id, kNow, 100);
  BOOST_TEST(value_of(store().is_session_active(session.id, kNow + 99)));
  BOOST_TEST(!value_of(store().is_session_active(session.id, kNow + 100)));
  BOOST_TEST(!value_of(store().is_session_active(SessionId{"no-such-session"}, kNow)));
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
// The log of ended sessions (migration 0007) that in-memory token caches read.
BOOST_AUTO_TEST_SUITE(cache_invalidations)

namespace {

std::set<std::string> ids_of(const Result<Invalidations>& changed) {
  BOOST_REQUIRE_MESSAGE(changed.ok(), describe(changed));
  std::set<std::string> ids;
  for (const auto& id : changed.value().sessions) ids.insert(id.value);
  return ids;
}

std::set<std::string> users_of(const Result<Invalidations>& changed) {
  BOOST_REQUIRE_MESSAGE(changed.ok(), describe(changed));
  std::set<std::string> ids;
  for (const auto& id : changed.value().users) ids.insert(id.value);
  return ids;
}

// Migrated database of the case's own, so that no other case's revocations show.
struct OwnDatabase {
  std::string url = databases().fresh_url();
  std::unique_ptr<Store> target = fresh_migrated(url);
  // Live by the database's clock too (the delete trigger reads it).
  std::int64_t far_future = static_cast<std::int64_t>(std::time(nullptr)) + 30 * kDay;

  SessionRecord live_session(const UserId& user) {
    SessionRecord session = make_session(user, kNow, far_future - kNow);
    REQUIRE_OK(target->create_session(session));
    return session;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(feed_reports_every_way_a_session_ends_and_counts_local_commits, OwnDatabase) {
  auto other_process = open(url);
  auto feed = value_of(target->open_invalidation_feed());
  auto other_feed = value_of(other_process->open_invalidation_feed());
  BOOST_TEST(ids_of(feed->take_new()).empty());

  UserRecord user = make_user();
  REQUIRE_OK(target->create_user(user));
  UserRecord disabled = make_user();
  REQUIRE_OK(target->create_user(disabled));
  const auto first = live_session(user.id);
  const auto kept = live_session(user.id);
  const auto third = live_session(user.id);
  const auto of_disabled = live_session(disabled.id);
  std::uint64_t local = target->local_invalidations();
  BOOST_TEST(ids_of(feed->take_new()).empty(), "creating sessions ends none");
  BOOST_TEST(target->local_invalidations() == local);

  auto expect = [&](const std::set<std::string>& ended, const char* how) {
    BOOST_TEST_CONTEXT(how) {
      BOOST_TEST(target->local_invalidations() > local);
      local = target->local_invalidations();
      BOOST_TEST((ids_of(feed->take_new()) == ended));
    }
  };
  BOOST_TEST(value_of(target->revoke_session(first.id, user.id, kNow, "logout")));
  expect({first.id.value}, "revoke_session");
  BOOST_TEST(!value_of(target->revoke_session(first.id, user.id, kNow, "logout")));
  BOOST_TEST(ids_of(feed->take_new()).empty(), "a second revocation of one session logs nothing");

  BOOST_TEST(value_of(target->revoke_user_sessions(user.id, kept.id, kNow, "revoked")) == 1);
  expect({third.id.value}, "revoke_user_sessions");

  UserChanges disable;
  disable.disabled = true;
  BOOST_TEST(value_of(target->update_user(disabled.id, disable, kNow, "user_disabled")).has_value());
  expect({of_disabled.id.value}, "an admin disabling the user");

  Family family{make_user(), {}, {}};
  REQUIRE_OK(target->create_user(family.user));
  family.session = live_session(family.user.id);
  family.token = make_token(family.session.id);
  REQUIRE_OK(target->insert_refresh_token(family.token));
  REQUIRE_OK(target->rotate_refresh_token(family.token.token_hash, make_token(family.session.id), "s", kNow, 0));
  local = target->local_invalidations();
  const auto reused =
      value_of(target->rotate_refresh_token(family.token.token_hash, make_token(family.session.id), "t", kNow + 1, 0));
  BOOST_TEST(reused.outcome == RotationOutcome::reuse_detected);
  expect({family.session.id.value}, "refresh token reuse");

  const auto deleted = live_session(user.id);
  const auto revoked_everywhere = live_session(disabled.id);
  BOOST_TEST(value_of(target->revoke_all_sessions(kNow, "incident")) == 3);
  expect({kept.id.value, deleted.id.value, revoked_everywhere.id.value}, "revoke_all_sessions");

  const auto gone = live_session(user.id);
  sesame::test::run_sql(url, "DELETE FROM sessions WHERE id = '" + gone.id.value + "'");
  BOOST_TEST((ids_of(feed->take_new()) == std::set<std::string>{gone.id.value}), "a live session deleted");

  // Another process on the database saw every one of them, and made none itself.
  const std::set<std::string> everything{first.id.value, third.id.value, of_disabled.id.value,
                                         family.session.id.value, kept.id.value, deleted.id.value,
                                         revoked_everywhere.id.value, gone.id.value};
  BOOST_TEST((ids_of(other_feed->take_new()) == everything));
  BOOST_TEST(other_process->local_invalidations() == 0u);
}

BOOST_FIXTURE_TEST_CASE(feed_reports_users_whose_account_view_changed, OwnDatabase) {
  UserRecord user = make_user();
  REQUIRE_OK(target->create_user(user));
  UserRecord bystander = make_user();
  REQUIRE_OK(target->create_user(bystander));
  auto feed = value_of(target->open_invalidation_feed());
  std::uint64_t local = target->local_invalidations();
  auto expect_user = [&](const char* how) {
    BOOST_TEST_CONTEXT(how) {
      BOOST_TEST(target->local_invalidations() > local);
      local = target->local_invalidations();
      BOOST_TEST((users_of(feed->take_new()) == std::set<std::string>{user.id.value}));
    }
  };
  (void)live_session(user.id);
  BOOST_TEST(users_of(feed->take_new()).empty(), "a new session changes no account view");

  REQUIRE_OK(target->update_password_hash(user.id, "$argon2id$new", kNow));
  expect_user("password hash");
  TotpCredentialRecord pending{user.id, "sealed", std::nullopt, std::nullopt, kNow};
  BOOST_TEST(value_of(target->save_pending_totp(pending)));
  expect_user("TOTP set up");
  BOOST_TEST(value_of(target->confirm_totp(user.id, "sealed", 100, kNow, {}, make_mail(user.email_key))));
  expect_user("TOTP confirmed");
  BOOST_TEST(value_of(target->advance_totp_step(user.id, 101)));
  expect_user("a TOTP code accepted");
  BackupCodeRecord code{unique("code"), user.id, "look", "hash", kNow, std::nullopt};
  REQUIRE_OK(target->replace_backup_codes(user.id, {code}));
  expect_user("backup codes replaced");
  BOOST_TEST(value_of(target->consume_backup_code(code.id, kNow)));
  expect_user("a backup code used");
  BOOST_TEST(value_of(target->delete_totp(user.id, make_mail(user.email_key))));
  expect_user("TOTP removed");
  UserChanges renamed;
  renamed.name = "Grace";
  BOOST_TEST(value_of(target->update_user(user.id, renamed, kNow, "")).has_value());
  expect_user("an admin's change");
  sesame::test::run_sql(url, "DELETE FROM users WHERE id = '" + user.id.value + "'");
  BOOST_TEST(users_of(feed->take_new()).count(user.id.value) == 1u, "a deleted user");
}

struct PostgresOnly {
  boost::test_tools::assertion_result operator()(boost::unit_test::test_unit_id) const {
    return store_kind() == "postgres";
  }
};

// seq is taken at insert, visibility comes at commit: a reader that only
// remembered the highest seq would miss the earlier one for good.
BOOST_FIXTURE_TEST_CASE(feed_reads_a_revocation_that_commits_after_a_later_one, OwnDatabase,
                        *boost::unit_test::precondition(PostgresOnly{})) {
  UserRecord user = make_user();
  REQUIRE_OK(target->create_user(user));
  const auto slow = live_session(user.id);
  const auto quick = live_session(user.id);
  auto feed = value_of(target->open_invalidation_feed());

  pqxx::connection connection(url);
  pqxx::work open_transaction(connection);
  open_transaction.exec_params("UPDATE sessions SET revoked_at = $2::bigint WHERE id = $1", slow.id.value, kNow);
  BOOST_TEST(value_of(target->revoke_session(quick.id, user.id, kNow, "logout")));
  BOOST_TEST((ids_of(feed->take_new()) == std::set<std::string>{quick.id.value}));
  open_transaction.commit();
  BOOST_TEST((ids_of(feed->take_new()) == std::set<std::string>{slow.id.value}));
  BOOST_TEST(ids_of(feed->take_new()).empty(), "each is reported once");
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(refresh_tokens)

constexpr std::int64_t kGrace = 10;

BOOST_AUTO_TEST_CASE(current_token_rotates_to_its_successor) {
  const Family family = create_family();
  const auto successor = make_token(family.session.id, kNow + 60);
  const auto rotated = value_of(store().rotate_refresh_token(family.token.token_hash, successor, "sealed-1",
                                                                kNow + 60, kGrace));
  BOOST_TEST(rotated.outcome == RotationOutcome::rotated);
  BOOST_REQUIRE(rotated.session.has_value());
  BOOST_TEST(rotated.session->id.value == family.session.id.value);
  BOOST_TEST(rotated.session->user_id.value == family.user.id.value);
  BOOST_TEST(value_of(store().find_session(family.session.id))->last_active_at == kNow + 60);

  // the successor is the current token now
  const auto next = make_token(family.session.id, kNow + 120);
  const auto again = value_of(store().rotate_refresh_token(successor.token_hash, next, "sealed-2", kNow + 120,
                                                              kGrace));
  BOOST_TEST(again.outcome == RotationOutcome::rotated);
}

BOOST_AUTO_TEST_CASE(successor_joins_the_presented_tokens_session) {
  const Family family = create_family();
  RefreshTokenRecord successor = make_token(SessionId{}, kNow);  // the caller cannot know the session
  REQUIRE_OK(store().rotate_refresh_token(family.token.token_hash, successor, "sealed-1", kNow, kGrace));
  const auto next = value_of(
      store().rotate_refresh_token(successor.token_hash, make_token(SessionId{}, kNow + 1), "sealed-2", kNow + 1, kGrace));
  BOOST_TEST(next.outcome == RotationOutcome::rotated);
  BOOST_REQUIRE(next.session.has_value());
  BOOST_TEST(next.session->id.value == family.session.id.value);
}

BOOST_AUTO_TEST_CASE(rotated_token_within_grace_hands_out_the_same_successor) {
  const Family family = create_family();
  const auto successor = make_token(family.session.id, kNow);
  REQUIRE_OK(store().rotate_refresh_token(family.token.token_hash, successor, "sealed-winner", kNow, kGrace));

  const auto late = make_token(family.session.id, kNow + kGrace);
  const auto repeated =
      value_of(store().rotate_refresh_token(family.token.token_hash, late, "sealed-late", kNow + kGrace, kGrace));
  BOOST_TEST(repeated.outcome == RotationOutcome::already_rotated);
  BOOST_TEST(repeated.successor_sealed == "sealed-winner");
  BOOST_TEST(repeated.session->id.value == family.session.id.value);
  BOOST_TEST(value_of(store().is_session_active(family.session.id, kNow + kGrace)));
  // the late caller's successor was never stored
  const auto probe = make_token(family.session.id, kNow + kGrace);
  BOOST_TEST(value_of(store().rotate_refresh_token(late.token_hash, probe, "x", kNow + kGrace, kGrace)).outcome ==
             RotationOutcome::unknown_token);
}

BOOST_AUTO_TEST_CASE(rotated_token_after_grace_revokes_the_session_and_its_successors) {
  const Family family = create_family();
  const auto successor = make_token(family.session.id, kNow);
  REQUIRE_OK(store().rotate_refresh_token(family.token.token_hash, successor, "sealed-1", kNow, kGrace));

  const auto replay = make_token(family.session.id, kNow + kGrace + 1);
  const auto reused = value_of(
      store().rotate_refresh_token(family.token.token_hash, replay, "sealed-replay", kNow + kGrace + 1, kGrace));
  BOOST_TEST(reused.outcome == RotationOutcome::reuse_detected);
  BOOST_TEST(reused.session->revoked_reason == "refresh_reuse");
  BOOST_TEST(reused.successor_sealed.empty());

  BOOST_TEST(!value_of(store().is_session_active(family.session.id, kNow + kGrace + 1)));
  const auto session = value_of(store().find_session(family.session.id));
  BOOST_TEST(session->revoked_reason == "refresh_reuse");
  BOOST_TEST(session->revoked_at.value_or(-1) == kNow + kGrace + 1);

  // the legitimate holder's successor dies with the family
  const auto next = make_token(family.session.id, kNow + kGrace + 2);
  const auto after = value_of(
      store().rotate_refresh_token(successor.token_hash, next, "sealed-2", kNow + kGrace + 2, kGrace));
  BOOST_TEST(after.outcome == RotationOutcome::inactive_session);
}

BOOST_AUTO_TEST_CASE(zero_grace_treats_any_second_use_as_reuse) {
  const Family family = create_family();
  REQUIRE_OK(store().rotate_refresh_token(family.token.token_hash, make_token(family.session.id), "s", kNow, 0));
  const auto again =
      value_of(store().rotate_refresh_token(family.token.token_hash, make_token(family.session.id), "t", kNow, 0));
  BOOST_TEST(again.outcome == RotationOutcome::reuse_detected);
  BOOST_TEST(!value_of(store().is_session_active(family.session.id, kNow)));
}

BOOST_AUTO_TEST_CASE(reuse_queues_its_alert_in_the_revoking_transaction_and_only_then) {
  const Family family = create_family();
  std::vector<std::string> alerted;
  const ReuseAlert alert = [&](const UserRecord& user, const SessionRecord& session) {
    alerted.push_back(user.id.value + " " + session.id.value);
    return make_mail(user.email_key);
  };
  REQUIRE_OK(store().rotate_refresh_token(family.token.token_hash, make_token(family.session.id), "s", kNow, 0, alert));
  BOOST_TEST(alerted.empty(), "an honest rotation sends nothing");
  BOOST_TEST(value_of(store().list_mail_to(family.user.email_key, 10)).empty());
  const auto again = value_of(
      store().rotate_refresh_token(family.token.token_hash, make_token(family.session.id), "t", kNow, 0, alert));
  BOOST_TEST(again.outcome == RotationOutcome::reuse_detected);
  BOOST_TEST(alerted == (std::vector<std::string>{family.user.id.value + " " + family.session.id.value}));
  BOOST_TEST(value_of(store().list_mail_to(family.user.email_key, 10)).size() == 1u);
}

BOOST_AUTO_TEST_CASE(expired_token_is_refused_and_changes_nothing) {
  Family family{make_user(), {}, {}};
  REQUIRE_OK(store().create_user(family.user));
  family.session = create_session(family.user.id);
  family.token = make_token(family.session.id, kNow, 60);
  REQUIRE_OK(store().insert_refresh_token(family.token));

  const auto expired = value_of(
      store().rotate_refresh_token(family.token.token_hash, make_token(family.session.id), "s", kNow + 60, kGrace));
  BOOST_TEST(expired.outcome == RotationOutcome::expired_token);
  BOOST_TEST(value_of(store().is_session_active(family.session.id, kNow + 60)));
  // still unused: presenting it again is expiry again, not reuse
  const auto again = value_of(store().rotate_refresh_token(family.token.token_hash, make_token(family.session.id),
                                                              "s", kNow + 3600, kGrace));
  BOOST_TEST(again.outcome == RotationOutcome::expired_token);
}

BOOST_AUTO_TEST_CASE(unknown_token_is_unknown_without_a_session) {
  const Family family = create_family();
  const auto unknown = value_of(
      store().rotate_refresh_token("no-such-hash", make_token(family.session.id), "s", kNow, kGrace));
  BOOST_TEST(unknown.outcome == RotationOutcome::unknown_token);
  BOOST_TEST(!unknown.session.has_value());
}

BOOST_AUTO_TEST_CASE(token_of_a_revoked_or_expired_session_is_inactive_session) {
  const Family logged_out = create_family();
  REQUIRE_OK(store().revoke_session(logged_out.session.id, logged_out.user.id, kNow, "logout"));
  const auto after_logout = value_of(store().rotate_refresh_token(
      logged_out.token.token_hash, make_token(logged_out.session.id), "s", kNow + 1, kGrace));
  BOOST_TEST(after_logout.outcome == RotationOutcome::inactive_session);

  Family aged{make_user(), {}, {}};
  REQUIRE_OK(store().create_user(aged.user));
  aged.session = create_session(aged.user.id, kNow, 3600);
  aged.token = make_token(aged.session.id, kNow, 30 * kDay);  // outlives its session
  REQUIRE_OK(store().insert_refresh_token(aged.token));
  const auto after_lifetime = value_of(
      store().rotate_refresh_token(aged.token.token_hash, make_token(aged.session.id), "s", kNow + 3600, kGrace));
  BOOST_TEST(after_lifetime.outcome == RotationOutcome::inactive_session);
}

BOOST_AUTO_TEST_CASE(concurrent_rotations_of_one_token_rotate_exactly_once) {
  const Family family = create_family();
  constexpr int kThreads = 12;
  std::vector<RefreshTokenRecord> successors;
  for (int i = 0; i < kThreads; ++i) successors.push_back(make_token(family.session.id, kNow + 1));
  auto results = on_threads(kThreads, [&](int i) {
    return store().rotate_refresh_token(family.token.token_hash, successors[static_cast<std::size_t>(i)],
                                        "sealed-" + std::to_string(i), kNow + 1, kGrace);
  });
  int rotated = 0;
  std::string winner;
  for (int i = 0; i < kThreads; ++i) {
    const auto& result = results[static_cast<std::size_t>(i)];
    BOOST_REQUIRE_MESSAGE(result.ok(), describe(result));
    if (result.value().outcome == RotationOutcome::rotated) {
      ++rotated;
      winner = "sealed-" + std::to_string(i);
    }
  }
  BOOST_REQUIRE(rotated == 1);
  for (const auto& result : results) {
    if (result.value().outcome == RotationOutcome::rotated) continue;
    BOOST_TEST(result.value().outcome == RotationOutcome::already_rotated);
    BOOST_TEST(result.value().successor_sealed == winner);
  }
  BOOST_TEST(value_of(store().is_session_active(family.session.id, kNow + 1)));
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(lockout)

const LockoutPolicy kPolicy{5, 15 * 60, 10 * 60};

BOOST_AUTO_TEST_CASE(failures_count_up_and_lock_at_the_limit) {
  const std::string key = unique("lock");
  for (int i = 1; i <= 4; ++i) {
    const auto state = value_of(store().record_login_failure(key, kNow + i, kPolicy));
    BOOST_TEST(state.failures == i);
    BOOST_TEST(!state.locked_until.has_value());
  }
  const auto locked = value_of(store().record_login_failure(key, kNow + 5, kPolicy));
  BOOST_TEST(locked.failures == 5);
  BOOST_TEST(locked.locked_until.value_or(-1) == kNow + 5 + kPolicy.lock_seconds);

  const auto seen = value_of(store().lockout_state(key, kNow + 6));
  BOOST_TEST(seen.locked_until.value_or(-1) == kNow + 5 + kPolicy.lock_seconds);
  // failing while locked does not extend the lock
  const auto more = value_of(store().record_login_failure(key, kNow + 7, kPolicy));
  BOOST_TEST(more.locked_until.value_or(-1) == kNow + 5 + kPolicy.lock_seconds);
}

BOOST_AUTO_TEST_CASE(lock_ends_after_lock_seconds_and_counting_starts_over) {
  const std::string key = unique("lock");
  for (int i = 0; i < 5; ++i) REQUIRE_OK(store().record_login_failure(key, kNow, kPolicy));
  const std::int64_t unlocked_at = kNow + kPolicy.lock_seconds;
  BOOST_TEST(value_of(store().lockout_state(key, unlocked_at - 1)).locked_until.has_value());
  const auto after = value_of(store().lockout_state(key, unlocked_at));
  BOOST_TEST(after.failures == 0);
  BOOST_TEST(!after.locked_until.has_value());
  const auto fresh = value_of(store().record_login_failure(key, unlocked_at, kPolicy));
  BOOST_TEST(fresh.failures == 1);
  BOOST_TEST(!fresh.locked_until.has_value());
}

BOOST_AUTO_TEST_CASE(failures_older_than_the_window_no_longer_count) {
  const std::string key = unique("lock");
  for (int i = 0; i < 4; ++i) REQUIRE_OK(store().record_login_failure(key, kNow, kPolicy));
  BOOST_TEST(value_of(store().lockout_state(key, kNow + kPolicy.window_seconds - 1)).failures == 4);
  BOOST_TEST(value_of(store().lockout_state(key, kNow + kPolicy.window_seconds)).failures == 0);
  const auto next = value_of(store().record_login_failure(key, kNow + kPolicy.window_seconds, kPolicy));
  BOOST_TEST(next.failures == 1);
  BOOST_TEST(!next.locked_until.has_value());
}

BOOST_AUTO_TEST_CASE(clearing_failures_unlocks) {
  const std::string key = unique("lock");
  for (int i = 0; i < 5; ++i) REQUIRE_OK(store().record_login_failure(key, kNow, kPolicy));
  REQUIRE_OK(store().clear_login_failures(key));
  const auto state = value_of(store().lockout_state(key, kNow));
  BOOST_TEST(state.failures == 0);
  BOOST_TEST(!state.locked_until.has_value());
  BOOST_TEST(value_of(store().lockout_state(unique("never-failed"), kNow)).failures == 0);
}

BOOST_AUTO_TEST_CASE(clearing_an_account_clears_the_counters_filed_under_it) {
  const std::string account = unique("email:");
  const std::string device = unique("device:");
  const std::string stranger = unique("device:");
  REQUIRE_OK(store().record_login_failure(account, kNow, kPolicy));
  REQUIRE_OK(store().record_login_failure(device, kNow, kPolicy, account));
  REQUIRE_OK(store().record_login_failure(stranger, kNow, kPolicy, unique("email:")));
  REQUIRE_OK(store().clear_login_failures(account));
  BOOST_TEST(value_of(store().lockout_state(account, kNow)).failures == 0);
  BOOST_TEST(value_of(store().lockout_state(device, kNow)).failures == 0);
  BOOST_TEST(value_of(store().lockout_state(stranger, kNow)).failures == 1);
}

BOOST_AUTO_TEST_CASE(concurrent_failures_are_all_counted) {
  const std::string key = unique("lock");
  const LockoutPolicy lenient{100, 15 * 60, 10 * 60};
  auto results = on_threads(10, [&](int) { return store().record_login_failure(key, kNow, lenient); });
  std::set<int> counts;
  for (const auto& result : results) {
    BOOST_REQUIRE_MESSAGE(result.ok(), describe(result));
    counts.insert(result.value().failures);
  }
  BOOST_TEST(counts.size() == 10u);  // each call saw its own count: 1..10
  BOOST_TEST(value_of(store().lockout_state(key, kNow)).failures == 10);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(audit)

AuditEventRecord make_event(const std::string& user_id, std::int64_t at, const std::string& type) {
  AuditEventRecord event;
  event.id = unique("evt");
  event.type = type;
  event.created_at = at;
  event.user_id = user_id;
  event.actor_id = user_id;
  event.ip = "198.51.100.4";
  event.user_agent = "conformance/1.0";
  event.request_id = unique("req");
  event.details_json = R"({"reason":"test","attempt":1})";
  return event;
}


std::vector<AuditEventRecord> whole_chain(Store& target) {
  return value_of(target.read_audit_chain(0, 1000));
}

BOOST_AUTO_TEST_CASE(audit_events_page_newest_first) {
  const std::string user = unique("audit-user");
  const std::string other = unique("audit-other");
  std::vector<AuditEventRecord> appended;
  // two events share a second: append order breaks the tie
  for (std::int64_t at : {kNow, kNow + 1, kNow + 2, kNow + 2, kNow + 3}) {
    appended.push_back(make_event(user, at, "login.succeeded"));
    REQUIRE_OK(store().append_audit_event(appended.back()));
    REQUIRE_OK(store().append_audit_event(make_event(other, at, "login.failed")));
  }

  std::vector<std::string> seen;
  std::string before;
  for (int page = 0; page < 4; ++page) {
    const auto events = value_of(store().list_audit_events(query_of(user, before, 2)));
    if (events.empty()) break;
    for (const auto& event : events) {
      BOOST_TEST(event.user_id == user);
      seen.push_back(event.id);
    }
    before = events.back().id;
  }
  std::vector<std::string> expected;
  for (auto it = appended.rbegin(); it != appended.rend(); ++it) expected.push_back(it->id);
  BOOST_TEST(seen == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(audit_event_keeps_every_field_and_details_as_written) {
  const std::string user = unique("audit-user");
  AuditEventRecord event = make_event(user, kNow, "refresh.reuse_detected");
  event.details_json = R"({"z":1,  "a":"spaced"})";  // jsonb would re-spell this; the hash covers these bytes
  REQUIRE_OK(store().append_audit_event(event));
  const auto events = value_of(store().list_audit_events(query_of(user, "", 10)));
  BOOST_REQUIRE(events.size() == 1u);
  const auto& found = events.front();
  BOOST_TEST(found.id == event.id);
  BOOST_TEST(found.type == event.type);
  BOOST_TEST(found.created_at == event.created_at);
  BOOST_TEST(found.actor_id == event.actor_id);
  BOOST_TEST(found.ip == event.ip);
  BOOST_TEST(found.user_agent == event.user_agent);
  BOOST_TEST(found.request_id == event.request_id);
  BOOST_TEST(found.details_json == event.details_json);
  BOOST_TEST(found.sequence > 0);
  BOOST_TEST(found.hash == audit_event_hash(found));
}

BOOST_AUTO_TEST_CASE(audit_without_user_filter_lists_everyone_and_unknown_cursor_lists_nothing) {
  const std::string first = unique("audit-user");
  const std::string second = unique("audit-user");
  REQUIRE_OK(store().append_audit_event(make_event(first, kNow, "a")));
  REQUIRE_OK(store().append_audit_event(make_event(second, kNow - kDay, "b")));  // an older clock: append order wins
  const auto newest = value_of(store().list_audit_events(query_of("", "", 2)));
  BOOST_REQUIRE(newest.size() == 2u);
  BOOST_TEST(newest[0].user_id == second);
  BOOST_TEST(newest[1].user_id == first);
  BOOST_TEST(value_of(store().list_audit_events(query_of("", "no-such-event", 10))).empty());
}

BOOST_AUTO_TEST_CASE(chain_links_each_event_to_the_one_before_from_the_genesis_hash) {
  auto fresh = fresh_migrated();
  BOOST_TEST(value_of(fresh->audit_chain_head())->sequence == 0);
  BOOST_TEST(value_of(fresh->audit_chain_head())->hash == std::string(kAuditGenesisHash));
  for (int i = 0; i < 3; ++i) REQUIRE_OK(fresh->append_audit_event(make_event("u", kNow + i, "login.succeeded")));

  const auto chain = whole_chain(*fresh);
  BOOST_REQUIRE(chain.size() == 3u);
  std::string previous(kAuditGenesisHash);
  for (std::size_t i = 0; i < chain.size(); ++i) {
    BOOST_TEST(chain[i].sequence == static_cast<std::int64_t>(i + 1));
    BOOST_TEST(chain[i].previous_hash == previous);
    BOOST_TEST(chain[i].hash == audit_event_hash(chain[i]));
    BOOST_TEST(chain[i].hash.size() == 64u);
    previous = chain[i].hash;
  }
  const auto head = value_of(fresh->audit_chain_head());
  BOOST_TEST(head->sequence == 3);
  BOOST_TEST(head->hash == previous);
  // Paging: after a sequence, in order.
  const auto tail = value_of(fresh->read_audit_chain(1, 1));
  BOOST_REQUIRE(tail.size() == 1u);
  BOOST_TEST(tail[0].id == chain[1].id);
  BOOST_TEST(!value_of(fresh->first_unchained_audit_event()).has_value());
}

BOOST_AUTO_TEST_CASE(hash_covers_every_field_and_the_link) {
  AuditEventRecord event = make_event("u", kNow, "login.succeeded");
  event.sequence = 7;
  event.previous_hash = std::string(kAuditGenesisHash);
  const std::string original = audit_event_hash(event);
  const auto changed = [&](auto change) {
    AuditEventRecord copy = event;
    change(copy);
    return audit_event_hash(copy) != original;
  };
  BOOST_TEST(changed([](AuditEventRecord& e) { e.sequence = 8; }));
  BOOST_TEST(changed([](AuditEventRecord& e) { e.previous_hash[0] = '1'; }));
  BOOST_TEST(changed([](AuditEventRecord& e) { e.id += "x"; }));
  BOOST_TEST(changed([](AuditEventRecord& e) { e.type = "login.failed"; }));
  BOOST_TEST(changed([](AuditEventRecord& e) { e.created_at += 1; }));
  BOOST_TEST(changed([](AuditEventRecord& e) { e.user_id = "v"; }));
  BOOST_TEST(changed([](AuditEventRecord& e) { e.actor_id = "v"; }));
  BOOST_TEST(changed([](AuditEventRecord& e) { e.ip = "198.51.100.5"; }));
  BOOST_TEST(changed([](AuditEventRecord& e) { e.user_agent += " "; }));
  BOOST_TEST(changed([](AuditEventRecord& e) { e.request_id += "x"; }));
  BOOST_TEST(changed([](AuditEventRecord& e) { e.details_json = "{}"; }));
  // Length prefixes: moving a character from one field to the next is a change too.
  BOOST_TEST(changed([](AuditEventRecord& e) {
    e.user_id = "u" + e.actor_id.substr(0, 1);
    e.actor_id = e.actor_id.substr(1);
  }));
  BOOST_TEST(audit_event_hash(event) == original);  // and it is a function of the fields alone
}

BOOST_AUTO_TEST_CASE(eight_threads_on_two_stores_appending_at_once_keep_one_linear_chain) {
  const auto url = databases().fresh_url();
  auto one = fresh_migrated(url);
  auto two = open(url);
  constexpr int kThreads = 8;
  constexpr int kEach = 25;
  auto results = on_threads(kThreads, [&](int i) -> Result<void> {
    Store& target = i % 2 == 0 ? *one : *two;
    for (int n = 0; n < kEach; ++n) {
      if (auto appended = target.append_audit_event(make_event("thread-" + std::to_string(i), kNow, "t"));
          !appended.ok()) {
        return appended;
      }
    }
    return {};
  });
  for (const auto& result : results) BOOST_REQUIRE_MESSAGE(result.ok(), describe(result));

  const auto report = value_of(AuditChainVerifier(*two, 7).verify());  // a page size that does not divide 200
  BOOST_TEST(report.intact(), report.summary());
  BOOST_TEST(report.events == kThreads * kEach);
  std::set<std::string> ids;
  for (const auto& event : whole_chain(*one)) ids.insert(event.id);
  BOOST_TEST(ids.size() == static_cast<std::size_t>(kThreads * kEach));
}

BOOST_AUTO_TEST_CASE(query_filters_by_user_type_and_tenant_and_combines_them) {
  auto fresh = fresh_migrated();
  UserRecord alice = make_user();
  alice.tenant_id = "tenant-a";
  UserRecord bob = make_user();
  bob.tenant_id = "tenant-b";
  REQUIRE_OK(fresh->create_tenant({"tenant-a", "A", false, kNow}));
  REQUIRE_OK(fresh->create_tenant({"tenant-b", "B", false, kNow}));
  REQUIRE_OK(fresh->create_user(alice));
  REQUIRE_OK(fresh->create_user(bob));
  for (const auto& [user, type] : std::vector<std::pair<std::string, std::string>>{
           {alice.id.value, "login.succeeded"}, {alice.id.value, "login.failed"}, {bob.id.value, "login.failed"},
           {"", "login.failed"}, {bob.id.value, "password.changed"}}) {
    REQUIRE_OK(fresh->append_audit_event(make_event(user, kNow, type)));
  }
  const auto matching = [&](AuditQuery query) {
    std::vector<std::string> found;
    for (const auto& event : value_of(fresh->list_audit_events(query))) found.push_back(event.user_id + "/" + event.type);
    return found;
  };
  AuditQuery by_type;
  by_type.type = "login.failed";
  BOOST_TEST(matching(by_type) == (std::vector<std::string>{"/login.failed", bob.id.value + "/login.failed",
                                                             alice.id.value + "/login.failed"}),
             boost::test_tools::per_element());
  AuditQuery by_tenant;
  by_tenant.tenant_id = "tenant-b";
  BOOST_TEST(matching(by_tenant) == (std::vector<std::string>{bob.id.value + "/password.changed",
                                                               bob.id.value + "/login.failed"}),
             boost::test_tools::per_element());
  AuditQuery combined;
  combined.tenant_id = "tenant-a";
  combined.type = "login.failed";
  BOOST_TEST(matching(combined) == (std::vector<std::string>{alice.id.value + "/login.failed"}),
             boost::test_tools::per_element());
  combined.user_id = bob.id.value;  // bob is not in tenant-a
  BOOST_TEST(matching(combined).empty());
  AuditQuery unknown_tenant;
  unknown_tenant.tenant_id = "tenant-z";
  BOOST_TEST(matching(unknown_tenant).empty());
  AuditQuery none;
  none.limit = 0;
  BOOST_TEST(matching(none).empty());
}

BOOST_AUTO_TEST_CASE(cursor_pages_list_each_event_once_while_events_are_appended) {
  auto fresh = fresh_migrated();
  std::vector<std::string> existing;
  for (int i = 0; i < 10; ++i) {
    existing.push_back(make_event("u", kNow, "login.succeeded").id);
    AuditEventRecord event = make_event("u", kNow, "login.succeeded");
    event.id = existing.back();
    REQUIRE_OK(fresh->append_audit_event(event));
  }
  std::vector<std::string> seen;
  AuditQuery query;
  query.limit = 3;
  for (int page = 0; page < 10; ++page) {
    const auto events = value_of(fresh->list_audit_events(query));
    if (events.empty()) break;
    for (const auto& event : events) seen.push_back(event.id);
    query.before_id = events.back().id;
    // New events between page requests: newer than the cursor, so on no later page.
    REQUIRE_OK(fresh->append_audit_event(make_event("u", kNow, "login.succeeded")));
    REQUIRE_OK(fresh->append_audit_event(make_event("u", kNow - 5, "login.succeeded")));
  }
  const std::vector<std::string> newest_first(existing.rbegin(), existing.rend());
  BOOST_TEST(seen == newest_first, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(chained_events_refuse_update_and_delete) {
  const auto url = databases().fresh_url();
  auto fresh = fresh_migrated(url);
  REQUIRE_OK(fresh->append_audit_event(make_event("u", kNow, "login.succeeded")));
  BOOST_CHECK_THROW(sesame::test::run_sql(url, "UPDATE audit_events SET type = 'x'"), std::exception);
  BOOST_CHECK_THROW(sesame::test::run_sql(url, "DELETE FROM audit_events"), std::exception);
  BOOST_TEST(whole_chain(*fresh).size() == 1u);
  BOOST_TEST(whole_chain(*fresh).front().type == "login.succeeded");
}

BOOST_AUTO_TEST_CASE(events_from_before_the_chain_are_chained_by_its_migration_in_insertion_order) {
  const auto url = databases().fresh_url();
  const auto migrations = store_kind() == "sqlite" ? sqlite_migrations() : postgres_migrations();
  std::string schema =
      "CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL);";
  for (const Migration& migration : migrations) {
    if (migration.version >= kAuditChainMigration) break;
    schema += std::string(migration.sql) + ";\nINSERT INTO schema_migrations VALUES (" +
              std::to_string(migration.version) + ", '" + std::string(migration.name) + "', 0);\n";
  }
  sesame::test::run_sql(url, schema);
  // Three events written by a server from before 0004, created_at out of order.
  sesame::test::run_sql(url,
                        "INSERT INTO audit_events (id, type, created_at, user_id, details_json) VALUES"
                        " ('old-1', 'account.registered', 300, 'u', '{\"n\": 1}'),"
                        " ('old-2', 'login.succeeded', 100, 'u', '{}'),"
                        " ('old-3', 'login.failed', 200, '', '{}')");
  auto upgraded = open(url);
  BOOST_TEST(value_of(upgraded->migrate()) >= 1);

  const auto chain = whole_chain(*upgraded);
  BOOST_REQUIRE(chain.size() == 3u);
  BOOST_TEST(chain[0].id == "old-1");
  BOOST_TEST(chain[1].id == "old-2");
  BOOST_TEST(chain[2].id == "old-3");
  REQUIRE_OK(upgraded->append_audit_event(make_event("u", kNow, "login.succeeded")));
  const auto report = value_of(AuditChainVerifier(*upgraded).verify());
  BOOST_TEST(report.intact(), report.summary());
  BOOST_TEST(report.events == 4);
  // Once only: a later migrate chains nothing and changes nothing.
  BOOST_TEST(value_of(upgraded->migrate()) == 0);
  BOOST_TEST(whole_chain(*upgraded)[3].previous_hash == chain[2].hash);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(mfa)

TotpCredentialRecord pending_totp(const UserId& user, const std::string& sealed) {
  TotpCredentialRecord pending;
  pending.user_id = user;
  pending.secret_sealed = sealed;
  pending.created_at = kNow;
  return pending;
}

// How many of 8 simultaneous calls of `call` answered true.
template <class Call>
int true_answers_of_concurrent_calls(Call call) {
  constexpr int kThreads = 8;
  std::atomic<int> wins{0};
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      const Result<bool> answer = call();
      if (answer.ok() && *answer) ++wins;
    });
  }
  for (auto& thread : threads) thread.join();
  return wins.load();
}

std::vector<BackupCodeRecord> backup_codes(const UserId& user, const std::vector<std::string>& lookups) {
  std::vector<BackupCodeRecord> codes;
  for (const auto& lookup : lookups) {
    BackupCodeRecord code;
    code.id = unique("bc");
    code.user_id = user;
    code.lookup = lookup;
    code.code_hash = "$argon2id$" + code.id;
    code.created_at = kNow;
    codes.push_back(code);
  }
  return codes;
}

BOOST_AUTO_TEST_CASE(totp_setup_replaces_a_pending_secret_but_never_a_confirmed_one) {
  const UserRecord user = create_user();
  BOOST_TEST(!value_of(store().find_totp_credential(user.id)).has_value());
  BOOST_TEST(value_of(store().save_pending_totp(pending_totp(user.id, "sealed-1"))));
  BOOST_TEST(value_of(store().save_pending_totp(pending_totp(user.id, "sealed-2"))));
  // Confirming the replaced secret fails and changes nothing.
  const MailRecord alert = make_mail(user.email_key);
  BOOST_TEST(!value_of(store().confirm_totp(user.id, "sealed-1", 41, kNow, backup_codes(user.id, {"aa"}), alert)));
  BOOST_TEST(value_of(store().count_unused_backup_codes(user.id)) == 0);
  BOOST_TEST(value_of(store().list_mail_to(user.email_key, 10)).empty(), "no alert without the change");
  BOOST_TEST(value_of(store().confirm_totp(user.id, "sealed-2", 42, kNow, backup_codes(user.id, {"aa", "bb"}), alert)));
  BOOST_TEST(value_of(store().list_mail_to(user.email_key, 10)).size() == 1u, "the alert commits with the change");
  const auto confirmed = value_of(store().find_totp_credential(user.id));
  BOOST_TEST_REQUIRE(confirmed.has_value());
  BOOST_TEST(confirmed->enabled());
  BOOST_TEST(confirmed->secret_sealed == "sealed-2");
  BOOST_TEST(confirmed->last_accepted_step.value_or(-1) == 42);
  BOOST_TEST(value_of(store().count_unused_backup_codes(user.id)) == 2);
  BOOST_TEST(!value_of(store().save_pending_totp(pending_totp(user.id, "sealed-3"))));
  BOOST_TEST(value_of(store().find_totp_credential(user.id))->secret_sealed == "sealed-2");
}

BOOST_AUTO_TEST_CASE(totp_steps_only_move_forward_and_one_of_concurrent_advances_wins) {
  const UserRecord user = create_user();
  BOOST_TEST(!value_of(store().advance_totp_step(user.id, 10)));  // nothing confirmed yet
  REQUIRE_OK(store().save_pending_totp(pending_totp(user.id, "sealed")));
  BOOST_TEST_REQUIRE(value_of(store().confirm_totp(user.id, "sealed", 10, kNow, {}, make_mail(user.email_key))));
  BOOST_TEST(!value_of(store().advance_totp_step(user.id, 10)));
  BOOST_TEST(!value_of(store().advance_totp_step(user.id, 9)));
  BOOST_TEST(value_of(store().advance_totp_step(user.id, 11)));

  BOOST_TEST(true_answers_of_concurrent_calls([&] { return store().advance_totp_step(user.id, 12); }) == 1);
  BOOST_TEST(value_of(store().find_totp_credential(user.id))->last_accepted_step.value_or(-1) == 12);
}

BOOST_AUTO_TEST_CASE(backup_codes_are_found_by_lookup_used_once_and_replaced_whole) {
  const UserRecord user = create_user();
  const UserRecord other = create_user();
  REQUIRE_OK(store().replace_backup_codes(user.id, backup_codes(user.id, {"ab", "ab", "cd"})));
  REQUIRE_OK(store().replace_backup_codes(other.id, backup_codes(other.id, {"ab"})));
  const auto found = value_of(store().find_backup_codes(user.id, "ab"));
  BOOST_TEST_REQUIRE(found.size() == 2u);
  BOOST_TEST(value_of(store().find_backup_codes(user.id, "zz")).empty());

  BOOST_TEST(true_answers_of_concurrent_calls([&] { return store().consume_backup_code(found[0].id, kNow); }) == 1);
  BOOST_TEST(value_of(store().find_backup_codes(user.id, "ab")).size() == 1u);
  BOOST_TEST(value_of(store().count_unused_backup_codes(user.id)) == 2);
  BOOST_TEST(value_of(store().count_unused_backup_codes(other.id)) == 1);

  REQUIRE_OK(store().replace_backup_codes(user.id, backup_codes(user.id, {"ef"})));
  BOOST_TEST(value_of(store().find_backup_codes(user.id, "cd")).empty());
  BOOST_TEST(value_of(store().count_unused_backup_codes(user.id)) == 1);
}

BOOST_AUTO_TEST_CASE(deleting_totp_removes_the_backup_codes_too) {
  const UserRecord user = create_user();
  REQUIRE_OK(store().save_pending_totp(pending_totp(user.id, "sealed")));
  BOOST_TEST_REQUIRE(
      value_of(store().confirm_totp(user.id, "sealed", 1, kNow, backup_codes(user.id, {"aa"}), make_mail(user.email_key))));
  BOOST_TEST(value_of(store().delete_totp(user.id, make_mail(user.email_key))));
  BOOST_TEST(!value_of(store().find_totp_credential(user.id)).has_value());
  BOOST_TEST(value_of(store().count_unused_backup_codes(user.id)) == 0);
  BOOST_TEST(!value_of(store().delete_totp(user.id, make_mail(user.email_key))));
  BOOST_TEST(value_of(store().list_mail_to(user.email_key, 10)).size() == 2u, "enabled and disabled; nothing more");
}

BOOST_AUTO_TEST_CASE(an_mfa_challenge_counts_tries_expires_and_completes_once) {
  const UserRecord user = create_user();
  MfaChallengeRecord challenge;
  challenge.token_hash = unique("mfa");
  challenge.user_id = user.id;
  challenge.created_at = kNow;
  challenge.expires_at = kNow + 300;
  REQUIRE_OK(store().create_mfa_challenge(challenge));
  for (int attempt = 1; attempt <= 3; ++attempt) {
    const auto counted = value_of(store().count_mfa_attempt(challenge.token_hash, kNow, 3));
    BOOST_TEST_REQUIRE(counted.has_value());
    BOOST_TEST(counted->attempts == attempt);
    BOOST_TEST(counted->user_id.value == user.id.value);
  }
  BOOST_TEST(!value_of(store().count_mfa_attempt(challenge.token_hash, kNow, 3)).has_value());
  BOOST_TEST(value_of(store().count_mfa_attempt(challenge.token_hash, kNow, 5)).has_value());
  BOOST_TEST(!value_of(store().count_mfa_attempt(challenge.token_hash, kNow + 300, 5)).has_value());
  BOOST_TEST(!value_of(store().count_mfa_attempt("no-such-challenge", kNow, 5)).has_value());

  BOOST_TEST(value_of(store().complete_mfa_challenge(challenge.token_hash, kNow)));
  BOOST_TEST(!value_of(store().complete_mfa_challenge(challenge.token_hash, kNow)));
  BOOST_TEST(!value_of(store().count_mfa_attempt(challenge.token_hash, kNow, 100)).has_value());
}

BOOST_AUTO_TEST_CASE(a_session_is_upgraded_only_while_active) {
  const UserRecord user = create_user();
  SessionRecord session = make_session(user.id);
  session.scope = kEnrolmentScope;
  REQUIRE_OK(store().create_session(session));
  BOOST_TEST(value_of(store().find_session(session.id))->scope == kEnrolmentScope);
  BOOST_TEST(value_of(store().upgrade_session(session.id, "", {"pwd", "otp"}, kNow)));
  const auto upgraded = value_of(store().find_session(session.id));
  BOOST_TEST(upgraded->scope.empty());
  BOOST_TEST(upgraded->amr == (std::vector<std::string>{"pwd", "otp"}));
  BOOST_TEST(value_of(store().revoke_session(session.id, user.id, kNow, "logout")));
  BOOST_TEST(!value_of(store().upgrade_session(session.id, "", {"pwd", "otp"}, kNow)));
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
// Two store instances on one database stand for two server processes.
BOOST_AUTO_TEST_SUITE(several_instances)

BOOST_AUTO_TEST_CASE(two_instances_see_each_others_writes) {
  auto other = open(shared().url);
  const Family family = create_family(store());
  const auto seen = value_of(other->find_user_by_id(family.user.id));
  BOOST_TEST(seen.has_value());

  // rotated on one, the replay is caught on the other
  REQUIRE_OK(store().rotate_refresh_token(family.token.token_hash, make_token(family.session.id), "s", kNow, 10));
  const auto replay =
      value_of(other->rotate_refresh_token(family.token.token_hash, make_token(family.session.id), "t", kNow + 11, 10));
  BOOST_TEST(replay.outcome == RotationOutcome::reuse_detected);
  BOOST_TEST(!value_of(store().is_session_active(family.session.id, kNow + 11)));

  // lockout counted across both
  const std::string key = unique("lock");
  const LockoutPolicy policy{4, 900, 900};
  for (int i = 0; i < 3; ++i) REQUIRE_OK((i % 2 == 0 ? store() : *other).record_login_failure(key, kNow, policy));
  BOOST_TEST(value_of(other->record_login_failure(key, kNow, policy)).locked_until.has_value());
  BOOST_TEST(value_of(store().lockout_state(key, kNow)).locked_until.has_value());
}

BOOST_AUTO_TEST_CASE(concurrent_rotations_across_instances_rotate_exactly_once) {
  auto other = open(shared().url);
  const Family family = create_family(store());
  auto results = on_threads(8, [&](int i) {
    Store& target = i % 2 == 0 ? store() : *other;
    return target.rotate_refresh_token(family.token.token_hash, make_token(family.session.id), "sealed", kNow, 10);
  });
  int rotated = 0;
  int already = 0;
  for (const auto& result : results) {
    BOOST_REQUIRE_MESSAGE(result.ok(), describe(result));
    if (result.value().outcome == RotationOutcome::rotated) ++rotated;
    if (result.value().outcome == RotationOutcome::already_rotated) ++already;
  }
  BOOST_TEST(rotated == 1);
  BOOST_TEST(already == 7);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
// The pool heals after the database goes away and comes back. Runs only where
// the harness handed us a cluster of our own to stop (ctest: store_postgres_recovery).
namespace {

struct OwnPostgres {
  boost::test_tools::assertion_result operator()(boost::unit_test::test_unit_id) const {
    return store_kind() == "postgres" && !env_or("SESAME_TEST_POSTGRES_SCRIPT", "").empty();
  }
};

void postgres_control(const std::string& command) {
  const std::string line = "bash '" + env_or("SESAME_TEST_POSTGRES_SCRIPT", "") + "' " + command + " '" +
                           env_or("SESAME_TEST_POSTGRES_STATE", "") + "'";
  BOOST_REQUIRE_MESSAGE(std::system(line.c_str()) == 0, "failed: " + line);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(postgres_recovery, *boost::unit_test::precondition(OwnPostgres{}))

BOOST_AUTO_TEST_CASE(pool_recovers_after_restart_and_outage) {
  const std::string url = databases().fresh_url();
  auto target = open(url);
  REQUIRE_OK(target->migrate());
  const Family family = create_family(*target);
  // several idle connections, all of which the restart kills
  on_threads(4, [&](int) { return target->is_session_active(family.session.id, kNow); });

  postgres_control("restart");
  BOOST_TEST(value_of(target->find_user_by_id(family.user.id)).has_value());

  postgres_control("halt");
  const auto during = target->find_user_by_id(family.user.id);
  BOOST_REQUIRE(!during.ok());
  BOOST_TEST(during.code() == ErrorCode::service_unavailable);
  const auto check = target->is_session_active(family.session.id, kNow);
  BOOST_REQUIRE(!check.ok());
  BOOST_TEST(check.code() == ErrorCode::service_unavailable);
  const auto opened = open_store(url, "");
  BOOST_REQUIRE(!opened.ok());
  BOOST_TEST(opened.code() == ErrorCode::service_unavailable);

  postgres_control("resume");
  BOOST_TEST(value_of(target->find_user_by_id(family.user.id)).has_value());
  BOOST_TEST(value_of(target->is_session_active(family.session.id, kNow)));
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
// The mail outbox and account tokens (migration 0003).
BOOST_AUTO_TEST_SUITE(recovery_and_mail)

namespace {


AccountTokenRecord make_account_token(const UserRecord& user, const char* purpose, std::int64_t lifetime = 1800) {
  return {unique("hash"), purpose, user.id, user.email_key, kNow, kNow + lifetime, std::nullopt};
}

}  // namespace

BOOST_AUTO_TEST_CASE(two_instances_claim_each_due_message_exactly_once) {
  const std::string url = databases().fresh_url();
  auto one = open(url);
  REQUIRE_OK(one->migrate());
  auto two = open(url);
  constexpr int kMessages = 40;
  for (int i = 0; i < kMessages; ++i) REQUIRE_OK(one->enqueue_mail(make_mail(unique("to"))));
  auto claimed = on_threads(6, [&](int i) {
    Store& target = i % 2 == 0 ? *one : *two;
    std::vector<std::string> ids;
    for (;;) {
      auto batch = target.claim_due_mail(kNow, 3, 300);
      if (!batch.ok()) return Result<std::vector<std::string>>(batch.error());
      if (batch->empty()) return Result<std::vector<std::string>>(std::move(ids));
      for (const auto& mail : batch.value()) ids.push_back(mail.id);
    }
  });
  std::multiset<std::string> all;
  for (const auto& ids : claimed) {
    BOOST_REQUIRE_MESSAGE(ids.ok(), describe(ids));
    all.insert(ids->begin(), ids->end());
  }
  BOOST_TEST(all.size() == static_cast<std::size_t>(kMessages));
  BOOST_TEST(std::set<std::string>(all.begin(), all.end()).size() == static_cast<std::size_t>(kMessages));
  // Claimed until the lease ends; then due again (a sender that died).
  BOOST_TEST(value_of(one->claim_due_mail(kNow + 299, 100, 300)).empty());
  BOOST_TEST(value_of(one->claim_due_mail(kNow + 300, 100, 300)).size() == static_cast<std::size_t>(kMessages));
}

BOOST_AUTO_TEST_CASE(outbox_retries_keep_the_last_error_give_up_and_scrub_sent_bodies) {
  const std::string url = databases().fresh_url();
  auto target = open(url);
  REQUIRE_OK(target->migrate());
  const std::string to = unique("retry") + "@example.com";
  const MailRecord mail = make_mail(to);
  REQUIRE_OK(target->enqueue_mail(mail));
  BOOST_TEST_REQUIRE(value_of(target->claim_due_mail(kNow, 10, 60)).size() == 1u);
  REQUIRE_OK(target->record_mail_failure(mail.id, kNow, kNow + 30, "smtp: connection refused"));
  BOOST_TEST(value_of(target->claim_due_mail(kNow + 29, 10, 60)).empty());
  auto again = value_of(target->claim_due_mail(kNow + 30, 10, 60));
  BOOST_TEST_REQUIRE(again.size() == 1u);
  BOOST_TEST(again[0].attempts == 1);
  BOOST_TEST(again[0].last_error == "smtp: connection refused");
  BOOST_TEST(again[0].text_body == mail.text_body);
  REQUIRE_OK(target->record_mail_failure(mail.id, kNow + 30, std::nullopt, "smtp: 550 no such user"));
  BOOST_TEST(value_of(target->claim_due_mail(kNow + kDay, 10, 60)).empty());  // given up
  auto stored = value_of(target->list_mail_to(to, 10));
  BOOST_TEST_REQUIRE(stored.size() == 1u);
  BOOST_TEST(stored[0].attempts == 2);
  BOOST_TEST((stored[0].failed_at == std::optional<std::int64_t>(kNow + 30)));
  BOOST_TEST(stored[0].last_error == "smtp: 550 no such user");

  const MailRecord sent = make_mail(to, kNow + 1);
  REQUIRE_OK(target->enqueue_mail(sent));
  BOOST_TEST_REQUIRE(value_of(target->claim_due_mail(kNow + 1, 10, 60)).size() == 1u);
  REQUIRE_OK(target->mark_mail_sent(sent.id, kNow + 2, false));
  stored = value_of(target->list_mail_to(to, 10));
  BOOST_TEST_REQUIRE(stored.size() == 2u);
  BOOST_TEST(stored[1].id == sent.id);  // oldest first
  BOOST_TEST((stored[1].sent_at == std::optional<std::int64_t>(kNow + 2)));
  BOOST_TEST(stored[1].text_body.empty());
  BOOST_TEST(stored[1].html_body.empty());
  BOOST_TEST(value_of(target->claim_due_mail(kNow + kDay, 10, 60)).empty());
}

BOOST_AUTO_TEST_CASE(registration_with_verification_is_one_transaction) {
  const UserRecord user = make_user();
  REQUIRE_OK(store().create_user_with_verification(user, make_account_token(user, kEmailVerificationPurpose),
                                                   make_mail(user.email_key)));
  BOOST_TEST(value_of(store().list_mail_to(user.email_key, 10)).size() == 1u);
  // The same email again: nothing of it is written.
  UserRecord twin = make_user(user.email_key);
  const auto token = make_account_token(twin, kEmailVerificationPurpose);
  const auto taken = store().create_user_with_verification(twin, token, make_mail(user.email_key));
  BOOST_TEST_REQUIRE(!taken.ok());
  BOOST_TEST(taken.code() == ErrorCode::email_taken);
  BOOST_TEST(!value_of(store().find_account_token(token.token_hash)).has_value());
  BOOST_TEST(value_of(store().list_mail_to(user.email_key, 10)).size() == 1u);
}

BOOST_AUTO_TEST_CASE(verification_tokens_are_single_use_expire_and_void_older_ones) {
  const UserRecord user = make_user();
  const auto first = make_account_token(user, kEmailVerificationPurpose, kDay);
  REQUIRE_OK(store().create_user_with_verification(user, first, make_mail(user.email_key)));
  const auto second = make_account_token(user, kEmailVerificationPurpose, kDay);
  REQUIRE_OK(store().issue_account_token(second, make_mail(user.email_key)));
  BOOST_TEST(!value_of(store().verify_email(first.token_hash, kNow, std::nullopt)).has_value());  // voided
  BOOST_TEST(!value_of(store().verify_email(second.token_hash, kNow + kDay, std::nullopt)).has_value());  // expired
  BOOST_TEST(!value_of(store().find_user_by_id(user.id))->email_verified);
  const auto verified = value_of(store().verify_email(second.token_hash, kNow + 10, make_mail(user.email_key)));
  BOOST_TEST((verified == std::optional<UserId>(user.id)));
  BOOST_TEST(value_of(store().find_user_by_id(user.id))->email_verified);
  BOOST_TEST(!value_of(store().verify_email(second.token_hash, kNow + 11, std::nullopt)).has_value());  // used
  BOOST_TEST(value_of(store().list_mail_to(user.email_key, 10)).size() == 3u);  // with the alert
}

BOOST_AUTO_TEST_CASE(password_replacement_with_a_reset_token_is_single_use_and_ends_every_session) {
  const Family family = create_family(store());
  const auto reset = make_account_token(family.user, kPasswordResetPurpose);
  REQUIRE_OK(store().issue_account_token(reset, make_mail(family.user.email_key)));
  const std::string lock = unique("email:lock");
  REQUIRE_OK(store().record_login_failure(lock, kNow, LockoutPolicy{1, 900, 900}));

  PasswordReplacement change;
  change.user_id = family.user.id;
  change.password_hash = "$argon2id$new";
  change.revoke_reason = "password_reset";
  change.lockout_key = lock;
  change.reset_token_hash = reset.token_hash;
  change.alert = make_mail(family.user.email_key);
  // Someone else's user id with this token changes nothing.
  PasswordReplacement stolen = change;
  stolen.user_id = UserId{"someone-else"};
  BOOST_TEST(!value_of(store().replace_password(stolen, kNow)).has_value());

  BOOST_TEST((value_of(store().replace_password(change, kNow + 1)) == std::optional<int>(1)));
  BOOST_TEST(value_of(store().find_user_by_id(family.user.id))->password_hash == "$argon2id$new");
  BOOST_TEST(!value_of(store().is_session_active(family.session.id, kNow + 1)));
  BOOST_TEST(!value_of(store().lockout_state(lock, kNow + 1)).locked_until.has_value());
  BOOST_TEST(value_of(store().list_mail_to(family.user.email_key, 10)).size() == 2u);
  change.password_hash = "$argon2id$again";
  BOOST_TEST(!value_of(store().replace_password(change, kNow + 2)).has_value());
  BOOST_TEST(value_of(store().find_user_by_id(family.user.id))->password_hash == "$argon2id$new");
}

BOOST_AUTO_TEST_CASE(reset_requests_are_budgeted_per_address_and_window) {
  const UserRecord user = make_user();
  REQUIRE_OK(store().create_user(user));
  const std::string key = "reset:" + user.email_key;
  for (int i = 0; i < 3; ++i) {
    BOOST_TEST(value_of(store().record_mail_request(key, kNow + i, 3600, 3,
                                                       make_account_token(user, kPasswordResetPurpose),
                                                       make_mail(user.email_key))));
  }
  const auto over = make_account_token(user, kPasswordResetPurpose);
  BOOST_TEST(!value_of(store().record_mail_request(key, kNow + 10, 3600, 3, over, make_mail(user.email_key))));
  BOOST_TEST(!value_of(store().find_account_token(over.token_hash)).has_value());
  BOOST_TEST(value_of(store().list_mail_to(user.email_key, 10)).size() == 3u);
  // Unknown addresses use the budget too, without writing a token or mail.
  const std::string unknown = "reset:" + unique("nobody");
  BOOST_TEST(value_of(store().record_mail_request(unknown, kNow, 3600, 1, std::nullopt, std::nullopt)));
  BOOST_TEST(!value_of(store().record_mail_request(unknown, kNow, 3600, 1, std::nullopt, std::nullopt)));
  BOOST_TEST(value_of(store().record_mail_request(unknown, kNow + 3600, 3600, 1, std::nullopt, std::nullopt)));
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
// The housekeeping sweep (migration 0004 adds its indexes).
BOOST_AUTO_TEST_SUITE(housekeeping)

namespace {

constexpr std::int64_t kRevokedRetention = 900;
constexpr std::int64_t kMailRetention = 7 * kDay;

SweepCutoffs cutoffs_at(std::int64_t now) {
  return SweepCutoffs{now, now - kRevokedRetention, now - kMailRetention, now - 3600, now - kDay};
}

// One row of every kind the sweep looks at, on both sides of its cutoff at kNow.
struct SweepSeed {
  SessionRecord expired_session, long_revoked, recently_revoked, live;
  RefreshTokenRecord used_expired_token, unused_expired_token, current_token;
  std::string live_challenge;
  AccountTokenRecord live_reset, expired_reset;
  std::string mail_to;
  std::int64_t audit_events = 0;
};

SweepSeed seed(Store& target) {
  SweepSeed s;
  const UserRecord user = make_user();
  REQUIRE_OK(target.create_user(user));
  const auto add_session = [&](std::int64_t expires_at, std::optional<std::int64_t> revoked_at) {
    SessionRecord session = make_session(user.id, kNow - kDay);
    session.expires_at = expires_at;
    session.revoked_at = revoked_at;
    REQUIRE_OK(target.create_session(session));
    RefreshTokenRecord token = make_token(session.id, kNow - kDay);
    token.used_at = kNow - kDay + 60;
    REQUIRE_OK(target.insert_refresh_token(token));
    return session;
  };
  s.expired_session = add_session(kNow, std::nullopt);                          // goes, with its token
  s.long_revoked = add_session(kNow + kDay, kNow - kRevokedRetention - 1);      // goes, with its token
  s.recently_revoked = add_session(kNow + kDay, kNow - kRevokedRetention + 1);  // stays
  s.live = add_session(kNow + kDay, std::nullopt);                              // stays
  s.used_expired_token = make_token(s.live.id, kNow - kDay, kDay - 1);
  s.used_expired_token.used_at = kNow - 10;  // stays: reuse detection needs it
  s.unused_expired_token = make_token(s.live.id, kNow - kDay, kDay);  // goes
  s.current_token = make_token(s.live.id, kNow - 10);                 // stays
  for (const auto& token : {s.used_expired_token, s.unused_expired_token, s.current_token}) {
    REQUIRE_OK(target.insert_refresh_token(token));
  }

  const auto add_challenge = [&](std::int64_t expires_at) {
    MfaChallengeRecord challenge{unique("mfa"), user.id, kNow - 60, expires_at, 0, std::nullopt};
    REQUIRE_OK(target.create_mfa_challenge(challenge));
    return challenge.token_hash;
  };
  const std::string used_challenge = add_challenge(kNow + 300);
  REQUIRE_OK(target.complete_mfa_challenge(used_challenge, kNow - 30));  // goes: used
  (void)add_challenge(kNow);                                             // goes: expired
  s.live_challenge = add_challenge(kNow + 300);                          // stays

  // Account tokens, one user each (a new token voids the user's older ones).
  const auto add_token = [&](const char* purpose, std::int64_t expires_at) {
    UserRecord owner = make_user();
    REQUIRE_OK(target.create_user(owner));
    AccountTokenRecord token{unique("hash"), purpose, owner.id, owner.email_key, kNow - kDay, expires_at, std::nullopt};
    REQUIRE_OK(target.issue_account_token(token, make_mail(owner.email_key)));  // its mail is unsent: stays
    return token;
  };
  const auto verification = add_token(kEmailVerificationPurpose, kNow + kDay);
  BOOST_REQUIRE(value_of(target.verify_email(verification.token_hash, kNow - 5, std::nullopt)).has_value());  // goes: used
  s.expired_reset = add_token(kPasswordResetPurpose, kNow);        // goes
  s.live_reset = add_token(kPasswordResetPurpose, kNow + 1800);    // stays

  s.mail_to = unique("mail-to");
  const auto add_mail = [&]() {
    MailRecord mail = make_mail(s.mail_to, kNow - 10 * kDay);
    REQUIRE_OK(target.enqueue_mail(mail));
    return mail.id;
  };
  REQUIRE_OK(target.mark_mail_sent(add_mail(), kNow - kMailRetention, false));                   // goes
  REQUIRE_OK(target.mark_mail_sent(add_mail(), kNow - kMailRetention + 1, false));               // stays
  REQUIRE_OK(target.record_mail_failure(add_mail(), kNow - kMailRetention - 1, std::nullopt, "refused"));  // goes
  REQUIRE_OK(target.record_mail_failure(add_mail(), kNow - kMailRetention - 1, kNow + 60, "retry"));       // stays: due again
  (void)add_mail();                                                                                       // stays: unsent

  // The newer budget row first: recording one prunes the rows older than its own window.
  REQUIRE_OK(target.record_mail_request("reset:sweep", kNow - 100, 3600, 10, std::nullopt, std::nullopt));  // stays
  REQUIRE_OK(target.record_mail_request("reset:sweep", kNow - 3600, 3600, 10, std::nullopt, std::nullopt)); // goes

  const LockoutPolicy policy{1, 900, 900};
  REQUIRE_OK(target.record_login_failure("lapsed", kNow - 900, {5, 900, 900}));  // window ended at kNow: goes
  REQUIRE_OK(target.record_login_failure("counting", kNow - 10, {5, 900, 900}));  // stays
  REQUIRE_OK(target.record_login_failure("locked", kNow - 100, policy));          // locked until kNow + 800: stays

  for (int i = 0; i < 3; ++i) REQUIRE_OK(target.append_audit_event(audit::make_event(user.id.value, kNow - kDay * 400, "old")));
  s.audit_events = 3;
  return s;
}

SweepCounts expected_counts() {
  SweepCounts counts;
  counts.sessions = 2;
  counts.refresh_tokens = 3;
  counts.mfa_challenges = 2;
  counts.account_tokens = 2;
  counts.mail_requests = 1;
  counts.mail = 2;
  counts.login_failures = 1;
  return counts;
}


}  // namespace

BOOST_AUTO_TEST_CASE(sweep_removes_exactly_what_expired_then_nothing) {
  auto fresh = fresh_migrated();
  const SweepSeed s = seed(*fresh);

  const auto swept = value_of(fresh->sweep_expired(cutoffs_at(kNow)));
  BOOST_REQUIRE(swept.has_value());
  BOOST_TEST(*swept == expected_counts(), *swept);

  BOOST_TEST(!value_of(fresh->find_session(s.expired_session.id)).has_value());
  BOOST_TEST(!value_of(fresh->find_session(s.long_revoked.id)).has_value());
  BOOST_TEST(value_of(fresh->find_session(s.recently_revoked.id)).has_value());
  BOOST_TEST(value_of(fresh->find_session(s.live.id)).has_value());
  BOOST_TEST(value_of(fresh->find_refresh_token_session(s.used_expired_token.token_hash, kNow)).has_value());
  BOOST_TEST(value_of(fresh->find_refresh_token_session(s.current_token.token_hash, kNow)).has_value());
  BOOST_TEST(!value_of(fresh->find_refresh_token_session(s.unused_expired_token.token_hash, kNow)).has_value());
  BOOST_TEST(value_of(fresh->count_mfa_attempt(s.live_challenge, kNow, 5)).has_value());
  BOOST_TEST(value_of(fresh->find_account_token(s.live_reset.token_hash)).has_value());
  BOOST_TEST(!value_of(fresh->find_account_token(s.expired_reset.token_hash)).has_value());
  BOOST_TEST(value_of(fresh->list_mail_to(s.mail_to, 10)).size() == 3u);
  BOOST_TEST(value_of(fresh->lockout_state("counting", kNow)).failures == 1);
  BOOST_TEST(value_of(fresh->lockout_state("locked", kNow)).locked_until.has_value());
  // The audit log is never touched, however old.
  const auto report = value_of(AuditChainVerifier(*fresh).verify());
  BOOST_TEST(report.intact(), report.summary());
  BOOST_TEST(report.events == s.audit_events);

  // A second run at the same time finds nothing left to do.
  const auto again = value_of(fresh->sweep_expired(cutoffs_at(kNow)));
  BOOST_REQUIRE(again.has_value());
  BOOST_TEST(*again == SweepCounts{}, *again);
  BOOST_TEST(value_of(fresh->list_mail_to(s.mail_to, 10)).size() == 3u);
}

// Lines of the invalidation log are stamped by the database's clock.
BOOST_AUTO_TEST_CASE(sweep_removes_invalidation_lines_logged_before_the_cutoff) {
  auto fresh = fresh_migrated();
  UserRecord user = make_user();
  REQUIRE_OK(fresh->create_user(user));
  REQUIRE_OK(fresh->update_password_hash(user.id, "$argon2id$new", kNow));  // one line, logged now
  const auto wall_now = static_cast<std::int64_t>(std::time(nullptr));
  SweepCutoffs cutoffs = cutoffs_at(kNow);
  cutoffs.invalidations_before = wall_now - 60;
  BOOST_TEST(value_of(fresh->sweep_expired(cutoffs))->cache_invalidations == 0);
  cutoffs.invalidations_before = wall_now + 60;
  BOOST_TEST(value_of(fresh->sweep_expired(cutoffs))->cache_invalidations == 1);
}

BOOST_AUTO_TEST_CASE(two_stores_sweeping_at_once_remove_each_row_once) {
  const auto url = databases().fresh_url();
  auto one = fresh_migrated(url);
  auto two = open(url);
  (void)seed(*one);
  auto results = on_threads(2, [&](int i) { return (i == 0 ? one : two)->sweep_expired(cutoffs_at(kNow)); });
  SweepCounts total;
  for (const auto& result : results) {
    BOOST_REQUIRE_MESSAGE(result.ok(), describe(result));
    if (!result.value()) continue;  // PostgreSQL: the other held the sweep lock
    const SweepCounts& c = *result.value();
    total.sessions += c.sessions;
    total.refresh_tokens += c.refresh_tokens;
    total.mfa_challenges += c.mfa_challenges;
    total.account_tokens += c.account_tokens;
    total.mail_requests += c.mail_requests;
    total.mail += c.mail;
    total.login_failures += c.login_failures;
    total.cache_invalidations += c.cache_invalidations;
  }
  BOOST_TEST(total == expected_counts(), total);
}

BOOST_AUTO_TEST_SUITE_END()
