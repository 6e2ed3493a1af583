#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <utility>

#include "sesame/qr.hpp"
#include "printing.hpp"

using namespace sesame;

namespace {

const std::string kUri =
    "otpauth://totp/Sesame:alice%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Sesame&algorithm=SHA1"
    "&digits=6&period=30";

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++count;
  return count;
}

std::string attribute(const std::string& svg, const std::string& element, const std::string& name) {
  const auto start = svg.find("<" + element + " ");
  BOOST_TEST_REQUIRE(start != std::string::npos);
  const auto end = svg.find('>', start);
  const auto at = svg.find(" " + name + "=\"", start);
  BOOST_TEST_REQUIRE(at < end);
  const auto value_start = at + name.size() + 3;
  return svg.substr(value_start, svg.find('"', value_start) - value_start);
}

// Reads back the modules the path paints: it is a list of "Mx yhNv1h-Nz" rectangles.
std::set<std::pair<int, int>> painted_modules(const std::string& path) {
  std::set<std::pair<int, int>> painted;
  const char* p = path.c_str();
  while (*p != '\0') {
    BOOST_TEST_REQUIRE(*p == 'M');
    char* end = nullptr;
    const long x = std::strtol(p + 1, &end, 10);
    BOOST_TEST_REQUIRE(*end == ' ');
    const long y = std::strtol(end + 1, &end, 10);
    BOOST_TEST_REQUIRE(*end == 'h');
    const long run = std::strtol(end + 1, &end, 10);
    const std::string tail = "v1h-" + std::to_string(run) + "z";
    BOOST_TEST_REQUIRE(std::string(end, std::min(std::strlen(end), tail.size())) == tail);
    BOOST_TEST_REQUIRE(run > 0);
    for (long i = 0; i < run; ++i) {
      const bool fresh = painted.emplace(static_cast<int>(x + i), static_cast<int>(y)).second;
      BOOST_TEST_REQUIRE(fresh);  // no module is painted twice
    }
    p = end + tail.size();
  }
  return painted;
}

bool finder_pattern_at(const QrModules& modules, int left, int top) {
  for (int dy = -1; dy <= 7; ++dy) {
    for (int dx = -1; dx <= 7; ++dx) {
      const int x = left + dx;
      const int y = top + dy;
      if (x < 0 || y < 0 || x >= modules.size || y >= modules.size) continue;
      // 7x7: dark ring, light ring, dark 3x3 core; surrounded by a light separator.
      const int ring = std::max(std::abs(dx - 3), std::abs(dy - 3));
      const bool dark = ring != 2 && ring <= 3;
      if (modules.is_dark(x, y) != dark) return false;
    }
  }
  return true;
}

}  // namespace

