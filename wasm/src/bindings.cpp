// Embind glue between the core and the JavaScript SDK. Glue only: every
// function converts arguments, calls one core function and converts the result.
// Results cross as plain objects: {ok: true, value} or {ok: false, code, detail},
// which the JS layer turns into values or typed errors.

#include <emscripten/bind.h>
#include <emscripten/val.h>
#include <sodium.h>

#include <string>

#include "sesame/encoding.hpp"
#include "sesame/result.hpp"

using emscripten::val;

namespace {

// The core never draws randomness itself (JS passes crypto.getRandomValues
// bytes in), so libsodium's own generator must never run: this one aborts.
// sodium_init() is deliberately not called: under Emscripten it probes for a
// JS random source at start-up (touching browser globals), and the primitives
// the core uses (Ed25519, SHA-2 HMAC, base64, memcmp/memzero) need no
// run-time CPU dispatch in a --disable-asm build.
const char* no_system_random_name() { return "sesame-none"; }
std::uint32_t no_system_random() { abort(); }
void no_system_random_buf(void*, std::size_t) { abort(); }
randombytes_implementation kNoSystemRandom = {
    no_system_random_name, no_system_random, nullptr, nullptr, no_system_random_buf, nullptr};
[[maybe_unused]] const int random_guard = randombytes_set_implementation(&kNoSystemRandom);

val bytes_to_js(sesame::ByteView bytes) {
  return val::global("Uint8Array").new_(emscripten::typed_memory_view(bytes.size(), bytes.data()));
}

sesame::Bytes bytes_from_js(const val& array) {
  return emscripten::convertJSArrayToNumberVector<std::uint8_t>(array);
}

val error_to_js(const sesame::Error& error) {
  val out = val::object();
  out.set("ok", false);
  out.set("code", std::string(sesame::error_code_name(error.code)));
  out.set("detail", error.detail);
  return out;
}

val ok_to_js(const val& value) {
  val out = val::object();
  out.set("ok", true);
  out.set("value", value);
  return out;
}

template <class T, class Convert>
val result_to_js(const sesame::Result<T>& result, Convert convert) {
  return result.ok() ? ok_to_js(convert(result.value())) : error_to_js(result.error());
}

// ---- encodings ----
std::string base32_encode(const val& bytes, bool padded) {
  return sesame::base32_encode(bytes_from_js(bytes), padded ? sesame::Base32Padding::with_padding
                                                            : sesame::Base32Padding::without_padding);
}
val base32_decode(const std::string& text) { return result_to_js(sesame::base32_decode(text), bytes_to_js); }
std::string base64url_encode(const val& bytes) { return sesame::base64url_encode(bytes_from_js(bytes)); }
val base64url_decode(const std::string& text) { return result_to_js(sesame::base64url_decode(text), bytes_to_js); }

}  // namespace

EMSCRIPTEN_BINDINGS(sesame_core) {
  emscripten::function("base32Encode", &base32_encode);
  emscripten::function("base32Decode", &base32_decode);
  emscripten::function("base64urlEncode", &base64url_encode);
  emscripten::function("base64urlDecode", &base64url_decode);
}
