# Sources of server/src/auth: the services, one folder per feature. They see
# the store and security/, never http/ or api/ (tests/server/layering_test.sh).
set(SESAME_SERVER_AUTH_SOURCES
  src/auth/identifiers.cpp
  src/auth/audit_trail.cpp
  src/auth/lockout.cpp
  src/auth/recent_sign_in.cpp
  src/auth/tokens/token_service.cpp
  src/auth/tokens/verified_token_cache.cpp
  src/auth/cache/invalidation_watch.cpp
  src/auth/accounts/account_view_cache.cpp
  src/auth/accounts/account_service.cpp
  src/auth/login/login_service.cpp
  src/auth/sessions/session_service.cpp
  src/auth/mfa/backup_code_hashing.cpp
  src/auth/mfa/mfa_service.cpp
  src/auth/password_screen.cpp
  src/auth/recovery/account_mail.cpp
  src/auth/recovery/recovery_service.cpp
  src/auth/admin/admin_service.cpp
  src/auth/audit/audit_chain_verifier.cpp
  src/auth/housekeeping/housekeeping_sweep.cpp
  src/auth/housekeeping/periodic_sweep.cpp
)
