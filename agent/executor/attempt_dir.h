#pragma once
// The on-disk layout of attempts (see executor.h): each attempt's journal, whose records a
// restarted agent reads only whole, and the atomic writes of the agent's other files.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <google/protobuf/message_lite.h>

namespace batchd::agent {

class AttemptFiles {
 public:
  AttemptFiles(const std::filesystem::path& work_dir, const std::string& attempt_id)
      : dir_(Root(work_dir) / attempt_id) {}
  explicit AttemptFiles(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // <work_dir>/attempts: one directory per attempt, named by its id.
  static std::filesystem::path Root(const std::filesystem::path& work_dir) {
    return work_dir / "attempts";
  }

  const std::filesystem::path& path() const { return dir_; }
  std::filesystem::path journal_file() const { return dir_ / "journal"; }
  std::filesystem::path stdout_file() const { return dir_ / "stdout"; }
  std::filesystem::path stderr_file() const { return dir_ / "stderr"; }

 private:
  std::filesystem::path dir_;
};

// Attempt ids become directory and cgroup names: 1-128 of [A-Za-z0-9._-], not "." or "..".
bool IsValidAttemptId(const std::string& attempt_id);

// What an attempt's journal holds: records appended one write each, the last of a kind
// standing. Three files rewritten through a temporary and a rename each, then emptied for the
// next attempt, were an eighth of a busy agent's system calls and most of its renames.
enum class JournalRecord : char {
  kLaunch = 'L',   // the LaunchAttempt, before anything starts
  kProcess = 'P',  // the attempt's process (FormatProcessRecord), once it runs
  kResult = 'R',   // the final AttemptStatus
};

// Appends one record (kind, length, payload, checksum) in one write. A record the agent died
// in the middle of, or one a crash of the machine left half on disk, reads as absent, and so
// does every record after it. Never follows a link the job left in the journal's place.
// Throws std::system_error.
void AppendToJournal(const std::filesystem::path& journal, JournalRecord kind,
                     std::string_view payload);
void AppendToJournal(const std::filesystem::path& journal, JournalRecord kind,
                     const google::protobuf::MessageLite& message);

struct JournalContents {
  std::optional<std::string> launch;
  std::optional<std::string> process;
  std::optional<std::string> result;
};
// Missing or empty: nothing. Stops at the first record that is not whole.
JournalContents ReadJournal(const std::filesystem::path& journal);
// The journal's last record of `kind`, parsed; false when there is none or it does not parse.
bool ReadJournalMessage(const std::filesystem::path& journal, JournalRecord kind,
                        google::protobuf::MessageLite* message);

// Writes through a temporary file renamed over `path`, so an agent that dies midway leaves
// the old file or the new one. No fsync: that would cost milliseconds per attempt, and a
// crash of the whole machine ends its attempts anyway (batchd declares the node lost).
// Throws std::system_error.
void WriteFileAtomically(const std::filesystem::path& path, std::string_view data);
// Opens one of the attempt's output files for appending (the job writes it directly).
// Throws LaunchError (the machine's fault) naming the file.
int OpenAttemptOutput(const std::filesystem::path& path);

}  // namespace batchd::agent
