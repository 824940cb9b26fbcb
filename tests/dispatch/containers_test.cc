// Image jobs end to end: the real batchd and agents, the real podman, a local busybox image.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "agent/container_test_image.h"
#include "agent/executor/container_run.h"
#include "agent/executor/run_tool.h"
#include "dispatch_fixture.h"
#include "support/wait.h"

namespace batchd::testing {
namespace {

using namespace batch::v1;

class Containers : public DispatchTest {
 protected:
  void SetUp() override {
    DispatchTest::SetUp();
    runtime_ = TestContainerRuntime();
    EnsureTestImage(runtime_);
    CreateCe("ce");
    CreateQueue("q", "ce");
  }

  // Agents end with SIGKILL here, which leaves their containers: removed like a restarted
  // agent would, by the work-dir label.
  void TearDown() override {
    const std::string root = dir_->path().string();
    DispatchTest::TearDown();
    const agent::ToolResult listed = agent::RunTool(
        runtime_.Command(
            {"ps", "-a", "--filter", std::string("label=") + agent::kAttemptLabel, "--format",
             std::string("{{.Names}} {{index .Labels \"") + agent::kWorkDirLabel + "\"}}"}),
        std::chrono::seconds(30));
    std::istringstream lines(listed.output);
    std::string name, work_dir;
    std::vector<std::string> remove = {"rm", "-f", "-t", "0"};
    while (lines >> name >> work_dir) {
      if (work_dir.rfind(root, 0) == 0) remove.push_back(name);
    }
    if (remove.size() > 4) agent::RunTool(runtime_.Command(remove), std::chrono::seconds(60));
  }

  static DefinitionSpec ImageJob(const std::string& script) {
    return {.script = script, .image = kTestImage, .image_pull_policy = "Never"};
  }

  std::string NodeOf(const std::string& agent) {
    std::ifstream file(AgentDir(agent) / "node_id");
    std::string node;
    file >> node;
    return node;
  }

  bool ContainerExists(const std::string& attempt_id) const {
    return agent::RunTool(
               runtime_.Command({"container", "exists", agent::ContainerName(attempt_id)}),
               std::chrono::seconds(30))
               .exit_code == 0;
  }

