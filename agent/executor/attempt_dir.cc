#include "agent/executor/attempt_dir.h"

#include <fcntl.h>
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

void WriteFileAtomically(const std::filesystem::path& path, std::string_view data) {
  const std::string temporary = path.string() + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) ThrowErrno("creating " + temporary);
  size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int saved = errno;
      ::close(fd);
      errno = saved;
      ThrowErrno("writing " + temporary);
    }
    written += static_cast<size_t>(n);
  }
  ::close(fd);
  if (::rename(temporary.c_str(), path.c_str()) != 0) ThrowErrno("renaming " + temporary);
}

void WriteMessageAtomically(const std::filesystem::path& path,
                            const google::protobuf::MessageLite& message) {
  WriteFileAtomically(path, message.SerializeAsString());
}

bool ReadMessage(const std::filesystem::path& path, google::protobuf::MessageLite* message) {
  const std::optional<std::string> data = api::ReadTextFile(path);
  return data && message->ParseFromString(*data);
}

}  // namespace batchd::agent
