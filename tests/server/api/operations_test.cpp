// Operating the server: `sesame-server audit verify` and `sesame-server sweep`
// run as real subprocesses (the built binary) against the database of a real
// server that audited requests over HTTP, on each store; the rows are tampered
// with by plain SQL, as someone with a database shell would. And the periodic
// sweep started by the server itself. (Two server processes appending to one
// chain: tests/server/api/two_instances_test.cpp.)
#define BOOST_TEST_MODULE server_operations
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "api_server.hpp"
#include "store/audit_chain.hpp"

namespace {

using namespace sesame::test;

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

CommandResult sesame_server(const std::string& database_url, const std::string& data_dir, const std::string& args) {
  const std::string command = "env DATABASE_URL=" + quoted(database_url) + " SESAME_DATA_DIR=" + quoted(data_dir) +
                              " " + quoted(SESAME_SERVER_BINARY) + " " + args + " 2>&1";
  CommandResult result;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  BOOST_REQUIRE(pipe != nullptr);
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) result.output += buffer;
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

bool postgres(const std::string& url) { return url.rfind("sqlite:", 0) != 0; }

// What an attacker with a SQL shell does first: the append-only triggers go.
void drop_guards(const std::string& url) {
  run_sql(url, postgres(url) ? "DROP TRIGGER audit_events_no_update ON audit_events;"
                               " DROP TRIGGER audit_events_no_delete ON audit_events;"
                             : "DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;");
}

// A server whose audit log holds events written over HTTP: registrations,
// sign-ins that succeed and fail, a refresh.
struct AuditedServer {
  ApiServer server;
  std::vector<AuditEventRecord> chain;  // in append order

  AuditedServer() {
    for (const char* email : {"ann@example.com", "ben@example.com"}) {
      const auto tokens = server.signed_in_user(email);
      BOOST_TEST_REQUIRE(server.sign_in(email, "not the password!").status == 401);
      BOOST_TEST_REQUIRE(server.refresh(tokens["refresh_token"]).status == 200);
    }
    auto events = server.audit_events(std::string());
    chain.assign(events.rbegin(), events.rend());
    BOOST_TEST_REQUIRE(chain.size() >= 8u);
  }

