#pragma once
// A small value-or-error type: the core never throws (Emscripten disables
// exception catching by default), so every fallible function returns one.
// The error type defaults to sesame::Error; a caller that needs more context
// (the server's services carry policy violations and Retry-After) supplies its
// own type with a `code` member.

#include <cassert>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "sesame/error.hpp"

namespace sesame {

template <class T, class E = Error>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(E error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT
  Result(ErrorCode code, std::string detail = {})
    requires std::is_same_v<E, Error>
      : state_(std::in_place_index<1>, Error{code, std::move(detail)}) {}

  [[nodiscard]] bool ok() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  [[nodiscard]] T& value() & { assert(ok()); return *std::get_if<0>(&state_); }
  [[nodiscard]] const T& value() const& { assert(ok()); return *std::get_if<0>(&state_); }
  [[nodiscard]] T&& value() && { assert(ok()); return std::move(*std::get_if<0>(&state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  [[nodiscard]] const E& error() const { assert(!ok()); return *std::get_if<1>(&state_); }
  [[nodiscard]] ErrorCode code() const { return error().code; }

 private:
  std::variant<T, E> state_;
};

template <class E>
class [[nodiscard]] Result<void, E> {
 public:
  Result() = default;
  Result(E error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  Result(ErrorCode code, std::string detail = {})
    requires std::is_same_v<E, Error>
      : error_{code, std::move(detail)}, ok_(false) {}

  [[nodiscard]] bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  [[nodiscard]] const E& error() const { assert(!ok_); return error_; }
  [[nodiscard]] ErrorCode code() const { return error().code; }

 private:
  E error_{};
  bool ok_ = true;
};

}  // namespace sesame
