// A busy agent hands an ended attempt's cgroup (v1) to the next attempt instead of making a
// new one: with its counts started again, the next attempt's limits, and never after an OOM
// kill or with much still charged. Real processes and the machine's cgroups.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include "process_executor_fixture.h"
#include "support/wait.h"

namespace batchd::agent {
namespace {

using batch::v1::AttemptState;
using batch::v1::AttemptStatus;
using batch::v1::LaunchAttempt;

namespace fs = std::filesystem;

std::string FirstLine(const fs::path& path) {
  std::ifstream in(path);
  std::string text;
  std::getline(in, text);
  return text;
}

class CgroupReuseTest : public ProcessExecutorTest {
 protected:
  void SetUp() override {
    cgroups_ = Cgroups();
    if (!cgroups_) GTEST_SKIP() << "no writable cgroup hierarchy";
    executor().Recover();  // reuse starts once the sweep of old cgroups is done
    // A running job keeps the agent busy: an idle one removes its spare cgroups.
    executor().Launch(Job("busy-1", {"sleep", "30"}));
    launched_.push_back("busy-1");
    WaitForRunning("busy-1");
  }
  // An executor leaves the jobs still running (as an agent restarting would): end them.
  void TearDown() override {
    for (const std::string& id : launched_) {
      if (!log_.Terminal(id)) KillAndWait(id);
    }
  }

  // Starts a job that prints its cgroup first, and returns that cgroup's name. It prints with
  // shell builtins only: a child that printed (grep) may still be exiting when the test kills
  // the job, and a cgroup with a process left in it at the end is rightly not reused.
  std::string StartPrintingCgroup(LaunchAttempt attempt, const std::string& then) {
    const std::string id = attempt.attempt_id();
    attempt.mutable_container()->set_script(
        "while read -r line; do case $line in *memory*) echo \"$line\"; break;; esac; done "
        "</proc/self/cgroup; " +
        then);
    executor().Launch(attempt);
    launched_.push_back(id);
    // (Not "/" + name + "/": GCC 12 warns of an overlap there that cannot happen.)
    const std::string prefix = std::string("/").append(CgroupParentName(options_.work_dir)) + "/";
    std::string name;
    EXPECT_TRUE(testing::PollUntil([&] {
      const std::string output = ReadOutput(id);
      const size_t at = output.find(prefix);
      const size_t end = output.find('\n', at);
      if (at == std::string::npos || end == std::string::npos) return false;
      name = output.substr(at + prefix.size(), end - at - prefix.size());
      return true;
    })) << id
        << " printed no cgroup: " << ReadOutput(id);
    return name;
  }

  struct Limits {
    std::string memory;
    std::string memory_and_swap;  // empty where swap is not accounted
    std::string cpu_quota;
  };
  Limits LimitsOf(const std::string& name) const {
    Limits limits;
    const std::optional<JobCgroup> cgroup = cgroups_->Find(name);
    if (!cgroup) return limits;
    for (const fs::path& dir : cgroup->dirs()) {
      if (fs::exists(dir / "memory.limit_in_bytes")) {
        limits.memory = FirstLine(dir / "memory.limit_in_bytes");
        limits.memory_and_swap = FirstLine(dir / "memory.memsw.limit_in_bytes");
      }
      if (fs::exists(dir / "cpu.cfs_quota_us"))
        limits.cpu_quota = FirstLine(dir / "cpu.cfs_quota_us");
    }
    return limits;
  }

  void ExpectLimits(const std::string& name, const std::string& memory,
                    const std::string& cpu_quota) const {
    const Limits limits = LimitsOf(name);
    EXPECT_EQ(limits.memory, memory) << name;
    if (!limits.memory_and_swap.empty()) {
      EXPECT_EQ(limits.memory_and_swap, memory) << name;
    }
    EXPECT_EQ(limits.cpu_quota, cpu_quota) << name;
  }

  AttemptStatus KillAndWait(const std::string& id) {
    executor().Kill(id, "done", 1);
    return WaitForEnd(id);
  }

  static LaunchAttempt Sized(const std::string& id, int vcpus, int memory_mib) {
    LaunchAttempt attempt = Job(id, {});
    attempt.set_vcpus(vcpus);
    attempt.set_memory_mib(memory_mib);
    return attempt;
  }

  bool Reuses() const { return cgroups_->version() == CgroupVersion::kV1; }

