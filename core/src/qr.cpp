#include "sesame/qr.hpp"

// Nayuki's QR Code generator, C edition: it reports "too long" as a return
// value and works in caller-provided buffers (no exceptions, no iostreams,
// which the C++ edition would pull into the wasm build).
#include <qrcodegen/qrcodegen.h>

#include <array>
#include <string>

namespace sesame {
namespace {

bool known_level(QrErrorCorrection level) noexcept {
  switch (level) {
    case QrErrorCorrection::low:
    case QrErrorCorrection::medium:
    case QrErrorCorrection::quartile:
    case QrErrorCorrection::high:
      return true;
  }
  return false;
}

qrcodegen_Ecc to_ecc(QrErrorCorrection level) noexcept {
  switch (level) {
    case QrErrorCorrection::low: return qrcodegen_Ecc_LOW;
    case QrErrorCorrection::quartile: return qrcodegen_Ecc_QUARTILE;
    case QrErrorCorrection::high: return qrcodegen_Ecc_HIGH;
    case QrErrorCorrection::medium: break;
  }
  return qrcodegen_Ecc_MEDIUM;
}

}  // namespace

std::size_t qr_max_bytes(QrErrorCorrection level) noexcept {
  // ISO/IEC 18004 Table 7, version 40, byte mode. Numeric and alphanumeric text
  // needs fewer bits per character, so these caps hold for every mode qrcodegen picks.
  switch (level) {
    case QrErrorCorrection::low: return 2953;
    case QrErrorCorrection::quartile: return 1663;
    case QrErrorCorrection::high: return 1273;
    case QrErrorCorrection::medium: break;
  }
  return 2331;
}

Result<QrModules> qr_modules(std::string_view text, QrErrorCorrection level) {
  if (!known_level(level)) return Error{ErrorCode::invalid_argument, "unknown QR error correction level"};
  if (text.empty()) return Error{ErrorCode::invalid_argument, "nothing to encode in the QR code"};
  // Refused up front so that an encoder failure below can only mean a bug.
  if (text.size() > qr_max_bytes(level)) {
    return Error{ErrorCode::qr_data_too_long, "text does not fit in a QR code at this error correction level"};
  }

  using Buffer = std::array<std::uint8_t, qrcodegen_BUFFER_LEN_MAX>;
  Buffer code{};
  Buffer scratch{};
  // The smallest version that fits, the best mask, and the highest error
  // correction level that still fits that version (boostEcl).
  bool encoded = false;
  if (text.find('\0') == std::string_view::npos) {
    // encodeText reads a C string and picks numeric, alphanumeric or byte mode.
    const std::string owned(text);
    encoded = qrcodegen_encodeText(owned.c_str(), scratch.data(), code.data(), to_ecc(level), qrcodegen_VERSION_MIN,
                                   qrcodegen_VERSION_MAX, qrcodegen_Mask_AUTO, true);
  } else {
    // Text with a NUL byte goes in as raw bytes; encodeBinary reads them from `scratch`.
    std::copy(text.begin(), text.end(), scratch.begin());
    encoded = qrcodegen_encodeBinary(scratch.data(), text.size(), code.data(), to_ecc(level), qrcodegen_VERSION_MIN,
                                     qrcodegen_VERSION_MAX, qrcodegen_Mask_AUTO, true);
  }
  if (!encoded) return Error{ErrorCode::qr_data_too_long, "text does not fit in a QR code"};

  QrModules modules;
  modules.size = qrcodegen_getSize(code.data());
  modules.dark.resize(static_cast<std::size_t>(modules.size) * static_cast<std::size_t>(modules.size));
  for (int y = 0; y < modules.size; ++y) {
    for (int x = 0; x < modules.size; ++x) {
      modules.dark[static_cast<std::size_t>(y) * static_cast<std::size_t>(modules.size) + static_cast<std::size_t>(x)] =
          qrcodegen_getModule(code.data(), x, y) ? 1 : 0;
    }
  }
  return modules;
}

Result<std::string> qr_svg(std::string_view text, const QrSvgOptions& options) {
  if (options.border_modules < 0 || options.border_modules > kQrMaxBorderModules) {
    return Error{ErrorCode::invalid_argument, "QR border must be between 0 and 32 modules"};
  }
  auto modules = qr_modules(text, options.error_correction);
  if (!modules) return modules.error();

  const int border = options.border_modules;
  const std::string extent = std::to_string(modules->size + 2 * border);
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + extent + " " + extent +
                    "\" shape-rendering=\"crispEdges\"><rect width=\"" + extent + "\" height=\"" + extent +
                    "\" fill=\"#fff\"/><path fill=\"#000\" d=\"";
  // One rectangle per horizontal run of dark modules keeps the path short.
  for (int y = 0; y < modules->size; ++y) {
    int x = 0;
    while (x < modules->size) {
      if (!modules->is_dark(x, y)) {
        ++x;
        continue;
      }
      const int start = x;
      while (x < modules->size && modules->is_dark(x, y)) ++x;
      const std::string run = std::to_string(x - start);
      svg += "M" + std::to_string(start + border) + " " + std::to_string(y + border) + "h" + run + "v1h-" + run + "z";
    }
  }
  svg += "\"/></svg>";
  return svg;
}

}  // namespace sesame