  [[nodiscard]] CommandResult verify() const { return sesame_server(server.database_url(), server.data_dir(), "audit verify"); }
  [[nodiscard]] std::string url() const { return server.database_url(); }
  [[nodiscard]] std::string sequence_of(std::size_t index) const { return std::to_string(chain[index].sequence); }
};

void require_broken_at(const CommandResult& result, const AuditEventRecord& event, const std::string& reason) {
  BOOST_TEST(result.exit_code == 1, result.output);
  BOOST_TEST(result.output.find("at event " + event.id + " (sequence " + std::to_string(event.sequence) + ")") !=
                 std::string::npos,
             result.output);
  BOOST_TEST(result.output.find(reason) != std::string::npos, result.output);
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(audit_verify, AuditedServer)

BOOST_AUTO_TEST_CASE(an_untouched_log_verifies_with_its_count_and_exit_code_zero) {
  const auto result = verify();
  BOOST_TEST(result.exit_code == 0, result.output);
  BOOST_TEST(result.output.starts_with("audit chain intact: " + std::to_string(chain.size()) + " events, head hash " +
                                       chain.back().hash),
             result.output);
}

BOOST_AUTO_TEST_CASE(an_edited_row_is_named_as_changed) {
  drop_guards(url());
  run_sql(url(), "UPDATE audit_events SET ip = '203.0.113.99' WHERE chain_seq = " + sequence_of(2));
  require_broken_at(verify(), chain[2], "the event was changed");
}

BOOST_AUTO_TEST_CASE(a_deleted_row_is_named_by_the_event_after_the_gap) {
  drop_guards(url());
  run_sql(url(), "DELETE FROM audit_events WHERE chain_seq = " + sequence_of(3));
  require_broken_at(verify(), chain[4], "1 event(s) before it were removed");
}

BOOST_AUTO_TEST_CASE(rows_cut_off_the_end_are_found_by_the_head) {
  drop_guards(url());
  run_sql(url(), "DELETE FROM audit_events WHERE chain_seq > " + sequence_of(chain.size() - 3));
  const auto result = verify();
  require_broken_at(result, chain[chain.size() - 3], "the 2 after this one were removed");
}

BOOST_AUTO_TEST_CASE(a_row_inserted_in_the_middle_is_named) {
  drop_guards(url());
  // Room at sequence 3: the later rows move up one (in two steps, for the unique index).
  run_sql(url(), "UPDATE audit_events SET chain_seq = chain_seq + 100000 WHERE chain_seq >= 3;"
                 " UPDATE audit_events SET chain_seq = chain_seq - 99999 WHERE chain_seq >= 100000;"
                 " INSERT INTO audit_events (id, type, created_at, user_id, details_json, chain_seq, previous_hash,"
                 " event_hash) VALUES ('forged', 'login.succeeded', 1, '', '{}', 3, '" + chain[1].hash + "', '" +
                     std::string(64, 'f') + "')");
  AuditEventRecord forged;
  forged.id = "forged";
  forged.sequence = 3;
  require_broken_at(verify(), forged, "inserted with a forged hash");
}

BOOST_AUTO_TEST_CASE(a_row_inserted_beyond_the_head_or_outside_the_chain_is_named) {
  run_sql(url(), "INSERT INTO audit_events (id, type, created_at, details_json, chain_seq, previous_hash, event_hash)"
                 " VALUES ('appended', 'x', 1, '{}', " + std::to_string(chain.size() + 1) + ", '" + chain.back().hash +
                     "', '" + std::string(64, 'a') + "')");
  AuditEventRecord appended;
  appended.id = "appended";
  appended.sequence = static_cast<std::int64_t>(chain.size() + 1);
  // Its hash is checked first: forged. With a right hash it would still lie beyond the head.
  require_broken_at(verify(), appended, "inserted with a forged hash");
}

BOOST_AUTO_TEST_CASE(a_row_without_a_place_in_the_chain_is_named) {
  run_sql(url(), "INSERT INTO audit_events (id, type, created_at, details_json) VALUES ('unchained', 'x', 1, '{}')");
  const auto result = verify();
  BOOST_TEST(result.exit_code == 1, result.output);
  BOOST_TEST(result.output.find("at event unchained (no sequence): it has no place in the chain") != std::string::npos,
             result.output);
}

BOOST_AUTO_TEST_CASE(a_replaced_last_event_disagrees_with_the_head) {
  drop_guards(url());
  // A rewrite of the last event with a correct hash of its new fields: only the head row tells.
  AuditEventRecord rewritten = chain.back();
  rewritten.ip = "203.0.113.99";
  rewritten.hash = sesame::server::audit_event_hash(rewritten);
  run_sql(url(), "UPDATE audit_events SET ip = '203.0.113.99', event_hash = '" + rewritten.hash +
                     "' WHERE chain_seq = " + std::to_string(rewritten.sequence));
  require_broken_at(verify(), rewritten, "the last event was replaced");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(verify_that_cannot_read_the_database_exits_two) {
  Databases databases;
  const auto result =
      sesame_server("postgresql://postgres@/none?host=/nonexistent&port=1&connect_timeout=1",
                    (databases.temp_dir() / "data").string(), "audit verify");
  BOOST_TEST(result.exit_code == 2, result.output);
}

BOOST_AUTO_TEST_CASE(the_sweep_command_logs_one_line_with_counts_and_leaves_the_chain) {
  ApiServer server;
  (void)server.signed_in_user("cal@example.com");
  const auto swept = sesame_server(server.database_url(), server.data_dir(), "sweep");
  BOOST_TEST(swept.exit_code == 0, swept.output);
  BOOST_TEST(swept.output.find(R"({"level":"info","msg":"housekeeping sweep","sessions":)") != std::string::npos,
             swept.output);
  BOOST_TEST(sesame_server(server.database_url(), server.data_dir(), "audit verify").exit_code == 0);
}

BOOST_AUTO_TEST_CASE(the_server_sweeps_on_its_own_every_interval) {
  ApiServer server(Environment{{"SESAME_SWEEP_INTERVAL", "1"}});
  const auto tokens = server.signed_in_user("dot@example.com");
  BOOST_TEST_REQUIRE(server.post_with("/api/v1/auth/logout", tokens["access_token"]).status == 204);
  server.clock().advance(900 + 1);  // past the access tokens of the revoked session
  auto store = open_store(server.database_url(), server.data_dir());
  BOOST_REQUIRE(store.ok());
  const SessionId session{tokens["session_id"].get<std::string>()};
  bool gone = false;
  for (int i = 0; i < 50 && !gone; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto found = (*store)->find_session(session);
    BOOST_REQUIRE(found.ok());
    gone = !found->has_value();
  }
  BOOST_TEST(gone);
}