  std::optional<CgroupManager> cgroups_;
  std::vector<std::string> launched_;
};

TEST_F(CgroupReuseTest, NextAttemptGetsTheCgroupWithFreshCountsAndItsOwnLimits) {
  if (!Reuses()) GTEST_SKIP() << "cgroups are reused on v1 only";
  // tail keeps all of a file without newlines: 40 MB at its peak. The loop spends CPU time.
  const std::string first =
      StartPrintingCgroup(Sized("first-1", 2, 128),
                          "head -c 40000000 /dev/zero | tail >/dev/null; i=0; "
                          "while [ $i -lt 100000 ]; do i=$((i+1)); done");
  const AttemptStatus first_end = WaitForEnd("first-1");
  ASSERT_EQ(first_end.exit_code(), 0) << first_end.reason();
  ASSERT_GT(first_end.peak_memory_bytes(), 40'000'000);
  ASSERT_GT(first_end.cpu_time_ms(), 20);

  // Smaller limits than the cgroup had: memory goes down before memory+swap.
  const std::string second = StartPrintingCgroup(Sized("second-1", 1, 64), "exec sleep 30");
  EXPECT_EQ(second, first);
  ExpectLimits(second, "67108864", "100000");
  const AttemptStatus second_end = KillAndWait("second-1");
  EXPECT_GT(second_end.peak_memory_bytes(), 0);
  EXPECT_LT(second_end.peak_memory_bytes(), 16 << 20) << "the first attempt's peak stayed";
  EXPECT_LT(second_end.cpu_time_ms(), first_end.cpu_time_ms() / 2)
      << "the first attempt's CPU time stayed";

  // Larger memory (memory+swap goes up first) and no CPU limit at all.
  const std::string third = StartPrintingCgroup(Sized("third-1", 0, 256), "exec sleep 30");
  EXPECT_EQ(third, first);
  ExpectLimits(third, "268435456", "-1");
  KillAndWait("third-1");

  // And back from none to a CPU limit, with memory unlimited.
  const std::string fourth = StartPrintingCgroup(Sized("fourth-1", 3, 0), "exec sleep 30");
  EXPECT_EQ(fourth, first);
  const Limits unlimited = LimitsOf(fourth);
  EXPECT_GT(std::stoll(unlimited.memory), int64_t{1} << 40) << unlimited.memory;
  EXPECT_EQ(unlimited.cpu_quota, "300000");
  KillAndWait("fourth-1");

  // Jobs at once need more cgroups: the spare and two new ones, all kept once they end.
  std::set<std::string> used = {first};
  for (const std::string id : {"more-1", "more-2", "more-3"}) {
    used.insert(StartPrintingCgroup(Sized(id, 1, 64), "exec sleep 30"));
  }
  EXPECT_EQ(used.size(), 3u);
  for (const std::string id : {"more-1", "more-2", "more-3", "busy-1"}) KillAndWait(id);

  // Once idle, the agent keeps two for its standbys and removes the others.
  EXPECT_TRUE(testing::PollUntil([&] { return cgroups_->List().size() == 2; }))
      << cgroups_->List().size() << " cgroups outlived the busy spell";
  for (const std::string& name : cgroups_->List()) {
    EXPECT_EQ(cgroups_->Find(name)->Pids().size(), 1u) << name << " holds no standby";
  }
}

// A file a job reads first is charged to its cgroup, as its binaries and libraries are once
// the machine's page cache has dropped them: the cgroup is reused, and the next attempt's
// peak leaves that charge out.
TEST_F(CgroupReuseTest, ACgroupChargedWithAFileItReadIsReusedAndTheChargeLeftOutOfThePeak) {
  if (!Reuses()) GTEST_SKIP() << "cgroups are reused on v1 only";
  const fs::path file = dir_.path() / "read-by-the-job";
  {
    std::ofstream out(file, std::ios::binary);
    out << std::string(2 << 20, 'x');
  }
  const int fd = ::open(file.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ::fdatasync(fd);
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);  // out of the page cache: the job reads it
  ::close(fd);

  const std::string reader =
      StartPrintingCgroup(Sized("reader-1", 1, 64), "cat '" + file.string() + "' >/dev/null");
  const AttemptStatus reader_end = WaitForEnd("reader-1");
  ASSERT_EQ(reader_end.exit_code(), 0) << reader_end.reason();

  // The next job holds 300 kB for a while: more than the kernel charges in advance (64 pages
  // a CPU), so that its own peak is counted, and far less than the file.
  const std::string next = StartPrintingCgroup(
      Sized("next-1", 1, 64), "held=$(printf '%300000s' ''); echo held; exec sleep 30");
  EXPECT_EQ(next, reader) << "the cgroup charged with the file was removed";
  EXPECT_TRUE(testing::PollUntil(
      [&] { return ReadOutput("next-1").find("\nheld\n") != std::string::npos; }));
  const AttemptStatus next_end = KillAndWait("next-1");
  EXPECT_GT(next_end.peak_memory_bytes(), 300'000) << "the job's own memory was left out";
  EXPECT_LT(next_end.peak_memory_bytes(), 2 << 20) << "the file's charge counted in the peak";
}

TEST_F(CgroupReuseTest, CgroupOfAnOomKillOrWithMuchStillChargedIsRemoved) {
  // An OOM kill stays counted in a v1 cgroup; a file the job wrote stays charged to it.
  const std::vector<std::pair<LaunchAttempt, std::string>> cases = {
      {Sized("oom-1", 1, 32), "exec tail /dev/zero"},
      {Sized("cache-1", 1, 64), "head -c 8000000 /dev/zero > written"},
  };
  for (const auto& [attempt, script] : cases) {
    const std::string used = StartPrintingCgroup(attempt, script);
    const AttemptStatus end = WaitForEnd(attempt.attempt_id());
    EXPECT_EQ(end.state(), AttemptState::EXITED);
    const std::string next =
        StartPrintingCgroup(Sized("after-" + attempt.attempt_id(), 1, 64), "exec sleep 30");
    EXPECT_NE(next, used) << attempt.attempt_id() << "'s cgroup was reused";
    EXPECT_TRUE(testing::PollUntil([&] { return !cgroups_->Find(used); }))
        << attempt.attempt_id() << "'s cgroup outlived it";
    KillAndWait("after-" + attempt.attempt_id());
  }
}

}  // namespace
}  // namespace batchd::agent
