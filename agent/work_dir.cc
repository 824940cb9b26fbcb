#include "agent/work_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <stdexcept>
#include <system_error>

#include "agent/executor/attempt_dir.h"
#include "api/text.h"

namespace batchd::agent {

namespace fs = std::filesystem;

WorkDirLock::WorkDirLock(const fs::path& work_dir) {
  fs::create_directories(work_dir);
  const fs::path path = work_dir / "agent.lock";
  fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw std::runtime_error("cannot open " + path.string() + ": " + std::strerror(errno));
  }
  if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    close(fd_);
    fd_ = -1;
    if (err == EWOULDBLOCK) {
      throw std::runtime_error("another batch-agent is using the work directory " +
                               work_dir.string());
    }
    throw std::runtime_error("cannot lock " + path.string() + ": " + std::strerror(err));
  }
}

WorkDirLock::~WorkDirLock() {
  if (fd_ >= 0) close(fd_);
}

std::string Hostname() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "node";
  return name;
}

std::string LoadOrCreateNodeId(const fs::path& work_dir) {
  const fs::path path = work_dir / "node_id";
  const std::string existing = api::Trimmed(api::ReadTextFile(path).value_or(""));
  if (!existing.empty()) return existing;
  std::random_device random;
  char suffix[16];
  std::snprintf(suffix, sizeof(suffix), "%08x", static_cast<unsigned>(random()));
  const std::string id = Hostname() + "-" + suffix;
  fs::create_directories(work_dir);
  // A crash mid-write must not leave an empty id behind.
  WriteFileAtomically(path, id + "\n");
  return id;
}

}  // namespace batchd::agent
