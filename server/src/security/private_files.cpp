#include "security/private_files.hpp"

#include <cerrno>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "security/sodium_random.hpp"
#include "sesame/encoding.hpp"

namespace sesame::server {

namespace fs = std::filesystem;

namespace {

Error io_error(std::string_view what, const fs::path& path, int error_number) {
  return Error{ErrorCode::internal_error,
               std::string(what) + " " + path.string() + ": " + std::strerror(error_number)};
}

// Closes a descriptor on every path out of a function.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int get() const noexcept { return fd_; }
  [[nodiscard]] int release() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

Result<void> write_all(int fd, ByteView contents, const fs::path& path) {
  std::size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot write", path, errno);
    }
    written += static_cast<std::size_t>(n);
  }
  return {};
}

// Makes the rename itself durable: without it a crash could forget the new name.
Result<void> sync_directory(const fs::path& dir) {
  FileDescriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return io_error("cannot open directory", dir, errno);
  if (::fsync(fd.get()) != 0 && errno != EINVAL) return io_error("cannot sync directory", dir, errno);
  return {};
}

}  // namespace

Result<void> ensure_private_directory(const fs::path& dir) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return {};
  if (dir.has_parent_path() && dir.parent_path() != dir) {
    if (auto parent = ensure_private_directory(dir.parent_path()); !parent) return parent;
  }
  if (::mkdir(dir.c_str(), 0700) != 0) {
    if (errno == EEXIST && fs::is_directory(dir, ec)) return {};  // another process was quicker
    return io_error("cannot create directory", dir, errno);
  }
  // mkdir's mode is filtered by the umask; make it exactly owner-only.
  if (::chmod(dir.c_str(), 0700) != 0) return io_error("cannot chmod directory", dir, errno);
  return {};
}

Result<ExclusiveFileLock> ExclusiveFileLock::acquire(const fs::path& lock_path) {
  FileDescriptor fd(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (fd.get() < 0) return io_error("cannot open lock file", lock_path, errno);
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return io_error("cannot lock", lock_path, errno);
  }
  return ExclusiveFileLock(fd.release());
}

ExclusiveFileLock::~ExclusiveFileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

fs::path lock_path_for(const fs::path& path) {
  fs::path lock = path;
  lock += ".lock";
  return lock;
}

Result<std::optional<SecretBytes>> read_private_file(const fs::path& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::optional<SecretBytes>{};
    return io_error("cannot open", path, errno);
  }
  struct stat status {};
  if (::fstat(fd.get(), &status) != 0) return io_error("cannot stat", path, errno);
  if (!S_ISREG(status.st_mode)) return Error{ErrorCode::internal_error, path.string() + " is not a regular file"};
  if ((status.st_mode & S_IRWXO) != 0) {
    return Error{ErrorCode::internal_error,
                 path.string() + " is accessible to other users; restrict it (chmod 600) and replace the secret"};
  }
  constexpr off_t kMaxSecretFileBytes = 1 << 20;  // a key ring is a few KiB
  if (status.st_size > kMaxSecretFileBytes) return Error{ErrorCode::input_too_large, path.string() + " is too large"};

  Bytes contents(static_cast<std::size_t>(status.st_size));
  std::size_t got = 0;
  while (got < contents.size()) {
    const ssize_t n = ::read(fd.get(), contents.data() + got, contents.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      sodium_memzero(contents.data(), contents.size());
      return io_error("cannot read", path, errno);
    }
    if (n == 0) break;  // shorter than fstat said: keep what is there
    got += static_cast<std::size_t>(n);
  }
  contents.resize(got);
  return std::optional<SecretBytes>(SecretBytes(std::move(contents)));
}

Result<void> replace_private_file(const fs::path& path, ByteView contents) {
  // A random suffix keeps temporary names unique across threads of one process.
  require_sodium();
  std::uint8_t nonce[8];
  randombytes_buf(nonce, sizeof nonce);
  fs::path temporary = path;
  temporary += ".tmp-" + base64url_encode(ByteView(nonce, sizeof nonce));

  FileDescriptor fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0) return io_error("cannot create", temporary, errno);
  auto fail = [&](Error error) -> Result<void> {
    ::unlink(temporary.c_str());
    return error;
  };
  // open()'s mode is filtered by the umask; make it exactly 0600.
  if (::fchmod(fd.get(), 0600) != 0) return fail(io_error("cannot chmod", temporary, errno));
  if (auto written = write_all(fd.get(), contents, temporary); !written) return fail(written.error());
  if (::fsync(fd.get()) != 0) return fail(io_error("cannot sync", temporary, errno));
  if (::close(fd.release()) != 0) return fail(io_error("cannot close", temporary, errno));
  if (::rename(temporary.c_str(), path.c_str()) != 0) return fail(io_error("cannot rename onto", path, errno));
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  return sync_directory(dir);
}

}  // namespace sesame::server
