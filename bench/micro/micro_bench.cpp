// Micro benchmarks of the work behind the hot endpoints: one Argon2id hash with
// the server's own PasswordHasher (what every password sign-in and registration
// spends on the hashing pool), signing and verifying an access token, and one
// TOTP verification. bench/run.sh turns the hash time into the hash-bound
// ceiling of sign-ins per second.
//
// The Argon2 parameters come from SESAME_ARGON2_MEMORY_KIB and
// SESAME_ARGON2_ITERATIONS, as for the server (defaults 19456 KiB, t = 2).
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "security/password_hasher.hpp"
#include "security/secret_bytes.hpp"
#include "security/sodium_random.hpp"
#include "sesame/jwt.hpp"
#include "sesame/totp.hpp"

namespace {

using sesame::server::PasswordHasher;
using sesame::server::PasswordHashParameters;

std::uint32_t env_u32(const char* name, std::uint32_t fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  return static_cast<std::uint32_t>(std::strtoul(text, nullptr, 10));
}

PasswordHashParameters configured_parameters() {
  PasswordHashParameters parameters;
  parameters.memory_kib = env_u32("SESAME_ARGON2_MEMORY_KIB", parameters.memory_kib);
  parameters.iterations = env_u32("SESAME_ARGON2_ITERATIONS", parameters.iterations);
  return parameters;
}

sesame::server::SodiumRandom& random_source() {
  static sesame::server::SodiumRandom random;
  return random;
}

const PasswordHasher& hasher() {
  static const PasswordHasher instance = [] {
    std::array<std::uint8_t, sesame::server::kPepperBytes> pepper{};
    random_source().fill(pepper);
    auto created = PasswordHasher::create(sesame::server::SecretBytes(sesame::ByteView(pepper)), configured_parameters());
    if (!created.ok()) {
      std::fprintf(stderr, "micro_bench: invalid Argon2 parameters\n");
      std::exit(2);
    }
    return std::move(created.value());
  }();
  return instance;
}

// One hash per iteration. With two threads the time is what each of two
// concurrent hashes takes (like the two hashing workers: they share memory
// bandwidth and caches).
void BM_PasswordHash(benchmark::State& state) {
  const PasswordHasher& h = hasher();
  for (auto _ : state) {
    auto hash = h.hash("correct horse battery staple");
    if (!hash.ok()) state.SkipWithError("hash failed");
    benchmark::DoNotOptimize(hash);
  }
  state.SetItemsProcessed(state.iterations());
  // kAvgThreads: the parameters, not their sum over the threads.
  state.counters["memory_kib"] = benchmark::Counter(h.parameters().memory_kib, benchmark::Counter::kAvgThreads);
  state.counters["argon2_t"] = benchmark::Counter(h.parameters().iterations, benchmark::Counter::kAvgThreads);
}
BENCHMARK(BM_PasswordHash)->Unit(benchmark::kMillisecond)->UseRealTime()->Threads(1)->Threads(2);

sesame::AccessTokenClaims sample_claims(std::int64_t now) {
  sesame::AccessTokenClaims claims;
  claims.iss = "http://127.0.0.1:8080";
  claims.sub = "6f1c2a9e-4b7d-4c3e-9a51-2d8e7f604b13";
  claims.aud = "sesame";
  claims.iat = now;
  claims.exp = now + 900;
  claims.jti = "0b8e0f3c-5d2a-4f61-8c47-91e2a3b4c5d6";
  claims.sid = "a3d5e7f9-1b2c-4d6e-8f0a-1c3e5a7b9d2f";
  claims.roles = {"user"};
  claims.amr = {"pwd"};
  return claims;
}

constexpr std::int64_t kNow = 1'800'000'000;

sesame::Ed25519SigningKey signing_key() {
  auto key = sesame::Ed25519SigningKey::generate(random_source(), "bench");
  if (!key.ok()) std::exit(2);
  return std::move(key.value());
}

void BM_AccessTokenSign(benchmark::State& state) {
  const auto key = signing_key();
  const auto claims = sample_claims(kNow);
  for (auto _ : state) {
    auto token = sesame::sign_access_token(claims, key);
    if (!token.ok()) state.SkipWithError("sign failed");
    benchmark::DoNotOptimize(token);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AccessTokenSign)->Unit(benchmark::kMicrosecond);

void BM_AccessTokenVerify(benchmark::State& state) {
  const auto key = signing_key();
  sesame::JwkSet keys;
  if (!keys.add(key.public_key()).ok()) std::exit(2);
  const std::string token = sesame::sign_access_token(sample_claims(kNow), key).value();
  sesame::AccessTokenVerifyOptions options;
  options.expected_issuer = "http://127.0.0.1:8080";
  options.expected_audience = "sesame";
  options.now_unix_seconds = kNow + 10;
  for (auto _ : state) {
    auto verified = sesame::verify_access_token(token, keys, options);
    if (!verified.ok()) state.SkipWithError("verify failed");
    benchmark::DoNotOptimize(verified);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AccessTokenVerify)->Unit(benchmark::kMicrosecond);

// The server's check of a typed code: the window of one step either side, no
// replay record yet (so all three steps are computed and compared).
void BM_TotpVerify(benchmark::State& state) {
  const sesame::Bytes secret = sesame::generate_totp_secret(random_source());
  const std::string code = sesame::totp(secret, kNow).value();
  const sesame::TotpVerifier verifier;
  for (auto _ : state) {
    auto verified = verifier.verify(secret, code, kNow, std::nullopt);
    if (!verified.ok() || !verified->accepted()) state.SkipWithError("totp rejected");
    benchmark::DoNotOptimize(verified);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TotpVerify)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
