#pragma once
// The on-disk layout of attempts (see executor.h) and the atomic writes that keep every file
// either absent or whole, so a restarted agent never reads half a result.
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
  std::filesystem::path launch_file() const { return dir_ / "launch.pb"; }
  std::filesystem::path process_file() const { return dir_ / "process"; }
  std::filesystem::path stdout_file() const { return dir_ / "stdout"; }
  std::filesystem::path stderr_file() const { return dir_ / "stderr"; }
  std::filesystem::path result_file() const { return dir_ / "result.pb"; }

 private:
  std::filesystem::path dir_;
};

// Attempt ids become directory and cgroup names: 1-128 of [A-Za-z0-9._-], not "." or "..".
bool IsValidAttemptId(const std::string& attempt_id);

// Writes through a temporary file renamed over `path`, so an agent that dies midway leaves
// the old file or the new one. No fsync: that would cost milliseconds per attempt, and a
// crash of the whole machine ends its attempts anyway (batchd declares the node lost).
// Throws std::system_error.
void WriteFileAtomically(const std::filesystem::path& path, std::string_view data);
void WriteMessageAtomically(const std::filesystem::path& path,
                            const google::protobuf::MessageLite& message);
// Opens one of the attempt's output files for appending (the job writes it directly).
// Throws LaunchError (the machine's fault) naming the file.
int OpenAttemptOutput(const std::filesystem::path& path);
// False when the file is missing or does not parse.
bool ReadMessage(const std::filesystem::path& path, google::protobuf::MessageLite* message);

}  // namespace batchd::agent
