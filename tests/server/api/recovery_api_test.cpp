// Account recovery and mail over real HTTP against the real server (App) on
// an ephemeral port, on SQLite or PostgreSQL (SESAME_TEST_STORE): email
// verification, password reset, the mail outbox delivered to a real SMTP
// listener on loopback, the dev mailbox, and the breached-password check
// against a range-API stub. Time moves with a ManualClock, never by sleeping.
#define BOOST_TEST_MODULE server_recovery_api
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <regex>
#include <set>

#include "api_server.hpp"
#include "loopback_services.hpp"
#include "sesame/password_breach.hpp"

namespace {

using namespace sesame::test;
using namespace std::chrono_literals;

const std::string kNewPassword = "a brand new passphrase";
const std::string kPublicUrl = "https://auth.example.test";

// A server on `database_url` (shared by two instances when given twice).
class RecoveryServer {
 public:
  RecoveryServer(const std::string& database_url, const std::string& data_dir, Environment extra = {},
                 std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>())
      : database_url_(database_url), data_dir_(data_dir), clock_(std::move(clock)) {
    Environment env = {{"SESAME_PUBLIC_URL", kPublicUrl}, {"SESAME_MAIL_POLL_MS", "20"}};
    for (auto& [key, value] : extra) env[key] = value;
    app_ = start_app(database_url, data_dir, env, clock_);
    client_ = std::make_unique<HttpClient>("127.0.0.1", app_->port());
  }

  [[nodiscard]] const HttpClient& http() const { return *client_; }
  ManualClock& clock() { return *clock_; }

  HttpResponse register_user(const std::string& email, const std::string& password = kPassword,
                             const std::string& name = "") const {
    json body = {{"email", email}, {"password", password}};
    if (!name.empty()) body["name"] = name;
    return http().post_json("/api/v1/auth/register", body);
  }
  HttpResponse sign_in(const std::string& email, const std::string& password = kPassword) const {
    return http().post_json("/api/v1/auth/token", {{"email", email}, {"password", password}});
  }
  HttpResponse post(const std::string& path, const json& body, const std::string& access_token = "") const {
    if (access_token.empty()) return http().post_json(path, body);
    return http().post_json(path, body, {{"Authorization", "Bearer " + access_token}});
  }
  HttpResponse me(const std::string& access_token) const {
    return http().get("/api/v1/auth/me", {{"Authorization", "Bearer " + access_token}});
  }
  json mailbox(const std::string& to) const {
    auto response = http().get("/api/v1/dev/mailbox?to=" + to);
    BOOST_REQUIRE_EQUAL(response.status, 200);
    return response.json()["messages"];
  }

  // The outbox rows to an address, as stored (through a store of its own).
  std::vector<MailRecord> outbox(const std::string& to_key) const {
    auto store = open_store(database_url_, data_dir_);
    BOOST_REQUIRE(store.ok());
    auto mail = (*store)->list_mail_to(to_key, 100);
    BOOST_REQUIRE(mail.ok());
    return std::move(mail).value();
  }

 private:
  std::string database_url_;
  std::string data_dir_;
  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<App> app_;
  std::unique_ptr<HttpClient> client_;
};

// A server with a fresh database of its own.
class FreshServer {
 public:
  explicit FreshServer(Environment extra = {}) : server_(url_, dir_, std::move(extra)) {}
  RecoveryServer* operator->() { return &server_; }
  RecoveryServer& operator*() { return server_; }
  std::vector<AuditEventRecord> audit_events() const { return stored_audit_events(url_, dir_); }

