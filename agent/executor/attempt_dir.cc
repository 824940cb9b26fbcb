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

// A file of the agent's own in an attempt directory, opened (and made) with `flags` for
// writing. One the job left as a link (its working directory is the attempt's), or a hard
// link to a file elsewhere, is removed and made anew rather than followed. `size` gets the
// length of what it holds already. Throws std::system_error.
int OpenOwnFile(const std::string& path, int flags, off_t* size) {
  for (int tries = 0; tries < 2; ++tries) {
    const int fd =
        ::open(path.c_str(), flags | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
    struct stat st {};
    if (fd >= 0 && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1) {
      *size = st.st_size;
      return fd;
    }
    if (fd >= 0) ::close(fd);
    if (fd < 0 && errno != ELOOP && errno != ENXIO && errno != EISDIR) break;
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  ThrowErrno("opening " + path);
}

void WriteFileAtomically(const std::filesystem::path& path, std::string_view data) {
  const std::string temporary = path.string() + ".tmp";
  off_t size = 0;
  // Opened as it is: emptying it on open (O_TRUNC) would make ext4 write its blocks out when
  // it is closed (its guard for files replaced by truncation).
  const int fd = OpenOwnFile(temporary, O_WRONLY, &size);
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

namespace {

constexpr size_t kJournalHeader = 5;   // kind, then the payload's length (4 bytes, LE)
constexpr size_t kJournalTrailer = 4;  // FNV-1a of kind and payload (LE)

uint32_t JournalChecksum(char kind, std::string_view payload) {
  uint32_t hash = 2166136261u;
  const auto mix = [&hash](unsigned char c) { hash = (hash ^ c) * 16777619u; };
  mix(static_cast<unsigned char>(kind));
  for (char c : payload) mix(static_cast<unsigned char>(c));
  return hash;
}

void PutLittleEndian(std::string* out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

uint32_t GetLittleEndian(std::string_view in) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) {
    value |= static_cast<uint32_t>(static_cast<unsigned char>(in[i])) << (8 * i);
  }
  return value;
}

// The journal's record of `kind`.
std::optional<std::string>& RecordOf(JournalContents& contents, JournalRecord kind) {
  switch (kind) {
    case JournalRecord::kLaunch:
      return contents.launch;
    case JournalRecord::kProcess:
      return contents.process;
    case JournalRecord::kResult:
      return contents.result;
  }
  return contents.result;  // not reached: every kind is named above
}

}  // namespace

void AppendToJournal(const std::filesystem::path& journal, JournalRecord kind,
                     std::string_view payload) {
  if (payload.size() > UINT32_MAX) {
    errno = EFBIG;
    ThrowErrno("appending to " + journal.string());
  }
  const char k = static_cast<char>(kind);
  std::string record;
  record.reserve(kJournalHeader + payload.size() + kJournalTrailer);
  record.push_back(k);
  PutLittleEndian(&record, static_cast<uint32_t>(payload.size()));
  record.append(payload);
  PutLittleEndian(&record, JournalChecksum(k, payload));
  off_t size = 0;
  const int fd = OpenOwnFile(journal.string(), O_WRONLY | O_APPEND, &size);
  const ssize_t n = ::write(fd, record.data(), record.size());
  if (n == static_cast<ssize_t>(record.size())) {
    ::close(fd);
    return;
  }
  const int saved = n < 0 ? errno : ENOSPC;
  // A part of a record would hide every record after it: it goes.
  const bool left = n > 0 && ::ftruncate(fd, size) != 0;
  ::close(fd);
  errno = saved;
  ThrowErrno("appending to " + journal.string() + (left ? " (part of the record stays)" : ""));
}

void AppendToJournal(const std::filesystem::path& journal, JournalRecord kind,
                     const google::protobuf::MessageLite& message) {
  AppendToJournal(journal, kind, message.SerializeAsString());
}

JournalContents ReadJournal(const std::filesystem::path& journal) {
  JournalContents out;
  const std::string data = api::ReadTextFile(journal).value_or("");
  std::string_view rest = data;
  while (rest.size() >= kJournalHeader + kJournalTrailer) {
    const char kind = rest[0];
    const uint32_t length = GetLittleEndian(rest.substr(1, 4));
    if (rest.size() - kJournalHeader - kJournalTrailer < length) break;
    const std::string_view payload = rest.substr(kJournalHeader, length);
    if (GetLittleEndian(rest.substr(kJournalHeader + length, 4)) !=
        JournalChecksum(kind, payload)) {
      break;
    }
    // A kind this agent does not know (a later one's) is passed over.
    if (kind == static_cast<char>(JournalRecord::kLaunch) ||
        kind == static_cast<char>(JournalRecord::kProcess) ||
        kind == static_cast<char>(JournalRecord::kResult)) {
      RecordOf(out, static_cast<JournalRecord>(kind)) = std::string(payload);
    }
    rest.remove_prefix(kJournalHeader + length + kJournalTrailer);
  }
  return out;
}

bool ReadJournalMessage(const std::filesystem::path& journal, JournalRecord kind,
                        google::protobuf::MessageLite* message) {
  JournalContents contents = ReadJournal(journal);
  const std::optional<std::string>& record = RecordOf(contents, kind);
  return record && message->ParseFromString(*record);
}

}  // namespace batchd::agent
