# Tests of server/src/auth: the security building blocks, no store, no HTTP.
# Included from tests/server/CMakeLists.txt; paths are relative to tests/server.
sesame_add_test(server_auth_password_tests
  SOURCES auth/password_hasher_test.cpp LIBRARIES sesame::server)
sesame_add_test(server_auth_secrets_tests
  SOURCES auth/server_secrets_test.cpp LIBRARIES sesame::server)
sesame_add_test(server_auth_signing_keys_tests
  SOURCES auth/signing_key_ring_test.cpp LIBRARIES sesame::server)
sesame_add_test(server_auth_tokens_tests
  SOURCES auth/token_sealer_test.cpp LIBRARIES sesame::server)
sesame_add_test(server_auth_rate_limit_tests
  SOURCES auth/ip_rate_limiter_test.cpp LIBRARIES sesame::server)
