// Jobs that run to their end: exit codes, signals, output, environment, launch failures.
#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/stat.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "agent/executor/attempt_dir.h"
#include "api/text.h"
#include "process_executor_fixture.h"
#include "support/wait.h"

namespace batchd::agent {
namespace {

using batch::v1::AttemptState;
using batch::v1::AttemptStatus;

TEST_F(ProcessExecutorTest, SuccessfulJobReportsRunningThenExitedAndLeavesItsFiles) {
  const AttemptStatus end = Run(Job("ok-1", {"true"}));
  EXPECT_EQ(end.state(), AttemptState::EXITED);
  ASSERT_TRUE(end.has_exit_code());
  EXPECT_EQ(end.exit_code(), 0);
  EXPECT_FALSE(end.has_signal());
  EXPECT_EQ(end.reason(), "");
  EXPECT_FALSE(end.infrastructure());
  EXPECT_GT(end.started_at(), 0);
  EXPECT_GE(end.at(), end.started_at());

  const auto statuses = log_.Of("ok-1");
  ASSERT_EQ(statuses.size(), 2u);
  EXPECT_EQ(statuses[0].state(), AttemptState::RUNNING);
  EXPECT_EQ(statuses[0].started_at(), end.started_at());

  const AttemptFiles files(executor().AttemptDir("ok-1"));
  const JournalContents journal = ReadJournal(files.journal_file());
  EXPECT_TRUE(journal.launch);
  EXPECT_TRUE(journal.process);
  EXPECT_TRUE(std::filesystem::exists(files.stdout_file()));
  EXPECT_TRUE(std::filesystem::exists(files.stderr_file()));
  AttemptStatus stored;
  ASSERT_TRUE(ReadJournalMessage(files.journal_file(), JournalRecord::kResult, &stored));
  EXPECT_EQ(stored.SerializeAsString(), end.SerializeAsString());

  EXPECT_EQ(executor().LastStatus("ok-1")->state(), AttemptState::EXITED);
  EXPECT_EQ(executor().RunningCount(), 0u);
  EXPECT_EQ(executor().KnownAttempts(), std::vector<std::string>{"ok-1"});
}

TEST_F(ProcessExecutorTest, ReportsNonZeroExitCodes) {
  const AttemptStatus end = Run(Job("exit-3", {"sh", "-c", "exit 3"}));
  EXPECT_EQ(end.state(), AttemptState::EXITED);
  EXPECT_EQ(end.exit_code(), 3);
}

TEST_F(ProcessExecutorTest, ReportsTheSignalThatKilledTheJob) {
  const AttemptStatus end = Run(Job("signal-9", {"sh", "-c", "kill -9 $$"}));
  EXPECT_EQ(end.state(), AttemptState::EXITED);
  EXPECT_FALSE(end.has_exit_code());
  EXPECT_EQ(end.signal(), SIGKILL);
}

TEST_F(ProcessExecutorTest, ScriptRunsUnderShWithItsOutputInFiles) {
  const AttemptStatus end =
      Run(Script("script-1", "echo \"out $((6 * 7))\"; echo oops >&2; pwd; exit 4"));
  EXPECT_EQ(end.exit_code(), 4);
  const std::string dir = executor().AttemptDir("script-1").string();
  EXPECT_EQ(ReadOutput("script-1"), "out 42\n" + dir + "\n");
  EXPECT_EQ(ReadOutput("script-1", "stderr"), "oops\n");
}

TEST_F(ProcessExecutorTest, JobSeesACleanEnvironmentWithInjectedNames) {
  ::setenv("BATCHD_AGENT_SECRET", "must-not-leak", 1);
  auto attempt = Job("env-1", {"env"});
  attempt.set_attempt_number(3);
  attempt.set_array_index(4);
  attempt.set_array_size(10);
  auto* greeting = attempt.mutable_container()->add_environment();
  greeting->set_name("GREETING");
  greeting->set_value("hello world");
  auto* forged = attempt.mutable_container()->add_environment();
  forged->set_name("BATCH_JOB_ID");
  forged->set_value("forged");
  const AttemptStatus end = Run(attempt);
  ::unsetenv("BATCHD_AGENT_SECRET");
  EXPECT_EQ(end.exit_code(), 0);

  const std::string env = ReadOutput("env-1");
  for (const std::string& line : std::vector<std::string>{
           "GREETING=hello world", "BATCH_JOB_ID=job-env-1", "AWS_BATCH_JOB_ID=job-env-1",
           "BATCH_JOB_ATTEMPT=3", "AWS_BATCH_JOB_ATTEMPT=3", "BATCH_JOB_NAME=test-job",
           "BATCH_JOB_QUEUE=queue-a", "AWS_BATCH_JQ_NAME=queue-a", "BATCH_CE_NAME=ce-a",
           "AWS_BATCH_CE_NAME=ce-a", "BATCH_JOB_ARRAY_INDEX=4", "AWS_BATCH_JOB_ARRAY_INDEX=4",
           "BATCH_JOB_ARRAY_SIZE=10", "AWS_BATCH_JOB_ARRAY_SIZE=10",
           "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
           "HOME=" + executor().AttemptDir("env-1").string()}) {
    EXPECT_NE(env.find(line + "\n"), std::string::npos) << line << " missing in:\n" << env;
  }
  EXPECT_EQ(env.find("forged"), std::string::npos) << env;
  EXPECT_EQ(env.find("BATCHD_AGENT_SECRET"), std::string::npos) << env;
}

TEST_F(ProcessExecutorTest, JobStartsWithDefaultSignalsAndOnlyItsStdio) {
  // The agent ignores SIGPIPE (as gRPC programs do) and blocks signals in its threads.
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction previous {};
  ::sigaction(SIGPIPE, &ignore, &previous);
  sigset_t usr1;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  sigset_t old_mask;
  ::pthread_sigmask(SIG_BLOCK, &usr1, &old_mask);
  executor();  // its thread inherits the mask
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);