 private:
  sesame::test::Databases databases_;
  std::string dir_ = (databases_.temp_dir() / "data").string();
  std::string url_ = databases_.fresh_url();
  RecoveryServer server_;
};

// The token of the first link in `text` that goes to `action` on the public URL.
std::string token_in(const std::string& text, const std::string& action) {
  const std::regex link(kPublicUrl + R"(/\?action=)" + action + R"(&token=([A-Za-z0-9_-]{43}))");
  std::smatch found;
  BOOST_REQUIRE_MESSAGE(std::regex_search(text, found, link), "no " + action + " link in: " + text);
  return found[1];
}

// The latest message of a kind in the dev mailbox.
std::string latest_token(RecoveryServer& server, const std::string& to, const std::string& action) {
  const json messages = server.mailbox(to);
  for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
    const std::string text = (*it)["text"];
    if (text.find("action=" + action) != std::string::npos) return token_in(text, action);
  }
  BOOST_FAIL("no " + action + " mail to " + to);
  return {};
}

// The token with its first character changed (never to itself: a test that
// replaced it with a fixed letter passed the real token one time in 64).
std::string forged(std::string token) {
  token[0] = token[0] == 'A' ? 'B' : 'A';
  return token;
}

int mails_with(const json& messages, const std::string& action) {
  int count = 0;
  for (const auto& message : messages) {
    if (message["text"].get<std::string>().find("action=" + action) != std::string::npos) ++count;
  }
  return count;
}

const Environment kDev = {{"SESAME_DEV", "1"}};

}  // namespace

// ---- SMTP delivery -------------------------------------------------------------

BOOST_AUTO_TEST_CASE(registration_mails_a_verification_link_over_smtp_with_the_name_escaped_in_html) {
  SmtpListener smtp;
  FreshServer server({{"SESAME_SMTP_URL", "smtp://127.0.0.1:" + std::to_string(smtp.port())},
                      {"SESAME_MAIL_FROM", "Sesame Accounts <accounts@example.test>"}});
  const std::string hostile = "<script>alert(1)</script> & co";
  BOOST_TEST_REQUIRE(server->register_user("Alice@Example.test", kPassword, hostile).status == 201);
  BOOST_REQUIRE(smtp.wait_for_messages(1, 10s));

  const auto mail = smtp.messages()[0];
  BOOST_TEST(mail.mail_from == "accounts@example.test");
  BOOST_TEST(mail.rcpt_to == std::vector<std::string>{"Alice@Example.test"});
  BOOST_TEST(mail.header("From") == "Sesame Accounts <accounts@example.test>");
  BOOST_TEST(mail.header("To") == "Alice@Example.test");
  BOOST_TEST(mail.header("Subject") == "Confirm your email address for Sesame");
  BOOST_TEST(mail.header("MIME-Version") == "1.0");
  BOOST_TEST(mail.header("Content-Type").find("multipart/alternative") == 0);
  BOOST_TEST(!mail.header("Message-ID").empty());
  BOOST_TEST(!mail.header("Date").empty());
  // Both parts carry the link; the HTML part escapes the user's name.
  const std::string token = token_in(mail.data, "verify-email");
  BOOST_TEST(mail.data.find("text/html") != std::string::npos);
  BOOST_TEST(mail.data.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co") != std::string::npos);
  const auto html = mail.data.substr(mail.data.find("text/html"));
  BOOST_TEST(html.find("<script>") == std::string::npos);

  // Not verified until the link is used; then me says so, once only.
  auto tokens = server->sign_in("alice@example.test");
  BOOST_TEST_REQUIRE(tokens.status == 200);
  const std::string access = tokens.json()["access_token"];
  BOOST_TEST(server->me(access).json()["email_verified"] == false);
  BOOST_TEST(server->post("/api/v1/auth/email/verify", {{"token", token}}).status == 204);
  BOOST_TEST(server->me(access).json()["email_verified"] == true);
  require_problem(server->post("/api/v1/auth/email/verify", {{"token", token}}), 400, "verification_token_invalid");

  // The security alert for the verified address follows.
  BOOST_REQUIRE(smtp.wait_for_messages(2, 10s));
  BOOST_TEST(smtp.messages()[1].header("Subject") == "Your email address for Sesame is confirmed");
  // Sent mail keeps no link outside dev mode (the row is marked just after the SMTP answer).
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    const auto rows = server->outbox("alice@example.test");
    BOOST_TEST_REQUIRE(rows.size() == 2u);
    if (rows[0].sent_at && rows[1].sent_at) {
      for (const auto& row : rows) BOOST_TEST((row.text_body.empty() && row.html_body.empty()));
      break;
    }
    BOOST_REQUIRE_MESSAGE((std::chrono::steady_clock::now() < deadline), "the outbox never recorded the delivery");
    std::this_thread::yield();
  }
}

