# The auth features (route → service → store), owned by the lead.
set(SESAME_SERVER_AUTH_FEATURE_SOURCES
  src/auth/identifiers.cpp
  src/auth/audit_trail.cpp
  src/auth/tokens/token_service.cpp
  src/auth/accounts/account_service.cpp
  src/auth/login/login_service.cpp
  src/auth/sessions/session_service.cpp
  src/auth/routes.cpp
  src/app/app.cpp
)
