# Storage conformance: one suite, run against every Store implementation.
# Included from tests/server/CMakeLists.txt; paths are relative to tests/server.
#
#   store_conformance_sqlite    fresh SQLite files in a temp dir
#   store_conformance_postgres  fresh databases on a real PostgreSQL that the
#                               `postgres` fixture starts (tests/support/postgres.sh)
#   store_postgres_recovery     stops and restarts a PostgreSQL of its own
#                               (fixture `postgres_recovery`) under a live pool
#
# Other suites that need PostgreSQL can use the same fixture: FIXTURES_REQUIRED
# postgres, and read host/port/url from ${SESAME_TEST_POSTGRES_STATE} (key=value
# lines). The fixture fails, never skips, when PostgreSQL is not installed.

sesame_add_test(store_conformance_sqlite
  SOURCES store/store_conformance_test.cpp LIBRARIES sesame::server)
# One binary, registered once per dialect below.
set_target_properties(store_conformance_sqlite PROPERTIES OUTPUT_NAME store_conformance_test)
target_include_directories(store_conformance_sqlite PRIVATE ${CMAKE_CURRENT_LIST_DIR}/../support)
set_tests_properties(store_conformance_sqlite PROPERTIES TIMEOUT 300 ENVIRONMENT "SESAME_TEST_STORE=sqlite")

set(SESAME_TEST_POSTGRES_SCRIPT "${PROJECT_SOURCE_DIR}/tests/support/postgres.sh")
set(SESAME_TEST_POSTGRES_STATE "${CMAKE_BINARY_DIR}/test-postgres/shared.state")
set(store_recovery_state "${CMAKE_BINARY_DIR}/test-postgres/recovery.state")

# sesame_postgres_fixture(<fixture> <state file>): ctest fixture tests
# <fixture>_start / <fixture>_stop around a fresh PostgreSQL cluster.
function(sesame_postgres_fixture fixture state)
  add_test(NAME ${fixture}_start COMMAND bash "${SESAME_TEST_POSTGRES_SCRIPT}" start "${state}")
  add_test(NAME ${fixture}_stop COMMAND bash "${SESAME_TEST_POSTGRES_SCRIPT}" stop "${state}")
  set_tests_properties(${fixture}_start PROPERTIES FIXTURES_SETUP ${fixture} TIMEOUT 120)
  set_tests_properties(${fixture}_stop PROPERTIES FIXTURES_CLEANUP ${fixture} TIMEOUT 60)
endfunction()

sesame_postgres_fixture(postgres "${SESAME_TEST_POSTGRES_STATE}")
sesame_postgres_fixture(postgres_recovery "${store_recovery_state}")

add_test(NAME store_conformance_postgres
  COMMAND store_conformance_sqlite --report_level=short --color_output=no)
set_tests_properties(store_conformance_postgres PROPERTIES
  FIXTURES_REQUIRED postgres
  TIMEOUT 300
  ENVIRONMENT "SESAME_TEST_STORE=postgres;SESAME_TEST_POSTGRES_STATE=${SESAME_TEST_POSTGRES_STATE}")

add_test(NAME store_postgres_recovery
  COMMAND store_conformance_sqlite --run_test=postgres_recovery --report_level=short --color_output=no)
set_tests_properties(store_postgres_recovery PROPERTIES
  FIXTURES_REQUIRED postgres_recovery
  TIMEOUT 300
  ENVIRONMENT "SESAME_TEST_STORE=postgres;SESAME_TEST_POSTGRES_STATE=${store_recovery_state};SESAME_TEST_POSTGRES_SCRIPT=${SESAME_TEST_POSTGRES_SCRIPT}")
