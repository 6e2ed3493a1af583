#define BOOST_TEST_MODULE server_security_signing_keys
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include <sys/stat.h>

#include "security/private_files.hpp"
#include "security/signing_key_ring.hpp"
#include "security/sodium_random.hpp"
#include "outcome.hpp"
#include "printing.hpp"
#include "temp_dir.hpp"

using namespace sesame;
using namespace sesame::server;
using sesame::test::outcome_of;
using nlohmann::json;
using sesame::test::TempDir;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kNow = 1'700'000'000;
constexpr std::int64_t kAccessTtl = 900;

SigningKeyRing fresh_ring(std::int64_t now = kNow) {
  SodiumRandom random;
  auto ring = SigningKeyRing::generate(random, now);
  BOOST_TEST_REQUIRE(ring.ok());
  return std::move(ring).value();
}

AccessTokenClaims claims_at(std::int64_t now) {
  AccessTokenClaims claims;
  claims.iss = "https://auth.sesame.test";
  claims.sub = "user-1";
  claims.aud = "sesame-api";
  claims.iat = now;
  claims.exp = now + kAccessTtl;
  claims.jti = "jti-1";
  claims.sid = "session-1";
  return claims;
}

Result<AccessToken> verify_at(const std::string& token, const JwkSet& keys, std::int64_t now) {
  AccessTokenVerifyOptions options;
  options.expected_issuer = "https://auth.sesame.test";
  options.expected_audience = "sesame-api";
  options.now_unix_seconds = now;
  return verify_access_token(token, keys, options);
}

std::string sign_with(const SigningKeyRing& ring, std::int64_t now) {
  auto token = sign_access_token(claims_at(now), ring.current());
  BOOST_TEST_REQUIRE(token.ok());
  return *token;
}

std::vector<std::string> jwks_kids(const json& jwks) {
  std::vector<std::string> kids;
  for (const auto& key : jwks.at("keys")) kids.push_back(key.at("kid").get<std::string>());
  return kids;
}

SigningKeyRing parse(const std::string& text) {
  auto ring = SigningKeyRing::from_json(text);
  BOOST_TEST_REQUIRE(ring.ok(), (ring.ok() ? "" : ring.error().detail));
  return std::move(ring).value();
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_new_ring_has_one_current_key_named_by_its_thumbprint) {
  const auto ring = fresh_ring();
  BOOST_TEST(ring.entries().size() == 1u);
  BOOST_TEST(ring.current().kid() == ring.current().public_key().thumbprint());
  BOOST_TEST(ring.entries().front().created_at == kNow);
  BOOST_TEST(!ring.entries().front().retired_at.has_value());
  BOOST_TEST(ring.has_kid(ring.current().kid()));
  BOOST_TEST(!ring.has_kid("other"));
}

BOOST_AUTO_TEST_CASE(ring_persists_and_reloads_equal) {
  const TempDir temp;
  const fs::path path = temp.path() / "signing_keys.json";
  SodiumRandom random;
  auto created = load_or_create_signing_key_ring(path, random, kNow);
  BOOST_TEST_REQUIRE(created.ok());
  BOOST_TEST_REQUIRE(created->rotate(random, kNow + 10).ok());
  BOOST_TEST_REQUIRE(replace_private_file(path, as_bytes(created->to_json())).ok());

  auto reloaded = load_signing_key_ring(path);
  BOOST_TEST_REQUIRE(reloaded.ok());
  BOOST_TEST(reloaded->to_json() == created->to_json());
  BOOST_TEST(reloaded->current().kid() == created->current().kid());
  BOOST_TEST(reloaded->entries().size() == 2u);
  // Same seeds: a token signed by the reloaded ring verifies against the original's keys.
  BOOST_TEST(verify_at(sign_with(*reloaded, kNow + 20), created->verification_keys(), kNow + 20).ok());

  auto again = load_or_create_signing_key_ring(path, random, kNow + 30);
  BOOST_TEST_REQUIRE(again.ok());
  BOOST_TEST(again->to_json() == created->to_json());
}

