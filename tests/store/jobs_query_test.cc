#include <set>
#include <thread>

#include "store_test_util.h"

namespace batchd::store {
namespace {

using api::ErrorCode;
using batch::v1::JobDetail;
using batch::v1::JobStatus;

class JobQueryTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    store_->CreateComputeEnvironment(MakeCe("ce"));
    store_->CreateJobQueue(MakeQueue("q", {"ce"}));
    store_->CreateJobQueue(MakeQueue("r", {"ce"}));
  }

  std::string Insert(const JobOptions& options) {
    return store_->InsertJobs({MakeJob(options)})[0].job_id();
  }

  std::vector<std::string> Names(const JobQuery& query) {
    std::vector<std::string> names;
    for (const auto& s : store_->ListJobs(query).items) names.push_back(s.job_name());
    return names;
  }
};

TEST_F(JobQueryTest, DescribeFollowsTheRequestedOrderAndSkipsUnknownIds) {
  auto a = Insert({.name = "a"});
  auto b = Insert({.name = "b"});
  auto jobs = store_->DescribeJobs({b, "no-such-job", a, b});
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].job_id(), b);
  EXPECT_EQ(jobs[1].job_id(), a);
  EXPECT_TRUE(store_->DescribeJobs({}).empty());
  EXPECT_TRUE(store_->DescribeJobs({"x"}).empty());
}

TEST_F(JobQueryTest, ListFiltersByQueueStatusNameDefinitionAndTime) {
  const int64_t t0 = 1'700'000'000'000;
  Insert({.queue = "q", .name = "Alpha-1", .created_at = t0 + 1, .definition = "build"});
  Insert({.queue = "q",
          .name = "alpha-2",
          .created_at = t0 + 2,
          .definition = "build",
          .revision = 2,
          .status = JobStatus::RUNNABLE});
  Insert({.queue = "r",
          .name = "beta",
          .created_at = t0 + 3,
          .definition = "test",
          .status = JobStatus::RUNNING});
  Insert({.queue = "r",
          .name = "alpha_3",
          .created_at = t0 + 4,
          .definition = "builder",
          .status = JobStatus::SUCCEEDED});

  EXPECT_EQ(Names({}), (std::vector<std::string>{"alpha_3", "beta", "alpha-2", "Alpha-1"}));
  EXPECT_EQ(Names({.queue = "q"}), (std::vector<std::string>{"alpha-2", "Alpha-1"}));
  EXPECT_EQ(Names({.statuses = {JobStatus::RUNNING, JobStatus::RUNNABLE}}),
            (std::vector<std::string>{"beta", "alpha-2"}));
  EXPECT_EQ(Names({.queue = "r", .statuses = {JobStatus::SUCCEEDED}}),
            std::vector<std::string>{"alpha_3"});
  EXPECT_EQ(Names({.name_prefix = "ALPHA-"}), (std::vector<std::string>{"alpha-2", "Alpha-1"}));
  // '_' is literal in a prefix, not a wildcard.
  EXPECT_EQ(Names({.name_prefix = "alpha_"}), std::vector<std::string>{"alpha_3"});
  EXPECT_EQ(Names({.name_exact = "BETA"}), std::vector<std::string>{"beta"});
  EXPECT_EQ(Names({.definition_name = "build"}), (std::vector<std::string>{"alpha-2", "Alpha-1"}));
  EXPECT_EQ(Names({.definition_name = "build", .definition_revision = 2}),
            std::vector<std::string>{"alpha-2"});
  EXPECT_EQ(Names({.definition_name = "build", .definition_is_prefix = true}),
            (std::vector<std::string>{"alpha_3", "alpha-2", "Alpha-1"}));
  EXPECT_EQ(Names({.created_before = t0 + 3}), (std::vector<std::string>{"alpha-2", "Alpha-1"}));
  EXPECT_EQ(Names({.created_after = t0 + 2}), (std::vector<std::string>{"alpha_3", "beta"}));
  EXPECT_EQ(Names({.created_before = t0 + 4, .created_after = t0 + 1}),
            (std::vector<std::string>{"beta", "alpha-2"}));

  auto summary = store_->ListJobs({.name_exact = "beta"}).items.at(0);
  EXPECT_EQ(summary.job_queue(), "r");
  EXPECT_EQ(summary.status(), JobStatus::RUNNING);
  EXPECT_EQ(summary.created_at(), t0 + 3);
  EXPECT_EQ(summary.job_definition(), api::JobDefinitionArn("test", 1));
  EXPECT_EQ(summary.job_arn(), api::MakeArn(api::kJobKind, summary.job_id()));
}

void PageThrough(Store& store, JobQuery query, size_t expected) {
  std::vector<std::string> ids;
  std::set<std::string> unique;
  int pages = 0;
  int64_t last_created = INT64_MAX;
  const size_t per_page = query.max_results > 0 ? query.max_results : 100;
  do {
    auto page = store.ListJobs(query);
    ASSERT_LE(page.items.size(), per_page);
    for (const auto& s : page.items) {
      EXPECT_LE(s.created_at(), last_created);
      last_created = s.created_at();
      ids.push_back(s.job_id());
      unique.insert(s.job_id());
    }
    query.next_token = page.next_token;
    ++pages;
  } while (!query.next_token.empty());
  EXPECT_EQ(ids.size(), expected);
  EXPECT_EQ(unique.size(), expected);
  EXPECT_EQ(pages, static_cast<int>((expected + per_page - 1) / per_page));
}

