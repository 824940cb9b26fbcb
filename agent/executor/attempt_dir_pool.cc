#include "agent/executor/attempt_dir_pool.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <string_view>
#include <system_error>

namespace batchd::agent {
namespace {

namespace fs = std::filesystem;

// The files the agent itself writes in an attempt directory (see AttemptFiles). Kept empty in
// a spare; an empty journal holds no record.
constexpr std::array<std::string_view, 3> kAgentFiles = {"journal", "stdout", "stderr"};

bool IsAgentFile(std::string_view name) {
  for (std::string_view f : kAgentFiles) {
    if (f == name) return true;
  }
  return false;
}

// Truncates `name` in `dir_fd` only where it is a plain file of its own: the job may have
// left a link there (to another file, or a hard link to one), and that must not be followed.
bool TruncateOwnFile(int dir_fd, const char* name) {
  struct stat st {};
  if (::fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return false;
  if (!S_ISREG(st.st_mode) || st.st_nlink != 1) return false;
  if (st.st_size == 0) return true;
  const int fd = ::openat(dir_fd, name, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok =
      ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1 && ::ftruncate(fd, 0) == 0;
  ::close(fd);
  return ok;
}

// Leaves only the agent's own files in `dir`, emptied. False when something stays behind.
bool Empty(const fs::path& dir) {
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir_fd < 0) return false;
  std::vector<std::string> others;
  bool ok = true;
  if (DIR* d = ::fdopendir(::dup(dir_fd)); d != nullptr) {
    while (const dirent* e = ::readdir(d)) {
      const std::string_view name = e->d_name;
      if (name == "." || name == "..") continue;
      if (!IsAgentFile(name) || !TruncateOwnFile(dir_fd, e->d_name)) others.emplace_back(name);
    }
    ::closedir(d);
  } else {
    ok = false;
  }
  // A job running as root may have changed the directory's mode; the next job gets it fresh.
  ok = ok && ::fchmod(dir_fd, 0755) == 0;
  ::close(dir_fd);
  for (const std::string& name : others) {
    std::error_code ec;
    fs::remove_all(dir / name, ec);  // does not follow links
    ok = ok && !ec;
  }
  return ok;
}

}  // namespace

AttemptDirPool::AttemptDirPool(fs::path spare_root, size_t max_spares)
    : spare_root_(std::move(spare_root)), max_spares_(max_spares) {
  std::error_code ec;
  fs::remove_all(spare_root_, ec);
  fs::create_directories(spare_root_);
}

void AttemptDirPool::Make(const fs::path& dir) {
  struct stat st {};
  if (::lstat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return;  // made before
  for (;;) {
    fs::path spare;
    {
      std::lock_guard lock(mu_);
      if (spares_.empty()) break;
      spare = std::move(spares_.back());
      spares_.pop_back();
    }
    if (::rename(spare.c_str(), dir.c_str()) == 0) return;
    // A spare that cannot be moved (removed under us, say) is dropped; the next is tried.
    std::error_code ec;
    fs::remove_all(spare, ec);
  }
  if (::mkdir(dir.c_str(), 0755) != 0) {
    throw std::system_error(errno, std::system_category(), "creating " + dir.string());
  }
}

void AttemptDirPool::Recycle(const fs::path& dir) {
  fs::path spare;
  {
    std::lock_guard lock(mu_);
    if (spares_.size() < max_spares_) spare = spare_root_ / std::to_string(next_name_++);
  }
  // Emptied before it moves: a spare never holds an attempt's files.
  if (!spare.empty() && Empty(dir) && ::rename(dir.c_str(), spare.c_str()) == 0) {
    std::lock_guard lock(mu_);
    spares_.push_back(std::move(spare));
    return;
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
}

size_t AttemptDirPool::spares() {
  std::lock_guard lock(mu_);
  return spares_.size();
}

}  // namespace batchd::agent
