// Ending jobs: Kill, timeouts, the process tree, memory limits and OOM kills.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>

#include "process_executor_fixture.h"
#include "support/wait.h"

namespace batchd::agent {
namespace {

using batch::v1::AttemptState;
using batch::v1::AttemptStatus;

std::string ReadFileText(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string text;
  std::getline(in, text);
  return text;
}

TEST_F(ProcessExecutorTest, KillEndsTheJobAndItsBackgroundChildren) {
  executor().Launch(Script("kill-1", "sleep 30 & echo $! > bg.pid; wait"));
  const auto pid_file = executor().AttemptDir("kill-1") / "bg.pid";
  ASSERT_TRUE(testing::PollUntil([&] { return ReadPid(pid_file).has_value(); }));
  const pid_t background = *ReadPid(pid_file);
  EXPECT_TRUE(ProcessAlive(background));
  EXPECT_EQ(executor().RunningCount(), 1u);

  executor().Kill("kill-1", "Terminated by the test", 5);
  const AttemptStatus end = WaitForEnd("kill-1");
  EXPECT_EQ(end.state(), AttemptState::EXITED);
  EXPECT_EQ(end.reason(), "Terminated by the test");
  EXPECT_EQ(end.signal(), SIGTERM);
  EXPECT_FALSE(end.timed_out());
  EXPECT_TRUE(testing::PollUntil([&] { return !ProcessAlive(background); }));

  executor().Kill("kill-1", "again", 1);  // finished: ignored
  executor().Kill("unknown", "nothing", 1);
  EXPECT_EQ(log_.Of("kill-1").size(), 2u);
}

TEST_F(ProcessExecutorTest, ChildrenLeftBehindDieWithTheJob) {
  const AttemptStatus end = Run(Script("orphan-1", "sleep 30 & echo $! > bg.pid"));
  EXPECT_EQ(end.exit_code(), 0);
  const auto background = ReadPid(executor().AttemptDir("orphan-1") / "bg.pid");
  ASSERT_TRUE(background);
  EXPECT_TRUE(testing::PollUntil([&] { return !ProcessAlive(*background); }));
}

TEST_F(ProcessExecutorTest, ProcessesThatLeftTheGroupDieWithTheCgroup) {
  if (!Cgroups()) GTEST_SKIP() << "no writable cgroup hierarchy";
  // setsid takes the sleep out of the job's process group; only the cgroup still holds it.
  const AttemptStatus end = Run(Script("setsid-1",
                                       "setsid sh -c 'echo $$ > bg.pid; exec sleep 30' & "
                                       "while [ ! -s bg.pid ]; do sleep 0.01; done"));
  EXPECT_EQ(end.exit_code(), 0);
  const auto escaped = ReadPid(executor().AttemptDir("setsid-1") / "bg.pid");
  ASSERT_TRUE(escaped);
  EXPECT_TRUE(testing::PollUntil([&] { return !ProcessAlive(*escaped); }));
}

TEST_F(ProcessExecutorTest, ExecutorLeavesNoCgroupBehindWhenItsJobsAreDone) {
  if (!Cgroups()) GTEST_SKIP() << "no writable cgroup hierarchy";
  Run(Script("tidy-1", "setsid sh -c 'exec sleep 30' & sleep 30 & exit 0"));
  Run(Job("tidy-2", {"true"}));
  executor_.reset();
  const std::string parent = CgroupParentName(options_.work_dir);
  for (const char* hierarchy : {"", "memory/", "cpu/", "cpuacct/"}) {
    const auto dir = std::filesystem::path("/sys/fs/cgroup/" + std::string(hierarchy) + parent);
    EXPECT_FALSE(std::filesystem::exists(dir)) << dir;
  }
}

TEST_F(ProcessExecutorTest, TimeoutTermsThenKillsTheJob) {
  // One job ignores SIGTERM and takes the SIGKILL after the grace period; the other ends on
  // the SIGTERM. Both run at once, on the executor's one timer.
  auto stubborn = Script("timeout-1", "trap '' TERM; sleep 30");
  stubborn.set_timeout_seconds(1);
  stubborn.set_kill_grace_seconds(1);
  auto polite = Job("timeout-2", {"sleep", "30"});
  polite.set_timeout_seconds(1);
  const auto started = std::chrono::steady_clock::now();
  executor().Launch(stubborn);
  executor().Launch(polite);

  const AttemptStatus terminated = WaitForEnd("timeout-2");
  EXPECT_TRUE(terminated.timed_out());
  EXPECT_EQ(terminated.signal(), SIGTERM);
  EXPECT_EQ(terminated.reason(), "Job attempt duration exceeded timeout (1 s)");

  const AttemptStatus killed = WaitForEnd("timeout-1");
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(killed.state(), AttemptState::EXITED);
  EXPECT_TRUE(killed.timed_out());
  EXPECT_EQ(killed.reason(), "Job attempt duration exceeded timeout (1 s)");
  EXPECT_EQ(killed.signal(), SIGKILL);
  EXPECT_GE(took, std::chrono::milliseconds(1900));
  EXPECT_LT(took, std::chrono::seconds(5));
}

TEST_F(ProcessExecutorTest, CgroupCarriesTheLimitsAndIsRemovedAfterwards) {
  const auto cgroups = Cgroups();
  if (!cgroups) GTEST_SKIP() << "no writable cgroup hierarchy";
  auto attempt = Job("limits-1", {"sleep", "30"});
  attempt.set_vcpus(2);
  attempt.set_memory_mib(64);
  executor().Launch(attempt);
  WaitForRunning("limits-1");
  const auto cgroup = cgroups->Find("limits-1");
  ASSERT_TRUE(cgroup);
  std::string memory;
  std::string cpu;
  for (const auto& dir : cgroup->dirs()) {
    if (cgroups->version() == CgroupVersion::kV2) {
      memory = ReadFileText(dir / "memory.max");
      cpu = ReadFileText(dir / "cpu.max");
    } else if (std::filesystem::exists(dir / "memory.limit_in_bytes")) {
      memory = ReadFileText(dir / "memory.limit_in_bytes");
    } else if (std::filesystem::exists(dir / "cpu.cfs_quota_us")) {
      cpu = ReadFileText(dir / "cpu.cfs_quota_us");
    }
  }
  EXPECT_EQ(memory, "67108864");
  EXPECT_EQ(cpu, cgroups->version() == CgroupVersion::kV2 ? "200000 100000" : "200000");
  EXPECT_EQ(cgroup->Pids().size(), 1u);

  executor().Kill("limits-1", "done", 1);
  WaitForEnd("limits-1");
  EXPECT_TRUE(testing::PollUntil([&] { return !cgroups->Find("limits-1"); }));
}

TEST_F(ProcessExecutorTest, JobBeyondItsMemoryIsOomKilled) {
  if (!Cgroups()) GTEST_SKIP() << "no writable cgroup hierarchy";
  // tail keeps the whole of a file without newlines in memory: it grows without bound.
  auto attempt = Job("oom-1", {"tail", "/dev/zero"});
  attempt.set_memory_mib(32);
  const AttemptStatus end = Run(attempt);
  EXPECT_EQ(end.state(), AttemptState::EXITED);
  EXPECT_TRUE(end.oom_killed());
  EXPECT_EQ(end.reason(), "OutOfMemoryError: Container killed due to memory usage");
  EXPECT_EQ(end.signal(), SIGKILL);
  EXPECT_GT(end.peak_memory_bytes(), 16 << 20);
  EXPECT_LE(end.peak_memory_bytes(), 33 << 20);
}

TEST_F(ProcessExecutorTest, WithoutCgroupsJobsStillRunAndDie) {
  options_.cgroups = "none";
  executor().Launch(Script("plain-1", "sleep 30 & echo $! > bg.pid; wait"));
  const auto pid_file = executor().AttemptDir("plain-1") / "bg.pid";
  ASSERT_TRUE(testing::PollUntil([&] { return ReadPid(pid_file).has_value(); }));
  executor().Kill("plain-1", "stop", 1);
  EXPECT_EQ(WaitForEnd("plain-1").reason(), "stop");
  EXPECT_TRUE(testing::PollUntil([&] { return !ProcessAlive(*ReadPid(pid_file)); }));
  EXPECT_GT(
      Run(Script("plain-2", "x=$(head -c 2000000 /dev/zero | tr '\\0' x)")).peak_memory_bytes(), 0);
}

}  // namespace
}  // namespace batchd::agent
