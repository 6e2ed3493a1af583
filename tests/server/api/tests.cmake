# The auth API over real HTTP: the whole server in-process on an ephemeral
# port (App), with a clock the tests move. Registered once per store.
include(${CMAKE_CURRENT_LIST_DIR}/../support/support.cmake)
sesame_add_test(server_api_sqlite
  SOURCES api/auth_api_test.cpp LIBRARIES sesame::server sesame::test_http_client)
set_target_properties(server_api_sqlite PROPERTIES OUTPUT_NAME server_api_test)
target_include_directories(server_api_sqlite PRIVATE ${CMAKE_CURRENT_LIST_DIR}/../support)
set_tests_properties(server_api_sqlite PROPERTIES TIMEOUT 300 ENVIRONMENT "SESAME_TEST_STORE=sqlite")
add_test(NAME server_api_postgres COMMAND server_api_sqlite --report_level=short --color_output=no)
set_tests_properties(server_api_postgres PROPERTIES
  FIXTURES_REQUIRED postgres
  TIMEOUT 300
  ENVIRONMENT "SESAME_TEST_STORE=postgres;SESAME_TEST_POSTGRES_STATE=${SESAME_TEST_POSTGRES_STATE}")

# TOTP MFA over real HTTP, likewise once per store.
sesame_add_test(server_mfa_api_sqlite
  SOURCES api/mfa_api_test.cpp LIBRARIES sesame::server sesame::test_http_client PkgConfig::PQXX)
set_target_properties(server_mfa_api_sqlite PROPERTIES OUTPUT_NAME server_mfa_api_test)
target_include_directories(server_mfa_api_sqlite PRIVATE ${CMAKE_CURRENT_LIST_DIR}/../support)
set_tests_properties(server_mfa_api_sqlite PROPERTIES TIMEOUT 300 ENVIRONMENT "SESAME_TEST_STORE=sqlite")
add_test(NAME server_mfa_api_postgres COMMAND server_mfa_api_sqlite --report_level=short --color_output=no)
set_tests_properties(server_mfa_api_postgres PROPERTIES
  FIXTURES_REQUIRED postgres
  TIMEOUT 300
  ENVIRONMENT "SESAME_TEST_STORE=postgres;SESAME_TEST_POSTGRES_STATE=${SESAME_TEST_POSTGRES_STATE}")

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

# Recovery and mail over real HTTP, with a real SMTP listener and a range-API
# stub on loopback. Registered once per store, like the auth API suite.
sesame_add_test(server_recovery_sqlite
  SOURCES api/recovery_api_test.cpp
  LIBRARIES sesame::server sesame::test_http_client sesame::test_loopback_services)
set_target_properties(server_recovery_sqlite PROPERTIES OUTPUT_NAME server_recovery_api_test)
target_include_directories(server_recovery_sqlite PRIVATE ${CMAKE_CURRENT_LIST_DIR}/../support)
set_tests_properties(server_recovery_sqlite PROPERTIES TIMEOUT 300 ENVIRONMENT "SESAME_TEST_STORE=sqlite")
add_test(NAME server_recovery_postgres COMMAND server_recovery_sqlite --report_level=short --color_output=no)
set_tests_properties(server_recovery_postgres PROPERTIES
  FIXTURES_REQUIRED postgres
  TIMEOUT 300
  ENVIRONMENT "SESAME_TEST_STORE=postgres;SESAME_TEST_POSTGRES_STATE=${SESAME_TEST_POSTGRES_STATE}")
