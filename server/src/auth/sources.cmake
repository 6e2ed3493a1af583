# Sources of server/src/auth, owned by that area.
set(SESAME_SERVER_AUTH_SOURCES
)
