// The admin API, account lifecycle and tenants over real HTTP, on the store
// SESAME_TEST_STORE names: who may call which route, paging while users are
// added, disabling (every token refused at once), tenant isolation, the
// admin-chosen password, closed registration, invitations, the bootstrap admin.
#define BOOST_TEST_MODULE server_admin_api
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <set>

#include "api_server.hpp"

namespace {

using namespace sesame::test;

const std::string kAdminEmail = "operator@example.com";
const std::string kAdminPassword = "operator passphrase 2026";

// A password file for SESAME_ADMIN_PASSWORD_FILE, removed with the object.
class PasswordFile {
 public:
  explicit PasswordFile(const std::string& password) {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("sesame-admin-password-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::ofstream(path_) << password << "\n";
  }
  ~PasswordFile() { std::filesystem::remove(path_); }
  [[nodiscard]] std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// A server whose bootstrap admin (a global admin) is signed in.
struct AdminServer {
  explicit AdminServer(Environment extra = {}) : server(with_bootstrap(std::move(extra), file)) {
    auto tokens = server.sign_in(kAdminEmail, kAdminPassword);
    BOOST_REQUIRE_EQUAL(tokens.status, 200);
    admin_token = tokens.json()["access_token"].get<std::string>();
  }

  static Environment with_bootstrap(Environment extra, const PasswordFile& password_file) {
    extra["SESAME_ADMIN_EMAIL"] = kAdminEmail;
    extra["SESAME_ADMIN_PASSWORD_FILE"] = password_file.path();
    return extra;
  }

  HttpResponse admin(std::string_view method, const std::string& path, const json& body = nullptr,
                     const std::string& token = {}) const {
    const HeaderList auth{{"Authorization", "Bearer " + (token.empty() ? admin_token : token)}};
    if (body.is_null()) return server.http().request(method, path, auth);
    return server.http().send_json(method, path, body, auth);
  }

  // A user created by registration; their id.
  std::string user(const std::string& email) const {
    auto registered = server.register_user(email);
    BOOST_REQUIRE_EQUAL(registered.status, 201);
    return registered.json()["user"]["id"].get<std::string>();
  }

  PasswordFile file{kAdminPassword};
  ApiServer server;
  std::string admin_token;
};

std::string token_of(const HttpResponse& response) { return response.json()["access_token"].get<std::string>(); }

}  // namespace

BOOST_AUTO_TEST_CASE(every_admin_route_needs_a_token_and_the_admin_role) {
  AdminServer s;
  const std::string id = s.user("plain@example.com");
  struct Route {
    std::string method;
    std::string path;
    json body;
    long admin_status;
  };
  const std::vector<Route> routes{
      {"GET", "/api/v1/admin/users", nullptr, 200},
      {"POST", "/api/v1/admin/users", {{"email", "created@example.com"}, {"password", kPassword}}, 201},
      {"PATCH", "/api/v1/admin/users/" + id, {{"name", "Plain"}}, 200},
      {"DELETE", "/api/v1/admin/users/" + id + "/sessions", nullptr, 204},
      {"DELETE", "/api/v1/admin/users/" + id + "/lockout", nullptr, 204},
      {"GET", "/api/v1/admin/audit", nullptr, 200},
      {"GET", "/api/v1/admin/tenants", nullptr, 200},
      {"POST", "/api/v1/admin/tenants", {{"id", "acme"}}, 201},
      {"PATCH", "/api/v1/admin/tenants/acme", {{"disabled", false}}, 200},
  };
  for (const auto& route : routes) {
    BOOST_TEST_CONTEXT(route.method << " " << route.path) {
      const auto anonymous = route.body.is_null() ? s.server.http().request(route.method, route.path)
                                                  : s.server.http().send_json(route.method, route.path, route.body);
      require_problem(anonymous, 401, "unauthorized");
      // A fresh token each time: one of the routes ends the user's sessions.
      const std::string user_token = token_of(s.server.sign_in("plain@example.com"));
      require_problem(s.admin(route.method, route.path, route.body, user_token), 403, "forbidden");
      BOOST_TEST(s.admin(route.method, route.path, route.body).status == route.admin_status);
    }
  }
}

BOOST_AUTO_TEST_CASE(user_pages_list_every_user_once_while_users_are_added) {
  AdminServer s;
  std::set<std::string> before;
  const json existing = s.admin("GET", "/api/v1/admin/users").json();  // named: a range over a temporary's member dangles
  for (const auto& user : existing["users"]) before.insert(user["id"].get<std::string>());
  for (int i = 0; i < 7; ++i) {
    before.insert(s.user("page-" + std::to_string(i) + "@example.com"));
    if (i % 2 == 0) s.server.clock().advance(1);  // some share a second: the id breaks the tie
  }
  std::multiset<std::string> seen;
  std::string cursor;
  int pages = 0;
  int added = 0;
  do {
    const auto page = s.admin("GET", "/api/v1/admin/users?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor));
    BOOST_REQUIRE_EQUAL(page.status, 200);
    const auto body = page.json();
    BOOST_TEST(body["users"].size() <= 3u);
    for (const auto& user : body["users"]) seen.insert(user["id"].get<std::string>());
    cursor = body["next_cursor"].is_null() ? "" : body["next_cursor"].get<std::string>();
    // Users registered between page requests, in the same second and later.
    s.user("added-" + std::to_string(added++) + "@example.com");
    ++pages;
  } while (!cursor.empty() && pages < 20);
  BOOST_TEST(pages >= 3);
  for (const auto& id : before) BOOST_TEST(seen.count(id) == 1u, id << " listed " << seen.count(id) << " times");
  for (const auto& id : seen) BOOST_TEST(seen.count(id) == 1u, id << " listed twice");
}

BOOST_AUTO_TEST_CASE(user_listing_filters_by_email_prefix_and_disabled) {
  AdminServer s;
  const std::string ada = s.user("ada@example.com");
  s.user("bob@example.com");
  BOOST_REQUIRE_EQUAL(s.admin("PATCH", "/api/v1/admin/users/" + ada, {{"disabled", true}}).status, 200);
  const auto by_email = s.admin("GET", "/api/v1/admin/users?email=ADA").json()["users"];
  BOOST_REQUIRE_EQUAL(by_email.size(), 1u);
  BOOST_TEST(by_email[0]["id"] == ada);
  const auto disabled = s.admin("GET", "/api/v1/admin/users?disabled=true").json()["users"];
  BOOST_REQUIRE_EQUAL(disabled.size(), 1u);
  BOOST_TEST(disabled[0]["disabled"] == true);
  // LIKE metacharacters are literal.
  BOOST_TEST(s.admin("GET", "/api/v1/admin/users?email=%25").json()["users"].empty());
  require_problem(s.admin("GET", "/api/v1/admin/users?limit=abc"), 422, "validation_failed");
  require_problem(s.admin("GET", "/api/v1/admin/users?limit=0"), 422, "validation_failed");
  require_problem(s.admin("GET", "/api/v1/admin/users?disabled=maybe"), 422, "validation_failed");
  require_problem(s.admin("GET", "/api/v1/admin/users?cursor=not-a-cursor"), 422, "validation_failed");
}

BOOST_AUTO_TEST_CASE(disabling_a_user_refuses_their_tokens_on_the_very_next_request) {
  AdminServer s;
  const std::string id = s.user("leaver@example.com");
  const auto tokens = s.server.sign_in("leaver@example.com").json();
  const std::string access = tokens["access_token"];
  BOOST_REQUIRE_EQUAL(s.server.get_with("/api/v1/auth/me", access).status, 200);

  const auto disabled = s.admin("PATCH", "/api/v1/admin/users/" + id, {{"disabled", true}});
  BOOST_REQUIRE_EQUAL(disabled.status, 200);
  BOOST_TEST(disabled.json()["disabled"] == true);
  require_problem(s.server.get_with("/api/v1/auth/me", access), 401, "session_revoked");
  require_problem(s.server.refresh(tokens["refresh_token"]), 401, "invalid_token");
  require_problem(s.server.sign_in("leaver@example.com"), 403, "account_disabled");

  // Enabled again: the person signs in anew (the old sessions stay ended).
  BOOST_REQUIRE_EQUAL(s.admin("PATCH", "/api/v1/admin/users/" + id, {{"disabled", false}}).status, 200);
  BOOST_TEST(s.server.sign_in("leaver@example.com").status == 200);
  require_problem(s.server.refresh(tokens["refresh_token"]), 401, "invalid_token");
}

BOOST_AUTO_TEST_CASE(admin_changes_are_audited_with_the_actor) {
  AdminServer s;
  const std::string id = s.user("audited@example.com");
  BOOST_REQUIRE_EQUAL(s.admin("PATCH", "/api/v1/admin/users/" + id, {{"roles", {"auditor"}}, {"email_verified", true}}).status,
                      200);
  BOOST_REQUIRE_EQUAL(s.admin("DELETE", "/api/v1/admin/users/" + id + "/sessions").status, 204);
  const auto admin_id = s.admin("GET", "/api/v1/auth/me").json()["id"];
  const auto events = s.admin("GET", "/api/v1/admin/audit?user_id=" + id).json()["events"];
  std::set<std::string> types;
  for (const auto& event : events) {
    types.insert(event["type"].get<std::string>());
    if (event["type"].get<std::string>().rfind("admin.", 0) == 0) BOOST_TEST(event["actor_id"] == admin_id);
  }
  BOOST_TEST(types.count("admin.user_updated") == 1u);
  BOOST_TEST(types.count("admin.sessions_revoked") == 1u);
  BOOST_TEST(types.count("account.registered") == 1u);
  const auto updated = s.admin("GET", "/api/v1/admin/audit?type=admin.user_updated").json()["events"];
  BOOST_REQUIRE_EQUAL(updated.size(), 1u);
  BOOST_TEST(updated[0]["details"]["changes"]["roles"] == json({"auditor", "user"}));
  // The user's roles are in the next access token.
  const auto claims_roles = s.admin("GET", "/api/v1/admin/users?email=audited").json()["users"][0]["roles"];
  BOOST_TEST(claims_roles == json({"auditor", "user"}));
}

BOOST_AUTO_TEST_CASE(audit_pages_follow_the_cursor_without_repeats) {
  AdminServer s;
  for (int i = 0; i < 5; ++i) s.user("audit-page-" + std::to_string(i) + "@example.com");
  std::multiset<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    const auto page = s.admin("GET", "/api/v1/admin/audit?type=account.registered&limit=2" +
                                         (cursor.empty() ? "" : "&cursor=" + cursor));
    BOOST_REQUIRE_EQUAL(page.status, 200);
    const json body = page.json();
    for (const auto& event : body["events"]) seen.insert(event["id"].get<std::string>());
    cursor = body["next_cursor"].is_null() ? "" : body["next_cursor"].get<std::string>();
    s.user("audit-added-" + std::to_string(pages) + "@example.com");  // appended meanwhile
    ++pages;
  } while (!cursor.empty() && pages < 10);
  BOOST_TEST(seen.size() == 5u);
  for (const auto& id : seen) BOOST_TEST(seen.count(id) == 1u);
}

BOOST_AUTO_TEST_CASE(an_admin_of_one_tenant_cannot_see_change_or_revoke_users_of_another) {
  AdminServer s;
  const std::string home_user = s.user("home@example.com");
  BOOST_REQUIRE_EQUAL(s.admin("POST", "/api/v1/admin/tenants", {{"id", "acme"}, {"name", "Acme"}}).status, 201);
  require_problem(s.admin("POST", "/api/v1/admin/tenants", {{"id", "acme"}}), 409, "tenant_exists");
  const auto acme_admin = s.admin("POST", "/api/v1/admin/users",
                                  {{"email", "boss@acme.test"}, {"password", kPassword}, {"tenant_id", "acme"},
                                   {"roles", {"admin"}}});
  BOOST_REQUIRE_EQUAL(acme_admin.status, 201);
  BOOST_TEST(acme_admin.json()["tenant_id"] == "acme");
  // The chosen password is changed first, then the token is a full one.
  auto first = s.server.http().post_json("/api/v1/auth/token",
                                         {{"email", "boss@acme.test"}, {"password", kPassword}, {"tenant_id", "acme"}});
  BOOST_REQUIRE_EQUAL(first.status, 200);
  BOOST_REQUIRE_EQUAL(s.server.post_with("/api/v1/auth/password/change", token_of(first),
                                         {{"current_password", kPassword}, {"new_password", "acme boss passphrase"}})
                          .status,
                      204);
  const auto renewed = s.server.refresh(first.json()["refresh_token"]);
  BOOST_REQUIRE_EQUAL(renewed.status, 200);
  const std::string acme_token = token_of(renewed);
  const auto acme_user = s.admin("POST", "/api/v1/admin/users", {{"email", "worker@acme.test"}}, acme_token);
  BOOST_REQUIRE_EQUAL(acme_user.status, 201);
  BOOST_TEST(acme_user.json()["tenant_id"] == "acme");

  const auto listed = s.admin("GET", "/api/v1/admin/users", nullptr, acme_token).json()["users"];
  for (const auto& user : listed) BOOST_TEST(user["tenant_id"] == "acme");
  BOOST_TEST(listed.size() == 2u);
  require_problem(s.admin("PATCH", "/api/v1/admin/users/" + home_user, {{"disabled", true}}, acme_token), 404, "not_found");
  require_problem(s.admin("DELETE", "/api/v1/admin/users/" + home_user + "/sessions", nullptr, acme_token), 404,
                  "not_found");
  require_problem(s.admin("DELETE", "/api/v1/admin/users/" + home_user + "/lockout", nullptr, acme_token), 404,
                  "not_found");
  const auto foreign_audit = s.admin("GET", "/api/v1/admin/audit?user_id=" + home_user, nullptr, acme_token);
  BOOST_REQUIRE_EQUAL(foreign_audit.status, 200);
  BOOST_TEST(foreign_audit.json()["events"].empty(), foreign_audit.body);
  const auto own_audit = s.admin("GET", "/api/v1/admin/audit", nullptr, acme_token).json();
  BOOST_REQUIRE(!own_audit["events"].empty());
  for (const auto& event : own_audit["events"]) {
    BOOST_TEST(event["user_id"] != json(home_user), "an acme admin read an event of another tenant: " << event.dump());
  }
  // Nor does a tenant admin reach other tenants or the global role.
  require_problem(s.admin("POST", "/api/v1/admin/users", {{"email", "x@example.com"}, {"tenant_id", "default"}}, acme_token),
                  403, "forbidden");
  require_problem(s.admin("POST", "/api/v1/admin/users", {{"email", "x@acme.test"}, {"roles", {"global_admin"}}}, acme_token),
                  403, "forbidden");
  require_problem(s.admin("GET", "/api/v1/admin/tenants", nullptr, acme_token), 403, "forbidden");
  // The same address may exist once per tenant.
  BOOST_TEST(s.server.http().post_json("/api/v1/auth/register",
                                       {{"email", "home@example.com"}, {"password", kPassword}, {"tenant_id", "acme"}})
                 .status == 201);
  require_problem(s.server.register_user("home@example.com"), 409, "email_taken");
}

BOOST_AUTO_TEST_CASE(a_disabled_tenant_signs_nobody_in_and_ends_its_sessions) {
  AdminServer s;
  BOOST_REQUIRE_EQUAL(s.admin("POST", "/api/v1/admin/tenants", {{"id", "gone"}}).status, 201);
  const json credentials{{"email", "member@gone.test"}, {"password", kPassword}, {"tenant_id", "gone"}};
  BOOST_REQUIRE_EQUAL(s.server.http().post_json("/api/v1/auth/register", credentials).status, 201);
  const auto tokens = s.server.http().post_json("/api/v1/auth/token", credentials);
  BOOST_REQUIRE_EQUAL(tokens.status, 200);
  const std::string home_token = s.server.signed_in_user("stays@example.com")["access_token"];

  const auto disabled = s.admin("PATCH", "/api/v1/admin/tenants/gone", {{"disabled", true}});
  BOOST_REQUIRE_EQUAL(disabled.status, 200);
  BOOST_TEST(disabled.json()["disabled"] == true);
  require_problem(s.server.get_with("/api/v1/auth/me", token_of(tokens)), 401, "session_revoked");
  require_problem(s.server.http().post_json("/api/v1/auth/token", credentials), 403, "tenant_disabled");
  require_problem(s.server.http().post_json("/api/v1/auth/register",
                                            {{"email", "new@gone.test"}, {"password", kPassword}, {"tenant_id", "gone"}}),
                  403, "tenant_disabled");
  BOOST_TEST(s.server.get_with("/api/v1/auth/me", home_token).status == 200);  // other tenants go on
  require_problem(s.admin("PATCH", "/api/v1/admin/tenants/nowhere", {{"disabled", true}}), 404, "not_found");
  require_problem(s.server.http().post_json("/api/v1/auth/register",
                                            {{"email", "a@b.test"}, {"password", kPassword}, {"tenant_id", "nowhere"}}),
                  422, "validation_failed");
}

BOOST_AUTO_TEST_CASE(an_admin_chosen_password_limits_the_first_session_to_changing_it) {
  AdminServer s;
  BOOST_REQUIRE_EQUAL(
      s.admin("POST", "/api/v1/admin/users", {{"email", "newbie@example.com"}, {"password", kPassword}}).status, 201);
  const auto tokens = s.server.sign_in("newbie@example.com").json();
  const std::string limited = tokens["access_token"];
  const auto me = s.server.get_with("/api/v1/auth/me", limited);
  BOOST_REQUIRE_EQUAL(me.status, 200);
  BOOST_TEST(me.json()["password_must_change"] == true);
  require_problem(s.server.get_with("/api/v1/auth/sessions", limited), 403, "password_change_required");
  require_problem(s.server.post_with("/api/v1/auth/mfa/totp/setup", limited), 403, "password_change_required");

  BOOST_REQUIRE_EQUAL(s.server.post_with("/api/v1/auth/password/change", limited,
                                         {{"current_password", kPassword}, {"new_password", "my own new passphrase"}})
                          .status,
                      204);
  const auto renewed = s.server.refresh(tokens["refresh_token"]);
  BOOST_REQUIRE_EQUAL(renewed.status, 200);
  BOOST_TEST(s.server.get_with("/api/v1/auth/sessions", token_of(renewed)).status == 200);
  BOOST_TEST(s.server.get_with("/api/v1/auth/me", token_of(renewed)).json()["password_must_change"] == false);
  BOOST_TEST(s.server.sign_in("newbie@example.com", "my own new passphrase").status == 200);
}

BOOST_AUTO_TEST_CASE(closed_registration_refuses_sign_up_while_admins_create_users) {
  AdminServer s(Environment{{"SESAME_REGISTRATION", "admin"}});
  require_problem(s.server.register_user("walk-in@example.com"), 403, "registration_closed");
  BOOST_TEST(s.admin("POST", "/api/v1/admin/users", {{"email", "hired@example.com"}, {"password", kPassword}}).status ==
             201);
  BOOST_TEST(s.server.sign_in("hired@example.com").status == 200);
}

BOOST_AUTO_TEST_CASE(an_invitation_mails_a_link_that_sets_the_first_password) {
  AdminServer s(Environment{{"SESAME_DEV", "1"}});
  const auto created = s.admin("POST", "/api/v1/admin/users", {{"email", "invited@example.com"}, {"name", "Ivy"}});
  BOOST_REQUIRE_EQUAL(created.status, 201);
  BOOST_TEST(created.json()["password_must_change"] == false);
  require_problem(s.server.sign_in("invited@example.com"), 401, "invalid_credentials");

  const auto mailbox = s.server.http().get("/api/v1/dev/mailbox?to=invited@example.com").json()["messages"];
  BOOST_REQUIRE_EQUAL(mailbox.size(), 1u);
  const std::string text = mailbox[0]["text"];
  const auto at = text.find("token=");
  BOOST_REQUIRE(at != std::string::npos);
  const std::string token = text.substr(at + 6, text.find_first_of(" \n\r", at + 6) - (at + 6));
  BOOST_TEST(mailbox[0]["subject"].get<std::string>().find("account") != std::string::npos);
  BOOST_REQUIRE_EQUAL(s.server.http()
                          .post_json("/api/v1/auth/password/reset/complete",
                                     {{"token", token}, {"new_password", "ivy chose this passphrase"}})
                          .status,
                      204);
  BOOST_TEST(s.server.sign_in("invited@example.com", "ivy chose this passphrase").status == 200);
}

BOOST_AUTO_TEST_CASE(clearing_a_lockout_lets_the_owner_in_at_once) {
  AdminServer s;
  const std::string id = s.user("locked@example.com");
  for (int i = 0; i < 5; ++i) (void)s.server.sign_in("locked@example.com", "wrong guess");
  require_problem(s.server.sign_in("locked@example.com"), 429, "account_locked");
  BOOST_REQUIRE_EQUAL(s.admin("DELETE", "/api/v1/admin/users/" + id + "/lockout").status, 204);
  BOOST_TEST(s.server.sign_in("locked@example.com").status == 200);
}

BOOST_AUTO_TEST_CASE(the_bootstrap_admin_is_created_once_and_never_overwritten) {
  Databases databases;
  const std::string url = databases.fresh_url();
  const std::string dir = (databases.temp_dir() / "data").string();
  PasswordFile first(kAdminPassword);
  PasswordFile second("a different passphrase");
  const Environment env{{"SESAME_ADMIN_EMAIL", kAdminEmail}, {"SESAME_ADMIN_PASSWORD_FILE", first.path()}};
  {
    auto app = start_app(url, dir, env, std::make_shared<ManualClock>());
    HttpClient http("127.0.0.1", app->port());
    const auto tokens = http.post_json("/api/v1/auth/token", {{"email", kAdminEmail}, {"password", kAdminPassword}});
    BOOST_REQUIRE_EQUAL(tokens.status, 200);
    const auto me = http.get("/api/v1/auth/me", {{"Authorization", "Bearer " + token_of(tokens)}}).json();
    BOOST_TEST(me["roles"] == json({"global_admin", "admin", "user"}));
  }
  Environment again = env;
  again["SESAME_ADMIN_PASSWORD_FILE"] = second.path();
  auto app = start_app(url, dir, again, std::make_shared<ManualClock>());
  HttpClient http("127.0.0.1", app->port());
  BOOST_TEST(http.post_json("/api/v1/auth/token", {{"email", kAdminEmail}, {"password", kAdminPassword}}).status == 200);
  BOOST_TEST(http.post_json("/api/v1/auth/token", {{"email", kAdminEmail}, {"password", "a different passphrase"}}).status ==
             401);
}

BOOST_AUTO_TEST_CASE(a_bootstrap_password_file_that_cannot_be_read_stops_the_start) {
  Databases databases;
  auto config = load_config({{"SESAME_LISTEN", "127.0.0.1:0"},
                             {"SESAME_DATA_DIR", (databases.temp_dir() / "data").string()},
                             {"DATABASE_URL", databases.fresh_url()},
                             {"SESAME_ADMIN_EMAIL", kAdminEmail},
                             {"SESAME_ADMIN_PASSWORD_FILE", "/nonexistent/admin-password"}});
  BOOST_REQUIRE(config.ok());
  auto app = App::create(*config);
  BOOST_REQUIRE(!app.ok());
  BOOST_TEST(app.error().detail.find("SESAME_ADMIN_PASSWORD_FILE") != std::string::npos);
  BOOST_TEST(!load_config({{"SESAME_ADMIN_EMAIL", kAdminEmail}}).ok());  // the file goes with it
  BOOST_TEST(!load_config({{"SESAME_REGISTRATION", "closed"}}).ok());
}