BOOST_AUTO_TEST_CASE(mail_waits_in_the_outbox_while_the_smtp_server_is_down) {
  const std::uint16_t port = sesame::test::free_loopback_port();
  FreshServer server({{"SESAME_SMTP_URL", "smtp://127.0.0.1:" + std::to_string(port)}});
  BOOST_TEST_REQUIRE(server->register_user("bob@example.test").status == 201);

  // The first attempt fails and is recorded, with its reason and a later retry.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  std::vector<MailRecord> rows;
  for (;;) {
    rows = server->outbox("bob@example.test");
    if (!rows.empty() && rows[0].attempts >= 1) break;
    BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, "no delivery attempt recorded");
    std::this_thread::yield();
  }
  BOOST_TEST(!rows[0].sent_at.has_value());
  BOOST_TEST(!rows[0].failed_at.has_value());
  BOOST_TEST(rows[0].last_error.find("smtp") == 0, rows[0].last_error);
  BOOST_TEST(rows[0].next_attempt_at > server->clock().now_unix_seconds());

  // The server comes up; once the backoff has passed, the message arrives, once.
  SmtpListener smtp(port);
  server->clock().advance(3600);
  BOOST_REQUIRE(smtp.wait_for_messages(1, 10s));
  BOOST_TEST(token_in(smtp.messages()[0].data, "verify-email").size() == 43);
  const auto sent_deadline = std::chrono::steady_clock::now() + 10s;
  while (!server->outbox("bob@example.test")[0].sent_at) {
    BOOST_REQUIRE((std::chrono::steady_clock::now() < sent_deadline));
    std::this_thread::yield();
  }
  BOOST_TEST(smtp.messages().size() == 1u);
}

BOOST_AUTO_TEST_CASE(two_instances_on_one_database_send_each_message_once) {
  sesame::test::Databases databases;
  if (databases.kind() != "postgres") {
    // SQLite is one file of one process; the shared-database case is PostgreSQL's.
    BOOST_TEST_MESSAGE("two instances share a database only on PostgreSQL");
    return;
  }
  SmtpListener smtp;
  const std::string url = databases.fresh_url();
  const Environment env = {{"SESAME_SMTP_URL", "smtp://127.0.0.1:" + std::to_string(smtp.port())},
                           {"SESAME_MAIL_POLL_MS", "10"}};
  auto clock = std::make_shared<ManualClock>();
  RecoveryServer first(url, (databases.temp_dir() / "one").string(), env, clock);
  RecoveryServer second(url, (databases.temp_dir() / "two").string(), env, clock);
  constexpr int kUsers = 16;
  for (int i = 0; i < kUsers; ++i) {
    RecoveryServer& server = i % 2 == 0 ? first : second;
    BOOST_TEST_REQUIRE(server.register_user("user" + std::to_string(i) + "@example.test").status == 201);
  }
  BOOST_REQUIRE(smtp.wait_for_messages(kUsers, 20s));
  // Every row is recorded as sent; by then a duplicate would have arrived.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  for (int i = 0; i < kUsers; ++i) {
    while (!first.outbox("user" + std::to_string(i) + "@example.test")[0].sent_at) {
      BOOST_REQUIRE((std::chrono::steady_clock::now() < deadline));
      std::this_thread::yield();
    }
  }
  std::set<std::string> recipients;
  for (const auto& mail : smtp.messages()) recipients.insert(mail.rcpt_to.at(0));
  BOOST_TEST(smtp.messages().size() == static_cast<std::size_t>(kUsers));
  BOOST_TEST(recipients.size() == static_cast<std::size_t>(kUsers));
}

// ---- dev mailbox ---------------------------------------------------------------

