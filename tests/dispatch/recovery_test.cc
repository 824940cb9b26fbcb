// Nothing is lost and nothing runs twice: agents and batchd killed mid-job, wrong tokens.
#include <fstream>
#include <pqxx/pqxx>
#include <set>

#include "dispatch_fixture.h"
#include "support/wait.h"

namespace batchd::testing {
namespace {

using namespace batch::v1;

size_t Count(const std::string& text, const std::string& part) {
  size_t count = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

class Recovery : public DispatchTest {
 protected:
  void SetUp() override {
    DispatchTest::SetUp();
    CreateCe("ce");
    CreateQueue("q", "ce");
  }
};

TEST_F(Recovery, AgentKilledMidJobIsLostAndTheJobRunsElsewhere) {
  AgentProcess& first = StartAgent("first", "ce");
  Register("short", {.command = {"sleep", "2"}});
  const std::string id = Submit("q", "short");
  JobDetail running = WaitFor(id, JobStatus::RUNNING);
  const std::string lost_node = running.attempts(0).node_id();
  first.Kill();
  StartAgent("second", "ce");
  JobDetail job = WaitFor(id, JobStatus::SUCCEEDED, std::chrono::seconds(40));
  ASSERT_EQ(job.attempts_size(), 2);
  EXPECT_TRUE(job.attempts(0).infrastructure_failure());
  EXPECT_NE(job.attempts(0).status_reason().find("node lost"), std::string::npos)
      << job.attempts(0).status_reason();
  EXPECT_NE(job.attempts(1).node_id(), lost_node);
  bool lost = false;
  for (const auto& n : Nodes()) lost |= n.node_id() == lost_node && n.state() == NodeState::LOST;
  EXPECT_TRUE(lost);
}

TEST_F(Recovery, BatchdKilledMidJobFinishesItExactlyOnce) {
  StartAgent("a", "ce");
  const auto marker = dir_->path() / "runs";
  Register("once", {.script = "echo run >> " + marker.string() + "; sleep 2; echo finished"});
  const std::string id = Submit("q", "once");
  WaitFor(id, JobStatus::RUNNING);
  const int port = Port();
  batchd_->Kill();
  StartBatchd(port);  // same database, same address: the agent reconnects
  JobDetail job = WaitFor(id, JobStatus::SUCCEEDED, std::chrono::seconds(40));
  EXPECT_EQ(job.attempts_size(), 1);
  std::ifstream in(marker);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(all, "run\n") << "the job must run exactly once";
  EXPECT_NE(Logs(id).find("finished"), std::string::npos);
}

// PostgreSQL refuses the scheduler's writes for a while. The commit is tried again with what
// was placed meanwhile behind it, nothing starts before it is stored, and then every job runs
// once.
TEST_F(Recovery, ARefusedCommitIsRetriedAndNothingStartsBeforeItIsStored) {
  StartAgent("a", "ce", 4);
  const auto marker = dir_->path() / "runs";
  Register("once", {.script = "echo $AWS_BATCH_JOB_ID >> " + marker.string()});
  pqxx::connection db(database_url_);
  pqxx::nontransaction sql(db);
  sql.exec(
      "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
      "$$BEGIN RAISE EXCEPTION 'refused by the test'; END$$; "
      "CREATE TRIGGER refuse BEFORE UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION refuse()");
  std::vector<std::string> ids = {Submit("q", "once")};
  ASSERT_TRUE(PollUntil([&] { return Count(batchd_->Log(), "refused by the test") > 0; }))
      << Diagnostics();
  for (int i = 0; i < 3; ++i) ids.push_back(Submit("q", "once"));
  const size_t refusals = Count(batchd_->Log(), "refused by the test");
  ASSERT_TRUE(PollUntil([&] { return Count(batchd_->Log(), "refused by the test") > refusals; }))
      << "the commit was not tried again: " << Diagnostics();
  EXPECT_FALSE(std::filesystem::exists(marker)) << "a job started before its start was stored";
  for (const std::string& id : ids) EXPECT_EQ(Describe(id).status(), JobStatus::RUNNABLE) << id;

  sql.exec("DROP TRIGGER refuse ON jobs");
  std::multiset<std::string> expected;
  for (const std::string& id : ids) {
    EXPECT_EQ(WaitFor(id, JobStatus::SUCCEEDED).attempts_size(), 1) << id;
    expected.insert(id);
  }
  std::ifstream in(marker);
  std::multiset<std::string> ran;
  for (std::string line; std::getline(in, line);) ran.insert(line);
  EXPECT_EQ(ran, expected) << "each job runs exactly once";
}

TEST_F(Recovery, AWrongTokenIsRefusedWithoutShowingIt) {
  const auto token_file = dir_->path() / "wrong-token";
  std::ofstream(token_file) << "not-the-token-s3cr3t\n";
  AgentOptions options;
  options.scheduler = batchd_->address();
  options.token_file = token_file;
  options.compute_environment = "ce";
  options.work_dir = AgentDir("wrong");
  AgentProcess agent(options);
  ASSERT_TRUE(PollUntil([&] { return !agent.Running(); }));
  EXPECT_NE(agent.exit_code(), 0);
  const std::string log = agent.Log();
  EXPECT_NE(log.find("join token rejected"), std::string::npos) << log;
  EXPECT_EQ(log.find("s3cr3t"), std::string::npos) << log;
  EXPECT_EQ(batchd_->Log().find("s3cr3t"), std::string::npos);
}

}  // namespace
}  // namespace batchd::testing
