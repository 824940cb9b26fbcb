// batchctl logs against a real batchd whose database the test also writes to: the test plays
// the dispatcher's part (giving a job an attempt and storing its output through the store),
// so the command's paging, stream split, timestamps, truncation notice and following are
// checked without an agent.
#include <gmock/gmock.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "cli_fixture.h"
#include "store/store.h"
#include "support/postgres_env.h"
#include "support/wait.h"

namespace batchd::testing {
namespace {

using batch::v1::JobDetail;
using batch::v1::JobStatus;
using ::testing::EndsWith;
using ::testing::HasSubstr;

constexpr int64_t kT0 = 1'700'000'000'000;

class LogsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string url = FreshDatabaseUrl();
    dir_ = new TempDir();
    batchd_ = new BatchdProcess({.data_dir = dir_->path() / "data", .database_url = url});
    store_ = new store::Store(url, 1);
    auto r = Ctl({"apply", "-f", "-"},
                 "kind: ComputeEnvironment\ncomputeEnvironmentName: logs-ce\ntype: UNMANAGED\n"
                 "---\nkind: JobQueue\njobQueueName: logs-q\npriority: 1\n"
                 "computeEnvironmentOrder: [{order: 1, computeEnvironment: logs-ce}]\n"
                 "---\nkind: JobDefinition\njobDefinitionName: logs-def\n"
                 "containerProperties: {command: [echo, hi]}\n");
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
  }

  static void TearDownTestSuite() {
    delete store_;
    delete batchd_;
    delete dir_;
  }

  static CommandResult Ctl(const std::vector<std::string>& args, const std::string& in = "") {
    std::vector<std::string> argv = {BatchctlBinary(), "--server", batchd_->address()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, in);
  }

  static std::string Submit() {
    auto r = Ctl({"submit", "--queue", "logs-q", "--definition", "logs-def"});
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    return r.out.substr(0, r.out.find('\n'));
  }

  // Adds attempt `number` (already over when `finished`) and stores `logs` for it.
  static void Attempt(const std::string& id, int number, bool finished,
                      std::vector<store::LogRecord> logs = {}) {
    const std::string attempt_id = id + "-att-" + std::to_string(number);
    for (auto& log : logs) {
      log.attempt_id = attempt_id;
      log.job_id = id;
    }
    store_->UpdateJobs(
        {id},
        [&](JobDetail& job) {
          auto* a = job.add_attempts();
          a->set_attempt_id(attempt_id);
          a->set_attempt_number(number);
          a->set_started_at(kT0);
          if (finished) a->set_stopped_at(kT0 + 1000);
          return true;
        },
        logs);
  }

  static void Store(const std::string& id, int number, std::vector<store::LogRecord> logs) {
    for (auto& log : logs) {
      log.attempt_id = id + "-att-" + std::to_string(number);
      log.job_id = id;
    }
    store_->UpdateJobs({}, nullptr, logs);
  }

  // Ends the job's last attempt and the job, as the dispatcher does when it exits.
  static void Finish(const std::string& id) {
    store_->UpdateJobs({id}, [](JobDetail& job) {
      job.mutable_attempts()->rbegin()->set_stopped_at(kT0 + 2000);
      job.set_status(JobStatus::SUCCEEDED);
      job.set_stopped_at(kT0 + 2000);
      return true;
    });
  }

  static store::LogRecord Out(int64_t offset, const std::string& data, int64_t at = kT0,
                              bool truncated = false) {
    return {.stream = "stdout", .offset = offset, .at = at, .data = data, .truncated = truncated};
  }
  static store::LogRecord Err(int64_t offset, const std::string& data, int64_t at = kT0) {
    return {.stream = "stderr", .offset = offset, .at = at, .data = data};
  }

  static TempDir* dir_;
  static BatchdProcess* batchd_;
  static store::Store* store_;
};

TempDir* LogsTest::dir_ = nullptr;
BatchdProcess* LogsTest::batchd_ = nullptr;
store::Store* LogsTest::store_ = nullptr;

TEST_F(LogsTest, PrintsEachStreamAsWrittenWithOptionalTimestamps) {
  const std::string id = Submit();
  Attempt(id, 1, true,
          {Out(0, "hello\nwor", kT0), Err(0, "oops\n", kT0 + 1), Out(9, "ld\n", kT0 + 2)});
  auto r = Ctl({"logs", id});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "hello\nworld\n");
  EXPECT_EQ(r.err, "oops\n");

  r = Ctl({"logs", id, "--timestamps"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out,
            "2023-11-14T22:13:20.000Z hello\n"
            "2023-11-14T22:13:20.000Z world\n");
  EXPECT_EQ(r.err, "2023-11-14T22:13:20.001Z oops\n");
}

TEST_F(LogsTest, ChoosesTheAttemptAndReportsTruncation) {
  const std::string id = Submit();
  Attempt(id, 1, true, {Out(0, "first try\n")});
  Attempt(id, 2, true, {Out(0, "second try\n"), Out(11, "cut", kT0, true)});
  auto r = Ctl({"logs", id});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "second try\ncut");
  EXPECT_EQ(r.err, "batchctl: log truncated: the attempt reached its log limit\n");

  r = Ctl({"logs", id, "--attempt", "1"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "first try\n");
  EXPECT_EQ(r.err, "");

  r = Ctl({"logs", id, "--attempt", "3"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("attempt"));
}

TEST_F(LogsTest, FollowWaitsForTheStartThenPrintsOutputAsItIsStoredUntilTheJobEnds) {
  const std::string id = Submit();
  const std::string out_file = (dir_->path() / "follow.out").string();
  const std::string err_file = (dir_->path() / "follow.err").string();
  CommandResult follow;
  std::thread runner([&] {
    // Through a shell so that the output can be watched while the command runs.
    follow =
        RunCommand({"/bin/sh", "-c", "exec \"$0\" --server \"$1\" logs -f \"$2\" >\"$3\" 2>\"$4\"",
                    BatchctlBinary(), batchd_->address(), id, out_file, err_file});
  });
  auto text_of = [](const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  const std::string waiting =
      "batchctl: job " + id + " has not started yet; waiting for it to start\n";
  EXPECT_TRUE(PollUntil([&] { return text_of(err_file) == waiting; }));
  Attempt(id, 1, false, {Out(0, "one\n")});
  EXPECT_TRUE(PollUntil([&] { return text_of(out_file) == "one\n"; }));
  Store(id, 1, {Out(2, "e\ntw"), Out(6, "o\n"), Err(0, "warn\n")});  // overlaps what was printed
  EXPECT_TRUE(PollUntil([&] { return text_of(out_file) == "one\ntwo\n"; }));
  Finish(id);
  runner.join();
  EXPECT_EQ(follow.exit_code, 0) << Describe(follow);
  EXPECT_EQ(text_of(out_file), "one\ntwo\n");
  EXPECT_EQ(text_of(err_file), waiting + "warn\n");
}

}  // namespace
}  // namespace batchd::testing
