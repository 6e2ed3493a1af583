# Tests of server/src/http. Included from tests/server/CMakeLists.txt; paths
# are relative to tests/server.
include(${CMAKE_CURRENT_LIST_DIR}/../support/support.cmake)

# The rules on their own: router, problems, bodies, cookies, middleware, worker pool.
sesame_add_test(server_http_rules_tests
  SOURCES http/http_rules_test.cpp LIBRARIES sesame::server)
# The real server on an ephemeral port, over real TCP.
sesame_add_test(server_http_tests
  SOURCES http/http_server_test.cpp LIBRARIES sesame::server sesame::test_http_client)
# Framing, pipelining, keep-alive, limits and timeouts: the rules, then raw sockets against the real server.
sesame_add_test(server_http_framing_tests
  SOURCES http/http_framing_test.cpp LIBRARIES sesame::server)