BOOST_AUTO_TEST_CASE(the_dev_mailbox_exists_only_in_dev_mode) {
  {
    FreshServer server;
    BOOST_TEST_REQUIRE(server->register_user("carol@example.test").status == 201);
    require_problem(server->http().get("/api/v1/dev/mailbox?to=carol@example.test"), 404, "not_found");
  }
  FreshServer server(kDev);
  BOOST_TEST_REQUIRE(server->register_user("carol@example.test").status == 201);
  const json messages = server->mailbox("CAROL@example.test");
  BOOST_TEST_REQUIRE(messages.size() == 1u);
  BOOST_TEST(messages[0]["to"] == "carol@example.test");
  BOOST_TEST(messages[0]["subject"] == "Confirm your email address for Sesame");
  BOOST_TEST(messages[0]["created_at"].is_string());
  BOOST_TEST(server->mailbox("nobody@example.test").empty());
  require_problem(server->http().get("/api/v1/dev/mailbox"), 422, "validation_failed");
}

// ---- email verification ----------------------------------------------------------

BOOST_AUTO_TEST_CASE(verification_tokens_expire_are_single_use_and_cannot_be_forged) {
  FreshServer server(kDev);
  BOOST_TEST_REQUIRE(server->register_user("dan@example.test").status == 201);
  const std::string token = latest_token(*server, "dan@example.test", "verify-email");
  require_problem(server->post("/api/v1/auth/email/verify", {{"token", forged(token)}}), 400,
                  "verification_token_invalid");
  require_problem(server->post("/api/v1/auth/email/verify", {{"token", "short"}}), 400, "verification_token_invalid");
  require_problem(server->post("/api/v1/auth/email/verify", {{"nothing", 1}}), 422, "validation_failed");
  // A reset token is not a verification token.
  BOOST_TEST(server->post("/api/v1/auth/password/reset/initiate", {{"email", "dan@example.test"}}).status == 202);
  require_problem(server->post("/api/v1/auth/email/verify",
                               {{"token", latest_token(*server, "dan@example.test", "reset-password")}}),
                  400, "verification_token_invalid");

  server->clock().advance(24 * 3600 + 1);
  require_problem(server->post("/api/v1/auth/email/verify", {{"token", token}}), 400, "verification_token_invalid");
}

BOOST_AUTO_TEST_CASE(resend_sends_a_new_link_and_voids_the_old_one) {
  FreshServer server(kDev);
  BOOST_TEST_REQUIRE(server->register_user("erin@example.test").status == 201);
  const std::string old_token = latest_token(*server, "erin@example.test", "verify-email");
  const std::string access = server->sign_in("erin@example.test").json()["access_token"];
  require_problem(server->post("/api/v1/auth/email/verify/resend", json::object(), "not-a-jwt"), 401, "invalid_token");
  BOOST_TEST(server->post("/api/v1/auth/email/verify/resend", json::object(), access).status == 202);
  BOOST_TEST(mails_with(server->mailbox("erin@example.test"), "verify-email") == 2);
  const std::string new_token = latest_token(*server, "erin@example.test", "verify-email");
  BOOST_TEST(new_token != old_token);
  require_problem(server->post("/api/v1/auth/email/verify", {{"token", old_token}}), 400, "verification_token_invalid");
  BOOST_TEST(server->post("/api/v1/auth/email/verify", {{"token", new_token}}).status == 204);
  BOOST_TEST(server->me(access).json()["email_verified"] == true);
}

