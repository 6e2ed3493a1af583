# Sources of server/src/http, owned by that area. include()d from
# server/CMakeLists.txt, so paths are relative to server/.
set(SESAME_SERVER_HTTP_SOURCES
  src/http/async_response.cpp
  src/http/cookies.cpp
  src/http/http_server.cpp
  src/http/form_body.cpp
  src/http/json_body.cpp
  src/http/middleware.cpp
  src/http/request.cpp
  src/http/request_framing.cpp
  src/http/response.cpp
  src/http/router.cpp
  src/http/static_files.cpp
  src/http/termination_signals.cpp
  src/http/worker_pool.cpp
)
