#pragma once
// Files that hold secrets: created owner-only, published atomically, and
// created at most once even when several processes start at the same moment.
//
// Publication: contents go to a fresh temporary file next to the target
// (O_CREAT|O_EXCL, mode 0600), are fsync'ed, then rename()d over the target
// and the directory is fsync'ed. A reader therefore sees the old file or the
// new one, never a torn write, and needs no lock.
//
// Creation and read-modify-write (key rotation) hold an exclusive flock() on
// "<target>.lock". flock() locks belong to the open file description, so they
// exclude other threads of this process as well as other processes. Lock files
// stay in place: deleting one would let two processes lock different inodes.

#include <filesystem>
#include <optional>
#include <string_view>

#include "security/secret_bytes.hpp"
#include "sesame/result.hpp"

namespace sesame::server {

// Creates `dir` and its missing parents; directories created here get mode
// 0700. An existing directory is left as the operator set it up.
[[nodiscard]] Result<void> ensure_private_directory(const std::filesystem::path& dir);

// Holds an exclusive flock() on a lock file until destroyed.
class ExclusiveFileLock {
 public:
  // Blocks until the lock is ours; creates the lock file (mode 0600) if needed.
  [[nodiscard]] static Result<ExclusiveFileLock> acquire(const std::filesystem::path& lock_path);

  ExclusiveFileLock(ExclusiveFileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  ExclusiveFileLock& operator=(ExclusiveFileLock&&) = delete;
  ExclusiveFileLock(const ExclusiveFileLock&) = delete;
  ExclusiveFileLock& operator=(const ExclusiveFileLock&) = delete;
  ~ExclusiveFileLock();

 private:
  explicit ExclusiveFileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// "<path>.lock": the lock that guards creating or replacing `path`.
[[nodiscard]] std::filesystem::path lock_path_for(const std::filesystem::path& path);

// The whole file, or nullopt when it does not exist. A file that others (not
// owner, not group) may access is refused: a world-readable secret has leaked.
[[nodiscard]] Result<std::optional<SecretBytes>> read_private_file(const std::filesystem::path& path);

// Atomically replaces (or creates) `path` with `contents`, mode 0600.
[[nodiscard]] Result<void> replace_private_file(const std::filesystem::path& path, ByteView contents);

}  // namespace sesame::server
