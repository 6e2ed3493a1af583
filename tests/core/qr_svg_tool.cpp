// Writes qr_svg(<text>) to stdout, for qr_decodes_test.sh to render and scan.
// Usage: qr_svg_tool <text> [L|M|Q|H]
#include <cstdio>
#include <string_view>

#include "sesame/qr.hpp"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fputs("usage: qr_svg_tool <text> [L|M|Q|H]\n", stderr);
    return 2;
  }
  sesame::QrSvgOptions options;
  if (argc == 3) {
    const std::string_view level = argv[2];
    if (level == "L") options.error_correction = sesame::QrErrorCorrection::low;
    else if (level == "M") options.error_correction = sesame::QrErrorCorrection::medium;
    else if (level == "Q") options.error_correction = sesame::QrErrorCorrection::quartile;
    else if (level == "H") options.error_correction = sesame::QrErrorCorrection::high;
    else {
      std::fputs("level must be L, M, Q or H\n", stderr);
      return 2;
    }
  }
  auto svg = sesame::qr_svg(argv[1], options);
  if (!svg) {
    std::fprintf(stderr, "%s: %s\n", std::string(sesame::error_code_name(svg.code())).c_str(),
                 svg.error().detail.c_str());
    return 1;
  }
  std::fwrite(svg->data(), 1, svg->size(), stdout);
  return 0;
}
