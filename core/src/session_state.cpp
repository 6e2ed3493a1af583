#include "sesame/session_state.hpp"

#include <string>

namespace sesame {

Result<SessionState> transition(SessionState state, SessionEvent event) {
  using S = SessionState;
  using E = SessionEvent;
  switch (event) {
    case E::sign_in_succeeded:
      return S::signed_in;
    case E::mfa_required:
      return S::mfa_pending;
    case E::signed_out:
      return S::signed_out;
    case E::mfa_verified:
      if (state == S::mfa_pending) return S::signed_in;
      break;
    case E::refresh_started:
      if (state == S::signed_in || state == S::expired || state == S::signed_out) return S::refreshing;
      break;
    case E::refresh_succeeded:
    case E::refresh_failed_transient_token_valid:
      if (state == S::refreshing) return S::signed_in;
      break;
    case E::refresh_failed_transient_token_expired:
      if (state == S::refreshing) return S::expired;
      break;
    case E::refresh_rejected:
      if (state == S::refreshing) return S::signed_out;
      break;
    case E::token_expired:
      // While refreshing, the refresh's outcome decides; a repeated expiry is harmless.
      if (state == S::signed_in || state == S::expired) return S::expired;
      if (state == S::refreshing) return S::refreshing;
      break;
  }
  return Error{ErrorCode::invalid_session_transition, std::string("event ") + std::string(session_event_name(event)) +
                                                          " cannot happen in state " +
                                                          std::string(session_state_name(state))};
}

std::string_view session_state_name(SessionState state) noexcept {
  switch (state) {
    case SessionState::signed_out: return "signed_out";
    case SessionState::mfa_pending: return "mfa_pending";
    case SessionState::signed_in: return "signed_in";
    case SessionState::refreshing: return "refreshing";
    case SessionState::expired: return "expired";
  }
  return "unknown";
}

std::string_view session_event_name(SessionEvent event) noexcept {
  switch (event) {
    case SessionEvent::sign_in_succeeded: return "sign_in_succeeded";
    case SessionEvent::mfa_required: return "mfa_required";
    case SessionEvent::mfa_verified: return "mfa_verified";
    case SessionEvent::refresh_started: return "refresh_started";
    case SessionEvent::refresh_succeeded: return "refresh_succeeded";
    case SessionEvent::refresh_failed_transient_token_valid: return "refresh_failed_transient_token_valid";
    case SessionEvent::refresh_failed_transient_token_expired: return "refresh_failed_transient_token_expired";
    case SessionEvent::refresh_rejected: return "refresh_rejected";
    case SessionEvent::token_expired: return "token_expired";
    case SessionEvent::signed_out: return "signed_out";
  }
  return "unknown";
}

Result<SessionState> parse_session_state(std::string_view name) {
  for (SessionState state : all_session_states) {
    if (session_state_name(state) == name) return state;
  }
  return Error{ErrorCode::invalid_argument, "unknown session state"};
}

Result<SessionEvent> parse_session_event(std::string_view name) {
  for (SessionEvent event : all_session_events) {
    if (session_event_name(event) == name) return event;
  }
  return Error{ErrorCode::invalid_argument, "unknown session event"};
}

}  // namespace sesame
