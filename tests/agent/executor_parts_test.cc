// The pure and file-level parts of the process executor.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include "agent/executor/attempt_dir.h"
#include "agent/executor/attempt_dir_pool.h"
#include "agent/executor/child_setup.h"
#include "agent/executor/command.h"
#include "agent/executor/job_user.h"
#include "agent/executor/launch_error.h"
#include "agent/executor/mounts.h"
#include "agent/executor/process_identity.h"
#include "api/text.h"
#include "batch/v1/agent_service.pb.h"
#include "support/temp_dir.h"

namespace batchd::agent {
namespace {

namespace fs = std::filesystem;

TEST(ProcessIdentity, ParsesStatWithAwkwardCommandNames) {
  const std::string line =
      "4242 (we ird) (x) S 1 4242 4242 0 -1 4194560 99 0 0 0 1 2 0 0 20 0 1 0 987654 1000 50";
  const auto stat = ParseProcStat(line);
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->state, 'S');
  EXPECT_EQ(stat->ppid, 1);
  EXPECT_EQ(stat->start_time, 987654u);
  EXPECT_FALSE(ParseProcStat("4242 (short) S 1"));
}

TEST(ProcessIdentity, ReadsOwnStartTimeAndRoundTripsRecords) {
  const auto stat = ReadProcStat(::getpid());
  ASSERT_TRUE(stat);
  EXPECT_GT(stat->start_time, 0u);
  ProcessRecord record{::getpid(), stat->start_time, 1700000000123, ""};
  EXPECT_TRUE(IsSameProcess(record));
  const auto parsed = ParseProcessRecord(FormatProcessRecord(record));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->pid, record.pid);
  EXPECT_EQ(parsed->start_time, record.start_time);
  EXPECT_EQ(parsed->started_at_ms, record.started_at_ms);
  EXPECT_EQ(parsed->cgroup, "");
  record.cgroup = "standby-42-7";  // a job started on a standby keeps the standby's cgroup
  const auto on_standby = ParseProcessRecord(FormatProcessRecord(record));
  ASSERT_TRUE(on_standby);
  EXPECT_EQ(on_standby->cgroup, "standby-42-7");
  EXPECT_EQ(on_standby->started_at_ms, record.started_at_ms);
  record.start_time += 1;  // the same pid, another process
  EXPECT_FALSE(IsSameProcess(record));
  EXPECT_FALSE(ParseProcessRecord("garbage"));
  EXPECT_FALSE(ParseProcessRecord(""));
}

TEST(AttemptDir, WritesAtomicallyAndReadsBack) {
  testing::TempDir dir;
  const fs::path file = dir.path() / "result.pb";
  WriteFileAtomically(file, "first");
  WriteFileAtomically(file, "second");
  EXPECT_EQ(api::ReadTextFile(file), "second");
  // The old version is exchanged into the temporary, which the next write reuses.
  EXPECT_EQ(api::ReadTextFile(file.string() + ".tmp"), "first");
  EXPECT_FALSE(api::ReadTextFile(dir.path() / "missing"));
  EXPECT_THROW(WriteFileAtomically(dir.path() / "no" / "such" / "dir", "x"), std::system_error);
}

