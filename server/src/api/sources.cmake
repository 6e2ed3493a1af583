# Sources of server/src/api: the routes, one file per feature, the only place
# that knows both HTTP and the services; and app/, which wires them together.
set(SESAME_SERVER_API_SOURCES
  src/api/route_support.cpp
  src/api/auth_routes.cpp
  src/api/session_routes.cpp
  src/api/mfa_routes.cpp
  src/api/demo_routes.cpp
  src/api/recovery_routes.cpp
  src/api/dev_routes.cpp
  src/api/admin_routes.cpp
  src/app/app.cpp
)
