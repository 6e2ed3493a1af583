# Tests of server/src/security: the shared primitives, no store, no HTTP.
# Included from tests/server/CMakeLists.txt; paths are relative to tests/server.
sesame_add_test(server_security_password_tests
  SOURCES security/password_hasher_test.cpp LIBRARIES sesame::server)
sesame_add_test(server_security_secrets_tests
  SOURCES security/server_secrets_test.cpp LIBRARIES sesame::server)
sesame_add_test(server_security_signing_keys_tests
  SOURCES security/signing_key_ring_test.cpp LIBRARIES sesame::server)
sesame_add_test(server_security_tokens_tests
  SOURCES security/token_sealer_test.cpp LIBRARIES sesame::server)
sesame_add_test(server_security_rate_limit_tests
  SOURCES security/ip_rate_limiter_test.cpp LIBRARIES sesame::server)