BOOST_AUTO_TEST_CASE(rotate_signs_with_the_new_kid_and_keeps_the_old_public_key) {
  SodiumRandom random;
  auto ring = fresh_ring();
  const std::string old_kid = ring.current().kid();
  const std::string old_token = sign_with(ring, kNow);

  BOOST_TEST_REQUIRE(ring.rotate(random, kNow + 100).ok());
  const std::string new_kid = ring.current().kid();
  BOOST_TEST(new_kid != old_kid);
  BOOST_TEST(ring.entries().at(1).key.kid() == old_kid);
  BOOST_TEST((ring.entries().at(1).retired_at == std::optional<std::int64_t>(kNow + 100)));
  BOOST_TEST(!ring.entries().at(0).retired_at.has_value());

  const auto kids = jwks_kids(ring.jwks());
  BOOST_TEST(kids == (std::vector<std::string>{new_kid, old_kid}), boost::test_tools::per_element());

  const std::string new_token = sign_with(ring, kNow + 200);
  auto decoded = decode_jwt(new_token);
  BOOST_TEST_REQUIRE(decoded.ok());
  BOOST_TEST(decoded->kid == new_kid);

  const auto keys = ring.verification_keys();
  auto old_verified = verify_at(old_token, keys, kNow + 200);
  BOOST_TEST(old_verified.ok());
  BOOST_TEST(verify_at(new_token, keys, kNow + 200).ok());
  // The JWKS document parses back to the same verification keys.
  auto parsed = JwkSet::parse(ring.jwks().dump());
  BOOST_TEST_REQUIRE(parsed.ok());
  BOOST_TEST(verify_at(old_token, *parsed, kNow + 200).ok());
}