  const AttemptStatus end =
      Run(Script("clean-1", "grep -E '^Sig(Ign|Blk)' /proc/self/status; ls /proc/self/fd"));
  ::sigaction(SIGPIPE, &previous, nullptr);
  EXPECT_EQ(end.exit_code(), 0);
  // ls itself holds fd 3 (the directory it lists); nothing of the agent's is left.
  EXPECT_EQ(ReadOutput("clean-1"),
            "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n0\n1\n2\n3\n");
}

TEST_F(ProcessExecutorTest, WorkingDirectoryIsTheJobsChoice) {
  auto attempt = Job("cwd-1", {"pwd"});
  attempt.mutable_container()->set_working_directory(dir_.path().string());
  EXPECT_EQ(Run(attempt).exit_code(), 0);
  EXPECT_EQ(ReadOutput("cwd-1"), dir_.path().string() + "\n");

  auto missing = Job("cwd-2", {"pwd"});
  missing.mutable_container()->set_working_directory((dir_.path() / "nowhere").string());
  const AttemptStatus end = Run(missing);
  EXPECT_EQ(end.state(), AttemptState::LAUNCH_FAILED);
  EXPECT_NE(end.reason().find("nowhere"), std::string::npos) << end.reason();
}

TEST_F(ProcessExecutorTest, CommandNotFoundIsALaunchFailure) {
  const AttemptStatus end = Run(Job("nf-1", {"nosuch"}));
  EXPECT_EQ(end.state(), AttemptState::LAUNCH_FAILED);
  EXPECT_EQ(end.reason(), "CannotStartContainerError: exec \"nosuch\": No such file or directory");
  EXPECT_FALSE(end.infrastructure());
  EXPECT_FALSE(log_.Has("nf-1", AttemptState::RUNNING));
  AttemptStatus stored;
  EXPECT_TRUE(ReadJournalMessage(AttemptFiles(executor().AttemptDir("nf-1")).journal_file(),
                                 JournalRecord::kResult, &stored));
  EXPECT_EQ(stored.state(), AttemptState::LAUNCH_FAILED);

  // A path that execve itself rejects, reported through the child's error pipe.
  const AttemptStatus by_path = Run(Job("nf-2", {"/nonexistent/tool", "x"}));
  EXPECT_EQ(by_path.state(), AttemptState::LAUNCH_FAILED);
  EXPECT_EQ(by_path.reason(),
            "CannotStartContainerError: exec \"/nonexistent/tool\": No such file or directory");
  const std::filesystem::path not_executable = dir_.path() / "data.txt";
  std::ofstream(not_executable) << "not a program\n";
  const AttemptStatus denied = Run(Job("nf-3", {not_executable.string()}));
  EXPECT_EQ(denied.state(), AttemptState::LAUNCH_FAILED);
  EXPECT_NE(denied.reason().find("Permission denied"), std::string::npos) << denied.reason();

  const AttemptStatus nothing = Run(Job("nf-4", {}));
  EXPECT_EQ(nothing.state(), AttemptState::LAUNCH_FAILED);
  EXPECT_NE(nothing.reason().find("neither a command nor a script"), std::string::npos);
  EXPECT_EQ(executor().RunningCount(), 0u);
}

TEST_F(ProcessExecutorTest, BadAttemptIdsAndDuplicatesAreHandled) {
  const AttemptStatus bad = Run(Job("../escape", {"true"}));
  EXPECT_EQ(bad.state(), AttemptState::LAUNCH_FAILED);
  EXPECT_FALSE(std::filesystem::exists(options_.work_dir / "escape"));

  executor().Launch(Job("dup-1", {"sleep", "0.2"}));
  executor().Launch(Job("dup-1", {"false"}));
  const AttemptStatus end = WaitForEnd("dup-1");
  EXPECT_EQ(end.exit_code(), 0);
  EXPECT_EQ(log_.Of("dup-1").size(), 2u);
  executor().Launch(Job("dup-1", {"false"}));  // finished but not forgotten: still known
  EXPECT_EQ(executor().LastStatus("dup-1")->exit_code(), 0);
}

TEST_F(ProcessExecutorTest, ForgetRemovesFinishedAttemptsOnly) {
  Run(Job("done-1", {"true"}));
  executor().Launch(Job("busy-1", {"sleep", "30"}));
  WaitForRunning("busy-1");
  executor().Forget("busy-1");
  EXPECT_TRUE(std::filesystem::exists(executor().AttemptDir("busy-1")));
  EXPECT_EQ(executor().RunningCount(), 1u);

  executor().Forget("done-1");
  EXPECT_FALSE(std::filesystem::exists(executor().AttemptDir("done-1")));
  EXPECT_FALSE(executor().LastStatus("done-1"));
  EXPECT_EQ(executor().KnownAttempts(), std::vector<std::string>{"busy-1"});

  executor().Kill("busy-1", "test over", 1);
  WaitForEnd("busy-1");
}

TEST_F(ProcessExecutorTest, AForgottenAttemptsDirectoryServesTheNextOneEmptied) {
  Run(Script("first-1",
             "echo out; echo err >&2; echo mine > left-behind; mkdir -p sub/dir; "
             "ln -s /etc/hostname stdout.link"));
  const std::filesystem::path first = executor().AttemptDir("first-1");
  struct stat before {};
  ASSERT_EQ(::stat(first.c_str(), &before), 0);
  executor().Forget("first-1");
  EXPECT_FALSE(std::filesystem::exists(first));

  const AttemptStatus end = Run(Script("second-1", "ls -A"));
  EXPECT_EQ(end.exit_code(), 0);
  const std::filesystem::path second = executor().AttemptDir("second-1");
  struct stat after {};
  ASSERT_EQ(::stat(second.c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);  // the same directory, renamed
  // The job saw only the agent's files, and none of them held the first attempt's words.
  std::set<std::string> listed;
  std::istringstream out(api::ReadTextFile(AttemptFiles(second).stdout_file()).value_or(""));
  for (std::string line; std::getline(out, line);) listed.insert(line);
  EXPECT_EQ(listed.count("left-behind"), 0u);
  EXPECT_EQ(listed.count("sub"), 0u);
  EXPECT_EQ(listed.count("stdout.link"), 0u);
  EXPECT_EQ(listed.count("out"), 0u);
  EXPECT_EQ(listed.count("err"), 0u);
  EXPECT_EQ(listed.count("stdout"), 1u);
  EXPECT_EQ(api::ReadTextFile(AttemptFiles(second).stderr_file()).value_or("?"), "");
  AttemptStatus stored;
  ASSERT_TRUE(
      ReadJournalMessage(AttemptFiles(second).journal_file(), JournalRecord::kResult, &stored));
  EXPECT_EQ(stored.attempt_id(), "second-1");
}

TEST_F(ProcessExecutorTest, BusyJobReportsCpuTimeAndPeakMemory) {
  const AttemptStatus end = Run(Script("busy-1",
                                       "i=0; while [ $i -lt 50000 ]; do i=$((i + 1)); done; "
                                       "x=$(head -c 4000000 /dev/zero | tr '\\0' x); echo ${#x}"));
  EXPECT_EQ(end.exit_code(), 0);
  EXPECT_EQ(ReadOutput("busy-1"), "4000000\n");
  EXPECT_GT(end.cpu_time_ms(), 0);
  EXPECT_GT(end.peak_memory_bytes(), 4000000);
}

}  // namespace
}  // namespace batchd::agent
