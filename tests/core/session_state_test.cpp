// Part of core_refresh_tests (the module is defined in refresh_test.cpp).
#include <boost/test/unit_test.hpp>

#include <set>
#include <string>
#include <utility>

#include "sesame/session_state.hpp"
#include "printing.hpp"
#include "vectors.hpp"

using namespace sesame;
using sesame::test::vector_table;

namespace sesame {
inline std::ostream& operator<<(std::ostream& out, SessionState state) { return out << session_state_name(state); }
}  // namespace sesame

BOOST_AUTO_TEST_SUITE(session_state)

BOOST_AUTO_TEST_CASE(state_and_event_names_are_stable_and_round_trip) {
  const auto states = vector_table("session_state.json", "states");
  BOOST_TEST_REQUIRE(states.size() == all_session_states.size());
  for (std::size_t i = 0; i < states.size(); ++i) {
    const auto name = states[i].at("name").get<std::string>();
    BOOST_TEST(session_state_name(all_session_states[i]) == name);
    auto parsed = parse_session_state(name);
    BOOST_TEST_REQUIRE(parsed.ok());
    BOOST_TEST(*parsed == all_session_states[i]);
  }
  const auto events = vector_table("session_state.json", "events");
  BOOST_TEST_REQUIRE(events.size() == all_session_events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto name = events[i].at("name").get<std::string>();
    BOOST_TEST(session_event_name(all_session_events[i]) == name);
    auto parsed = parse_session_event(name);
    BOOST_TEST_REQUIRE(parsed.ok());
    BOOST_TEST(static_cast<int>(*parsed) == static_cast<int>(all_session_events[i]));
  }
}

BOOST_AUTO_TEST_CASE(unknown_names_are_refused) {
  for (const char* name : {"", "SIGNED_IN", "signed-in", "signed_in ", "logged_in", "refresh_failed_transient"}) {
    BOOST_TEST_CONTEXT("'" << name << "'") {
      auto state = parse_session_state(name);
      BOOST_TEST_REQUIRE(!state.ok());
      BOOST_TEST(state.code() == ErrorCode::invalid_argument);
      auto event = parse_session_event(name);
      BOOST_TEST_REQUIRE(!event.ok());
      BOOST_TEST(event.code() == ErrorCode::invalid_argument);
    }
  }
}

BOOST_AUTO_TEST_CASE(transition_table_covers_every_state_and_event) {
  const auto table = vector_table("session_state.json", "transitions");
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& row : table) {
    const auto state_name = row.at("state").get<std::string>();
    const auto event_name = row.at("event").get<std::string>();
    BOOST_TEST_CONTEXT(state_name << " + " << event_name) {
      BOOST_TEST(seen.emplace(state_name, event_name).second);  // each pair once
      auto state = parse_session_state(state_name);
      auto event = parse_session_event(event_name);
      BOOST_TEST_REQUIRE(state.ok());
      BOOST_TEST_REQUIRE(event.ok());
      auto next = transition(*state, *event);
      if (row.contains("next")) {
        BOOST_TEST_REQUIRE(next.ok());
        BOOST_TEST(session_state_name(*next) == row.at("next").get<std::string>());
      } else {
        BOOST_TEST_REQUIRE(!next.ok());
        BOOST_TEST(next.code() == ErrorCode::invalid_session_transition);
        BOOST_TEST(error_code_name(next.code()) == row.at("error").get<std::string>());
        // The detail names both, for the SDK's debug log.
        BOOST_TEST(next.error().detail.find(state_name) != std::string::npos);
        BOOST_TEST(next.error().detail.find(event_name) != std::string::npos);
      }
    }
  }
  BOOST_TEST(seen.size() == all_session_states.size() * all_session_events.size());
}

BOOST_AUTO_TEST_CASE(a_typical_session_runs_through_the_machine) {
  using E = SessionEvent;
  SessionState state = SessionState::signed_out;
  const std::pair<E, SessionState> steps[] = {
      {E::mfa_required, SessionState::mfa_pending},
      {E::mfa_verified, SessionState::signed_in},
      {E::refresh_started, SessionState::refreshing},
      {E::refresh_failed_transient_token_valid, SessionState::signed_in},
      {E::refresh_started, SessionState::refreshing},
      {E::refresh_succeeded, SessionState::signed_in},
      {E::token_expired, SessionState::expired},  // the laptop slept through the timer
      {E::refresh_started, SessionState::refreshing},
      {E::refresh_rejected, SessionState::signed_out},  // revoked from another device
  };
  for (const auto& [event, expected] : steps) {
    BOOST_TEST_CONTEXT(session_event_name(event)) {
      auto next = transition(state, event);
      BOOST_TEST_REQUIRE(next.ok());
      BOOST_TEST(*next == expected);
      state = *next;
    }
  }
}

BOOST_AUTO_TEST_CASE(a_stale_refresh_result_after_a_new_sign_in_is_refused) {
  auto refreshing = transition(SessionState::signed_in, SessionEvent::refresh_started);
  BOOST_TEST_REQUIRE(refreshing.ok());
  auto signed_in = transition(*refreshing, SessionEvent::sign_in_succeeded);
  BOOST_TEST_REQUIRE(signed_in.ok());
  auto stale = transition(*signed_in, SessionEvent::refresh_succeeded);
  BOOST_TEST_REQUIRE(!stale.ok());
  BOOST_TEST(stale.code() == ErrorCode::invalid_session_transition);
}

BOOST_AUTO_TEST_SUITE_END()
