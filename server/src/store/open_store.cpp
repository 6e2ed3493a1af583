#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "store/postgres/postgres_store.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/store.hpp"

namespace sesame::server {

namespace {

constexpr std::string_view kDefaultDatabaseFile = "sesame.db";

// Creates `dir` and any missing parent owner-only (0700): the data dir holds the
// database and the server's secrets. An existing directory is left as it is.
Result<void> create_private_directories(const std::filesystem::path& dir) {
  if (dir.empty()) return {};
  std::error_code error;
  if (std::filesystem::is_directory(dir, error)) return {};
  if (auto parent = dir.parent_path(); parent != dir) {
    if (auto made = create_private_directories(parent); !made) return made;
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Error{ErrorCode::service_unavailable,
                 "cannot create directory " + dir.string() + ": " + std::string(std::strerror(errno))};
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<Store>> open_store(std::string_view database_url, std::string_view data_dir) {
  if (database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
    auto store = PostgresStore::open(std::string(database_url));
    if (!store) return store.error();
    return std::unique_ptr<Store>(std::move(store).value());
  }

  std::filesystem::path path;
  if (database_url.empty()) {
    const std::filesystem::path dir(data_dir.empty() ? std::string_view(".") : data_dir);
    if (auto made = create_private_directories(dir); !made) return made.error();
    path = dir / kDefaultDatabaseFile;
  } else if (database_url.starts_with("sqlite:")) {
    std::string_view rest = database_url.substr(7);
    if (rest.starts_with("//")) rest.remove_prefix(2);  // sqlite:///abs/path or sqlite://rel/path
    if (rest.empty()) return Error{ErrorCode::invalid_argument, "DATABASE_URL sqlite: names no file"};
    path = std::filesystem::path(rest);
    if (auto made = create_private_directories(path.parent_path()); !made) return made.error();
  } else {
    // The URL may carry a password: never echo it.
    return Error{ErrorCode::invalid_argument,
                 "DATABASE_URL must start with postgres://, postgresql:// or sqlite:"};
  }
  auto store = SqliteStore::open(path.string());
  if (!store) return store.error();
  return std::unique_ptr<Store>(std::move(store).value());
}

}  // namespace sesame::server