TEST(AttemptDir, RewritesKeepOneInodeForTheFileAndOneForItsTemporary) {
  testing::TempDir dir;
  const auto file = dir.path() / "record";
  WriteFileAtomically(file, "a much longer first version");
  WriteFileAtomically(file, "second");
  struct stat a {
  }, b{};
  ASSERT_EQ(::stat(file.c_str(), &a), 0);
  WriteFileAtomically(file, "third!");
  WriteFileAtomically(file, "fourth");
  ASSERT_EQ(::stat(file.c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);  // exchanged with its temporary twice: back to the same one
  EXPECT_EQ(api::ReadTextFile(file).value_or(""), "fourth");
}

TEST(AttemptDir, ATemporaryTheJobTurnedIntoALinkIsNotFollowed) {
  testing::TempDir dir;
  const auto target = dir.path() / "precious";
  { std::ofstream(target) << "keep me"; }
  const auto file = dir.path() / "result.pb";
  std::filesystem::create_symlink(target, dir.path() / "result.pb.tmp");
  WriteFileAtomically(file, "result");
  EXPECT_EQ(api::ReadTextFile(file).value_or(""), "result");
  EXPECT_EQ(api::ReadTextFile(target).value_or(""), "keep me");
  // A hard link to a file elsewhere is not written through either.
  std::filesystem::remove(dir.path() / "result.pb.tmp");
  std::filesystem::create_hard_link(target, dir.path() / "result.pb.tmp");
  WriteFileAtomically(file, "again");
  EXPECT_EQ(api::ReadTextFile(target).value_or(""), "keep me");
}

TEST(AttemptJournal, TheLastRecordOfEachKindStands) {
  testing::TempDir dir;
  const auto journal = dir.path() / "journal";
  EXPECT_FALSE(ReadJournal(journal).launch);  // missing
  { std::ofstream{journal}; }
  const JournalContents empty = ReadJournal(journal);
  EXPECT_FALSE(empty.launch || empty.process || empty.result);

  batch::v1::LaunchAttempt launch;
  launch.set_attempt_id("a-1");
  launch.set_log_limit_bytes(77);
  AppendToJournal(journal, JournalRecord::kLaunch, launch);
  AppendToJournal(journal, JournalRecord::kProcess, "12 34 56\n");
  AppendToJournal(journal, JournalRecord::kProcess, std::string("78 9\0 10", 8));
  batch::v1::AttemptStatus status;
  status.set_attempt_id("a-1");
  status.set_exit_code(3);
  AppendToJournal(journal, JournalRecord::kResult, status);

  const JournalContents read = ReadJournal(journal);
  EXPECT_EQ(read.process, std::string("78 9\0 10", 8));
  batch::v1::LaunchAttempt launch_read;
  ASSERT_TRUE(ReadJournalMessage(journal, JournalRecord::kLaunch, &launch_read));
  EXPECT_EQ(launch_read.log_limit_bytes(), 77);
  batch::v1::AttemptStatus status_read;
  ASSERT_TRUE(ReadJournalMessage(journal, JournalRecord::kResult, &status_read));
  EXPECT_EQ(status_read.exit_code(), 3);
}

TEST(AttemptJournal, ARecordNotWholeHidesItselfAndWhatFollows) {
  testing::TempDir dir;
  const auto journal = dir.path() / "journal";
  AppendToJournal(journal, JournalRecord::kProcess, "first");
  const auto whole = std::filesystem::file_size(journal);
  AppendToJournal(journal, JournalRecord::kResult, "the result");
  AppendToJournal(journal, JournalRecord::kLaunch, "the launch");
  const auto full = std::filesystem::file_size(journal);

  // A cut anywhere hides the record it cuts, and only that one of those before it.
  for (auto size = whole; size < full; ++size) {
    std::filesystem::resize_file(journal, size);
    const JournalContents read = ReadJournal(journal);
    EXPECT_EQ(read.process, "first") << size;
    if (size < whole + 5 + 10 + 4) {
      EXPECT_FALSE(read.result) << size;
    }
    EXPECT_FALSE(read.launch) << size;
  }

  // A byte changed within a record (a crash of the machine, half a block written) too.
  std::filesystem::resize_file(journal, whole);
  AppendToJournal(journal, JournalRecord::kResult, "the result");
  AppendToJournal(journal, JournalRecord::kLaunch, "the launch");
  {
    std::fstream f(journal, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(whole + 7));
    f.put('X');
  }
  const JournalContents read = ReadJournal(journal);
  EXPECT_EQ(read.process, "first");
  EXPECT_FALSE(read.result);
  EXPECT_FALSE(read.launch);
}

TEST(AttemptJournal, AJournalTheJobTurnedIntoALinkIsNotFollowed) {
  testing::TempDir dir;
  const auto target = dir.path() / "precious";
  { std::ofstream(target) << "keep me"; }
  const auto journal = dir.path() / "journal";
  std::filesystem::create_symlink(target, journal);
  AppendToJournal(journal, JournalRecord::kResult, "result");
  EXPECT_EQ(ReadJournal(journal).result, "result");
  EXPECT_EQ(api::ReadTextFile(target).value_or(""), "keep me");
  std::filesystem::remove(journal);
  std::filesystem::create_hard_link(target, journal);
  AppendToJournal(journal, JournalRecord::kResult, "again");
  EXPECT_EQ(ReadJournal(journal).result, "again");
  EXPECT_EQ(api::ReadTextFile(target).value_or(""), "keep me");
}

TEST(AttemptDirPool, RecyclesEmptiedDirectoriesAndRemovesWhatTheJobLeft) {
  testing::TempDir dir;
  const auto outside = dir.path() / "outside";
  { std::ofstream(outside) << "not the job's"; }
  AttemptDirPool pool(dir.path() / "spares", 1);
  const auto a = dir.path() / "a";
  pool.Make(a);
  { std::ofstream(a / "stdout") << "output"; }
  { std::ofstream(a / "job-file") << "x"; }
  std::filesystem::create_symlink(outside, a / "stderr");     // a link in our file's name
  std::filesystem::create_hard_link(outside, a / "journal");  // and a hard link
  std::filesystem::create_directories(a / "volumes" / "scratch");
  ::chmod(a.c_str(), 0700);
  pool.Recycle(a);
  EXPECT_FALSE(std::filesystem::exists(a));
  EXPECT_EQ(pool.spares(), 1u);
  EXPECT_EQ(api::ReadTextFile(outside).value_or(""), "not the job's");

  const auto b = dir.path() / "b";
  pool.Make(b);
  EXPECT_EQ(pool.spares(), 0u);
  std::set<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(b)) names.insert(e.path().filename());
  EXPECT_EQ(names, std::set<std::string>{"stdout"});
  EXPECT_EQ(std::filesystem::file_size(b / "stdout"), 0u);
  struct stat st {};
  ASSERT_EQ(::stat(b.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u);

  // The pool is full with one spare: a second ended directory is removed.
  const auto c = dir.path() / "c";
  pool.Make(c);
  pool.Recycle(b);
  pool.Recycle(c);
  EXPECT_EQ(pool.spares(), 1u);
  EXPECT_FALSE(std::filesystem::exists(c));
}

TEST(AttemptDir, AcceptsOnlyPlainIds) {
  EXPECT_TRUE(IsValidAttemptId("3f2a9c1e-aa.b_c"));
  for (const char* bad : {"", ".", "..", "a/b", "../x", "a b", "x\n"}) {
    EXPECT_FALSE(IsValidAttemptId(bad)) << bad;
  }
  EXPECT_FALSE(IsValidAttemptId(std::string(129, 'a')));
}

TEST(JobCommand, RunsArgvOrScript) {
  batch::v1::ContainerDetail container;
  container.add_command("sh");
  container.add_command("-c");
  container.add_command("true");
  const JobCommand argv = ResolveJobCommand(container, "/nonexistent:/bin:/usr/bin", "/");
  EXPECT_EQ(argv.argv.front(), "sh");
  EXPECT_TRUE(argv.executable == "/bin/sh" || argv.executable == "/usr/bin/sh") << argv.executable;

  batch::v1::ContainerDetail script;
  script.set_script("echo hi");
  const JobCommand shell = ResolveJobCommand(script, "", "/");
  EXPECT_EQ(shell.executable, "/bin/sh");
  EXPECT_EQ(shell.argv, (std::vector<std::string>{"/bin/sh", "-c", "echo hi"}));
}

TEST(JobCommand, ExplainsWhatCannotRun) {
  batch::v1::ContainerDetail container;
  try {
    ResolveJobCommand(container, "/bin", "/");
    FAIL() << "no command and no script";
  } catch (const LaunchError& e) {
    EXPECT_NE(std::string(e.what()).find("neither a command nor a script"), std::string::npos);
  }
  container.add_command("nosuch-command-xyz");
  try {
    ResolveJobCommand(container, "/bin:/usr/bin", "/");
    FAIL() << "nosuch-command-xyz resolved";
  } catch (const LaunchError& e) {
    EXPECT_STREQ(e.what(),
                 "CannotStartContainerError: exec \"nosuch-command-xyz\": No such file or "
                 "directory");
    EXPECT_FALSE(e.infrastructure());
  }
}

TEST(JobUser, ResolvesNamesAndIds) {
  const JobUser root = ResolveJobUser("root");
  EXPECT_EQ(root.uid, 0u);
  EXPECT_EQ(root.gid, 0u);
  EXPECT_EQ(root.home, "/root");
  EXPECT_EQ(ResolveJobUser("0").uid, 0u);
  const JobUser stranger = ResolveJobUser("54321");
  EXPECT_EQ(stranger.uid, 54321u);
  EXPECT_EQ(stranger.gid, 54321u);
  EXPECT_EQ(stranger.groups, std::vector<gid_t>{54321});
  EXPECT_EQ(ResolveJobUser("54321:7").gid, 7u);
  try {
    ResolveJobUser("no-such-user-xyz");
    FAIL() << "unknown user resolved";
  } catch (const LaunchError& e) {
    EXPECT_NE(std::string(e.what()).find("\"no-such-user-xyz\""), std::string::npos) << e.what();
  }
  EXPECT_THROW(ResolveJobUser("root:no-such-group-xyz"), LaunchError);
}

TEST(ChildSetup, FailuresNameTheStepAndWhoIsToBlame) {
  ChildPlan plan;
  plan.working_dir = "/srv/missing";
  plan.mounts.push_back(BindMount{"/srv/data", "/data", true, 0});
  bool infrastructure = true;
  const std::string unshare = DescribeChildFailure(
      plan, ChildFailure{ChildStep::kUnshareMounts, 0, EPERM}, &infrastructure);
  EXPECT_NE(unshare.find("private mount namespace"), std::string::npos) << unshare;
  EXPECT_NE(unshare.find("Operation not permitted"), std::string::npos) << unshare;
  EXPECT_FALSE(infrastructure);
  const std::string bind =
      DescribeChildFailure(plan, ChildFailure{ChildStep::kBindMount, 0, ENOENT}, &infrastructure);
  EXPECT_NE(bind.find("/srv/data -> /data"), std::string::npos) << bind;
  const std::string cwd =
      DescribeChildFailure(plan, ChildFailure{ChildStep::kWorkingDir, 0, ENOENT}, &infrastructure);
  EXPECT_EQ(cwd,
            "CannotStartContainerError: working directory /srv/missing: No such file or "
            "directory");
  DescribeChildFailure(plan, ChildFailure{ChildStep::kJoinCgroup, 7, EACCES}, &infrastructure);
  EXPECT_TRUE(infrastructure);
}

class MountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(allowed_ / "data");
    fs::create_directories(attempt_);
    fs::create_directories(target_);
  }
  batch::v1::ContainerDetail Mount(const std::string& host, bool read_only) {
    batch::v1::ContainerDetail container;
    auto* volume = container.add_volumes();
    volume->set_name("v");
    volume->mutable_host()->set_source_path(host);
    auto* point = container.add_mount_points();
    point->set_source_volume("v");
    point->set_container_path(target_.string());
    point->set_read_only(read_only);
    return container;
  }
  std::string FailureOf(const batch::v1::ContainerDetail& container) {
    try {
      ResolveBindMounts(container, attempt_, {allowed_});
    } catch (const LaunchError& e) {
      return e.what();
    }
    return "";
  }

  testing::TempDir dir_;
  fs::path allowed_ = dir_.path() / "allowed";
  fs::path attempt_ = dir_.path() / "work" / "a-1";
  fs::path target_ = dir_.path() / "target";
};

