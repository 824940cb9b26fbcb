#include "process_executor_fixture.h"

#include <fstream>
#include <sstream>

#include "agent/executor/process_identity.h"
#include "support/wait.h"

namespace batchd::agent {

using batch::v1::AttemptState;
using batch::v1::AttemptStatus;
using batch::v1::LaunchAttempt;

Executor::StatusCallback StatusLog::Callback() {
  return [this](const AttemptStatus& status) {
    std::lock_guard lock(mu_);
    statuses_.push_back(status);
  };
}

std::vector<AttemptStatus> StatusLog::Of(const std::string& attempt_id) const {
  std::lock_guard lock(mu_);
  std::vector<AttemptStatus> found;
  for (const auto& status : statuses_) {
    if (status.attempt_id() == attempt_id) found.push_back(status);
  }
  return found;
}

std::optional<AttemptStatus> StatusLog::Terminal(const std::string& attempt_id) const {
  for (const auto& status : Of(attempt_id)) {
    if (status.state() == AttemptState::EXITED || status.state() == AttemptState::LAUNCH_FAILED) {
      return status;
    }
  }
  return std::nullopt;
}

bool StatusLog::Has(const std::string& attempt_id, AttemptState::Value state) const {
  for (const auto& status : Of(attempt_id)) {
    if (status.state() == state) return true;
  }
  return false;
}

ProcessExecutorTest::ProcessExecutorTest() {
  options_.work_dir = dir_.path() / "work";
  options_.default_kill_grace_seconds = 2;
}

ProcessExecutorTest::~ProcessExecutorTest() { executor_.reset(); }

std::unique_ptr<Executor> ProcessExecutorTest::MakeExecutor() {
  return MakeProcessExecutor(options_, log_.Callback());
}

Executor& ProcessExecutorTest::executor() {
  if (!executor_) executor_ = MakeExecutor();
  return *executor_;
}

LaunchAttempt ProcessExecutorTest::Job(const std::string& attempt_id,
                                       std::vector<std::string> command) {
  LaunchAttempt attempt;
  attempt.set_attempt_id(attempt_id);
  attempt.set_job_id("job-" + attempt_id);
  attempt.set_job_name("test-job");
  attempt.set_attempt_number(1);
  attempt.set_job_queue("queue-a");
  attempt.set_compute_environment("ce-a");
  for (auto& arg : command) attempt.mutable_container()->add_command(std::move(arg));
  return attempt;
}

LaunchAttempt ProcessExecutorTest::Script(const std::string& attempt_id,
                                          const std::string& script) {
  LaunchAttempt attempt = Job(attempt_id, {});
  attempt.mutable_container()->set_script(script);
  return attempt;
}

AttemptStatus ProcessExecutorTest::WaitForEnd(const std::string& attempt_id) {
  const bool ended = testing::PollUntil([&] { return log_.Terminal(attempt_id).has_value(); });
  EXPECT_TRUE(ended) << attempt_id << " did not end";
  return log_.Terminal(attempt_id).value_or(AttemptStatus());
}

void ProcessExecutorTest::WaitForRunning(const std::string& attempt_id) {
  EXPECT_TRUE(testing::PollUntil([&] {
    return log_.Has(attempt_id, AttemptState::RUNNING) || log_.Terminal(attempt_id);
  })) << attempt_id
      << " did not start";
}

AttemptStatus ProcessExecutorTest::Run(const LaunchAttempt& attempt) {
  executor().Launch(attempt);
  return WaitForEnd(attempt.attempt_id());
}

std::string ProcessExecutorTest::ReadOutput(const std::string& attempt_id,
                                            const std::string& stream) {
  std::ifstream in(executor().AttemptDir(attempt_id) / stream);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::optional<CgroupManager> ProcessExecutorTest::Cgroups() const {
  CgroupManager manager(options_.cgroups, CgroupParentName(options_.work_dir));
  if (manager.version() == CgroupVersion::kNone) return std::nullopt;
  return manager;
}

bool ProcessAlive(pid_t pid) {
  const auto stat = ReadProcStat(pid);
  return stat && stat->state != 'Z' && stat->state != 'X';
}

std::optional<pid_t> ReadPid(const std::filesystem::path& file) {
  std::ifstream in(file);
  pid_t pid = 0;
  if (in >> pid && pid > 0) return pid;
  return std::nullopt;
}

}  // namespace batchd::agent