BOOST_AUTO_TEST_CASE(jwks_holds_public_keys_only) {
  SodiumRandom random;
  auto ring = fresh_ring();
  BOOST_TEST_REQUIRE(ring.rotate(random, kNow + 1).ok());
  const json jwks = ring.jwks();
  BOOST_TEST(jwks.at("keys").size() == 2u);
  for (const auto& key : jwks.at("keys")) {
    BOOST_TEST(!key.contains("d"));
    BOOST_TEST(!key.contains("seed"));
    BOOST_TEST(key.at("kty") == "OKP");
    BOOST_TEST(key.at("alg") == "EdDSA");
  }
  const std::string text = jwks.dump();
  const json private_document = json::parse(ring.to_json());
  for (const auto& key : private_document.at("keys")) {
    BOOST_TEST(text.find(key.at("seed").get<std::string>()) == std::string::npos);
    BOOST_TEST(text.find(key.at("kid").get<std::string>()) != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(prune_drops_keys_past_retention_but_never_the_current) {
  SodiumRandom random;
  auto ring = fresh_ring();
  const std::string first_kid = ring.current().kid();
  BOOST_TEST_REQUIRE(ring.rotate(random, kNow + 100).ok());
  const std::string second_kid = ring.current().kid();
  BOOST_TEST_REQUIRE(ring.rotate(random, kNow + 1000).ok());
  const std::int64_t retention = signing_key_retention_seconds(kAccessTtl);
  BOOST_TEST(retention == kAccessTtl + kMaxLeewaySeconds + kSigningKeyRecheckSeconds);

  BOOST_TEST(ring.prune(kNow + 100 + retention - 1, retention) == 0u);
  BOOST_TEST(ring.prune(kNow + 100 + retention, retention) == 1u);
  BOOST_TEST(!ring.has_kid(first_kid));
  BOOST_TEST(ring.has_kid(second_kid));
  BOOST_TEST(ring.prune(kNow + 10'000'000, retention) == 1u);
  BOOST_TEST(ring.entries().size() == 1u);
  BOOST_TEST(ring.prune(kNow + 10'000'000, 0) == 0u);
}

BOOST_AUTO_TEST_CASE(tokens_of_the_previous_key_verify_until_it_is_pruned) {
  const TempDir temp;
  const fs::path path = temp.path() / "signing_keys.json";
  SodiumRandom random;
  auto before = load_or_create_signing_key_ring(path, random, kNow);
  BOOST_TEST_REQUIRE(before.ok());
  const std::string old_token = sign_with(*before, kNow);

  const std::int64_t retention = signing_key_retention_seconds(kAccessTtl);
  auto rotated = rotate_signing_key_ring_file(path, random, kNow + 60, retention);
  BOOST_TEST_REQUIRE(rotated.ok());
  BOOST_TEST(rotated->current().kid() != before->current().kid());
  auto reloaded = load_signing_key_ring(path);
  BOOST_TEST_REQUIRE(reloaded.ok());
  BOOST_TEST(reloaded->to_json() == rotated->to_json());
  BOOST_TEST(verify_at(old_token, reloaded->verification_keys(), kNow + 120).ok());
  const auto kids = jwks_kids(reloaded->jwks());
  BOOST_TEST((std::find(kids.begin(), kids.end(), before->current().kid()) != kids.end()));

  // A rotation after the retention window drops the old key; its tokens are long expired.
  auto later = rotate_signing_key_ring_file(path, random, kNow + 60 + retention, retention);
  BOOST_TEST_REQUIRE(later.ok());
  BOOST_TEST(!later->has_kid(before->current().kid()));
  BOOST_TEST(later->has_kid(rotated->current().kid()));
  BOOST_TEST(outcome_of(verify_at(old_token, later->verification_keys(), kNow + 120)) == "jwt_unknown_key");
}

BOOST_AUTO_TEST_CASE(concurrent_file_rotations_lose_no_key) {
  const TempDir temp;
  const fs::path path = temp.path() / "signing_keys.json";
  SodiumRandom random;
  BOOST_TEST_REQUIRE(load_or_create_signing_key_ring(path, random, kNow).ok());
  constexpr int kThreads = 3;
  constexpr int kRotations = 5;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      SodiumRandom own_random;
      for (int i = 0; i < kRotations; ++i) {
        if (!rotate_signing_key_ring_file(path, own_random, kNow + 1, 1'000'000).ok()) return;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  auto ring = load_signing_key_ring(path);
  BOOST_TEST_REQUIRE(ring.ok());
  BOOST_TEST(ring->entries().size() == std::size_t{1 + kThreads * kRotations});
}

BOOST_AUTO_TEST_CASE(from_json_rejects_malformed_rings) {
  auto ring = fresh_ring();
  SodiumRandom random;
  BOOST_TEST_REQUIRE(ring.rotate(random, kNow + 5).ok());
  const json valid = json::parse(ring.to_json());
  BOOST_TEST(SigningKeyRing::from_json(valid.dump()).ok());

  auto mutated = [&](auto change) {
    json copy = valid;
    change(copy);
    return outcome_of(SigningKeyRing::from_json(copy.dump()));
  };
  BOOST_TEST(outcome_of(SigningKeyRing::from_json("not json")) == "invalid_argument");
  BOOST_TEST(outcome_of(SigningKeyRing::from_json("{}")) == "invalid_argument");
  BOOST_TEST(mutated([](json& j) { j["version"] = 2; }) == "invalid_argument");
  BOOST_TEST(mutated([](json& j) { j["keys"] = json::array(); }) == "invalid_argument");
  BOOST_TEST(mutated([](json& j) { j["keys"][1]["retired_at"] = nullptr; }) == "invalid_argument");
  BOOST_TEST(mutated([](json& j) { j["keys"][0]["retired_at"] = kNow; }) == "invalid_argument");
  BOOST_TEST(mutated([](json& j) { j["keys"][1]["kid"] = j["keys"][0]["kid"]; }) == "invalid_argument");
  BOOST_TEST(mutated([](json& j) { j["keys"][0]["seed"] = "AAAA"; }) == "invalid_argument");
  BOOST_TEST(mutated([](json& j) { j["keys"][0]["seed"] = "not base64url!"; }) == "invalid_argument");
  BOOST_TEST(mutated([](json& j) { j["keys"][0].erase("created_at"); }) == "invalid_argument");
  BOOST_TEST(mutated([](json& j) { j["keys"][0]["kid"] = ""; }) == "invalid_argument");
}

BOOST_AUTO_TEST_CASE(from_json_orders_current_first_whatever_the_file_order) {
  auto ring = fresh_ring();
  SodiumRandom random;
  BOOST_TEST_REQUIRE(ring.rotate(random, kNow + 5).ok());
  BOOST_TEST_REQUIRE(ring.rotate(random, kNow + 9).ok());
  json document = json::parse(ring.to_json());
  std::reverse(document["keys"].begin(), document["keys"].end());
  const auto reordered = parse(document.dump());
  BOOST_TEST(reordered.current().kid() == ring.current().kid());
  BOOST_TEST(reordered.to_json() == ring.to_json());
}

BOOST_AUTO_TEST_CASE(live_ring_picks_up_a_rotated_file_after_the_recheck_interval) {
  const TempDir temp;
  const fs::path path = temp.path() / "signing_keys.json";
  SodiumRandom random;
  auto initial = load_or_create_signing_key_ring(path, random, kNow);
  BOOST_TEST_REQUIRE(initial.ok());
  const std::string old_kid = initial->current().kid();
  LiveSigningKeyRing live(path, std::move(initial).value(), 30);
  BOOST_TEST(live.snapshot(kNow)->current().kid() == old_kid);

  auto rotated = rotate_signing_key_ring_file(path, random, kNow + 1, 1000);  // another process: `keys rotate`
  BOOST_TEST_REQUIRE(rotated.ok());
  const std::string new_kid = rotated->current().kid();
  BOOST_TEST(live.snapshot(kNow + 29)->current().kid() == old_kid);  // not yet rechecked
  const auto after = live.snapshot(kNow + 30);
  BOOST_TEST(after->current().kid() == new_kid);
  BOOST_TEST(after->has_kid(old_kid));
}

BOOST_AUTO_TEST_CASE(live_ring_reloads_at_once_for_an_unknown_kid_at_most_once_a_second) {
  const TempDir temp;
  const fs::path path = temp.path() / "signing_keys.json";
  SodiumRandom random;
  auto initial = load_or_create_signing_key_ring(path, random, kNow);
  BOOST_TEST_REQUIRE(initial.ok());
  LiveSigningKeyRing live(path, std::move(initial).value(), 3600);
  BOOST_TEST(live.snapshot(kNow)->entries().size() == 1u);

  // A bogus kid triggers a check (nothing changed), and uses up this second's check.
  BOOST_TEST(!live.snapshot_for_kid("bogus", kNow + 10)->has_kid("bogus"));
  auto rotated = rotate_signing_key_ring_file(path, random, kNow + 10, 1000);
  BOOST_TEST_REQUIRE(rotated.ok());
  const std::string new_kid = rotated->current().kid();
  BOOST_TEST(!live.snapshot_for_kid(new_kid, kNow + 10)->has_kid(new_kid));
  BOOST_TEST(live.snapshot_for_kid(new_kid, kNow + 11)->has_kid(new_kid));
  BOOST_TEST(live.snapshot(kNow + 11)->current().kid() == new_kid);
}

BOOST_AUTO_TEST_CASE(live_ring_keeps_serving_when_the_file_breaks) {
  const TempDir temp;
  const fs::path path = temp.path() / "signing_keys.json";
  SodiumRandom random;
  auto initial = load_or_create_signing_key_ring(path, random, kNow);
  BOOST_TEST_REQUIRE(initial.ok());
  const std::string kid = initial->current().kid();
  LiveSigningKeyRing live(path, std::move(initial).value(), 1);
  BOOST_TEST_REQUIRE(replace_private_file(path, as_bytes("{\"version\":1,\"keys\":[]}")).ok());
  BOOST_TEST(live.snapshot(kNow + 5)->current().kid() == kid);
  fs::remove(path);
  BOOST_TEST(live.snapshot(kNow + 10)->current().kid() == kid);
}
