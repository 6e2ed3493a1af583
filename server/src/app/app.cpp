#include "app/app.hpp"

#include <cstdio>
#include <fstream>

#include "api/routes.hpp"
#include "app/openapi_document.hpp"
#include "auth/accounts/account_service.hpp"
#include "auth/admin/admin_service.hpp"
#include "auth/identifiers.hpp"
#include "auth/audit_trail.hpp"
#include "auth/housekeeping/periodic_sweep.hpp"
#include "auth/lockout.hpp"
#include "auth/login/login_service.hpp"
#include "auth/mfa/mfa_service.hpp"
#include "auth/password_screen.hpp"
#include "auth/recovery/account_mail.hpp"
#include "auth/recovery/recovery_service.hpp"
#include "auth/sessions/session_service.hpp"
#include "auth/tokens/token_service.hpp"
#include "http/http_server.hpp"
#include "http/worker_pool.hpp"
#include "mail/dev_mailbox.hpp"
#include "mail/mail_sink.hpp"
#include "mail/outbox_sender.hpp"
#include "security/breached_password_check.hpp"
#include "security/device_token.hpp"
#include "security/ip_rate_limiter.hpp"
#include "security/password_hasher.hpp"
#include "security/server_secrets.hpp"
#include "security/signing_key_ring.hpp"
#include "security/sodium_random.hpp"
#include "security/token_sealer.hpp"
#include "store/store.hpp"
#include "version.hpp"

