// Jobs run for real on agents: outcomes, retries, timeouts, environment, limits, logs.
#include <fstream>

#include "dispatch_fixture.h"
#include "support/wait.h"

namespace batchd::testing {
namespace {

using namespace batch::v1;

class JobsRun : public DispatchTest {
 protected:
  void SetUp() override {
    DispatchTest::SetUp();
    CreateCe("ce");
    CreateQueue("q", "ce");
    StartAgent("a", "ce");
  }
};

TEST_F(JobsRun, SuccessIsRecordedWithItsLogs) {
  Register("hello", {.command = {"sh", "-c", "echo hello; echo oops >&2"}});
  const std::string id = Submit("q", "hello");
  JobDetail job = WaitFor(id, JobStatus::SUCCEEDED);
  ASSERT_EQ(job.attempts_size(), 1);
  EXPECT_EQ(job.attempts(0).container().exit_code(), 0);
  EXPECT_GT(job.started_at(), 0);
  EXPECT_GE(job.stopped_at(), job.started_at());
  EXPECT_FALSE(job.attempts(0).node_id().empty());
  const std::string logs = Logs(id);
  EXPECT_NE(logs.find("hello\n"), std::string::npos) << logs;
  EXPECT_NE(logs.find("oops\n"), std::string::npos) << logs;
}

TEST_F(JobsRun, NonZeroExitFails) {
  Register("fail", {.command = {"sh", "-c", "exit 3"}});
  JobDetail job = WaitFor(Submit("q", "fail"), JobStatus::FAILED);
  ASSERT_EQ(job.attempts_size(), 1);
  EXPECT_EQ(job.attempts(0).container().exit_code(), 3);
  EXPECT_NE(job.status_reason().find("3"), std::string::npos) << job.status_reason();
}

TEST_F(JobsRun, RetryThenSuccess) {
  // Fails on the first attempt, succeeds on the second.
  Register("flaky", {.script = "test \"$BATCH_JOB_ATTEMPT\" -ge 2", .attempts = 3});
  JobDetail job = WaitFor(Submit("q", "flaky"), JobStatus::SUCCEEDED);
  ASSERT_EQ(job.attempts_size(), 2);
  EXPECT_EQ(job.attempts(0).container().exit_code(), 1);
  EXPECT_EQ(job.attempts(1).container().exit_code(), 0);
}

TEST_F(JobsRun, EvaluateOnExitCanStopRetries) {
  EvaluateOnExit rule;
  rule.set_on_exit_code("3*");
  rule.set_action(RetryAction::EXIT);
  Register("exit3",
           {.command = {"sh", "-c", "exit 37"}, .attempts = 5, .evaluate_on_exit = {rule}});
  JobDetail job = WaitFor(Submit("q", "exit3"), JobStatus::FAILED);
  EXPECT_EQ(job.attempts_size(), 1) << "the EXIT rule must stop the retries";
}

TEST_F(JobsRun, TimeoutKillsTheAttempt) {
  Register("slow", {.command = {"sleep", "60"}, .timeout_seconds = 1});
  JobDetail job = WaitFor(Submit("q", "slow"), JobStatus::FAILED);
  ASSERT_EQ(job.attempts_size(), 1);
  const std::string reason = job.attempts(0).container().reason() + " " + job.status_reason();
  EXPECT_NE(reason.find("timeout"), std::string::npos) << reason;
}

TEST_F(JobsRun, EnvironmentAndParameters) {
  Register("env", {.command = {"sh", "-c",
                               "echo greeting=Ref::greeting id=$BATCH_JOB_ID "
                               "aws=$AWS_BATCH_JOB_ID attempt=$AWS_BATCH_JOB_ATTEMPT "
                               "queue=$BATCH_JOB_QUEUE ce=$BATCH_CE_NAME mine=$MINE"},
                   .environment = {{"MINE", "value"}},
                   .parameters = {{"greeting", "default"}}});
  const std::string id = Submit("q", "env", {{"greeting", "hi"}});
  WaitFor(id, JobStatus::SUCCEEDED);
  const std::string logs = Logs(id);
  EXPECT_NE(logs.find("greeting=hi"), std::string::npos) << logs;
  EXPECT_NE(logs.find("id=" + id), std::string::npos) << logs;
  EXPECT_NE(logs.find("aws=" + id), std::string::npos) << logs;
  EXPECT_NE(logs.find("attempt=1"), std::string::npos) << logs;
  EXPECT_NE(logs.find("queue=q"), std::string::npos) << logs;
  EXPECT_NE(logs.find("ce=ce"), std::string::npos) << logs;
  EXPECT_NE(logs.find("mine=value"), std::string::npos) << logs;
}

TEST_F(JobsRun, MemoryLimitExceededIsReported) {
  if (!std::filesystem::exists("/sys/fs/cgroup/memory/cgroup.procs") &&
      !std::filesystem::exists("/sys/fs/cgroup/cgroup.controllers")) {
    GTEST_SKIP() << "no cgroup memory controller on this machine";
  }
  // tail keeps the whole (newline-free) input in memory: it grows until the limit stops it.
  Register("hog", {.command = {"tail", "/dev/zero"}, .memory_mib = 32});
  JobDetail job = WaitFor(Submit("q", "hog"), JobStatus::FAILED, std::chrono::seconds(60));
  ASSERT_EQ(job.attempts_size(), 1);
  EXPECT_NE(job.attempts(0).container().reason().find("OutOfMemory"), std::string::npos)
      << job.DebugString();
}

TEST_F(JobsRun, CancelBeforeStart) {
  CreateCe("empty");
  CreateQueue("idle", "empty");
  Register("never", {.command = {"true"}});
  const std::string id = Submit("idle", "never");
  WaitFor(id, JobStatus::RUNNABLE);
  ASSERT_TRUE(Cancel(id, "not needed").ok());
  JobDetail job = WaitFor(id, JobStatus::FAILED);
  EXPECT_TRUE(job.is_cancelled());
  EXPECT_EQ(job.status_reason(), "not needed");
}

TEST_F(JobsRun, TerminateKillsTheWholeProcessGroup) {
  const auto pid_file = dir_->path() / "child.pid";
  Register("tree", {.script = "sleep 300 & echo $! > " + pid_file.string() + "; wait"});
  const std::string id = Submit("q", "tree");
  WaitFor(id, JobStatus::RUNNING);
  int child = 0;
  ASSERT_TRUE(PollUntil([&] {
    std::ifstream in(pid_file);
    return static_cast<bool>(in >> child);
  }));
  ASSERT_TRUE(Terminate(id, "stop it").ok());
  JobDetail job = WaitFor(id, JobStatus::FAILED);
  EXPECT_TRUE(job.is_terminated());
  EXPECT_EQ(job.status_reason(), "stop it");
  EXPECT_EQ(job.attempts_size(), 1) << "a terminated job is never retried";
  EXPECT_TRUE(PollUntil([&] { return ProcessGone(child); })) << "child " << child << " survived";
}

TEST_F(JobsRun, RunningJobShowsInExplainAndNodes) {
  Register("nap", {.command = {"sleep", "30"}});
  const std::string id = Submit("q", "nap");
  JobDetail job = WaitFor(id, JobStatus::RUNNING);
  auto explained = Explain(id);
  EXPECT_NE(explained.summary().find(job.attempts(0).node_id()), std::string::npos)
      << explained.DebugString();
  auto nodes = Nodes();
  ASSERT_EQ(nodes.size(), 1u);
  EXPECT_EQ(nodes[0].used().vcpus(), 1);
  EXPECT_EQ(nodes[0].attempt_ids_size(), 1);
  ASSERT_TRUE(Terminate(id, "done").ok());
  WaitFor(id, JobStatus::FAILED);
}

}  // namespace
}  // namespace batchd::testing

