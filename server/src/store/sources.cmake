# Sources of server/src/store, owned by that area. include()d from
# server/CMakeLists.txt, so paths are relative to server/.

# migrations/{sqlite,postgres}/*.sql become a generated source of sesame_server,
# so an installed binary carries its schema.
include(${PROJECT_SOURCE_DIR}/cmake/EmbedMigrations.cmake)
sesame_embed_migrations(SESAME_SERVER_EMBEDDED_MIGRATIONS)

set(SESAME_SERVER_STORE_SOURCES
  src/store/open_store.cpp
  src/store/store_rules.cpp
  src/store/json_columns.cpp
  src/store/audit_chain.cpp
  src/store/sqlite/sqlite_connection.cpp
  src/store/sqlite/sqlite_store.cpp
  src/store/sqlite/sqlite_recovery_store.cpp
  src/store/sqlite/sqlite_admin_store.cpp
  src/store/sqlite/sqlite_audit_store.cpp
  src/store/sqlite/sqlite_housekeeping_store.cpp
  src/store/sqlite/sqlite_invalidation_feed.cpp
  src/store/postgres/postgres_pool.cpp
  src/store/postgres/postgres_store.cpp
  src/store/postgres/postgres_recovery_store.cpp
  src/store/postgres/postgres_admin_store.cpp
  src/store/postgres/postgres_audit_store.cpp
  src/store/postgres/postgres_housekeeping_store.cpp
  src/store/postgres/postgres_invalidation_feed.cpp
  ${SESAME_SERVER_EMBEDDED_MIGRATIONS}
)