BOOST_AUTO_TEST_CASE(required_verification_refuses_sign_in_until_the_link_is_used) {
  FreshServer server({{"SESAME_DEV", "1"}, {"SESAME_REQUIRE_VERIFIED_EMAIL", "1"}});
  BOOST_TEST_REQUIRE(server->register_user("fay@example.test").status == 201);
  const auto refused = server->sign_in("fay@example.test");
  require_problem(refused, 403, "email_not_verified");
  BOOST_TEST(refused.json()["detail"].get<std::string>().find("/api/v1/auth/email/verify/resend") != std::string::npos);
  // A wrong password still says only that.
  require_problem(server->sign_in("fay@example.test", "not the password at all"), 401, "invalid_credentials");

  // Without a session, a new link by address (202 for any address).
  BOOST_TEST(server->post("/api/v1/auth/email/verify/resend", {{"email", "fay@example.test"}}).status == 202);
  BOOST_TEST(server->post("/api/v1/auth/email/verify/resend", {{"email", "nobody@example.test"}}).status == 202);
  BOOST_TEST(mails_with(server->mailbox("fay@example.test"), "verify-email") == 2);
  BOOST_TEST(server->mailbox("nobody@example.test").empty());
  const std::string token = latest_token(*server, "fay@example.test", "verify-email");
  BOOST_TEST(server->post("/api/v1/auth/email/verify", {{"token", token}}).status == 204);
  BOOST_TEST(server->sign_in("fay@example.test").status == 200);
  BOOST_TEST(count_of(server.audit_events(), "email.verified") == 1u);
}

// ---- password reset --------------------------------------------------------------

BOOST_AUTO_TEST_CASE(reset_ends_every_session_clears_the_lockout_and_sets_the_password) {
  FreshServer server(kDev);
  BOOST_TEST_REQUIRE(server->register_user("gus@example.test").status == 201);
  const json first = server->sign_in("gus@example.test").json();
  const json second = server->sign_in("gus@example.test").json();
  // Locked out by wrong guesses.
  for (int i = 0; i < 5; ++i) (void)server->sign_in("gus@example.test", "wrong password " + std::to_string(i));
  require_problem(server->sign_in("gus@example.test"), 429, "account_locked");

  const auto initiated = server->post("/api/v1/auth/password/reset/initiate", {{"email", "GUS@example.test"}});
  BOOST_TEST(initiated.status == 202);
  BOOST_TEST(initiated.body.empty());
  const std::string token = latest_token(*server, "gus@example.test", "reset-password");

  // The policy first, with every violation; the token stays usable.
  const auto weak = server->post("/api/v1/auth/password/reset/complete", {{"token", token}, {"new_password", "short"}});
  require_problem(weak, 422, "password_policy_violation");
  BOOST_TEST(weak.json()["violations"][0]["pointer"] == "/new_password");
  require_problem(server->post("/api/v1/auth/password/reset/complete", {{"token", token}, {"new_password", "password1"}}),
                  422, "password_policy_violation");
  require_problem(server->post("/api/v1/auth/password/reset/complete",
                               {{"token", token}, {"new_password", "gus@example.test"}}),
                  422, "password_policy_violation");

  BOOST_TEST(server->post("/api/v1/auth/password/reset/complete", {{"token", token}, {"new_password", kNewPassword}})
                 .status == 204);
  // Every access and refresh token of the user stops working at once.
  for (const json& tokens : {first, second}) {
    require_problem(server->me(tokens["access_token"]), 401, "session_revoked");
    BOOST_TEST(server->post("/api/v1/auth/refresh", {{"refresh_token", tokens["refresh_token"]}}).status == 401);
  }
  require_problem(server->sign_in("gus@example.test"), 401, "invalid_credentials");
  BOOST_TEST(server->sign_in("gus@example.test", kNewPassword).status == 200);  // the lockout is gone
  // Single use.
  require_problem(server->post("/api/v1/auth/password/reset/complete",
                               {{"token", token}, {"new_password", "yet another passphrase"}}),
                  400, "reset_token_invalid");
  // The alert mail.
  bool alerted = false;
  for (const auto& message : server->mailbox("gus@example.test")) {
    alerted = alerted || message["subject"] == "Your Sesame password was reset";
  }
  BOOST_TEST(alerted);
  const auto events = server.audit_events();
  BOOST_TEST(count_of(events, "password.reset") == 1u);
  BOOST_TEST(count_of(events, "password.reset_requested") == 1u);
}

