#pragma once
// Runs the real batchd binary as a child process on 127.0.0.1 port 0.
#include <sys/types.h>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace batchd::testing {

struct BatchdOptions {
  std::filesystem::path data_dir{};  // required
  std::string database_url{};        // empty = embedded PostgreSQL under data_dir
  std::vector<std::string> extra_args{};
};

class BatchdProcess {
 public:
  // Starts batchd and waits until it serves (its address file <data_dir>/batchd.addr
  // appears); throws on failure, with the tail of batchd's log in the message.
  explicit BatchdProcess(BatchdOptions options);
  ~BatchdProcess();  // Stop() if still running
  BatchdProcess(const BatchdProcess&) = delete;
  BatchdProcess& operator=(const BatchdProcess&) = delete;

  const std::string& address() const { return address_; }  // "127.0.0.1:PORT"
  // SIGTERM, then wait for exit (SIGKILL after 30 s); returns the exit code, or 128 + the
  // signal number when a signal ended it.
  int Stop();
  void Kill();  // SIGKILL, then reap
  bool running() const { return pid_ > 0; }
  // What this batchd wrote to stdout/stderr so far (<data_dir>/batchd.log holds every run).
  std::string Log() const;
  pid_t pid() const { return pid_; }

 private:
  BatchdOptions options_;
  std::filesystem::path log_path_;
  std::uintmax_t log_offset_ = 0;
  std::string address_;
  pid_t pid_ = -1;
};

struct AgentOptions {
  std::string scheduler{};             // batchd's address
  std::filesystem::path token_file{};  // e.g. <batchd data dir>/agent-token
  std::string compute_environment{};
  std::filesystem::path work_dir{};       // required; its agent.log holds every run's output
  std::vector<std::string> extra_args{};  // e.g. {"--vcpus", "2"}
};

// Runs the real batch-agent binary as a child process. Starting does not wait for it to
// connect: poll the scheduler (e.g. ListNodes) for that.
class AgentProcess {
 public:
  explicit AgentProcess(AgentOptions options);
  ~AgentProcess();  // Kill() if still running: a test's agent never outlives it
  AgentProcess(const AgentProcess&) = delete;
  AgentProcess& operator=(const AgentProcess&) = delete;

  // SIGTERM (the agent drains), then wait up to `timeout`; exit code or 128 + signal.
  int Stop(std::chrono::seconds timeout = std::chrono::seconds(30));
  void Kill();  // SIGKILL, then reap: the agent's jobs keep running, as after a crash
  // Whether it is still running (reaps it when it exited; see exit_code()).
  bool Running();
  int exit_code() const { return exit_code_; }
  std::string Log() const;
  pid_t pid() const { return pid_; }

 private:
  AgentOptions options_;
  std::filesystem::path log_path_;
  std::uintmax_t log_offset_ = 0;
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

// Absolute paths of the built binaries (set by CMake).
std::string BatchdBinary();
std::string BatchctlBinary();
std::string AgentBinary();

struct CommandResult {
  int exit_code = -1;  // 128 + signal number when a signal ended it
  std::string out;
  std::string err;
};
// Runs a program with arguments (no shell; a name without '/' is looked up in PATH), optional
// stdin text and extra environment entries ("K=V", replacing ours); waits for it (killing it
// after 60 s) and captures its output.
CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& stdin_text = "",
                         const std::vector<std::string>& env = {});

}  // namespace batchd::testing
