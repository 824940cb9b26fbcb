#include "agent/executor/attempt_dir.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "agent/executor/launch_error.h"
#include "api/text.h"

namespace batchd::agent {
namespace {

[[noreturn]] void ThrowErrno(const std::string& what) {
  throw std::system_error(errno, std::system_category(), what);
}

}  // namespace

int OpenAttemptOutput(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw LaunchError("opening " + path.string() + ": " + std::system_category().message(errno),
                      true);
  }
  return fd;
}

bool IsValidAttemptId(const std::string& attempt_id) {
  if (attempt_id.empty() || attempt_id.size() > 128 || attempt_id == "." || attempt_id == "..") {
    return false;
  }
  for (char c : attempt_id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// The temporary for `path`, opened as it is: emptying it on open (O_TRUNC) would make ext4
// write its blocks out when it is closed (its guard for files replaced by truncation). One
// the job left as a link (its working directory is the attempt's) is removed and made anew
// rather than followed. `size` gets the length of what it holds already.
int OpenTemporary(const std::string& temporary, off_t* size) {
  for (int tries = 0; tries < 2; ++tries) {
    const int fd =
        ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
    struct stat st {};
    if (fd >= 0 && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1) {
      *size = st.st_size;
      return fd;
    }
    if (fd >= 0) ::close(fd);
    if (fd < 0 && errno != ELOOP && errno != ENXIO && errno != EISDIR) break;
    std::error_code ec;
    std::filesystem::remove_all(temporary, ec);
  }
  ThrowErrno("creating " + temporary);
}

void WriteFileAtomically(const std::filesystem::path& path, std::string_view data) {
  const std::string temporary = path.string() + ".tmp";
  off_t size = 0;
  const int fd = OpenTemporary(temporary, &size);
  size_t written = 0;
  while (written < data.size()) {
    const ssize_t n =
        ::pwrite(fd, data.data() + written, data.size() - written, static_cast<off_t>(written));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    written += static_cast<size_t>(n);
  }
  // Cut to what was written only now, to a length that is not zero where data is not empty;
  // and only where the old contents were longer: the temporary is nearly always new, and a
  // truncation anyway cost a system call and an inode update for each of an attempt's writes.
  if (written < data.size() ||
      (size > static_cast<off_t>(written) && ::ftruncate(fd, static_cast<off_t>(written)) != 0)) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    ThrowErrno("writing " + temporary);
  }
  ::close(fd);
  // Exchanged, not renamed over: the old file lives on as the next write's temporary, so a
  // rewrite frees no inode and makes none (see attempt_dir_pool.h).
  if (::renameat2(AT_FDCWD, temporary.c_str(), AT_FDCWD, path.c_str(), RENAME_EXCHANGE) == 0) {
    return;
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) ThrowErrno("renaming " + temporary);
}

void WriteMessageAtomically(const std::filesystem::path& path,
                            const google::protobuf::MessageLite& message) {
  WriteFileAtomically(path, message.SerializeAsString());
}

bool ReadMessage(const std::filesystem::path& path, google::protobuf::MessageLite* message) {
  const std::optional<std::string> data = api::ReadTextFile(path);
  // Empty is absent: a recycled attempt directory keeps its files, emptied.
  return data && !data->empty() && message->ParseFromString(*data);
}

}  // namespace batchd::agent
