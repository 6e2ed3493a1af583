// Reads cases.json (an array of case objects) and prints one line per case:
// the core's answer as compact JSON, in order. The wasm suite compares these
// lines with the wasm build's answers byte for byte.
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <sodium.h>

#include "parity_ops.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: parity_dump <cases.json>\n";
    return 2;
  }
  if (sodium_init() < 0) return 1;
  std::ifstream in(argv[1]);
  std::stringstream text;
  text << in.rdbuf();
  const auto cases = nlohmann::json::parse(text.str(), nullptr, false);
  if (!cases.is_array() || cases.empty()) {
    std::cerr << argv[1] << ": expected a non-empty JSON array of cases\n";
    return 1;
  }
  for (const auto& c : cases) std::cout << sesame::parity::evaluate_case(c.dump()) << '\n';
  return 0;
}
