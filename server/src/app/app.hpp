#pragma once
// The composition root: builds the store, secrets, services, routes and HTTP
// server from a Config. main() and the HTTP tests both use it, so tests run
// the real server (with an injected clock when they need to move time).

#include <memory>

#include "auth/housekeeping/housekeeping_sweep.hpp"
#include "auth/service.hpp"
#include "config/config.hpp"
#include "sesame/contract.hpp"
#include "sesame/result.hpp"

namespace sesame::server {

// The sweep's retention settings (for serve and `sesame-server sweep`).
[[nodiscard]] SweepPolicy sweep_policy_for(const Config& config) noexcept;

class App {
 public:
  // Opens (and migrates) the store and loads or creates the secrets.
  [[nodiscard]] static Result<std::unique_ptr<App>> create(const Config& config,
                                                          std::shared_ptr<const Clock> clock = nullptr);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Starts listening (SESAME_LISTEN; port 0 picks a free one). Throws
  // std::runtime_error when the address cannot be bound.
  void start();
  [[nodiscard]] std::uint16_t port() const;
  // Graceful: in-flight requests finish, then the HTTP and hashing threads stop.
  void stop();

  // `sesame-server admin create [--global]`.
  [[nodiscard]] Outcome<api::User> create_admin(const api::RegisterRequest& request, bool global = false);

  class Parts;

 private:
  explicit App(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace sesame::server
