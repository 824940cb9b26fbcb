#pragma once
// Runs the agent's loop in the test process against a TestAgentServer.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>

#include "agent/agent.h"
#include "support/temp_dir.h"
#include "test_agent_server.h"

namespace batchd::testing {

class AgentFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  agent::AgentOptions Options() const;
  void StartAgent(agent::AgentOptions options);
  void StartAgent() { StartAgent(Options()); }
  // Drains the agent with the grace cut short and waits for Run to return; its exit code.
  int StopAgent();
  bool AgentExited() const { return exit_code_.load() >= 0; }
  int exit_code() const { return exit_code_.load(); }

  std::filesystem::path work_dir() const { return dir_.path() / "work"; }
  std::filesystem::path AttemptDir(const std::string& attempt_id) const {
    return work_dir() / "attempts" / attempt_id;
  }
  // A file the test creates to let a waiting job go on.
  std::filesystem::path Gate(const std::string& name) const { return dir_.path() / name; }
  void Open(const std::filesystem::path& gate) const;

  static batch::v1::LaunchAttempt Launch(const std::string& attempt_id, const std::string& script,
                                         int64_t log_limit_bytes = 0);
  // A job that waits for `gate` to exist, then runs `then`.
  static batch::v1::LaunchAttempt LaunchGated(const std::string& attempt_id,
                                              const std::filesystem::path& gate,
                                              const std::string& then);

  TempDir dir_;
  agent::AgentTimings timings_ = {.ack_wait = std::chrono::milliseconds(500)};
  std::unique_ptr<TestAgentServer> server_;
  std::unique_ptr<agent::Agent> agent_;
  std::thread thread_;
  std::atomic<int> exit_code_{-1};
};

// Index of the first message in `messages` that `match` accepts, or -1.
int IndexOf(const std::vector<TestAgentServer::Received>& messages,
            const std::function<bool(const batch::v1::AgentMessage&)>& match);

}  // namespace batchd::testing