BOOST_AUTO_TEST_CASE(reset_tokens_expire_and_cannot_be_forged) {
  FreshServer server(kDev);
  BOOST_TEST_REQUIRE(server->register_user("hal@example.test").status == 201);
  BOOST_TEST(server->post("/api/v1/auth/password/reset/initiate", {{"email", "hal@example.test"}}).status == 202);
  const std::string token = latest_token(*server, "hal@example.test", "reset-password");
  require_problem(server->post("/api/v1/auth/password/reset/complete",
                               {{"token", forged(token)}, {"new_password", kNewPassword}}),
                  400, "reset_token_invalid");
  // A verification token is not a reset token.
  require_problem(server->post("/api/v1/auth/password/reset/complete",
                               {{"token", latest_token(*server, "hal@example.test", "verify-email")},
                                {"new_password", kNewPassword}}),
                  400, "reset_token_invalid");
  require_problem(server->post("/api/v1/auth/password/reset/complete", {{"token", token}}), 422, "validation_failed");
  server->clock().advance(30 * 60 + 1);
  require_problem(server->post("/api/v1/auth/password/reset/complete", {{"token", token}, {"new_password", kNewPassword}}),
                  400, "reset_token_invalid");
  BOOST_TEST(server->sign_in("hal@example.test").status == 200);
}

BOOST_AUTO_TEST_CASE(reset_for_an_unknown_email_looks_the_same_and_mails_are_capped_per_hour) {
  FreshServer server(kDev);
  BOOST_TEST_REQUIRE(server->register_user("ivy@example.test").status == 201);
  const auto known = server->post("/api/v1/auth/password/reset/initiate", {{"email", "ivy@example.test"}});
  const auto unknown = server->post("/api/v1/auth/password/reset/initiate", {{"email", "nobody@example.test"}});
  BOOST_TEST(known.status == 202);
  BOOST_TEST(unknown.status == 202);
  BOOST_TEST(known.body == unknown.body);
  BOOST_TEST(known.header("content-type").value_or("") == unknown.header("content-type").value_or(""));
  BOOST_TEST(server->mailbox("nobody@example.test").empty());
  require_problem(server->post("/api/v1/auth/password/reset/initiate", {{"email", 42}}), 422, "validation_failed");

  // Three mails an hour at most, whatever is asked.
  for (int i = 0; i < 4; ++i) {
    BOOST_TEST(server->post("/api/v1/auth/password/reset/initiate", {{"email", "ivy@example.test"}}).status == 202);
  }
  BOOST_TEST(mails_with(server->mailbox("ivy@example.test"), "reset-password") == 3);
  server->clock().advance(3601);
  BOOST_TEST(server->post("/api/v1/auth/password/reset/initiate", {{"email", "ivy@example.test"}}).status == 202);
  BOOST_TEST(mails_with(server->mailbox("ivy@example.test"), "reset-password") == 4);
  // Only the newest link works.
  const json messages = server->mailbox("ivy@example.test");
  const std::string older = token_in(messages[messages.size() - 2]["text"], "reset-password");
  require_problem(server->post("/api/v1/auth/password/reset/complete", {{"token", older}, {"new_password", kNewPassword}}),
                  400, "reset_token_invalid");
}

BOOST_AUTO_TEST_CASE(password_change_mails_an_alert) {
  FreshServer server(kDev);
  BOOST_TEST_REQUIRE(server->register_user("jo@example.test").status == 201);
  const std::string access = server->sign_in("jo@example.test").json()["access_token"];
  BOOST_TEST(server->post("/api/v1/auth/password/change", {{"current_password", kPassword}, {"new_password", kNewPassword}},
                          access).status == 204);
  BOOST_TEST(server->mailbox("jo@example.test").back()["subject"] == "Your Sesame password was changed");
  BOOST_TEST(server->me(access).status == 200);  // the session that changed it stays
}

BOOST_AUTO_TEST_CASE(refresh_token_reuse_mails_an_alert) {
  FreshServer server({{"SESAME_DEV", "1"}, {"SESAME_REFRESH_REUSE_GRACE", "0"}});
  BOOST_TEST_REQUIRE(server->register_user("kim@example.test").status == 201);
  const std::string refresh = server->sign_in("kim@example.test").json()["refresh_token"];
  BOOST_TEST(server->post("/api/v1/auth/refresh", {{"refresh_token", refresh}}).status == 200);
  require_problem(server->post("/api/v1/auth/refresh", {{"refresh_token", refresh}}), 401, "refresh_token_reused");
  BOOST_TEST(server->mailbox("kim@example.test").back()["subject"] == "A session of your Sesame account was ended");
}