  agent::ContainerRuntime runtime_;
};

TEST_F(Containers, ImageJobsGoOnlyToNodesWithARuntime) {
  StartAgent("plain", "ce", 4, 4096, {"--container-runtime", "none"});
  StartAgent("podman", "ce", 1, 1024);
  for (const auto& node : Nodes()) {
    EXPECT_EQ(node.container_runtimes_size() > 0, node.node_id() == NodeOf("podman"))
        << node.DebugString();
  }
  Register("image", ImageJob("echo \"in a container: $AWS_BATCH_JOB_ID\""));
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(Submit("q", "image"));
  for (const std::string& id : ids) {
    const JobDetail job = WaitFor(id, JobStatus::SUCCEEDED, std::chrono::seconds(60));
    ASSERT_EQ(job.attempts_size(), 1);
    EXPECT_EQ(job.attempts(0).node_id(), NodeOf("podman"));
    EXPECT_EQ(Logs(id), "in a container: " + id + "\n");
  }
}

TEST_F(Containers, WithNoRuntimeAnywhereExplainSaysSo) {
  StartAgent("plain", "ce", 2, 2048, {"--container-runtime", "none"});
  Register("image", ImageJob("true"));
  const std::string id = Submit("q", "image");
  std::string summary;
  EXPECT_TRUE(PollUntil([&] {
    summary = Explain(id).summary();
    return summary.find("needs a container runtime") != std::string::npos;
  })) << summary;
  EXPECT_EQ(summary,
            "needs a container runtime (podman or docker) for its image; none of the 1 "
            "schedulable node in ce has one");
  EXPECT_EQ(Describe(id).status(), JobStatus::RUNNABLE);
}

TEST_F(Containers, AFailedPullIsRetriedPerTheStrategyWithAwsReason) {
  StartAgent("podman", "ce");
  DefinitionSpec spec = ImageJob("true");
  spec.image = "localhost/batchd-no-such-image:1";
  spec.attempts = 2;
  Register("missing", spec);
  const std::string id = Submit("q", "missing");
  const JobDetail job = WaitFor(id, JobStatus::FAILED, std::chrono::seconds(60));
  ASSERT_EQ(job.attempts_size(), 2);
  for (const auto& attempt : job.attempts()) {
    EXPECT_EQ(attempt.container().reason(),
              "CannotPullContainerError: image localhost/batchd-no-such-image:1 is not present "
              "on the node and imagePullPolicy is Never");
  }
}

TEST_F(Containers, TerminateStopsTheContainer) {
  StartAgent("podman", "ce");
  Register("long", ImageJob("trap 'exit 143' TERM; echo started; sleep 60 & wait"));
  const std::string id = Submit("q", "long");
  const JobDetail running = WaitFor(id, JobStatus::RUNNING, std::chrono::seconds(60));
  const std::string attempt = running.attempts(0).attempt_id();
  ASSERT_TRUE(PollUntil([&] { return ContainerExists(attempt); }));
  ASSERT_TRUE(Terminate(id, "no longer needed").ok());
  const JobDetail job = WaitFor(id, JobStatus::FAILED, std::chrono::seconds(30));
  EXPECT_EQ(job.status_reason(), "no longer needed");
  EXPECT_TRUE(PollUntil([&] { return !ContainerExists(attempt); }));
}

TEST_F(Containers, AnAgentKilledMidJobRemovesTheLeftoverContainerOnRestart) {
  AgentProcess& agent = StartAgent("podman", "ce");
  Register("long", ImageJob("trap 'exit 143' TERM; sleep 60 & wait"));
  const std::string id = Submit("q", "long");
  const JobDetail running = WaitFor(id, JobStatus::RUNNING, std::chrono::seconds(60));
  const std::string attempt = running.attempts(0).attempt_id();
  ASSERT_TRUE(PollUntil([&] { return ContainerExists(attempt); }));
  agent.Kill();
  EXPECT_TRUE(ContainerExists(attempt));
  StartAgent("podman", "ce");
  EXPECT_TRUE(PollUntil([&] { return !ContainerExists(attempt); }, std::chrono::seconds(30)));
  // Not the job's fault: it runs again without using up its one attempt.
  JobDetail job;
  EXPECT_TRUE(PollUntil([&] {
    job = Describe(id);
    return job.attempts_size() == 2 && job.status() == JobStatus::RUNNING;
  })) << job.DebugString();
  ASSERT_GE(job.attempts_size(), 1);
  EXPECT_TRUE(job.attempts(0).infrastructure_failure());
  EXPECT_EQ(job.attempts(0).status_reason(), "agent restarted while the attempt ran");
  ASSERT_TRUE(Terminate(id, "done").ok());
  WaitFor(id, JobStatus::FAILED);
}

// The figure for the closing note: what a container costs over a process for a trivial job.
TEST_F(Containers, StartOverheadAgainstAProcess) {
  StartAgent("podman", "ce", 1, 1024);
  Register("image", ImageJob("true"));
  Register("process", {.command = {"true"}});
  constexpr int kRuns = 5;
  for (const char* definition : {"process", "image"}) {
    std::vector<int64_t> to_running, turnover;
    for (int i = 0; i < kRuns; ++i) {
      const std::string id = Submit("q", definition);
      const JobDetail job = WaitFor(id, JobStatus::SUCCEEDED, std::chrono::seconds(60));
      to_running.push_back(job.started_at() - job.created_at());
      turnover.push_back(job.stopped_at() - job.created_at());
    }
    std::sort(to_running.begin(), to_running.end());
    std::sort(turnover.begin(), turnover.end());
    std::printf(
        "[figure] %-7s job, %d runs one at a time: submit->RUNNING median %lld ms, "
        "submit->SUCCEEDED median %lld ms (max %lld ms)\n",
        definition, kRuns, static_cast<long long>(to_running[kRuns / 2]),
        static_cast<long long>(turnover[kRuns / 2]), static_cast<long long>(turnover.back()));
  }
}

// Turnover with several at once: a batch of trivial jobs on a 4-vCPU node, submit to the
// last one's end.
TEST_F(Containers, TurnoverOfABatchAgainstProcesses) {
  StartAgent("podman", "ce", 4, 4096);
  Register("image", ImageJob("true"));
  Register("process", {.command = {"true"}});
  constexpr int kJobs = 16;
  for (const char* definition : {"process", "image"}) {
    std::vector<SubmitJobRequest> requests(kJobs, Request("q", definition));
    const std::vector<std::string> ids = SubmitAll(requests);
    std::vector<JobDetail> jobs;
    EXPECT_TRUE(PollUntil(
        [&] {
          jobs = DescribeAll(ids);
          return std::all_of(jobs.begin(), jobs.end(), [](const JobDetail& job) {
            return job.status() == JobStatus::SUCCEEDED || job.status() == JobStatus::FAILED;
          });
        },
        std::chrono::seconds(90), std::chrono::milliseconds(50)));
    int64_t first = INT64_MAX, last = 0;
    for (const JobDetail& job : jobs) {
      EXPECT_EQ(job.status(), JobStatus::SUCCEEDED) << job.DebugString();
      first = std::min(first, job.created_at());
      last = std::max(last, job.stopped_at());
    }
    std::printf(
        "[figure] %-7s jobs, %d at once on 4 vCPU: all done %lld ms after submit (%.1f "
        "jobs/s)\n",
        definition, kJobs, static_cast<long long>(last - first),
        kJobs * 1000.0 / std::max<int64_t>(last - first, 1));
  }
}

}  // namespace
}  // namespace batchd::testing
