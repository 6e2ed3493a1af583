#define BOOST_TEST_MODULE server_config
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "config/config.hpp"
#include "printing.hpp"

using sesame::ErrorCode;
using sesame::server::Environment;
using sesame::server::load_config;

BOOST_AUTO_TEST_CASE(defaults_follow_the_design) {
  auto config = load_config({});
  BOOST_TEST_REQUIRE(config.ok());
  BOOST_TEST(config->listen == "127.0.0.1:8080");
  BOOST_TEST(config->data_dir == "./data");
  BOOST_TEST(config->database_url.empty());
  BOOST_TEST(config->issuer == "http://127.0.0.1:8080");
  BOOST_TEST(config->refresh_reuse_grace_seconds == 10);
  BOOST_TEST(config->argon2_memory_kib == 19u * 1024u);
  BOOST_TEST(config->argon2_iterations == 2u);
  BOOST_TEST(config->lockout_max_failures == 5);
  BOOST_TEST(config->dev == false);
  BOOST_TEST(config->public_url == "http://127.0.0.1:8080");
  BOOST_TEST(config->totp_issuer == "127.0.0.1");
  BOOST_TEST(config->require_mfa == false);
}

BOOST_AUTO_TEST_CASE(public_url_gives_the_issuer_and_the_totp_issuer) {
  auto config = load_config({{"SESAME_PUBLIC_URL", "https://auth.example.com:8443/"}, {"SESAME_REQUIRE_MFA", "1"}});
  BOOST_TEST_REQUIRE(config.ok());
  BOOST_TEST(config->public_url == "https://auth.example.com:8443");
  BOOST_TEST(config->issuer == "https://auth.example.com:8443");
  BOOST_TEST(config->totp_issuer == "auth.example.com");
  BOOST_TEST(config->require_mfa);
  auto named = load_config({{"SESAME_PUBLIC_URL", "https://auth.example.com"}, {"SESAME_ISSUER", "https://id.example"},
                            {"SESAME_TOTP_ISSUER", "Example Corp"}});
  BOOST_TEST_REQUIRE(named.ok());
  BOOST_TEST(named->issuer == "https://id.example");
  BOOST_TEST(named->totp_issuer == "Example Corp");
  BOOST_TEST(!load_config({{"SESAME_PUBLIC_URL", "auth.example.com"}}).ok());
}

BOOST_AUTO_TEST_CASE(fixed_names_are_read) {
  auto config = load_config({{"SESAME_LISTEN", "0.0.0.0:9000"},
                             {"DATABASE_URL", "postgresql:///sesame"},
                             {"SESAME_DATA_DIR", "/var/lib/sesame"},
                             {"SESAME_DEV", "1"},
                             {"SESAME_ISSUER", "https://auth.example.com"},
                             {"SESAME_ACCESS_TOKEN_TTL", "600"},
                             {"SESAME_REFRESH_TOKEN_TTL", "86400"},
                             {"SESAME_REFRESH_REUSE_GRACE", "0"},
                             {"SESAME_RATE_LIMIT_PER_IP", "0"},
                             {"SESAME_CORS_ORIGINS", "https://a.example, https://b.example,"}});
  BOOST_TEST_REQUIRE(config.ok());
  BOOST_TEST(config->listen == "0.0.0.0:9000");
  BOOST_TEST(config->database_url == "postgresql:///sesame");
  BOOST_TEST(config->data_dir == "/var/lib/sesame");
  BOOST_TEST(config->dev);
  BOOST_TEST(config->issuer == "https://auth.example.com");
  BOOST_TEST(config->access_token_ttl_seconds == 600);
  BOOST_TEST(config->refresh_token_ttl_seconds == 86400);
  BOOST_TEST(config->refresh_reuse_grace_seconds == 0);
  BOOST_TEST(config->rate_limit_per_ip == 0);
  BOOST_TEST(config->cors_origins == (std::vector<std::string>{"https://a.example", "https://b.example"}));
}

BOOST_AUTO_TEST_CASE(bad_values_name_the_variable) {
  const std::vector<Environment> bad = {{{"SESAME_ACCESS_TOKEN_TTL", "ten"}},
                                        {{"SESAME_ACCESS_TOKEN_TTL", "10"}},
                                        {{"SESAME_REFRESH_REUSE_GRACE", "-1"}},
                                        {{"SESAME_RATE_LIMIT_PER_IP", "5x"}},
                                        {{"SESAME_DEV", "yes please"}},
                                        {{"SESAME_LISTEN", "localhost"}},
                                        {{"SESAME_DATA_DIR", ""}},
                                        {{"SESAME_PUBLIC_URL", "ftp://auth.example.com"}},
                                        {{"SESAME_REQUIRE_MFA", "maybe"}}};
  for (const auto& env : bad) {
    auto config = load_config(env);
    BOOST_TEST_REQUIRE(!config.ok());
    BOOST_TEST(config.code() == ErrorCode::invalid_argument);
    BOOST_TEST(config.error().detail.find(env.begin()->first) != std::string::npos, config.error().detail);
  }
}

