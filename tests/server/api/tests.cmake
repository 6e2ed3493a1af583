# The API suites over real HTTP: the whole server in-process on an ephemeral
# port (App), with a clock the tests move. Each is one executable registered
# twice, once per store: <name>_sqlite, and <name>_postgres on the real
# PostgreSQL that the postgres fixture starts.
include(${CMAKE_CURRENT_LIST_DIR}/../support/support.cmake)
function(sesame_add_api_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  sesame_add_test(${name}_sqlite SOURCES ${ARG_SOURCES}
    LIBRARIES sesame::server sesame::test_http_client PkgConfig::PQXX ${ARG_LIBRARIES})
  set_target_properties(${name}_sqlite PROPERTIES OUTPUT_NAME ${name}_test)
  target_include_directories(${name}_sqlite PRIVATE ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/../support)
  set_tests_properties(${name}_sqlite PROPERTIES TIMEOUT 300 ENVIRONMENT "SESAME_TEST_STORE=sqlite")
  add_test(NAME ${name}_postgres COMMAND ${name}_sqlite --report_level=short --color_output=no)
  set_tests_properties(${name}_postgres PROPERTIES
    FIXTURES_REQUIRED postgres
    TIMEOUT 300
    ENVIRONMENT "SESAME_TEST_STORE=postgres;SESAME_TEST_POSTGRES_STATE=${SESAME_TEST_POSTGRES_STATE}")
endfunction()

sesame_add_api_test(server_api SOURCES api/auth_api_test.cpp)
sesame_add_api_test(server_mfa_api SOURCES api/mfa_api_test.cpp)
# The HTTP layer's headers and security events on the whole server (owned by http/).
sesame_add_api_test(server_http_api_headers SOURCES http/http_api_headers_test.cpp)
# Recovery and mail, with a real SMTP listener and a range-API stub on loopback.
sesame_add_api_test(server_recovery SOURCES api/recovery_api_test.cpp LIBRARIES sesame::test_loopback_services)
# audit verify and sweep as subprocesses of the built binary, and the periodic sweep.
sesame_add_api_test(server_operations SOURCES api/operations_test.cpp)
target_compile_definitions(server_operations_sqlite PRIVATE SESAME_SERVER_BINARY="$<TARGET_FILE:sesame-server>")
add_dependencies(server_operations_sqlite sesame-server)
# Context words (product name, name, email words) in new passwords.
sesame_add_api_test(server_password_context SOURCES api/password_context_api_test.cpp)

# Two sesame-server processes on one PostgreSQL database behave as one.
sesame_add_test(server_two_instances
  SOURCES api/two_instances_test.cpp LIBRARIES sesame::test_http_client PkgConfig::PQXX)
target_include_directories(server_two_instances PRIVATE ${CMAKE_CURRENT_LIST_DIR}/../support)
target_compile_definitions(server_two_instances PRIVATE SESAME_SERVER_BINARY="$<TARGET_FILE:sesame-server>")
add_dependencies(server_two_instances sesame-server)
set_tests_properties(server_two_instances PROPERTIES
  FIXTURES_REQUIRED postgres
  TIMEOUT 300
  ENVIRONMENT "SESAME_TEST_STORE=postgres;SESAME_TEST_POSTGRES_STATE=${SESAME_TEST_POSTGRES_STATE}")

# The admin API, account lifecycle and tenants.
sesame_add_api_test(server_admin_api SOURCES api/admin_api_test.cpp)
# The CLI beside a running server on one database (both stores).
sesame_add_api_test(server_cli_beside_server SOURCES api/cli_beside_server_test.cpp)
target_compile_definitions(server_cli_beside_server_sqlite PRIVATE SESAME_SERVER_BINARY="$<TARGET_FILE:sesame-server>")
add_dependencies(server_cli_beside_server_sqlite sesame-server)
# Issue 14: the lockout that cannot lock the owner out, and the ASVS session rows.
sesame_add_api_test(server_session_hardening SOURCES api/session_hardening_api_test.cpp)

# The scale-out deployment: two sesame-server processes on one PostgreSQL
# behind a real nginx running deploy/nginx/sesame.conf (nginx is a test dependency).
sesame_add_test(server_behind_nginx
  SOURCES api/behind_nginx_test.cpp LIBRARIES sesame::test_http_client PkgConfig::PQXX CURL::libcurl)
target_include_directories(server_behind_nginx PRIVATE ${CMAKE_CURRENT_LIST_DIR}/../support)
target_compile_definitions(server_behind_nginx PRIVATE
  SESAME_SERVER_BINARY="$<TARGET_FILE:sesame-server>"
  SESAME_NGINX_SITE_CONFIG="${PROJECT_SOURCE_DIR}/deploy/nginx/sesame.conf")
add_dependencies(server_behind_nginx sesame-server)
set_tests_properties(server_behind_nginx PROPERTIES
  FIXTURES_REQUIRED postgres
  TIMEOUT 300
  ENVIRONMENT "SESAME_TEST_STORE=postgres;SESAME_TEST_POSTGRES_STATE=${SESAME_TEST_POSTGRES_STATE}")
