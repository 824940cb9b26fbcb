// Image jobs through the executor with the real podman and a local busybox image.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "agent/executor/container_run.h"
#include "agent/executor/run_tool.h"
#include "container_test_image.h"
#include "process_executor_fixture.h"
#include "support/wait.h"

namespace batchd::agent {
namespace {

using batch::v1::AttemptState;
using batch::v1::AttemptStatus;
using batch::v1::LaunchAttempt;
using testing::kTestImage;

class ContainerExecutorTest : public ProcessExecutorTest {
 protected:
  void SetUp() override {
    runtime_ = testing::TestContainerRuntime();
    testing::EnsureTestImage(runtime_);
    options_.container_runtime = runtime_;
  }

  static LaunchAttempt Image(const std::string& id, const std::string& script) {
    LaunchAttempt attempt = Script(id, script);
    attempt.mutable_container()->set_image(kTestImage);
    attempt.mutable_container()->set_image_pull_policy("Never");
    attempt.set_vcpus(1);
    attempt.set_memory_mib(64);
    return attempt;
  }

  bool ContainerExists(const std::string& attempt_id) const {
    return RunTool(runtime_.Command({"container", "exists", ContainerName(attempt_id)}),
                   std::chrono::seconds(30))
               .exit_code == 0;
  }

