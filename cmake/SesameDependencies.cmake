# Resolves the core's third-party libraries as imported targets:
#   sesame::sodium     libsodium (Ed25519, HMAC-SHA-2, Argon2id, base64, memzero)
#   sesame::json       nlohmann/json (header-only)
#   sesame::qrcodegen  Nayuki's QR Code generator (C edition: no exceptions or iostreams)
# Natively they come from Debian's -dev packages. For WebAssembly they come from
# SESAME_WASM_DEPS_DIR, the prefix that scripts/build-wasm-deps.sh fills from
# Debian source packages (never /usr/include: glibc headers break emcc).

if(EMSCRIPTEN)
  set(SESAME_WASM_DEPS_DIR "$ENV{SESAME_WASM_DEPS_DIR}" CACHE PATH "Prefix holding the wasm builds of the dependencies")
  if(NOT SESAME_WASM_DEPS_DIR OR NOT EXISTS "${SESAME_WASM_DEPS_DIR}/lib/libsodium.a")
    message(FATAL_ERROR "SESAME_WASM_DEPS_DIR='${SESAME_WASM_DEPS_DIR}' has no lib/libsodium.a; run scripts/build-wasm-deps.sh")
  endif()
  add_library(sesame::sodium STATIC IMPORTED GLOBAL)
  set_target_properties(sesame::sodium PROPERTIES
    IMPORTED_LOCATION "${SESAME_WASM_DEPS_DIR}/lib/libsodium.a"
    INTERFACE_INCLUDE_DIRECTORIES "${SESAME_WASM_DEPS_DIR}/include")
  add_library(sesame::qrcodegen STATIC IMPORTED GLOBAL)
  set_target_properties(sesame::qrcodegen PROPERTIES
    IMPORTED_LOCATION "${SESAME_WASM_DEPS_DIR}/lib/libqrcodegen.a"
    INTERFACE_INCLUDE_DIRECTORIES "${SESAME_WASM_DEPS_DIR}/include")
  add_library(sesame::json INTERFACE IMPORTED GLOBAL)
  set_target_properties(sesame::json PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${SESAME_WASM_DEPS_DIR}/include"
    INTERFACE_COMPILE_DEFINITIONS "JSON_NOEXCEPTION")
else()
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET GLOBAL libsodium>=1.0.18)
  add_library(sesame::sodium ALIAS PkgConfig::SODIUM)
  find_package(nlohmann_json 3.10 REQUIRED)
  add_library(sesame::json ALIAS nlohmann_json::nlohmann_json)
  find_path(QRCODEGEN_C_INCLUDE_DIR qrcodegen/qrcodegen.h REQUIRED)
  find_library(QRCODEGEN_C_LIBRARY NAMES libqrcodegen.a qrcodegen REQUIRED)
  add_library(sesame::qrcodegen STATIC IMPORTED GLOBAL)
  set_target_properties(sesame::qrcodegen PROPERTIES
    IMPORTED_LOCATION "${QRCODEGEN_C_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${QRCODEGEN_C_INCLUDE_DIR}")
endif()
