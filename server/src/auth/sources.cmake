# Sources of server/src/auth, owned by that area.
# The security building blocks (no store, no HTTP): secrets on disk, password
# hashing, the signing key ring, sealing, opaque tokens, randomness, the per-IP limiter.
set(SESAME_SERVER_AUTH_SOURCES
  src/auth/sodium_random.cpp
  src/auth/private_files.cpp
  src/auth/server_secrets.cpp
  src/auth/password_hasher.cpp
  src/auth/signing_key_ring.cpp
  src/auth/token_sealer.cpp
  src/auth/opaque_token.cpp
  src/auth/ip_rate_limiter.cpp
)