BOOST_AUTO_TEST_CASE(qr_svg_is_one_standalone_path_document) {
  auto svg = qr_svg(kUri);
  BOOST_TEST_REQUIRE(svg.ok());
  BOOST_TEST(svg->rfind("<svg xmlns=\"http://www.w3.org/2000/svg\" ", 0) == 0U);
  BOOST_TEST(svg->size() >= 6U);
  BOOST_TEST(svg->substr(svg->size() - 6) == "</svg>");
  BOOST_TEST(count_of(*svg, "<svg") == 1U);
  BOOST_TEST(count_of(*svg, "<path ") == 1U);
  BOOST_TEST(count_of(*svg, "<rect ") == 1U);
  BOOST_TEST(count_of(*svg, "<") == count_of(*svg, ">"));
  BOOST_TEST(attribute(*svg, "svg", "shape-rendering") == "crispEdges");
  BOOST_TEST(attribute(*svg, "path", "fill") == "#000");
  BOOST_TEST(attribute(*svg, "rect", "fill") == "#fff");
  BOOST_TEST(svg->find('\n') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(qr_svg_is_deterministic) {
  auto first = qr_svg(kUri);
  auto second = qr_svg(kUri);
  BOOST_TEST_REQUIRE(first.ok());
  BOOST_TEST_REQUIRE(second.ok());
  BOOST_TEST(*first == *second);
  auto other = qr_svg(kUri + "x");
  BOOST_TEST_REQUIRE(other.ok());
  BOOST_TEST(*first != *other);
}

BOOST_AUTO_TEST_CASE(qr_svg_view_box_is_the_modules_plus_twice_the_border) {
  auto modules = qr_modules(kUri);
  BOOST_TEST_REQUIRE(modules.ok());
  for (int border : {0, 1, 4, kQrMaxBorderModules}) {
    BOOST_TEST_CONTEXT("border " << border) {
      auto svg = qr_svg(kUri, {border, QrErrorCorrection::medium});
      BOOST_TEST_REQUIRE(svg.ok());
      const std::string extent = std::to_string(modules->size + 2 * border);
      BOOST_TEST(attribute(*svg, "svg", "viewBox") == "0 0 " + extent + " " + extent);
      BOOST_TEST(attribute(*svg, "rect", "width") == extent);
      BOOST_TEST(attribute(*svg, "rect", "height") == extent);
    }
  }
  BOOST_TEST(qr_svg(kUri)->find("viewBox=\"0 0 " + std::to_string(modules->size + 8) + " ") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(qr_svg_path_paints_exactly_the_dark_modules) {
  for (int border : {0, 4}) {
    for (auto level : {QrErrorCorrection::low, QrErrorCorrection::high}) {
      auto modules = qr_modules(kUri, level);
      auto svg = qr_svg(kUri, {border, level});
      BOOST_TEST_REQUIRE(modules.ok());
      BOOST_TEST_REQUIRE(svg.ok());
      const auto painted = painted_modules(attribute(*svg, "path", "d"));
      std::set<std::pair<int, int>> dark;
      for (int y = 0; y < modules->size; ++y) {
        for (int x = 0; x < modules->size; ++x) {
          if (modules->is_dark(x, y)) dark.emplace(x + border, y + border);
        }
      }
      BOOST_TEST(dark.size() > 0U);
      BOOST_TEST((painted == dark));
    }
  }
}

BOOST_AUTO_TEST_CASE(qr_modules_have_the_three_finder_patterns) {
  for (const std::string& text : {std::string("A"), kUri, std::string(500, 'x')}) {
    auto modules = qr_modules(text);
    BOOST_TEST_REQUIRE(modules.ok());
    const int size = modules->size;
    BOOST_TEST_CONTEXT("size " << size) {
      BOOST_TEST(size >= 21);
      BOOST_TEST(size <= 177);
      BOOST_TEST((size - 17) % 4 == 0);  // size = 4 * version + 17
      BOOST_TEST(modules->dark.size() == static_cast<std::size_t>(size * size));
      BOOST_TEST(finder_pattern_at(*modules, 0, 0));
      BOOST_TEST(finder_pattern_at(*modules, size - 7, 0));
      BOOST_TEST(finder_pattern_at(*modules, 0, size - 7));
      BOOST_TEST(!finder_pattern_at(*modules, size - 7, size - 7));  // the fourth corner has none
      for (int i = 8; i < size - 8; ++i) {  // timing patterns alternate, dark on even positions
        BOOST_TEST(modules->is_dark(i, 6) == (i % 2 == 0));
        BOOST_TEST(modules->is_dark(6, i) == (i % 2 == 0));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(qr_rejects_empty_text) {
  auto svg = qr_svg("");
  BOOST_TEST_REQUIRE(!svg.ok());
  BOOST_TEST(svg.code() == ErrorCode::invalid_argument);
  auto modules = qr_modules("");
  BOOST_TEST_REQUIRE(!modules.ok());
  BOOST_TEST(modules.code() == ErrorCode::invalid_argument);
}

BOOST_AUTO_TEST_CASE(qr_fits_exactly_the_version_40_byte_capacity) {
  const std::pair<QrErrorCorrection, std::size_t> capacities[] = {{QrErrorCorrection::low, 2953},
                                                                  {QrErrorCorrection::medium, 2331},
                                                                  {QrErrorCorrection::quartile, 1663},
                                                                  {QrErrorCorrection::high, 1273}};
  for (const auto& [level, capacity] : capacities) {
    BOOST_TEST_CONTEXT("capacity " << capacity) {
      BOOST_TEST(qr_max_bytes(level) == capacity);
      // Lower-case text is encoded in byte mode, so this is the largest symbol, full.
      auto full = qr_modules(std::string(capacity, 'a'), level);
      BOOST_TEST_REQUIRE(full.ok());
      BOOST_TEST(full->size == 177);
      auto over = qr_svg(std::string(capacity + 1, 'a'), {4, level});
      BOOST_TEST_REQUIRE(!over.ok());
      BOOST_TEST(over.code() == ErrorCode::qr_data_too_long);
      // The cap is in bytes whatever the mode: digits that would fit are refused too.
      auto digits = qr_modules(std::string(capacity + 1, '7'), level);
      BOOST_TEST_REQUIRE(!digits.ok());
      BOOST_TEST(digits.code() == ErrorCode::qr_data_too_long);
    }
  }
}

BOOST_AUTO_TEST_CASE(qr_rejects_bad_options) {
  for (int border : {-1, kQrMaxBorderModules + 1}) {
    auto svg = qr_svg(kUri, {border, QrErrorCorrection::medium});
    BOOST_TEST_REQUIRE(!svg.ok());
    BOOST_TEST(svg.code() == ErrorCode::invalid_argument);
  }
  auto level = qr_svg(kUri, {4, static_cast<QrErrorCorrection>(9)});
  BOOST_TEST_REQUIRE(!level.ok());
  BOOST_TEST(level.code() == ErrorCode::invalid_argument);
}

BOOST_AUTO_TEST_CASE(qr_encodes_any_bytes_including_nul) {
  const std::string with_nul("a\0b", 3);
  auto modules = qr_modules(with_nul);
  BOOST_TEST_REQUIRE(modules.ok());
  auto truncated = qr_modules("a");
  BOOST_TEST_REQUIRE(truncated.ok());
  BOOST_TEST((modules->dark != truncated->dark));  // the bytes after the NUL are encoded too
  BOOST_TEST(qr_svg("Bücher & Co 🔐").ok());
}

BOOST_AUTO_TEST_CASE(qr_higher_error_correction_never_shrinks_the_symbol) {
  int previous = 0;
  for (auto level : {QrErrorCorrection::low, QrErrorCorrection::medium, QrErrorCorrection::quartile,
                     QrErrorCorrection::high}) {
    auto modules = qr_modules(kUri, level);
    BOOST_TEST_REQUIRE(modules.ok());
    BOOST_TEST(modules->size >= previous);
    previous = modules->size;
  }
}
