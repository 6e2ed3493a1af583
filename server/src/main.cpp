// sesame-server: serve | migrate | keys rotate | admin create | audit verify | sweep | sessions revoke-all.
// Configuration comes from the environment (see config/config.hpp and the README).
#include <CLI/CLI.hpp>

#include <malloc.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>

#include "app/app.hpp"
#include "auth/audit/audit_chain_verifier.hpp"
#include "auth/housekeeping/housekeeping_sweep.hpp"
#include "auth/audit_trail.hpp"
#include "config/config.hpp"
#include "http/termination_signals.hpp"
#include "security/server_secrets.hpp"
#include "security/signing_key_ring.hpp"
#include "security/sodium_random.hpp"
#include "store/store.hpp"
#include "version.hpp"

namespace {

using namespace sesame;
using namespace sesame::server;

// `audit verify` exits like grep and diff: 0 intact, 1 broken, 2 not checked.
constexpr int kAuditBroken = 1;
constexpr int kAuditNotChecked = 2;

int fail(std::string_view what, const std::string& detail, int exit_code = 1) {
  std::fprintf(stderr, "sesame-server: %.*s: %s\n", static_cast<int>(what.size()), what.data(), detail.c_str());
  return exit_code;
}

std::int64_t now_seconds() { return SystemClock().now_unix_seconds(); }

int serve(const Config& config) {
  // Before any thread starts, so that every thread inherits the mask and the
  // signal is taken only by wait_for_termination_signal().
  http::block_termination_signals();
  // glibc gives threads up to 8 arenas a core, each keeping what was freed in
  // it; with one per core the server's peak RSS stays under 64 MiB (bench/).
  mallopt(M_ARENA_MAX, std::max(2, static_cast<int>(std::thread::hardware_concurrency())));
  auto app = App::create(config);
  if (!app.ok()) return fail("start", std::string(error_code_name(app.code())) + ": " + app.error().detail);
  try {
    (*app)->start();
  } catch (const std::exception& error) {
    return fail("listen", error.what());
  }
  std::fprintf(stderr, "{\"level\":\"info\",\"msg\":\"sesame-server %s listening\",\"listen\":\"%s\",\"port\":%u}\n",
               std::string(version()).c_str(), config.listen.c_str(), static_cast<unsigned>((*app)->port()));
  const int signal_number = http::wait_for_termination_signal();
  std::fprintf(stderr, "{\"level\":\"info\",\"msg\":\"stopping\",\"signal\":%d}\n", signal_number);
  (*app)->stop();
  return 0;
}

int migrate(const Config& config) {
  auto store = open_store(config.database_url, config.data_dir);
  if (!store.ok()) return fail("migrate", store.error().detail);
  auto applied = (*store)->migrate();
  if (!applied.ok()) return fail("migrate", applied.error().detail);
  std::printf("applied %d migration(s) to the %s database\n", *applied, std::string((*store)->dialect()).c_str());
  return 0;
}

// Reads only: no migration, so that a tampered database is looked at as it is.
int verify_audit(const Config& config) {
  auto store = open_store(config.database_url, config.data_dir);
  if (!store.ok()) return fail("audit verify", store.error().detail, kAuditNotChecked);
  auto report = AuditChainVerifier(**store).verify();
  if (!report.ok()) {
    return fail("audit verify", report.error().detail + " (is the database migrated? sesame-server migrate)",
                kAuditNotChecked);
  }
  std::printf("%s\n", report->summary().c_str());
  return report->intact() ? 0 : kAuditBroken;
}

int sweep(const Config& config) {
  auto store = open_store(config.database_url, config.data_dir);
  if (!store.ok()) return fail("sweep", store.error().detail);
  if (auto migrated = (*store)->migrate(); !migrated.ok()) return fail("sweep", migrated.error().detail);
  const SystemClock clock;
  auto swept = HousekeepingSweep(**store, clock, sweep_policy_for(config)).run_once();  // logs its line
  if (!swept.ok()) return fail("sweep", swept.error().detail);
  return 0;
}

int rotate_keys(const Config& config) {
  require_sodium();
  SodiumRandom random;
  const auto now = now_seconds();
  auto secrets = load_server_secrets(config.data_dir, SecretSources::from_environment(), random, now);
  if (!secrets.ok()) return fail("keys rotate", secrets.error().detail);
  auto ring = rotate_signing_key_ring_file(secrets->signing_keys_file, random, now,
                                           signing_key_retention_seconds(config.access_token_ttl_seconds));
  if (!ring.ok()) return fail("keys rotate", ring.error().detail);
  std::printf("new signing key %s; %zu key(s) published\n", ring->current().kid().c_str(), ring->entries().size());
  return 0;
}

int create_admin(const Config& config, const std::string& email, const std::string& name, bool global) {
  // The password comes from standard input, never from the command line
  // (where ps and shell history would show it).
  std::string password;
  std::getline(std::cin, password);
  auto app = App::create(config);
  if (!app.ok()) return fail("admin create", app.error().detail);
  api::RegisterRequest request{email, password, name.empty() ? std::nullopt : std::optional<std::string>(name),
                               std::nullopt};
  auto user = (*app)->create_admin(request, global);
  if (!user.ok()) {
    std::string detail = std::string(error_code_name(user.code())) + ": " + user.error().detail;
    for (const auto& violation : user.error().violations) detail += "; " + violation.code;
    return fail("admin create", detail);
  }
  std::printf("created admin %s (%s)\n", user->email.c_str(), user->id.c_str());
  return 0;
}

// Incident response (ASVS 7.4.5): every session of every user ends at once.
// Refresh tokens stop working, and the server's own endpoints refuse the access
// tokens on their next request (they check the session).
int revoke_all_sessions(const Config& config) {
  require_sodium();
  auto store = open_store(config.database_url, config.data_dir);
  if (!store.ok()) return fail("sessions revoke-all", store.error().detail);
  if (auto migrated = (*store)->migrate(); !migrated.ok()) return fail("sessions revoke-all", migrated.error().detail);
  const auto now = now_seconds();
  auto revoked = (*store)->revoke_all_sessions(now, "incident_response");
  if (!revoked.ok()) return fail("sessions revoke-all", revoked.error().detail);
  SodiumRandom random;
  AuditTrail audit(**store, random);
  audit.record("session.revoked_all", now, "", ClientContext{"", "sesame-server sessions revoke-all", "", "", ""},
               {{"count", *revoked}});
  std::printf("revoked %d session(s)\n", *revoked);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a client that hangs up must not end the server
  CLI::App cli{"Sesame authentication server. Configuration comes from the environment (see README)."};
  cli.set_version_flag("--version", std::string(version()));
  cli.require_subcommand(0, 1);
  auto* serve_command = cli.add_subcommand("serve", "run the HTTP server (the default)");
  auto* migrate_command = cli.add_subcommand("migrate", "apply the database migrations and exit");
  auto* keys_command = cli.add_subcommand("keys", "signing keys");
  auto* rotate_command = keys_command->add_subcommand("rotate", "add a new current signing key");
  keys_command->require_subcommand(1);
  auto* admin_command = cli.add_subcommand("admin", "administration");
  auto* create_command = admin_command->add_subcommand("create", "create an admin user; the password is read from stdin");
  admin_command->require_subcommand(1);
  auto* sessions_command = cli.add_subcommand("sessions", "sessions of every user");
  auto* revoke_all_command =
      sessions_command->add_subcommand("revoke-all", "end every session of every user (incident response)");
  sessions_command->require_subcommand(1);
  std::string email;
  std::string name;
  create_command->add_option("--email", email, "the admin's email")->required();
  create_command->add_option("--name", name, "the admin's display name");
  bool global = false;
  create_command->add_flag("--global", global, "also the global_admin role: every tenant, and tenants themselves");
  auto* audit_command = cli.add_subcommand("audit", "the audit log");
  auto* verify_command = audit_command->add_subcommand(
      "verify", "walk the audit hash chain: exit 0 when intact, 1 naming the first bad event, 2 when it cannot be read");
  audit_command->require_subcommand(1);
  auto* sweep_command = cli.add_subcommand("sweep", "delete expired sessions, tokens, challenges and old mail now");
  CLI11_PARSE(cli, argc, argv);

  auto config = load_config(process_environment());
  if (!config.ok()) {
    return fail("configuration", config.error().detail, verify_command->parsed() ? kAuditNotChecked : 1);
  }

  if (migrate_command->parsed()) return migrate(*config);
  if (rotate_command->parsed()) return rotate_keys(*config);
  if (create_command->parsed()) return create_admin(*config, email, name, global);
  if (verify_command->parsed()) return verify_audit(*config);
  if (sweep_command->parsed()) return sweep(*config);
  if (revoke_all_command->parsed()) return revoke_all_sessions(*config);
  (void)serve_command;
  return serve(*config);
}
