#include "app/app.hpp"

#include "api/routes.hpp"
#include "app/openapi_document.hpp"
#include "auth/accounts/account_service.hpp"
#include "auth/audit_trail.hpp"
#include "auth/lockout.hpp"
#include "auth/login/login_service.hpp"
#include "auth/mfa/mfa_service.hpp"
#include "auth/sessions/session_service.hpp"
#include "auth/tokens/token_service.hpp"
#include "http/http_server.hpp"
#include "http/worker_pool.hpp"
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
  std::unique_ptr<AuditTrail> audit;
  std::unique_ptr<TokenService> tokens;
  std::unique_ptr<AccountLockout> lockout;
  std::unique_ptr<AccountService> accounts;
  std::unique_ptr<MfaService> mfa;
  std::unique_ptr<LoginService> login;
  std::unique_ptr<SessionService> sessions;
  std::unique_ptr<IpRateLimiter> ip_limiter;
  std::unique_ptr<http::WorkerPool> hashing_pool;
  std::unique_ptr<http::HttpServer> http;
};

namespace {

RefreshCookie refresh_cookie_for(const Config& config) {
  // __Host- needs Secure; plain http is only acceptable on a dev machine.
  if (config.dev && !config.behind_tls) return {"sesame_refresh", false};
  return {"__Host-sesame_refresh", true};
}

http::Router build_router(App::Parts& p) {
  http::Router router;
  const ApiServices services{*p.accounts,     *p.login,       *p.tokens,
                             *p.sessions,     *p.mfa,         *p.hashing_pool,
                             *p.ip_limiter,   refresh_cookie_for(p.config), p.config.max_body_bytes};
  add_auth_routes(router, services);
  add_session_routes(router, services);
  add_mfa_routes(router, services);
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

}  // namespace

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
  p->keys = std::make_unique<LiveSigningKeyRing>(secrets->signing_keys_file, std::move(secrets->signing_keys));

  const Clock& clock_ref = *p->clock;
  p->audit = std::make_unique<AuditTrail>(*p->store, p->random);
  p->tokens = std::make_unique<TokenService>(
      *p->store, *p->keys, *p->successor_sealer, p->random, clock_ref, *p->audit,
      TokenPolicy{config.issuer, config.audience, config.access_token_ttl_seconds, config.refresh_token_ttl_seconds,
                  config.session_max_age_seconds, config.refresh_reuse_grace_seconds, 60});
  p->lockout = std::make_unique<AccountLockout>(
      *p->store, *p->audit,
      LockoutPolicy{config.lockout_max_failures, config.lockout_window_seconds, config.lockout_window_seconds});
  p->accounts = std::make_unique<AccountService>(*p->store, *p->hasher, p->random, clock_ref, *p->audit, *p->lockout);
  MfaPolicy mfa_policy;
  mfa_policy.totp_issuer = config.totp_issuer;
  p->mfa = std::make_unique<MfaService>(*p->store, *p->hasher, *p->totp_sealer, *p->tokens, *p->lockout, p->random,
                                        clock_ref, *p->audit, mfa_policy);
  p->login = std::make_unique<LoginService>(*p->store, *p->hasher, *p->tokens, *p->mfa, *p->lockout, clock_ref,
                                            *p->audit, config.require_mfa);
  p->sessions = std::make_unique<SessionService>(*p->store, clock_ref, *p->audit);
  p->ip_limiter = std::make_unique<IpRateLimiter>(config.rate_limit_per_ip);
  p->hashing_pool = std::make_unique<http::WorkerPool>(static_cast<std::size_t>(config.hash_workers),
                                                       static_cast<std::size_t>(config.hash_queue));

  http::HttpServerOptions options;
  options.listen = config.listen;
  options.threads = static_cast<std::size_t>(config.http_threads);
  options.max_body_bytes = config.max_body_bytes;
  options.cors_allowed_origins = config.cors_origins;
  options.cors_allowed_headers.emplace_back(kCsrfHeader);
  options.behind_tls = config.behind_tls;
  options.trust_forwarded_for = config.trust_proxy;
  Parts& parts = *p;
  p->http = std::make_unique<http::HttpServer>(std::move(options), build_router(parts));
  return std::unique_ptr<App>(new App(std::move(p)));
}

Outcome<api::User> App::create_admin(const api::RegisterRequest& request) {
  return parts_->accounts->create_admin(request, ClientContext{"", "sesame-server admin create", ""});
}

void App::start() { parts_->http->start(); }
std::uint16_t App::port() const { return parts_->http->port(); }

void App::stop() {
  if (parts_->http) parts_->http->stop();
  if (parts_->hashing_pool) parts_->hashing_pool->stop();
}

}  // namespace sesame::server