// ---- breached passwords ------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_breached_password_is_refused_at_registration_change_and_reset) {
  const std::string breached = "purple monkey dishwasher";
  const BreachRangeQuery query = breach_range_query(breached);
  // The answer lists the password's suffix, another one, and padding with count 0.
  sesame::test::RangeApiStub stub(std::map<std::string, std::string>{{query.prefix, "0018A45C4D1DEF81644B54AB7F969B88D65:1\r\n" + query.suffix +
                                                      ":42\r\n00000000000000000000000000000000000:0\r\n"}});
  FreshServer server({{"SESAME_DEV", "1"},
                      {"SESAME_BREACHED_PASSWORDS_URL", "http://127.0.0.1:" + std::to_string(stub.port()) + "/range/"}});
  const auto refused = server->register_user("lee@example.test", breached);
  require_problem(refused, 422, "password_breached");
  BOOST_TEST(refused.json()["violations"][0]["code"] == "password_breached");
  BOOST_TEST(refused.json()["violations"][0]["pointer"] == "/password");
  BOOST_TEST_REQUIRE(!stub.requests().empty());
  const std::string head = stub.requests()[0];
  BOOST_TEST(head.find("GET /range/" + query.prefix + " HTTP/1.1") == 0, head);
  BOOST_TEST(head.find("Add-Padding: true") != std::string::npos, head);
  BOOST_TEST(head.find(query.suffix) == std::string::npos);  // only the prefix leaves

  BOOST_TEST_REQUIRE(server->register_user("lee@example.test").status == 201);
  const std::string access = server->sign_in("lee@example.test").json()["access_token"];
  require_problem(server->post("/api/v1/auth/password/change", {{"current_password", kPassword}, {"new_password", breached}},
                               access),
                  422, "password_breached");
  BOOST_TEST(server->post("/api/v1/auth/password/reset/initiate", {{"email", "lee@example.test"}}).status == 202);
  const std::string token = latest_token(*server, "lee@example.test", "reset-password");
  require_problem(server->post("/api/v1/auth/password/reset/complete", {{"token", token}, {"new_password", breached}}),
                  422, "password_breached");
  // A blocklisted one never reaches the service.
  const auto asked = stub.requests().size();
  require_problem(server->post("/api/v1/auth/password/reset/complete", {{"token", token}, {"new_password", "password1"}}),
                  422, "password_policy_violation");
  BOOST_TEST(stub.requests().size() == asked);
  BOOST_TEST(server->post("/api/v1/auth/password/reset/complete", {{"token", token}, {"new_password", kNewPassword}})
                 .status == 204);
}

BOOST_AUTO_TEST_CASE(sign_up_works_when_the_breached_password_service_is_down_or_slow) {
  {
    const std::uint16_t closed = sesame::test::free_loopback_port();
    FreshServer server({{"SESAME_BREACHED_PASSWORDS_URL", "http://127.0.0.1:" + std::to_string(closed) + "/range/"}});
    BOOST_TEST(server->register_user("mo@example.test").status == 201);
  }
  sesame::test::RangeApiStub hanging(std::map<std::string, std::string>{}, /*hang=*/true);
  FreshServer server({{"SESAME_BREACHED_PASSWORDS_URL", "http://127.0.0.1:" + std::to_string(hanging.port()) + "/range/"},
                      {"SESAME_BREACHED_PASSWORDS_TIMEOUT_MS", "300"}});
  const auto started = std::chrono::steady_clock::now();
  BOOST_TEST(server->register_user("mo@example.test").status == 201);
  BOOST_TEST((std::chrono::steady_clock::now() - started < 5s));
  BOOST_TEST(hanging.requests().size() == 1u);
}
