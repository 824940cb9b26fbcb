// Standby job processes (agent/executor/standby.h): forked ahead, already in a cgroup, then
// handed the next attempt. With real processes and the machine's cgroups.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "agent/executor/attempt_dir.h"
#include "agent/executor/process_identity.h"
#include "agent/executor/standby.h"
#include "api/text.h"
#include "process_executor_fixture.h"
#include "support/wait.h"

namespace batchd::agent {
namespace {

using batch::v1::AttemptState;
using batch::v1::AttemptStatus;

namespace fs = std::filesystem;

TEST(StandbyWire, RoundTripsEveryField) {
  SpawnRequest request;
  request.executable = "/bin/sh";
  request.argv = {"sh", "-c", std::string("with\0nul", 8), ""};
  request.environment = {"A=1", "B="};
  request.plan.working_dir = "/tmp/work dir";
  request.plan.switch_user = true;
  request.plan.uid = 65534;
  request.plan.gid = 65533;
  request.plan.groups = {1, 2, 3};
  request.plan.mounts = {{"/src", "/dst", true, 6}, {"/a", "/b", false, 0}};
  request.plan.cgroup_procs_files = {"/sys/fs/cgroup/x/cgroup.procs"};

  SpawnRequest back;
  ASSERT_TRUE(DecodeSpawnRequest(EncodeSpawnRequest(request), &back));
  EXPECT_EQ(back.executable, request.executable);
  EXPECT_EQ(back.argv, request.argv);
  EXPECT_EQ(back.environment, request.environment);
  EXPECT_EQ(back.plan.working_dir, request.plan.working_dir);
  EXPECT_TRUE(back.plan.switch_user);
  EXPECT_EQ(back.plan.uid, 65534u);
  EXPECT_EQ(back.plan.gid, 65533u);
  EXPECT_EQ(back.plan.groups, request.plan.groups);
  ASSERT_EQ(back.plan.mounts.size(), 2u);
  EXPECT_EQ(back.plan.mounts[0].source, "/src");
  EXPECT_EQ(back.plan.mounts[0].target, "/dst");
  EXPECT_TRUE(back.plan.mounts[0].read_only);
  EXPECT_EQ(back.plan.mounts[0].kept_flags, 6u);
  EXPECT_FALSE(back.plan.mounts[1].read_only);
  // The standby has joined its cgroup before it reads a request.
  EXPECT_TRUE(back.plan.cgroup_procs_files.empty());

  const std::string wire = EncodeSpawnRequest(request);
  SpawnRequest cut;
  EXPECT_FALSE(DecodeSpawnRequest(wire.substr(0, wire.size() - 1), &cut));
  EXPECT_FALSE(DecodeSpawnRequest(wire + "x", &cut));
  EXPECT_FALSE(DecodeSpawnRequest("", &cut));
}

class StandbyTest : public ProcessExecutorTest {
 protected:
  SpawnRequest Request(std::vector<std::string> argv, const fs::path& out) {
    SpawnRequest request;
    request.executable = argv.front();
    request.argv = std::move(argv);
    request.environment = {"GREETING=from the standby"};
    request.plan.working_dir = dir_.path().string();
    stdin_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    stdout_ = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    request.plan.stdin_fd = stdin_;
    request.plan.stdout_fd = stdout_;
    request.plan.stderr_fd = stdout_;
    return request;
  }
  ~StandbyTest() override {
    ::close(stdin_);
    ::close(stdout_);
  }
  int stdin_ = -1;
  int stdout_ = -1;
};

int WaitExitCode(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(StandbyTest, BecomesTheJobWithItsEnvironmentAndStdio) {
  std::optional<StandbyProcess> standby = StartStandby({}, {});
  ASSERT_TRUE(standby);
  const fs::path out = dir_.path() / "out";
  const SpawnRequest request =
      Request({"/bin/sh", "-c", "echo \"$GREETING\" in \"$(pwd)\"; exit 7"}, out);
  const std::optional<SpawnResult> result = LaunchOnStandby(*standby, request);
  ASSERT_TRUE(result);
  ASSERT_EQ(result->pid, standby->pid) << result->error;
  EXPECT_EQ(WaitExitCode(result->pid), 7);
  EXPECT_EQ(api::ReadTextFile(out), "from the standby in " + dir_.path().string() + "\n");
}

TEST_F(StandbyTest, ReportsWhatKeptItFromStarting) {
  const fs::path out = dir_.path() / "out";
  std::optional<StandbyProcess> first = StartStandby({}, {});
  ASSERT_TRUE(first);
  const std::optional<SpawnResult> missing =
      LaunchOnStandby(*first, Request({"/no/such/program"}, out));
  ASSERT_TRUE(missing);
  EXPECT_LE(missing->pid, 0);
  EXPECT_NE(missing->error.find("/no/such/program"), std::string::npos) << missing->error;

  std::optional<StandbyProcess> second = StartStandby({}, {});
  ASSERT_TRUE(second);
  SpawnRequest bad_dir = Request({"/bin/true"}, out);
  bad_dir.plan.working_dir = (dir_.path() / "missing").string();
  const std::optional<SpawnResult> no_dir = LaunchOnStandby(*second, bad_dir);
  ASSERT_TRUE(no_dir);
  EXPECT_LE(no_dir->pid, 0);
  EXPECT_NE(no_dir->error.find("working directory"), std::string::npos) << no_dir->error;
  EXPECT_FALSE(no_dir->infrastructure);
}

TEST_F(StandbyTest, OneThatDiedIsReportedUnusable) {
  std::optional<StandbyProcess> standby = StartStandby({}, {});
  ASSERT_TRUE(standby);
  ::kill(standby->pid, SIGKILL);
  EXPECT_FALSE(LaunchOnStandby(*standby, Request({"/bin/true"}, dir_.path() / "out")));
  EXPECT_FALSE(ProcessAlive(standby->pid));
}

TEST_F(StandbyTest, OneThatCannotMakeItsCgroupSaysWhy) {
  const fs::path missing = dir_.path() / "no-such-hierarchy" / "standby-1";
  std::optional<StandbyProcess> standby = StartStandby({missing.string()}, {});
  ASSERT_TRUE(standby);
  std::string why;
  EXPECT_FALSE(AwaitStandby(*standby, &why));
  EXPECT_NE(why.find("No such file or directory"), std::string::npos) << why;
  EXPECT_FALSE(ProcessAlive(standby->pid));
  EXPECT_FALSE(LaunchOnStandby(*standby, Request({"/bin/true"}, dir_.path() / "out")));
}

// The standbys waiting, named as the executor names them.
std::vector<std::string> Standbys(const CgroupManager& cgroups) {
  std::vector<std::string> names;
  for (const auto& name : cgroups.List()) {
    if (name.rfind("standby-", 0) == 0) names.push_back(name);
  }
  return names;
}

// A standby is a fork of the agent (here the test), not yet anything it execs.
bool IsForkOfThisProcess(pid_t pid) {
  std::error_code ec;
  return fs::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec) ==
         fs::read_symlink("/proc/self/exe", ec);
}

TEST_F(StandbyTest, ExecutorStartsJobsOnStandbysInTheirOwnCgroups) {
  const std::optional<CgroupManager> cgroups = Cgroups();
  if (!cgroups) GTEST_SKIP() << "no writable cgroup hierarchy";
  executor().Recover();  // standbys come once the sweep of old cgroups is done
  for (const std::string id : {"warm-1", "warm-2", "warm-3"}) {
    std::vector<std::string> waiting;
    // Two wait, so that a job arriving while one replaces another finds one ready.
    ASSERT_TRUE(testing::PollUntil([&] { return (waiting = Standbys(*cgroups)).size() == 2; }))
        << "no two standbys were made";
    auto attempt = Script(id, "cat /proc/self/cgroup; echo $BATCH_JOB_ID");
    attempt.set_memory_mib(64);
    const AttemptStatus end = Run(attempt);
    EXPECT_EQ(end.state(), AttemptState::EXITED) << end.reason();
    EXPECT_EQ(end.exit_code(), 0) << end.reason();
    const std::string output = ReadOutput(id);
    // The job ran in a standby's cgroup, under the attempt's limit.
    const std::string prefix = "/" + CgroupParentName(options_.work_dir) + "/";
    const size_t at = output.find(prefix + "standby-");
    ASSERT_NE(at, std::string::npos) << output;
    const std::string used =
        output.substr(at + prefix.size(), output.find('\n', at) - at - prefix.size());
    EXPECT_NE(std::find(waiting.begin(), waiting.end(), used), waiting.end())
        << used << " was not one of the standbys waiting";
    EXPECT_NE(output.find("job-" + id), std::string::npos) << output;
    EXPECT_GT(end.peak_memory_bytes(), 0);
    // Nothing of the job is left there: the cgroup went, or (v1) it is the next standby's.
    EXPECT_TRUE(testing::PollUntil([&] {
      const std::optional<JobCgroup> left = cgroups->Find(used);
      if (!left) return true;
      const std::vector<pid_t> pids = left->Pids();
      return cgroups->version() == CgroupVersion::kV1 && pids.size() == 1 &&
             IsForkOfThisProcess(pids[0]);
    })) << used
        << " outlived the attempt";
  }

  ASSERT_TRUE(testing::PollUntil([&] { return !Standbys(*cgroups).empty(); }));
  executor_.reset();  // the standbys go with their executor
  EXPECT_EQ(Standbys(*cgroups), std::vector<std::string>{});
}

TEST_F(StandbyTest, RecoverEndsAJobThatStartedOnAStandby) {
  const std::optional<CgroupManager> cgroups = Cgroups();
  if (!cgroups) GTEST_SKIP() << "no writable cgroup hierarchy";
  std::optional<ProcessRecord> record;
  {
    std::unique_ptr<Executor> crashed = MakeExecutor();
    crashed->Recover();
    ASSERT_TRUE(testing::PollUntil([&] { return !Standbys(*cgroups).empty(); }));
    crashed->Launch(Job("standby-job-1", {"sleep", "30"}));
    ASSERT_TRUE(testing::PollUntil([&] {
      const auto text =
          ReadJournal(AttemptFiles(crashed->AttemptDir("standby-job-1")).journal_file()).process;
      return text && (record = ParseProcessRecord(*text));
    }));
  }  // gone as a crashed agent would be: the job keeps running in the standby's cgroup
  ASSERT_EQ(record->cgroup.rfind("standby-", 0), 0u) << record->cgroup;
  ASSERT_TRUE(ProcessAlive(record->pid));
  ASSERT_TRUE(cgroups->Find(record->cgroup));

  std::unique_ptr<Executor> restarted = MakeExecutor();
  const std::vector<AttemptStatus> recovered = restarted->Recover();
  ASSERT_EQ(recovered.size(), 1u);
  EXPECT_EQ(recovered[0].reason(), "agent restarted while the attempt ran");
  EXPECT_GT(recovered[0].peak_memory_bytes(), 0);  // read from the standby's cgroup
  EXPECT_FALSE(ProcessAlive(record->pid));
  EXPECT_TRUE(testing::PollUntil([&] { return !cgroups->Find(record->cgroup); }));
}

}  // namespace
}  // namespace batchd::agent
