#include "agent_fixture.h"

#include <fstream>

#include "support/wait.h"

namespace batchd::testing {

void AgentFixture::SetUp() { server_ = std::make_unique<TestAgentServer>(); }

void AgentFixture::TearDown() {
  if (thread_.joinable()) StopAgent();
}

agent::AgentOptions AgentFixture::Options() const {
  agent::AgentOptions o;
  o.scheduler = server_->address();
  o.join_token = kTestJoinToken;
  o.compute_environment = "ce-test";
  o.work_dir = work_dir();
  o.vcpus = 4;
  o.memory_mib = 7900;
  o.gpus = 1;
  o.labels = {{"zone", "a"}};
  o.drain_grace_seconds = 30;
  o.kill_grace_seconds = 1;
  o.cgroups = "none";
  return o;
}

void AgentFixture::StartAgent(agent::AgentOptions options) {
  const agent::ExecutorOptions executor_options{
      .work_dir = options.work_dir,
      .default_kill_grace_seconds = options.kill_grace_seconds,
      .cgroups = options.cgroups,
      .allowed_mount_roots = options.allowed_mount_roots,
      .container_runtime = std::nullopt,
  };
  agent_ = std::make_unique<agent::Agent>(
      std::move(options),
      [executor_options](agent::Executor::StatusCallback on_status) {
        return agent::MakeProcessExecutor(executor_options, std::move(on_status));
      },
      timings_);
  exit_code_ = -1;
  thread_ = std::thread([this] { exit_code_ = agent_->Run(); });
}

int AgentFixture::StopAgent() {
  if (!AgentExited()) {
    agent_->RequestDrain();
    agent_->RequestDrain();
  }
  thread_.join();
  agent_.reset();
  return exit_code_;
}

void AgentFixture::Open(const std::filesystem::path& gate) const { std::ofstream(gate).flush(); }

batch::v1::LaunchAttempt AgentFixture::Launch(const std::string& attempt_id,
                                              const std::string& script, int64_t log_limit_bytes) {
  batch::v1::LaunchAttempt launch;
  launch.set_attempt_id(attempt_id);
  launch.set_job_id("job-" + attempt_id);
  launch.set_job_name("test-" + attempt_id);
  launch.set_attempt_number(1);
  launch.set_compute_environment("ce-test");
  launch.set_job_queue("q");
  launch.set_vcpus(1);
  launch.set_memory_mib(64);
  launch.set_log_limit_bytes(log_limit_bytes);
  launch.mutable_container()->add_command("/bin/sh");
  launch.mutable_container()->add_command("-c");
  launch.mutable_container()->add_command(script);
  return launch;
}

batch::v1::LaunchAttempt AgentFixture::LaunchGated(const std::string& attempt_id,
                                                   const std::filesystem::path& gate,
                                                   const std::string& then) {
  return Launch(attempt_id, "while [ ! -e '" + gate.string() + "' ]; do sleep 0.02; done; " + then);
}

int IndexOf(const std::vector<TestAgentServer::Received>& messages,
            const std::function<bool(const batch::v1::AgentMessage&)>& match) {
  for (size_t i = 0; i < messages.size(); ++i) {
    if (match(messages[i].message)) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace batchd::testing
