#define BOOST_TEST_MODULE core_password_policy
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "sesame/password_breach.hpp"
#include "sesame/password_policy.hpp"
#include "printing.hpp"
#include "vectors.hpp"

using namespace sesame;
using sesame::test::vector_table;

namespace {

std::vector<std::string> violation_names(const PasswordVerdict& verdict) {
  std::vector<std::string> names;
  for (const auto& violation : verdict.violations) names.emplace_back(violation.name());
  return names;
}

std::string ascii_upper(std::string text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return text;
}

}  // namespace

BOOST_AUTO_TEST_CASE(password_verdicts_match_vectors) {
  for (const auto& v : vector_table("password_policy.json", "verdicts")) {
    BOOST_TEST_CONTEXT(v.at("why").get<std::string>()) {
      const std::string password = v.contains("password")
                                       ? v.at("password").get<std::string>()
                                       : [&] {
                                           const auto bytes = sesame::test::unhex(v.at("password_hex").get<std::string>());
                                           return std::string(bytes.begin(), bytes.end());
                                         }();
      PasswordPolicy policy;
      if (v.contains("min_length")) policy.min_length = v.at("min_length").get<std::size_t>();
      if (v.contains("max_length")) policy.max_length = v.at("max_length").get<std::size_t>();
      const std::string email = v.value("email", std::string());
      const auto words = v.value("extra_words", std::vector<std::string>());
      PasswordContext context{email, {}};
      for (const auto& word : words) context.extra_words.emplace_back(word);

      const PasswordVerdict verdict = check_password(password, policy, context);
      const auto expected = v.at("violations").get<std::vector<std::string>>();
      const auto actual = violation_names(verdict);
      BOOST_TEST(actual == expected, boost::test_tools::per_element());
      BOOST_TEST(verdict.acceptable() == expected.empty());
      BOOST_TEST(verdict.length == v.at("length").get<std::size_t>());
      const std::size_t applied_min = v.value("applied_min", std::size_t{8});
      const std::size_t applied_max = v.value("applied_max", std::size_t{64});
      for (const auto& violation : verdict.violations) {
        BOOST_TEST(violation.min_length == applied_min);
        BOOST_TEST(violation.max_length == applied_max);
        BOOST_TEST(violation.length == verdict.length);
        BOOST_TEST(verdict.has(violation.code));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(password_verdict_has_reports_only_listed_codes) {
  const auto verdict = check_password("bob", {}, {"bob@x.io", {}});
  BOOST_TEST(verdict.has(PasswordViolationCode::password_too_short));
  BOOST_TEST(verdict.has(PasswordViolationCode::password_matches_email));
  BOOST_TEST(!verdict.has(PasswordViolationCode::password_common));
  BOOST_TEST(!verdict.has(PasswordViolationCode::password_too_long));
  BOOST_TEST(!verdict.has(PasswordViolationCode::password_invalid_utf8));
  BOOST_TEST(!verdict.has(PasswordViolationCode::password_matches_context));
}

BOOST_AUTO_TEST_CASE(password_violation_names_are_stable) {
  BOOST_TEST(password_violation_name(PasswordViolationCode::password_invalid_utf8) == "password_invalid_utf8");
  BOOST_TEST(password_violation_name(PasswordViolationCode::password_too_short) == "password_too_short");
  BOOST_TEST(password_violation_name(PasswordViolationCode::password_too_long) == "password_too_long");
  BOOST_TEST(password_violation_name(PasswordViolationCode::password_common) == "password_common");
  BOOST_TEST(password_violation_name(PasswordViolationCode::password_matches_email) == "password_matches_email");
  BOOST_TEST(password_violation_name(PasswordViolationCode::password_matches_context) == "password_matches_context");
}

BOOST_AUTO_TEST_CASE(password_policy_refuses_bounds_below_nist) {
  for (const auto& v : vector_table("password_policy.json", "policies")) {
    const PasswordPolicy policy{v.at("min_length").get<std::size_t>(), v.at("max_length").get<std::size_t>()};
    BOOST_TEST_CONTEXT("min " << policy.min_length << " max " << policy.max_length) {
      const auto valid = validate_password_policy(policy);
      BOOST_TEST(valid.ok() == v.at("valid").get<bool>());
      if (!valid.ok()) BOOST_TEST(valid.code() == ErrorCode::invalid_argument);
    }
  }
}

// The entries the blocklist was generated from (SESAME_PASSWORD_BLOCKLIST_ENTRIES, written
// by cmake/password_blocklist.py beside the coded set).
std::vector<std::string> blocklist_entries() {
  std::ifstream file(SESAME_PASSWORD_BLOCKLIST_ENTRIES, std::ios::binary);
  std::vector<std::string> entries;
  for (std::string line; std::getline(file, line);) entries.push_back(line);
  return entries;
}

BOOST_AUTO_TEST_CASE(blocklist_has_at_least_3000_lowercase_entries_that_fit_the_policy) {
  const auto entries = blocklist_entries();
  BOOST_TEST(entries.size() >= 3000u);  // ASVS 5.0 6.2.4
  BOOST_TEST(entries.size() == common_password_count());
  const bool strictly_ascending = std::adjacent_find(entries.begin(), entries.end(), std::greater_equal<>()) == entries.end();
  BOOST_TEST(strictly_ascending);
  for (const std::string& entry : entries) {
    BOOST_TEST_CONTEXT("entry '" << entry << "'") {
      BOOST_TEST(std::none_of(entry.begin(), entry.end(), [](char c) { return c >= 'A' && c <= 'Z'; }));
      BOOST_TEST(check_password(entry).length >= PasswordPolicy::nist_min_length);
    }
  }
}

BOOST_AUTO_TEST_CASE(every_blocklist_entry_is_refused_in_any_ascii_case) {
  for (const std::string& entry : blocklist_entries()) {
    BOOST_TEST_CONTEXT("entry '" << entry << "'") {
      BOOST_TEST(is_common_password(entry));
      BOOST_TEST(is_common_password(ascii_upper(entry)));
      BOOST_TEST(check_password(entry).has(PasswordViolationCode::password_common));
    }
  }
}

BOOST_AUTO_TEST_CASE(blocklist_holds_the_zxcvbn_and_john_lists) {
  // zxcvbn's most frequent passwords, and Openwall's entries including ones with a ';'.
  for (const char* entry : {"password", "12345678", "iloveyou", "baseball", "football", "trustno1", "sunshine",
                            "qwertyuiop", "password1", "asdfjkl;", "asdf;lkj", "!@#$%^&*"}) {
    BOOST_TEST_CONTEXT(entry) { BOOST_TEST(is_common_password(entry)); }
  }
  // Shorter entries are left out on purpose (the length rule refuses them).
  const auto entries = blocklist_entries();
  for (const char* entry : {"123456", "1234567", "letmein", "abc123"}) {
    BOOST_TEST_CONTEXT(entry) { BOOST_TEST(std::count(entries.begin(), entries.end(), entry) == 0); }
  }
}

BOOST_AUTO_TEST_CASE(blocklist_refuses_few_passwords_that_are_not_on_it) {
  // The hash set's false-positive rate, measured on 30,000 random 12-letter passwords:
  // about 2^-12 by construction (7.3 expected); 25 or more (p < 10^-6) means a broken set.
  std::mt19937_64 random(20261201);
  std::uniform_int_distribution<int> letter('a', 'z');
  std::size_t refused = 0;
  constexpr std::size_t kTries = 30000;
  for (std::size_t i = 0; i < kTries; ++i) {
    std::string password(12, 'a');
    for (char& c : password) c = static_cast<char>(letter(random));
    if (is_common_password(password)) ++refused;
  }
  BOOST_TEST_MESSAGE("false positives: " << refused << " of " << kTries);
  BOOST_TEST(refused < 25u);
}

BOOST_AUTO_TEST_CASE(blocklist_match_is_exact_not_prefix) {
  BOOST_TEST(is_common_password("password1"));
  BOOST_TEST(!is_common_password("password1x"));
  BOOST_TEST(!is_common_password("passwor"));
  BOOST_TEST(!is_common_password(""));
  BOOST_TEST(!is_common_password(std::string("password\0", 9)));
}

// The k-anonymity range query of the breached-password check.
BOOST_AUTO_TEST_CASE(breach_range_query_splits_the_upper_case_sha1) {
  // SHA-1("password") = 5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8 (FIPS 180 implementation, known value)
  const auto query = sesame::breach_range_query("password");
  BOOST_TEST(query.prefix == "5BAA6");
  BOOST_TEST(query.suffix == "1E4C9B93F3F0682250B6CF8331B7EE68FD8");
}

BOOST_AUTO_TEST_CASE(breach_count_reads_suffix_count_lines_and_ignores_padding) {
  const std::string suffix = "1E4C9B93F3F0682250B6CF8331B7EE68FD8";
  BOOST_TEST(sesame::breach_count("0018A45C4D1DEF81644B54AB7F969B88D65:1\r\n1e4c9b93f3f0682250b6cf8331b7ee68fd8:9545824\r\n",
                                  suffix) == 9545824);
  BOOST_TEST(sesame::breach_count("1E4C9B93F3F0682250B6CF8331B7EE68FD8:0\r\n", suffix) == 0);  // padding
  BOOST_TEST(sesame::breach_count("", suffix) == 0);
  BOOST_TEST(sesame::breach_count("1E4C9B93F3F0682250B6CF8331B7EE68FD8:lots\n1E4C9B93F3F0682250B6CF8331B7EE68FD8\n", suffix) == 0);
  BOOST_TEST(sesame::breach_count("garbage\n1E4C9B93F3F0682250B6CF8331B7EE68FD8:3", suffix) == 3);  // no final newline
  BOOST_TEST(sesame::breach_count("1E4C9B93F3F0682250B6CF8331B7EE68FD:3\n", suffix) == 0);  // a shorter suffix is another
}
