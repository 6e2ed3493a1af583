#pragma once
// The client's session state machine, shared by every SDK so that they all agree on
// what may happen when. The names are stable strings: the SDK emits them as
// auth-state events and passes them between tabs.
//
//   signed_out   no session (also the state on page load, before a silent refresh
//                from the refresh cookie has had a chance to restore one)
//   mfa_pending  the password step passed, a second factor is awaited
//   signed_in    a valid access token is held
//   refreshing   a refresh is in flight (one at a time)
//   expired      the access token expired and no refresh has succeeded yet
//
// Rules: a completed password step (sign_in_succeeded or mfa_required) is accepted in
// every state, since signing in again replaces whatever session the client had;
// signed_out is accepted in every state; the refresh outcomes only while refreshing.
// A refresh that fails for a transient reason (network, 5xx) returns to signed_in
// while the access token is still valid, to expired otherwise: two events.

#include <array>
#include <cstdint>
#include <string_view>

#include "sesame/result.hpp"

namespace sesame {

enum class SessionState : std::uint8_t { signed_out, mfa_pending, signed_in, refreshing, expired };

enum class SessionEvent : std::uint8_t {
  sign_in_succeeded,               // tokens received (password step without MFA)
  mfa_required,                    // password step passed, MFA challenge issued
  mfa_verified,                    // second factor accepted, tokens received
  refresh_started,                 // from signed_in, expired, or signed_out to restore a session
  refresh_succeeded,
  refresh_failed_transient_token_valid,    // transient failure, access token still valid
  refresh_failed_transient_token_expired,  // transient failure, access token expired
  refresh_rejected,                // the server refused the refresh token (401): session over
  token_expired,                   // the access token's expiry passed
  signed_out,                      // local or server-side sign-out, or an abandoned MFA step
};

inline constexpr std::array<SessionState, 5> all_session_states = {
    SessionState::signed_out, SessionState::mfa_pending, SessionState::signed_in, SessionState::refreshing,
    SessionState::expired};

inline constexpr std::array<SessionEvent, 10> all_session_events = {
    SessionEvent::sign_in_succeeded,
    SessionEvent::mfa_required,
    SessionEvent::mfa_verified,
    SessionEvent::refresh_started,
    SessionEvent::refresh_succeeded,
    SessionEvent::refresh_failed_transient_token_valid,
    SessionEvent::refresh_failed_transient_token_expired,
    SessionEvent::refresh_rejected,
    SessionEvent::token_expired,
    SessionEvent::signed_out};

// The next state, or invalid_session_transition when the event cannot happen in `state`
// (e.g. a stale refresh result arriving after a new sign-in: the SDK drops it).
[[nodiscard]] Result<SessionState> transition(SessionState state, SessionEvent event);

// Stable names, e.g. "mfa_pending", "refresh_rejected".
[[nodiscard]] std::string_view session_state_name(SessionState state) noexcept;
[[nodiscard]] std::string_view session_event_name(SessionEvent event) noexcept;

// The inverse of the names (for messages between tabs); invalid_argument when unknown.
[[nodiscard]] Result<SessionState> parse_session_state(std::string_view name);
[[nodiscard]] Result<SessionEvent> parse_session_event(std::string_view name);

}  // namespace sesame
