# Sources of server/src/security: the primitives the services share (no store,
# no HTTP): secrets on disk, password hashing, the signing key ring, sealing,
# opaque tokens, randomness, the per-IP limiter. Paths are relative to server/.
set(SESAME_SERVER_SECURITY_SOURCES
  src/security/sodium_random.cpp
  src/security/private_files.cpp
  src/security/server_secrets.cpp
  src/security/password_hasher.cpp
  src/security/signing_key_ring.cpp
  src/security/token_sealer.cpp
  src/security/opaque_token.cpp
  src/security/device_token.cpp
  src/security/ip_rate_limiter.cpp
  src/security/breached_password_check.cpp
)
