#pragma once
// Runs real jobs through a real process executor in a temp dir and records every status.
#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/cgroup.h"
#include "agent/executor/executor.h"
#include "support/temp_dir.h"

namespace batchd::agent {

class StatusLog {
 public:
  Executor::StatusCallback Callback();
  std::vector<batch::v1::AttemptStatus> Of(const std::string& attempt_id) const;
  std::optional<batch::v1::AttemptStatus> Terminal(const std::string& attempt_id) const;
  bool Has(const std::string& attempt_id, batch::v1::AttemptState::Value state) const;

 private:
  mutable std::mutex mu_;
  std::vector<batch::v1::AttemptStatus> statuses_;
};

class ProcessExecutorTest : public ::testing::Test {
 protected:
  ProcessExecutorTest();
  ~ProcessExecutorTest() override;

  std::unique_ptr<Executor> MakeExecutor();
  Executor& executor();
  static batch::v1::LaunchAttempt Job(const std::string& attempt_id,
                                      std::vector<std::string> command);
  static batch::v1::LaunchAttempt Script(const std::string& attempt_id, const std::string& script);
  // Launches and waits for its end; fails the test when it does not end in time.
  batch::v1::AttemptStatus Run(const batch::v1::LaunchAttempt& attempt);
  batch::v1::AttemptStatus WaitForEnd(const std::string& attempt_id);
  void WaitForRunning(const std::string& attempt_id);
  std::string ReadOutput(const std::string& attempt_id, const std::string& stream = "stdout");
  // The cgroups the executor uses (same parent), or nullopt when it runs without.
  std::optional<CgroupManager> Cgroups() const;

  testing::TempDir dir_;
  ExecutorOptions options_;
  StatusLog log_;
  std::unique_ptr<Executor> executor_;
};

// Whether `pid` runs: false when gone or a zombie (this machine's init may never reap them).
bool ProcessAlive(pid_t pid);
std::optional<pid_t> ReadPid(const std::filesystem::path& file);

}  // namespace batchd::agent
