#define BOOST_TEST_MODULE core_backup_codes
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "sesame/backup_codes.hpp"
#include "printing.hpp"
#include "vectors.hpp"

using namespace sesame;
using sesame::test::vector_table;

namespace {

// Plays back `script`, then continues counting upwards from where it stopped.
class ScriptedRandom final : public RandomSource {
 public:
  explicit ScriptedRandom(std::vector<std::uint8_t> script = {}) : script_(std::move(script)) {}
  void fill(std::span<std::uint8_t> out) noexcept override {
    for (auto& byte : out) {
      byte = position_ < script_.size() ? script_[position_] : static_cast<std::uint8_t>(counter_++);
      ++position_;
    }
  }

 private:
  std::vector<std::uint8_t> script_;
  std::size_t position_ = 0;
  std::uint8_t counter_ = 0;
};

class ConstantRandom final : public RandomSource {
 public:
  void fill(std::span<std::uint8_t> out) noexcept override { std::fill(out.begin(), out.end(), std::uint8_t{0x2A}); }
};

// splitmix64: deterministic, well mixed, good enough to stand in for a CSPRNG in tests.
class SeededRandom final : public RandomSource {
 public:
  explicit SeededRandom(std::uint64_t seed) : state_(seed) {}
  void fill(std::span<std::uint8_t> out) noexcept override {
    for (auto& byte : out) {
      state_ += 0x9E3779B97F4A7C15ULL;
      std::uint64_t z = state_;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
      byte = static_cast<std::uint8_t>(z ^ (z >> 31));
    }
  }

 private:
  std::uint64_t state_;
};

bool in_alphabet(const std::string& code) {
  return std::all_of(code.begin(), code.end(), [](char c) { return backup_code_alphabet.find(c) != std::string_view::npos; });
}

}  // namespace

BOOST_AUTO_TEST_CASE(backup_code_alphabet_is_crockford_without_confusables) {
  BOOST_TEST(backup_code_alphabet.size() == 32U);
  for (char c : {'i', 'l', 'o', 'u'}) BOOST_TEST(backup_code_alphabet.find(c) == std::string_view::npos);
  const std::set<char> distinct(backup_code_alphabet.begin(), backup_code_alphabet.end());
  BOOST_TEST(distinct.size() == backup_code_alphabet.size());
}

BOOST_AUTO_TEST_CASE(generates_ten_distinct_codes_of_ten_characters_by_default) {
  SeededRandom random(1);
  auto codes = generate_backup_codes(random);
  BOOST_TEST_REQUIRE(codes.ok());
  BOOST_TEST(codes->size() == 10U);
  for (const auto& code : *codes) {
    BOOST_TEST_CONTEXT(code) {
      BOOST_TEST(code.size() == backup_code_length);
      BOOST_TEST(in_alphabet(code));
      auto typed_back = normalize_backup_code(format_backup_code(code));
      BOOST_TEST_REQUIRE(typed_back.ok());
      BOOST_TEST(*typed_back == code);
    }
  }
  BOOST_TEST(std::set<std::string>(codes->begin(), codes->end()).size() == codes->size());
}

BOOST_AUTO_TEST_CASE(different_randomness_gives_different_codes) {
  SeededRandom first(1);
  SeededRandom second(2);
  auto a = generate_backup_codes(first);
  auto b = generate_backup_codes(second);
  BOOST_TEST_REQUIRE(a.ok());
  BOOST_TEST_REQUIRE(b.ok());
  BOOST_TEST(*a != *b);
}

BOOST_AUTO_TEST_CASE(each_character_comes_from_one_byte_modulo_32) {
  // 256 is a multiple of 32, so every symbol has exactly 8 of the 256 byte values:
  // no byte is rejected and none is favoured. 16 codes use bytes 0..159 in order.
  ScriptedRandom random;
  auto codes = generate_backup_codes(random, 16);
  BOOST_TEST_REQUIRE(codes.ok());
  BOOST_TEST_REQUIRE(codes->size() == 16U);
  for (std::size_t i = 0; i < codes->size(); ++i) {
    for (std::size_t j = 0; j < backup_code_length; ++j) {
      BOOST_TEST((*codes)[i][j] == backup_code_alphabet[(i * backup_code_length + j) % 32]);
    }
  }
}