TEST_F(MountsTest, ResolvesAllowedHostPaths) {
  const auto mounts =
      ResolveBindMounts(Mount((allowed_ / "data").string(), true), attempt_, {allowed_});
  ASSERT_EQ(mounts.size(), 1u);
  EXPECT_EQ(mounts[0].source, fs::canonical(allowed_ / "data").string());
  EXPECT_EQ(mounts[0].target, target_.string());
  EXPECT_TRUE(mounts[0].read_only);

  // Inside the attempt dir is always allowed; a volume without a host path is a scratch dir.
  const auto scratch = ResolveBindMounts(Mount("", false), attempt_, {});
  ASSERT_EQ(scratch.size(), 1u);
  EXPECT_EQ(scratch[0].source, fs::canonical(attempt_ / "volumes" / "v").string());
}

TEST_F(MountsTest, RefusesPathsOutsideTheRules) {
  const std::string outside = FailureOf(Mount("/etc", false));
  EXPECT_NE(outside.find("/etc"), std::string::npos) << outside;
  EXPECT_NE(outside.find("allowed mount root"), std::string::npos) << outside;
  EXPECT_NE(outside.find(allowed_.string()), std::string::npos) << outside;

  // A symlink inside an allowed root that leads outside it does not pass.
  fs::create_symlink("/etc", allowed_ / "escape");
  EXPECT_NE(FailureOf(Mount((allowed_ / "escape").string(), false)).find("not allowed"),
            std::string::npos);
  EXPECT_NE(FailureOf(Mount((allowed_ / "missing").string(), false)).find("cannot be mounted"),
            std::string::npos);

  auto undefined = Mount((allowed_ / "data").string(), false);
  undefined.mutable_mount_points(0)->set_source_volume("other");
  EXPECT_NE(FailureOf(undefined).find("does not define"), std::string::npos);
  auto relative = Mount((allowed_ / "data").string(), false);
  relative.mutable_mount_points(0)->set_container_path("data");
  EXPECT_NE(FailureOf(relative).find("absolute"), std::string::npos);
  auto nowhere = Mount((allowed_ / "data").string(), false);
  nowhere.mutable_mount_points(0)->set_container_path((dir_.path() / "nowhere").string());
  EXPECT_NE(FailureOf(nowhere).find("does not exist"), std::string::npos);
}

TEST(Mounts, IsUnderComparesWholeComponents) {
  EXPECT_TRUE(IsUnder("/srv/data/x", "/srv/data"));
  EXPECT_TRUE(IsUnder("/srv/data", "/srv/data"));
  EXPECT_TRUE(IsUnder("/srv/data", "/srv/data/"));
  EXPECT_TRUE(IsUnder("/anything", "/"));
  EXPECT_FALSE(IsUnder("/srv/database", "/srv/data"));
  EXPECT_FALSE(IsUnder("/srv", "/srv/data"));
}

}  // namespace
}  // namespace batchd::agent