namespace sesame::server {

class App::Parts {
 public:
  Config config;
  std::shared_ptr<const Clock> clock;
  SodiumRandom random;
  std::unique_ptr<Store> store;
  std::unique_ptr<PasswordHasher> hasher;
  std::unique_ptr<LiveSigningKeyRing> keys;
  std::unique_ptr<TokenSealer> successor_sealer;
  std::unique_ptr<TokenSealer> totp_sealer;
  std::unique_ptr<DeviceTokens> device_tokens;
  std::unique_ptr<AuditTrail> audit;
  std::unique_ptr<BreachedPasswordCheck> breached_passwords;  // null when SESAME_BREACHED_PASSWORDS_URL is unset
  std::unique_ptr<PasswordScreen> password_screen;
  std::unique_ptr<AccountMail> account_mail;
  std::unique_ptr<MailSink> mail_sink;
  std::unique_ptr<OutboxSender> mail_sender;
  std::unique_ptr<DevMailboxReader> dev_mailbox;  // dev mode only
  std::unique_ptr<RecoveryService> recovery;
  std::unique_ptr<InvalidationWatch> invalidations;  // before the caches that subscribe to it
  std::unique_ptr<TokenService> tokens;
  std::unique_ptr<AccountLockout> lockout;
  std::unique_ptr<AccountService> accounts;
  std::unique_ptr<MfaService> mfa;
  std::unique_ptr<LoginService> login;
  std::unique_ptr<SessionService> sessions;
  std::unique_ptr<AdminService> admin;
  std::unique_ptr<IpRateLimiter> ip_limiter;
  std::unique_ptr<http::WorkerPool> hashing_pool;
  std::unique_ptr<HousekeepingSweep> housekeeping;
  std::unique_ptr<PeriodicSweep> sweeper;  // null when SESAME_SWEEP_INTERVAL is 0
  std::unique_ptr<http::HttpServer> http;
};

namespace {

RefreshCookie refresh_cookie_for(const Config& config) {
  // __Host- needs Secure; plain http is only acceptable on a dev machine.
  if (config.dev && !config.behind_tls) return {"sesame_refresh", false, "sesame_device"};
  return {"__Host-sesame_refresh", true, "__Host-sesame_device"};
}

http::Router build_router(App::Parts& p) {
  http::Router router;
  const ApiServices services{*p.accounts,  *p.login,        *p.tokens,     *p.sessions,
                             *p.mfa,       *p.hashing_pool, *p.ip_limiter, refresh_cookie_for(p.config),
                             p.config.max_body_bytes, p.recovery.get(), p.dev_mailbox.get(), p.admin.get()};
  add_auth_routes(router, services);
  add_session_routes(router, services);
  add_mfa_routes(router, services);
  add_recovery_routes(router, services);
  add_dev_routes(router, services);
  add_admin_routes(router, services);
  if (p.config.demo) add_demo_routes(router, DemoSite{p.config.web_dir, p.config.sdk_dir});
  router.add(http::Method::get, "/healthz", [](const http::Request&) {
    return http::Response::json(200, {{"status", "ok"}, {"version", std::string(version())}});
  });
  router.add(http::Method::get, "/readyz", [&p](const http::Request&) {
    if (p.http && p.http->draining()) {
      return http::Response::problem(ErrorCode::service_unavailable, "the server is shutting down");
    }
    if (auto ping = p.store->ping(); !ping.ok()) {
      return http::Response::problem(ErrorCode::service_unavailable, "the database does not answer");
    }
    return http::Response::json(200, {{"status", "ready"}, {"database", std::string(p.store->dialect())}});
  });
  router.add(http::Method::get, "/api/v1/openapi.json", [](const http::Request&) {
    return http::Response::text(200, std::string(openapi_document()), std::string(http::kJsonMediaType));
  });
  return router;
}

// Mail: templates, the sink (SMTP when configured; else the dev mailbox in
// dev mode, stdout otherwise), the outbox sender, and the breached-password check.
Result<void> build_mail(App::Parts& p) {
  const Config& config = p.config;
  if (!config.breached_passwords_url.empty()) {
    p.breached_passwords = std::make_unique<RangeApiBreachCheck>(
        config.breached_passwords_url, std::chrono::milliseconds(config.breached_passwords_timeout_ms));
  }
  p.password_screen = std::make_unique<PasswordScreen>(PasswordPolicy{}, p.breached_passwords.get(), config.product_name);
  p.account_mail = std::make_unique<AccountMail>(MailTemplates(config.product_name, config.public_url), p.random);
  if (!config.smtp_url.empty()) {
    SmtpSettings smtp{config.smtp_url, config.mail_from, {}, {}, 30};
    if (!config.smtp_credentials_file.empty()) {
      auto with_file = with_credentials_file(std::move(smtp), config.smtp_credentials_file);
      if (!with_file.ok()) return with_file.error();
      smtp = std::move(with_file.value());
    }
    p.mail_sink = std::make_unique<SmtpSink>(std::move(smtp));
  } else if (config.dev) {
    p.mail_sink = std::make_unique<DevMailboxSink>();
  } else {
    p.mail_sink = std::make_unique<StdoutSink>(config.mail_from);
  }
  OutboxSenderOptions sending;
  sending.poll_interval = std::chrono::milliseconds(config.mail_poll_ms);
  sending.max_attempts = config.mail_max_attempts;
  sending.keep_bodies = config.dev;  // the dev mailbox shows what was sent
  p.mail_sender = std::make_unique<OutboxSender>(*p.store, *p.mail_sink, *p.clock, sending);
  if (config.dev) p.dev_mailbox = std::make_unique<DevMailboxReader>(*p.store);
  return {};
}

// SESAME_ADMIN_EMAIL + SESAME_ADMIN_PASSWORD_FILE: an admin for a container's
// first start. Created when no user of the default tenant has that address;
// an existing account is never changed. The password is never logged.
Result<void> bootstrap_admin(App::Parts& p) {
  const Config& config = p.config;
  if (config.admin_email.empty()) return {};
  auto existing = p.store->find_user_by_email_key(kDefaultTenant, email_key(config.admin_email));
  if (!existing.ok()) return existing.error();
  if (existing->has_value()) return {};
  std::ifstream file(config.admin_password_file);
  std::string password;
  if (!file || !std::getline(file, password) || password.empty()) {
    return Error{ErrorCode::invalid_argument, "SESAME_ADMIN_PASSWORD_FILE: cannot read a password from " +
                                                  config.admin_password_file};
  }
  api::RegisterRequest request{config.admin_email, std::move(password), std::nullopt, std::nullopt};
  // The operator's first account: it manages every tenant.
  auto created =
      p.accounts->create_admin(request, ClientContext{"", "bootstrap admin (SESAME_ADMIN_EMAIL)", "", "", ""}, /*global=*/true);
  std::fill(request.password.begin(), request.password.end(), '\0');
  if (created.ok()) {
    std::fprintf(stderr, "{\"level\":\"info\",\"msg\":\"bootstrap admin created\",\"user_id\":\"%s\"}\n",
                 created->id.c_str());
    return {};
  }
  // Another instance starting at the same moment made it first.
  if (created.code() == ErrorCode::email_taken) return {};
  std::string detail = "bootstrap admin: " + std::string(error_code_name(created.code())) + ": " + created.error().detail;
  for (const auto& violation : created.error().violations) detail += "; " + violation.code;
  return Error{ErrorCode::invalid_argument, std::move(detail)};
}

}  // namespace

SweepPolicy sweep_policy_for(const Config& config) noexcept {
  return SweepPolicy{config.access_token_ttl_seconds, config.mail_retention_seconds};
}

App::App(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
App::~App() {
  if (parts_) stop();
}

Result<std::unique_ptr<App>> App::create(const Config& config, std::shared_ptr<const Clock> clock) {
  require_sodium();
  auto p = std::make_unique<Parts>();
  p->config = config;
  p->clock = clock ? std::move(clock) : std::make_shared<SystemClock>();
  const std::int64_t now = p->clock->now_unix_seconds();

  auto store = open_store(config.database_url, config.data_dir);
  if (!store.ok()) return store.error();
  p->store = std::move(store.value());
  if (auto migrated = p->store->migrate(); !migrated.ok()) return migrated.error();

  auto secrets = load_server_secrets(config.data_dir, SecretSources::from_environment(), p->random, now);
  if (!secrets.ok()) return secrets.error();
  auto hasher = PasswordHasher::create(SecretBytes(secrets->pepper.view()),
                                       {config.argon2_memory_kib, config.argon2_iterations});
  if (!hasher.ok()) return hasher.error();
  p->hasher = std::make_unique<PasswordHasher>(std::move(hasher.value()));
  auto sealer = TokenSealer::create(secrets->at_rest_key, SealPurpose::refresh_successor);
  if (!sealer.ok()) return sealer.error();
  p->successor_sealer = std::make_unique<TokenSealer>(std::move(sealer.value()));
  auto totp_sealer = TokenSealer::create(secrets->at_rest_key, SealPurpose::totp_secret);
  if (!totp_sealer.ok()) return totp_sealer.error();
  p->totp_sealer = std::make_unique<TokenSealer>(std::move(totp_sealer.value()));
  auto device_tokens = DeviceTokens::create(secrets->at_rest_key);
  if (!device_tokens.ok()) return device_tokens.error();
  p->device_tokens = std::make_unique<DeviceTokens>(std::move(device_tokens.value()));
  p->keys = std::make_unique<LiveSigningKeyRing>(secrets->signing_keys_file, std::move(secrets->signing_keys));

  const Clock& clock_ref = *p->clock;
  p->audit = std::make_unique<AuditTrail>(*p->store, p->random);
  if (auto mail = build_mail(*p); !mail.ok()) return mail.error();
  p->invalidations = std::make_unique<InvalidationWatch>(*p->store);
  p->tokens = std::make_unique<TokenService>(
      *p->store, *p->keys, *p->successor_sealer, p->random, clock_ref, *p->audit, *p->invalidations,
      TokenPolicy{config.issuer, config.audience, config.access_token_ttl_seconds, config.refresh_token_ttl_seconds,
                  config.session_max_age_seconds, config.refresh_reuse_grace_seconds,
                  config.access_token_leeway_seconds, config.max_sessions_per_user,
                  config.token_cache_entries},
      p->account_mail.get());
  p->lockout = std::make_unique<AccountLockout>(
      *p->store, *p->audit, *p->device_tokens, p->random,
      LockoutLimits{
          LockoutPolicy{config.lockout_max_failures, config.lockout_window_seconds, config.lockout_window_seconds},
          config.lockout_account_ceiling});
  p->accounts = std::make_unique<AccountService>(*p->store, *p->hasher, p->random, clock_ref, *p->audit, *p->lockout,
                                                 *p->password_screen, *p->account_mail, *p->invalidations,
                                                 config.open_registration, config.token_cache_entries);
  p->admin = std::make_unique<AdminService>(*p->store, *p->accounts, *p->lockout, clock_ref, *p->audit);
  if (auto bootstrapped = bootstrap_admin(*p); !bootstrapped.ok()) return bootstrapped.error();
  MfaPolicy mfa_policy;
  mfa_policy.totp_issuer = config.totp_issuer;
  p->mfa = std::make_unique<MfaService>(*p->store, *p->hasher, *p->totp_sealer, *p->tokens, *p->lockout, p->random,
                                        clock_ref, *p->audit, *p->account_mail, mfa_policy);
  p->login = std::make_unique<LoginService>(*p->store, *p->hasher, *p->tokens, *p->mfa, *p->lockout, clock_ref,
                                            *p->audit,
                                            LoginService::Requirements{config.require_mfa, config.require_verified_email});
  p->recovery = std::make_unique<RecoveryService>(*p->store, *p->hasher, clock_ref, *p->audit, *p->account_mail,
                                                  *p->password_screen,
                                                  RecoveryPolicy{config.reset_mails_per_hour, config.reset_mails_per_hour});
  p->sessions = std::make_unique<SessionService>(*p->store, clock_ref, *p->audit,
                                                 RecentSignIn(*p->store, *p->lockout, *p->hasher));
  p->housekeeping = std::make_unique<HousekeepingSweep>(*p->store, clock_ref, sweep_policy_for(config));
  if (config.sweep_interval_seconds > 0) {
    p->sweeper = std::make_unique<PeriodicSweep>(*p->housekeeping, std::chrono::seconds(config.sweep_interval_seconds));
  }
  p->ip_limiter = std::make_unique<IpRateLimiter>(config.rate_limit_per_ip);
  p->hashing_pool = std::make_unique<http::WorkerPool>(static_cast<std::size_t>(config.hash_workers),
                                                       static_cast<std::size_t>(config.hash_queue));

  http::HttpServerOptions options;
  options.listen = config.listen;
  options.threads = static_cast<std::size_t>(config.http_threads);
  options.max_body_bytes = config.max_body_bytes;
  options.cors_allowed_origins = config.cors_origins;
  options.cors_allowed_headers.emplace_back(kCsrfHeader);
  options.cors_allowed_headers.emplace_back(kDeviceHeader);
  options.cors_allowed_headers.emplace_back(kHeldRefreshHeader);
  options.form_body_paths.emplace_back(kIntrospectionPath);
  // HSTS only over https: a browser ignores it on http, and on a dev host it would stick.
  options.behind_tls = config.behind_tls || config.public_url.starts_with("https://");
  options.hsts_include_subdomains = config.hsts_include_subdomains;
  options.trust_forwarded_for = config.trust_proxy;
  Parts& parts = *p;
  p->http = std::make_unique<http::HttpServer>(std::move(options), build_router(parts));
  return std::unique_ptr<App>(new App(std::move(p)));
}

Outcome<api::User> App::create_admin(const api::RegisterRequest& request, bool global) {
  return parts_->accounts->create_admin(request, ClientContext{"", "sesame-server admin create", "", "", ""}, global);
}

void App::start() {
  parts_->http->start();
  parts_->mail_sender->start();
  if (parts_->sweeper) parts_->sweeper->start();
}
std::uint16_t App::port() const { return parts_->http->port(); }

void App::stop() {
  if (parts_->http) parts_->http->stop();
  if (parts_->mail_sender) parts_->mail_sender->stop();
  if (parts_->sweeper) parts_->sweeper->stop();
  if (parts_->hashing_pool) parts_->hashing_pool->stop();
}

}  // namespace sesame::server