TEST_F(JobQueryTest, PagesThroughJobsWithoutDuplicatesOrGaps) {
  std::vector<NewJob> jobs;
  // Several jobs per millisecond, so the page boundaries fall inside equal created_at values.
  for (int i = 0; i < 250; ++i) jobs.push_back(MakeJob({.created_at = 1'700'000'000'000 + i / 7}));
  store_->InsertJobs(jobs);
  PageThrough(*store_, {.max_results = 100}, 250);
  PageThrough(*store_, {.queue = "q", .statuses = {JobStatus::SUBMITTED}, .max_results = 100}, 250);
  PageThrough(*store_, {.max_results = 0}, 250);  // 0 = 100 a page

  ExpectApiError([&] { store_->ListJobs({.next_token = "not-a-token"}); },
                 ErrorCode::kInvalidArgument, "nextToken: not a token returned by a previous call");
}

// Clients poll listings: after its first calls a listing is no longer planned for each.
TEST_F(JobQueryTest, APolledListingIsPlannedOnlyForItsFirstCalls) {
  Store store(url_, 1);
  for (int i = 0; i < 3; ++i) Insert({.queue = "q", .status = JobStatus::RUNNABLE});
  const JobQuery query{
      .queue = "q", .statuses = {JobStatus::RUNNABLE, JobStatus::RUNNING}, .max_results = 2};
  for (int i = 0; i < 20; ++i) ASSERT_EQ(store.ListJobs(query).items.size(), 2u);

  pqxx::connection conn(url_);
  pqxx::nontransaction txn(conn);
  txn.exec("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
  const pqxx::row counts = txn.exec1(
      "SELECT coalesce(sum(calls), 0), coalesce(sum(plans), 0) FROM pg_stat_statements "
      "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
      "AND query LIKE 'SELECT * FROM ((SELECT job_id%'");
  EXPECT_EQ(counts[0].as<int>(), 20);
  // PostgreSQL plans a prepared statement's first five calls for their values, then makes a
  // generic plan it keeps.
  EXPECT_LE(counts[1].as<int>(), 6);
}

// Each page size is a statement of its own; past the number kept prepared, the others are
// sent as they are and list the same.
TEST_F(JobQueryTest, EveryPageSizeListsTheSameJobs) {
  for (int i = 0; i < 3; ++i) Insert({.queue = "q", .status = JobStatus::RUNNABLE});
  for (int size = 1; size <= 300; ++size) {
    const Page<batch::v1::JobSummary> page =
        store_->ListJobs({.queue = "q", .statuses = {JobStatus::RUNNABLE}, .max_results = size});
    ASSERT_EQ(page.items.size(), static_cast<size_t>(std::min(size, 3))) << size;
    EXPECT_EQ(page.next_token.empty(), size >= 3) << size;
  }
}

TEST_F(JobQueryTest, UpdateJobWritesStatusTimesFlagsAndAttempts) {
  auto id = Insert({.name = "u"});
  auto updated = store_->UpdateJob(id, [](JobDetail& job) {
    EXPECT_EQ(job.status(), JobStatus::SUBMITTED);
    job.set_status(JobStatus::FAILED);
    job.set_status_reason("Essential container in task exited");
    job.set_started_at(100);
    job.set_stopped_at(200);
    job.set_is_terminated(true);
    auto* attempt = job.add_attempts();
    attempt->set_attempt_id("att-1");
    attempt->mutable_container()->set_exit_code(3);
    attempt->mutable_container()->set_reason("exit 3");
  });
  EXPECT_EQ(updated.status(), JobStatus::FAILED);

  auto job = store_->DescribeJobs({id}).at(0);
  EXPECT_EQ(job.status(), JobStatus::FAILED);
  EXPECT_EQ(job.status_reason(), "Essential container in task exited");
  EXPECT_EQ(job.started_at(), 100);
  EXPECT_EQ(job.stopped_at(), 200);
  EXPECT_TRUE(job.is_terminated());
  EXPECT_FALSE(job.is_cancelled());
  ASSERT_EQ(job.attempts_size(), 1);
  EXPECT_EQ(job.attempts(0).attempt_id(), "att-1");
  EXPECT_EQ(job.container().exit_code(), 3);
  EXPECT_EQ(job.container().reason(), "exit 3");
  EXPECT_EQ(job.container().command(0), "true");

  auto summary = store_->ListJobs({.name_exact = "u"}).items.at(0);
  EXPECT_EQ(summary.status(), JobStatus::FAILED);
  EXPECT_EQ(summary.container().exit_code(), 3);
  EXPECT_EQ(summary.container().reason(), "exit 3");
  EXPECT_EQ(summary.stopped_at(), 200);

  ExpectApiError([&] { store_->UpdateJob("nope", [](JobDetail&) {}); }, ErrorCode::kNotFound,
                 "job \"nope\" not found");
  ExpectApiError(
      [&] {
        store_->UpdateJob(id, [](JobDetail& j) {
          j.set_status(JobStatus::RUNNING);
          api::ThrowFailedPrecondition("refused");
        });
      },
      ErrorCode::kFailedPrecondition, "");
  EXPECT_EQ(store_->DescribeJobs({id}).at(0).status(), JobStatus::FAILED);
}

TEST_F(JobQueryTest, ConcurrentJobUpdatesAreSerialised) {
  auto id = Insert({});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        store_->UpdateJob(id, [&](JobDetail& job) {
          job.add_attempts()->set_attempt_id(std::to_string(t) + "-" + std::to_string(i));
        });
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(store_->DescribeJobs({id}).at(0).attempts_size(), 40);
}

}  // namespace
}  // namespace batchd::store