  ContainerRuntime runtime_;
};

TEST_F(ContainerExecutorTest, ExitCodeAndOutputAreTheContainers) {
  const AttemptStatus status = Run(Image("c-exit", "echo out; echo err >&2; exit 3"));
  EXPECT_EQ(status.state(), AttemptState::EXITED);
  EXPECT_EQ(status.exit_code(), 3) << status.reason();
  EXPECT_EQ(ReadOutput("c-exit"), "out\n");
  EXPECT_EQ(ReadOutput("c-exit", "stderr"), "err\n");
  // Removed once over (asynchronously, so polled).
  EXPECT_TRUE(testing::PollUntil([&] { return !ContainerExists("c-exit"); }));
}

TEST_F(ContainerExecutorTest, EnvironmentAndInjectedVariablesWithoutSecretsOnTheCommandLine) {
  LaunchAttempt attempt =
      Image("c-env", "echo \"$GREETING|$BATCH_JOB_ID|$AWS_BATCH_JOB_ATTEMPT|$AWS_BATCH_CE_NAME\"");
  auto* v = attempt.mutable_container()->add_environment();
  v->set_name("GREETING");
  v->set_value("hello world");
  const AttemptStatus status = Run(attempt);
  EXPECT_EQ(status.exit_code(), 0) << status.reason() << ReadOutput("c-env", "stderr");
  EXPECT_EQ(ReadOutput("c-env"), "hello world|job-c-env|1|ce-a\n");
  struct stat st {};
  ASSERT_EQ(::stat((executor().AttemptDir("c-env") / "container.env").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(ContainerExecutorTest, ReadOnlyAndReadWriteMounts) {
  const auto in = dir_.path() / "shared/in";
  const auto out = dir_.path() / "shared/out";
  std::filesystem::create_directories(in);
  std::filesystem::create_directories(out);
  std::ofstream(in / "input.txt") << "from the host\n";
  options_.allowed_mount_roots = {dir_.path() / "shared"};
  LaunchAttempt attempt =
      Image("c-mounts",
            "cat /in/input.txt; echo result > /out/result.txt; "
            "if echo x > /in/denied.txt; then echo wrote-ro; else echo read-only; fi");
  auto* c = attempt.mutable_container();
  for (const auto& [name, path, container_path, ro] :
       {std::tuple{"in", in, "/in", true}, {"out", out, "/out", false}}) {
    auto* volume = c->add_volumes();
    volume->set_name(name);
    volume->mutable_host()->set_source_path(path.string());
    auto* point = c->add_mount_points();
    point->set_source_volume(name);
    point->set_container_path(container_path);
    point->set_read_only(ro);
  }
  const AttemptStatus status = Run(attempt);
  EXPECT_EQ(status.exit_code(), 0) << status.reason() << ReadOutput("c-mounts", "stderr");
  EXPECT_EQ(ReadOutput("c-mounts"), "from the host\nread-only\n");
  EXPECT_FALSE(std::filesystem::exists(in / "denied.txt"));
  std::ifstream result(out / "result.txt");
  std::string line;
  EXPECT_TRUE(std::getline(result, line));
  EXPECT_EQ(line, "result");
}

TEST_F(ContainerExecutorTest, AHostPathOutsideTheAllowListFailsWithAReason) {
  LaunchAttempt attempt = Image("c-denied", "cat /host/passwd");
  auto* c = attempt.mutable_container();
  auto* volume = c->add_volumes();
  volume->set_name("etc");
  volume->mutable_host()->set_source_path("/etc");
  auto* point = c->add_mount_points();
  point->set_source_volume("etc");
  point->set_container_path("/host");
  const AttemptStatus status = Run(attempt);
  EXPECT_EQ(status.state(), AttemptState::LAUNCH_FAILED);
  EXPECT_FALSE(status.infrastructure());
  EXPECT_NE(status.reason().find("CannotStartContainerError: volume \"etc\" host path /etc is "
                                 "not allowed"),
            std::string::npos)
      << status.reason();
  EXPECT_FALSE(ContainerExists("c-denied"));
}

TEST_F(ContainerExecutorTest, MemoryLimitExceededIsAnOomKill) {
  LaunchAttempt attempt = Image("c-oom", "exec dd if=/dev/zero of=/dev/null bs=128M count=1");
  attempt.set_memory_mib(32);
  const AttemptStatus status = Run(attempt);
  EXPECT_EQ(status.state(), AttemptState::EXITED);
  EXPECT_TRUE(status.oom_killed()) << status.DebugString();
  EXPECT_EQ(status.reason(), "OutOfMemoryError: Container killed due to memory usage");
}

TEST_F(ContainerExecutorTest, TimeoutStopsAndRemovesTheContainer) {
  LaunchAttempt attempt = Image("c-timeout", "sleep 60");
  attempt.set_timeout_seconds(1);
  attempt.set_kill_grace_seconds(1);
  const auto started = std::chrono::steady_clock::now();
  const AttemptStatus status = Run(attempt);
  EXPECT_TRUE(status.timed_out());
  EXPECT_NE(status.reason().find("exceeded timeout"), std::string::npos) << status.reason();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(15));
  EXPECT_TRUE(testing::PollUntil([&] { return !ContainerExists("c-timeout"); }));
}

TEST_F(ContainerExecutorTest, KillStopsWithGraceThenTheContainerIsGone) {
  // The job traps SIGTERM and says so: the stop reached it before any SIGKILL.
  executor().Launch(Image("c-kill",
                          "trap 'echo terminated; exit 143' TERM; "
                          "echo ready; while true; do sleep 0.1; done"));
  ASSERT_TRUE(testing::PollUntil([&] { return ReadOutput("c-kill") == "ready\n"; }))
      << ReadOutput("c-kill", "stderr");
  executor().Kill("c-kill", "cancelled by the test", 5);
  const AttemptStatus status = WaitForEnd("c-kill");
  EXPECT_EQ(status.reason(), "cancelled by the test");
  EXPECT_EQ(status.exit_code(), 143);
  EXPECT_EQ(ReadOutput("c-kill"), "ready\nterminated\n");
  EXPECT_TRUE(testing::PollUntil([&] { return !ContainerExists("c-kill"); }));
}

TEST_F(ContainerExecutorTest, AKillBeforeTheContainerExistsStillStopsIt) {
  executor().Launch(Image("c-early", "sleep 60"));
  executor().Kill("c-early", "cancelled at once", 1);
  const auto started = std::chrono::steady_clock::now();
  const AttemptStatus status = WaitForEnd("c-early");
  EXPECT_EQ(status.reason(), "cancelled at once");
  // Well before the 15 s backstop: the stop is repeated until the container exists.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  EXPECT_TRUE(testing::PollUntil([&] { return !ContainerExists("c-early"); }));
}

TEST_F(ContainerExecutorTest, AMissingImageWithNeverFailsThePull) {
  LaunchAttempt attempt = Image("c-missing", "true");
  attempt.mutable_container()->set_image("localhost/batchd-no-such-image:1");
  const AttemptStatus status = Run(attempt);
  EXPECT_EQ(status.state(), AttemptState::LAUNCH_FAILED);
  EXPECT_FALSE(status.has_exit_code());
  EXPECT_FALSE(status.infrastructure());
  EXPECT_EQ(status.reason(),
            "CannotPullContainerError: image localhost/batchd-no-such-image:1 is not present on "
            "the node and imagePullPolicy is Never");
}

TEST_F(ContainerExecutorTest, ARestartedAgentRemovesLeftoverContainers) {
  executor().Launch(Image("c-left", "echo ready; sleep 60"));
  ASSERT_TRUE(testing::PollUntil([&] { return ReadOutput("c-left") == "ready\n"; }));
  ASSERT_TRUE(ContainerExists("c-left"));
  // As after kill -9 of the agent: the executor goes, the container runs on.
  executor_.reset();
  ASSERT_TRUE(ContainerExists("c-left"));
  executor_ = MakeExecutor();
  const std::vector<AttemptStatus> recovered = executor_->Recover();
  ASSERT_EQ(recovered.size(), 1u);
  EXPECT_EQ(recovered[0].attempt_id(), "c-left");
  EXPECT_TRUE(recovered[0].infrastructure());
  EXPECT_EQ(recovered[0].reason(), "agent restarted while the attempt ran");
  EXPECT_FALSE(ContainerExists("c-left"));
}

TEST_F(ContainerExecutorTest, WithoutARuntimeAnImageJobFailsAsTheNodes) {
  options_.container_runtime.reset();
  const AttemptStatus status = Run(Image("c-none", "true"));
  EXPECT_EQ(status.state(), AttemptState::LAUNCH_FAILED);
  EXPECT_TRUE(status.infrastructure());
  EXPECT_NE(status.reason().find("no container runtime"), std::string::npos) << status.reason();
}

}  // namespace
}  // namespace batchd::agent
