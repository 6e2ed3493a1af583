# Fault tests: the real sesame-server binary under kill -9, a PostgreSQL outage, a full
# disk, a read-only data dir; no default account. The suite starts a PostgreSQL cluster of
# its own (it stops it on purpose), and mounts small tmpfs file systems (as root).
find_package(SQLite3 REQUIRED)
sesame_add_test(server_fault SOURCES fault/fault_test.cpp
  LIBRARIES sesame::test_http_client PkgConfig::PQXX SQLite::SQLite3)
target_include_directories(server_fault PRIVATE ${CMAKE_CURRENT_LIST_DIR}/../support)
target_compile_definitions(server_fault PRIVATE
  SESAME_SERVER_BINARY="$<TARGET_FILE:sesame-server>"
  SESAME_POSTGRES_SCRIPT="${PROJECT_SOURCE_DIR}/tests/support/postgres.sh")
add_dependencies(server_fault sesame-server)
set_tests_properties(server_fault PROPERTIES TIMEOUT 180 LABELS fault)

# SQL metacharacters in every field (ASVS 1.2.4), in-process over HTTP on both stores.
sesame_add_api_test(server_sql_metacharacters SOURCES fault/sql_metacharacters_api_test.cpp)
