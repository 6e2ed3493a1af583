# Sources of server/src/store, owned by that area.
set(SESAME_SERVER_STORE_SOURCES
)
