# Sources of server/src/http, owned by that area.
set(SESAME_SERVER_HTTP_SOURCES
)