BOOST_AUTO_TEST_CASE(config_file_adds_and_environment_wins) {
  const auto path = std::filesystem::temp_directory_path() / "sesame-config-test.env";
  {
    std::ofstream out(path);
    out << "# comment\nSESAME_LISTEN = 127.0.0.1:7000\nSESAME_ACCESS_TOKEN_TTL=300\n";
  }
  auto config = load_config({{"SESAME_CONFIG_FILE", path.string()}, {"SESAME_ACCESS_TOKEN_TTL", "120"}});
  std::filesystem::remove(path);
  BOOST_TEST_REQUIRE(config.ok());
  BOOST_TEST(config->listen == "127.0.0.1:7000");
  BOOST_TEST(config->access_token_ttl_seconds == 120);

  auto missing = load_config({{"SESAME_CONFIG_FILE", "/nonexistent/sesame.env"}});
  BOOST_TEST(!missing.ok());
}

BOOST_AUTO_TEST_CASE(refresh_tokens_never_outlive_the_session) {
  auto config = load_config({{"SESAME_SESSION_MAX_AGE", "3600"}, {"SESAME_REFRESH_TOKEN_TTL", "86400"}});
  BOOST_TEST_REQUIRE(config.ok());
  BOOST_TEST(config->refresh_token_ttl_seconds == 3600);
}

BOOST_AUTO_TEST_CASE(mail_and_recovery_settings) {
  auto defaults = load_config({{"SESAME_PUBLIC_URL", "https://auth.example.com"}});
  BOOST_TEST_REQUIRE(defaults.ok());
  BOOST_TEST(defaults->smtp_url.empty());
  BOOST_TEST(defaults->mail_from == "Sesame <no-reply@auth.example.com>");
  BOOST_TEST(defaults->require_verified_email == false);
  BOOST_TEST(defaults->breached_passwords_url.empty());
  BOOST_TEST(defaults->breached_passwords_timeout_ms == 2000);
  BOOST_TEST(defaults->reset_mails_per_hour == 3);
  BOOST_TEST(defaults->mail_poll_ms == 1000);
  // An IP address is no mail domain.
  BOOST_TEST(load_config({})->mail_from == "Sesame <no-reply@localhost>");

  auto set = load_config({{"SESAME_SMTP_URL", "smtps://user:secret@mail.example.com:465"},
                          {"SESAME_MAIL_FROM", "Example <accounts@example.com>"},
                          {"SESAME_REQUIRE_VERIFIED_EMAIL", "1"},
                          {"SESAME_BREACHED_PASSWORDS_URL", "https://api.pwnedpasswords.com/range/"},
                          {"SESAME_RESET_MAILS_PER_HOUR", "5"},
                          {"SESAME_MAIL_POLL_MS", "50"},
                          {"SESAME_PRODUCT_NAME", "Example"}});
  BOOST_TEST_REQUIRE(set.ok());
  BOOST_TEST(set->smtp_url == "smtps://user:secret@mail.example.com:465");
  BOOST_TEST(set->mail_from == "Example <accounts@example.com>");
  BOOST_TEST(set->require_verified_email);
  BOOST_TEST(set->breached_passwords_url == "https://api.pwnedpasswords.com/range/");
  BOOST_TEST(set->reset_mails_per_hour == 5);
  BOOST_TEST(set->mail_poll_ms == 50);
  BOOST_TEST(set->product_name == "Example");

  const std::vector<Environment> bad = {{{"SESAME_SMTP_URL", "http://mail.example.com"}},
                                        {{"SESAME_BREACHED_PASSWORDS_URL", "ftp://range.example"}},
                                        {{"SESAME_REQUIRE_VERIFIED_EMAIL", "yes please"}},
                                        {{"SESAME_RESET_MAILS_PER_HOUR", "0"}},
                                        {{"SESAME_MAIL_POLL_MS", "1"}},
                                        {{"SESAME_BREACHED_PASSWORDS_TIMEOUT_MS", "99999999"}}};
  for (const auto& env : bad) {
    auto config = load_config(env);
    BOOST_TEST_REQUIRE(!config.ok());
    BOOST_TEST(config.error().detail.find(env.begin()->first) != std::string::npos, config.error().detail);
  }
}
