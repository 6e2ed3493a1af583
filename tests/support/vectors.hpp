#pragma once
// Published test vectors live as JSON tables in tests/vectors/, shared by the
// native Boost.Test suites and the wasm parity tests (node --test).

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace sesame::test {

// Returns the table `key` of tests/vectors/<file_name> by value (so a range-for
// over it never dangles) and refuses an empty table, so that a data-driven test
// can never pass by checking nothing.
inline nlohmann::json vector_table(const std::string& file_name, const std::string& key) {
  const std::string path = std::string(SESAME_VECTORS_DIR) + "/" + file_name;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open vector file " + path);
  nlohmann::json table = nlohmann::json::parse(in).at(key);
  if (!table.is_array() || table.empty()) throw std::runtime_error(path + ": table '" + key + "' is empty");
  return table;
}

inline std::string hex(const std::vector<std::uint8_t>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (auto b : bytes) { out.push_back(kDigits[b >> 4]); out.push_back(kDigits[b & 0xF]); }
  return out;
}

inline std::vector<std::uint8_t> unhex(const std::string& text) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < text.size(); i += 2) out.push_back(static_cast<std::uint8_t>(std::stoi(text.substr(i, 2), nullptr, 16)));
  return out;
}

}  // namespace sesame::test
