// A restarted agent finds the attempts of its previous run (Recover).
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "agent/executor/attempt_dir.h"
#include "agent/executor/process_identity.h"
#include "api/text.h"
#include "process_executor_fixture.h"
#include "support/wait.h"

namespace batchd::agent {
namespace {

using batch::v1::AttemptState;
using batch::v1::AttemptStatus;

TEST_F(ProcessExecutorTest, RecoverEndsRunningAttemptsAndReportsFinishedOnes) {
  pid_t sleeper = 0;
  {
    std::unique_ptr<Executor> crashed = MakeExecutor();
    crashed->Launch(Job("finished-1", {"sh", "-c", "exit 5"}));
    crashed->Launch(Job("running-1", {"sleep", "30"}));
    ASSERT_TRUE(testing::PollUntil([&] {
      return log_.Terminal("finished-1") && log_.Has("running-1", AttemptState::RUNNING);
    }));
    std::optional<ProcessRecord> record;
    ASSERT_TRUE(testing::PollUntil([&] {
      const auto text =
          ReadJournal(AttemptFiles(crashed->AttemptDir("running-1")).journal_file()).process;
      return text && (record = ParseProcessRecord(*text));
    }));
    sleeper = record->pid;
  }  // the executor goes away as a crashed agent would: its job keeps running
  ASSERT_TRUE(ProcessAlive(sleeper));

  // An attempt whose launch was recorded but whose process never got started.
  std::filesystem::create_directories(options_.work_dir / "attempts" / "unstarted-1");

  std::unique_ptr<Executor> restarted = MakeExecutor();
  std::vector<AttemptStatus> recovered = restarted->Recover();
  std::sort(recovered.begin(), recovered.end(),
            [](const auto& a, const auto& b) { return a.attempt_id() < b.attempt_id(); });
  ASSERT_EQ(recovered.size(), 3u);

  EXPECT_EQ(recovered[0].attempt_id(), "finished-1");
  EXPECT_EQ(recovered[0].state(), AttemptState::EXITED);
  EXPECT_EQ(recovered[0].exit_code(), 5);
  EXPECT_FALSE(recovered[0].infrastructure());

  EXPECT_EQ(recovered[1].attempt_id(), "running-1");
  EXPECT_EQ(recovered[1].state(), AttemptState::EXITED);
  EXPECT_TRUE(recovered[1].infrastructure());
  EXPECT_EQ(recovered[1].reason(), "agent restarted while the attempt ran");
  EXPECT_GT(recovered[1].started_at(), 0);
  EXPECT_FALSE(ProcessAlive(sleeper));

  EXPECT_EQ(recovered[2].attempt_id(), "unstarted-1");
  EXPECT_TRUE(recovered[2].infrastructure());

  EXPECT_EQ(restarted->KnownAttempts().size(), 3u);
  EXPECT_EQ(restarted->RunningCount(), 0u);
  EXPECT_EQ(restarted->LastStatus("running-1")->reason(), "agent restarted while the attempt ran");
  if (const auto cgroups = Cgroups()) {
    EXPECT_TRUE(testing::PollUntil([&] { return !cgroups->Find("running-1"); }));
  }

  // Reported once: a second restart finds the results written by the first.
  restarted.reset();
  std::unique_ptr<Executor> again = MakeExecutor();
  const auto second = again->Recover();
  ASSERT_EQ(second.size(), 3u);
  for (const auto& status : second) {
    if (status.attempt_id() == "running-1") {
      EXPECT_TRUE(status.infrastructure());
    }
  }
  for (const auto& id : again->KnownAttempts()) again->Forget(id);
  EXPECT_TRUE(std::filesystem::is_empty(options_.work_dir / "attempts"));
  EXPECT_TRUE(again->Recover().empty());
}

TEST_F(ProcessExecutorTest, RecoverNeverKillsAProcessThatReusedThePid) {
  // A stranger holding the recorded pid: same number, another start time.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t stranger = 0;
  char sleep[] = "sleep";
  char thirty[] = "30";
  char* argv[] = {sleep, thirty, nullptr};
  char* envp[] = {nullptr};
  ASSERT_EQ(posix_spawnp(&stranger, "sleep", nullptr, &attr, argv, envp), 0);
  posix_spawnattr_destroy(&attr);

  const AttemptFiles files(options_.work_dir, "reused-1");
  std::filesystem::create_directories(files.path());
  ProcessRecord record;
  record.pid = stranger;
  record.start_time = ReadProcStat(stranger).value().start_time + 1;
  record.started_at_ms = 1;
  AppendToJournal(files.journal_file(), JournalRecord::kProcess, FormatProcessRecord(record));

  const auto recovered = executor().Recover();
  ASSERT_EQ(recovered.size(), 1u);
  EXPECT_TRUE(recovered[0].infrastructure());
  EXPECT_TRUE(ProcessAlive(stranger));
  ::kill(stranger, SIGKILL);
  ::waitpid(stranger, nullptr, 0);
}

}  // namespace
}  // namespace batchd::agent