namespace batchd::testing {
namespace {

TEST_F(JobsRun, BatchctlFollowsLogsUntilTheJobEnds) {
  Register("ticks", {.script = "for i in 1 2 3 4 5; do echo tick$i; sleep 0.2; done"});
  const std::string id = Submit("q", "ticks");
  WaitFor(id, batch::v1::JobStatus::RUNNING);
  CommandResult r =
      RunCommand({BatchctlBinary(), "--server", batchd_->address(), "logs", id, "--follow"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "tick1\ntick2\ntick3\ntick4\ntick5\n") << r.err;
  EXPECT_EQ(Describe(id).status(), batch::v1::JobStatus::SUCCEEDED);

  CommandResult nodes =
      RunCommand({BatchctlBinary(), "--server", batchd_->address(), "get", "nodes"});
  EXPECT_EQ(nodes.exit_code, 0) << nodes.err;
  EXPECT_NE(nodes.out.find("READY"), std::string::npos) << nodes.out;

  CommandResult explain =
      RunCommand({BatchctlBinary(), "--server", batchd_->address(), "explain", id});
  EXPECT_EQ(explain.exit_code, 0) << explain.err;
  EXPECT_NE(explain.out.find("SUCCEEDED"), std::string::npos) << explain.out;
}

}  // namespace
}  // namespace batchd::testing