BOOST_AUTO_TEST_CASE(every_symbol_gets_exactly_8_of_the_256_byte_values) {
  std::map<char, int> byte_values_per_symbol;
  for (int value = 0; value < 256; ++value) {
    ScriptedRandom random(std::vector<std::uint8_t>(backup_code_length, static_cast<std::uint8_t>(value)));
    auto codes = generate_backup_codes(random, 1);
    BOOST_TEST_REQUIRE(codes.ok());
    const std::string& code = codes->front();
    BOOST_TEST(code == std::string(backup_code_length, code.front()));  // no byte was skipped
    ++byte_values_per_symbol[code.front()];
  }
  BOOST_TEST(byte_values_per_symbol.size() == 32U);
  for (const auto& [symbol, count] : byte_values_per_symbol) {
    BOOST_TEST_CONTEXT("symbol " << symbol) { BOOST_TEST(count == 8); }
  }
}

BOOST_AUTO_TEST_CASE(duplicate_codes_are_drawn_again) {
  std::vector<std::uint8_t> script;
  for (int round = 0; round < 2; ++round) {
    for (std::uint8_t b = 0; b < 10; ++b) script.push_back(b);  // the same code twice
  }
  for (std::uint8_t b = 10; b < 20; ++b) script.push_back(b);
  ScriptedRandom random(script);
  auto codes = generate_backup_codes(random, 2);
  BOOST_TEST_REQUIRE(codes.ok());
  BOOST_TEST_REQUIRE(codes->size() == 2U);
  BOOST_TEST((*codes)[0] == "0123456789");
  BOOST_TEST((*codes)[1] == "abcdefghjk");
}

BOOST_AUTO_TEST_CASE(a_source_that_repeats_itself_is_an_error_not_a_hang) {
  ConstantRandom random;
  auto one = generate_backup_codes(random, 1);
  BOOST_TEST_REQUIRE(one.ok());
  BOOST_TEST(one->front() == std::string(backup_code_length, backup_code_alphabet[0x2A % 32]));
  auto two = generate_backup_codes(random, 2);
  BOOST_TEST_REQUIRE(!two.ok());
  BOOST_TEST(two.code() == ErrorCode::invalid_argument);
}

BOOST_AUTO_TEST_CASE(code_count_must_be_between_1_and_100) {
  SeededRandom random(3);
  for (std::size_t count : {std::size_t{0}, max_backup_code_count + 1, std::size_t{1} << 40}) {
    auto codes = generate_backup_codes(random, count);
    BOOST_TEST_REQUIRE(!codes.ok());
    BOOST_TEST(codes.code() == ErrorCode::invalid_argument);
  }
  auto most = generate_backup_codes(random, max_backup_code_count);
  BOOST_TEST_REQUIRE(most.ok());
  BOOST_TEST(std::set<std::string>(most->begin(), most->end()).size() == max_backup_code_count);
  auto fewest = generate_backup_codes(random, 1);
  BOOST_TEST_REQUIRE(fewest.ok());
  BOOST_TEST(fewest->size() == 1U);
}

BOOST_AUTO_TEST_CASE(format_groups_by_five) {
  for (const auto& v : vector_table("backup_codes.json", "format")) {
    BOOST_TEST(format_backup_code(v.at("code").get<std::string>()) == v.at("display").get<std::string>());
  }
}

BOOST_AUTO_TEST_CASE(normalize_accepts_what_people_type) {
  for (const auto& v : vector_table("backup_codes.json", "normalize")) {
    const auto typed = v.at("typed").get<std::string>();
    BOOST_TEST_CONTEXT("typed '" << typed << "'") {
      auto code = normalize_backup_code(typed);
      BOOST_TEST_REQUIRE(code.ok());
      BOOST_TEST(*code == v.at("code").get<std::string>());
    }
  }
}

BOOST_AUTO_TEST_CASE(normalize_rejects_wrong_length_and_characters) {
  for (const auto& v : vector_table("backup_codes.json", "normalize_invalid")) {
    BOOST_TEST_CONTEXT(v.at("why").get<std::string>()) {
      auto code = normalize_backup_code(v.at("typed").get<std::string>());
      BOOST_TEST_REQUIRE(!code.ok());
      BOOST_TEST(code.code() == ErrorCode::invalid_backup_code);
    }
  }
  auto huge = normalize_backup_code(std::string(1'000'000, 'a'));
  BOOST_TEST_REQUIRE(!huge.ok());
  BOOST_TEST(huge.code() == ErrorCode::invalid_backup_code);
}

BOOST_AUTO_TEST_CASE(invalid_backup_code_has_a_stable_name) {
  BOOST_TEST(error_code_name(ErrorCode::invalid_backup_code) == "invalid_backup_code");
  BOOST_TEST(static_cast<int>(ErrorCode::invalid_backup_code) == 450);
}
