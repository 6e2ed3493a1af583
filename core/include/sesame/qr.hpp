#pragma once
// QR codes (ISO/IEC 18004, drawn with Nayuki's qrcodegen) as standalone SVG, so
// the server and the browser render the TOTP enrolment code the same way.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sesame/result.hpp"

namespace sesame {

enum class QrErrorCorrection { low, medium, quartile, high };

inline constexpr int kQrMaxBorderModules = 32;

struct QrSvgOptions {
  int border_modules = 4;  // the quiet zone; the standard asks for 4. 0..kQrMaxBorderModules.
  QrErrorCorrection error_correction = QrErrorCorrection::medium;
};

// The most bytes any text may have at `level`: the byte-mode capacity of the
// largest symbol (version 40), 2953 / 2331 / 1663 / 1273 for L / M / Q / H.
// Longer text is refused with qr_data_too_long before the encoder sees it.
[[nodiscard]] std::size_t qr_max_bytes(QrErrorCorrection level) noexcept;

struct QrModules {
  int size = 0;                    // modules per side: 21 (version 1) .. 177 (version 40)
  std::vector<std::uint8_t> dark;  // size * size entries, row by row; 1 = dark

  [[nodiscard]] bool is_dark(int x, int y) const noexcept {
    return x >= 0 && y >= 0 && x < size && y < size &&
           dark[static_cast<std::size_t>(y) * static_cast<std::size_t>(size) + static_cast<std::size_t>(x)] != 0;
  }
};

// The smallest symbol that holds `text` (UTF-8 or any bytes) at `level` or better.
// Errors: invalid_argument (empty text, unknown level), qr_data_too_long.
[[nodiscard]] Result<QrModules> qr_modules(std::string_view text,
                                           QrErrorCorrection level = QrErrorCorrection::medium);

// A deterministic standalone SVG document: viewBox in modules (size + 2 * border),
// a white background and one black <path> with shape-rendering="crispEdges". It has
// no width/height, so it scales to whatever the page gives it. Errors: those of
// qr_modules, and invalid_argument for a border outside 0..kQrMaxBorderModules.
[[nodiscard]] Result<std::string> qr_svg(std::string_view text, const QrSvgOptions& options = {});

}  // namespace sesame
