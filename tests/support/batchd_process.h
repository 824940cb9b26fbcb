#pragma once
// Runs the real batchd binary as a child process on 127.0.0.1 port 0.
#include <filesystem>
#include <string>
#include <vector>
#include <sys/types.h>

namespace batchd::testing {

struct BatchdOptions {
  std::filesystem::path data_dir;  // required
  std::string database_url;        // empty = embedded PostgreSQL under data_dir
  std::vector<std::string> extra_args;
};

class BatchdProcess {
 public:
  // Starts batchd and waits until it serves (its address file appears); throws on failure,
  // with the tail of batchd's log in the message.
  explicit BatchdProcess(BatchdOptions options);
  ~BatchdProcess();  // Stop() if still running

  const std::string& address() const { return address_; }  // "127.0.0.1:PORT"
  // SIGTERM, then wait for exit; returns the exit status (as from waitpid's WEXITSTATUS).
  int Stop();
  void Kill();  // SIGKILL, then reap
  std::string Log() const;  // what batchd wrote to stdout/stderr so far
  pid_t pid() const { return pid_; }

 private:
  BatchdOptions options_;
  std::filesystem::path log_path_;
  std::string address_;
  pid_t pid_ = -1;
};

// Absolute paths of the built binaries (set by CMake).
std::string BatchdBinary();
std::string BatchctlBinary();

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// Runs a program with arguments (no shell), optional stdin text and extra environment
// entries ("K=V"); waits for it with a deadline and captures its output.
CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& stdin_text = "",
                         const std::vector<std::string>& env = {});

}  // namespace batchd::testing
