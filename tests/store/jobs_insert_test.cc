#include <chrono>
#include <cstdio>
#include <set>
#include <thread>

#include "store_test_util.h"

namespace batchd::store {
namespace {

using api::ErrorCode;
using batch::v1::JobStatus;

class JobsTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    store_->CreateComputeEnvironment(MakeCe("ce"));
    store_->CreateJobQueue(MakeQueue("q", {"ce"}));
    store_->CreateJobQueue(MakeQueue("off", {"ce"}, batch::v1::JQState::DISABLED));
  }
  int64_t Jobs() { return Count("SELECT count(*) FROM jobs"); }
};

TEST_F(JobsTest, InsertOneJobAndDescribeIt) {
  NewJob job = MakeJob({.name = "hello"});
  job.detail.mutable_retry_strategy()->set_attempts(3);
  (*job.detail.mutable_parameters())["p"] = "v";
  auto responses = store_->InsertJobs({job});
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].job_id(), job.detail.job_id());
  EXPECT_EQ(responses[0].job_name(), "hello");
  EXPECT_EQ(responses[0].job_arn(), api::MakeArn(api::kJobKind, job.detail.job_id()));

  auto described = store_->DescribeJobs({job.detail.job_id()});
  ASSERT_EQ(described.size(), 1u);
  const auto& d = described[0];
  EXPECT_EQ(d.job_name(), "hello");
  EXPECT_EQ(d.status(), JobStatus::SUBMITTED);
  EXPECT_EQ(d.created_at(), job.detail.created_at());
  EXPECT_EQ(d.retry_strategy().attempts(), 3);
  EXPECT_EQ(d.parameters().at("p"), "v");
  EXPECT_EQ(d.job_queue(), job.detail.job_queue());
  EXPECT_EQ(d.job_definition(), api::JobDefinitionArn("def", 1));
}

TEST_F(JobsTest, InsertsAThousandJobsInOneCall) {
  std::vector<NewJob> jobs;
  for (int i = 0; i < 1000; ++i) jobs.push_back(MakeJob({.name = "j" + std::to_string(i)}));
  auto responses = store_->InsertJobs(jobs);
  ASSERT_EQ(responses.size(), 1000u);
  for (size_t i = 0; i < jobs.size(); ++i) {
    ASSERT_EQ(responses[i].job_id(), jobs[i].detail.job_id());
  }
  EXPECT_EQ(Jobs(), 1000);
}

TEST_F(JobsTest, InsertsTenThousandJobsAndReportsTheRate) {
  std::vector<NewJob> jobs;
  for (int i = 0; i < 10000; ++i) {
    jobs.push_back(MakeJob({.name = "j" + std::to_string(i), .created_at = 1'700'000'000'000 + i}));
  }
  auto start = std::chrono::steady_clock::now();
  auto responses = store_->InsertJobs(jobs);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  EXPECT_EQ(responses.size(), 10000u);
  EXPECT_EQ(Jobs(), 10000);
  std::printf("[ figure ] InsertJobs: 10000 jobs in one call took %lld ms (%.0f jobs/s)\n",
              static_cast<long long>(ms), ms > 0 ? 10000.0 * 1000.0 / ms : 0.0);
}

TEST_F(JobsTest, MissingOrDisabledQueueRejectsTheWholeBatch) {
  ExpectApiError(
      [&] {
        store_->InsertJobs({MakeJob(), MakeJob({.queue = "nope"}), MakeJob()});
      },
      ErrorCode::kNotFound, "job queue \"nope\" not found");
  ExpectApiError(
      [&] {
        store_->InsertJobs({MakeJob(), MakeJob({.queue = "off"})});
      },
      ErrorCode::kFailedPrecondition, "job queue \"off\" is DISABLED: it accepts no new jobs");
  EXPECT_EQ(Jobs(), 0);
  EXPECT_TRUE(store_->InsertJobs({}).empty());
}

TEST_F(JobsTest, ClientTokenReturnsTheStoredJobOrRefusesADifferentRequest) {
  auto first = MakeJob({.name = "a", .client_token = "tok", .fingerprint = "fp1"});
  auto id = store_->InsertJobs({first})[0].job_id();

  auto retry = MakeJob({.name = "a", .client_token = "tok", .fingerprint = "fp1"});
  auto other = MakeJob({.name = "b"});
  auto responses = store_->InsertJobs({retry, other});
  EXPECT_EQ(responses[0].job_id(), id);
  EXPECT_EQ(responses[0].job_name(), "a");
  EXPECT_EQ(responses[1].job_id(), other.detail.job_id());
  EXPECT_EQ(Jobs(), 2);

  auto changed = MakeJob({.name = "a", .client_token = "tok", .fingerprint = "fp2"});
  ExpectApiError(
      [&] {
        store_->InsertJobs({MakeJob(), changed});
      },
      ErrorCode::kAlreadyExists,
      "clientToken \"tok\" was already used for job " + id + " with a different request");
  EXPECT_EQ(Jobs(), 2);
}

// Nearly every job has no token: its row versions must not each add an index entry.
TEST_F(JobsTest, OnlyJobsWithAClientTokenAreIndexedByIt) {
  const std::string indexes_on_token =
      "SELECT count(*) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
      "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'jobs'::regclass "
      "AND a.attname = 'client_token'";
  EXPECT_EQ(Count(indexes_on_token + " AND i.indpred IS NULL"), 0);
  EXPECT_EQ(Count(indexes_on_token + " AND i.indisunique AND pg_get_expr(i.indpred, i.indrelid) "
                                     "= '(client_token IS NOT NULL)'"),
            1);
  store_->InsertJobs({MakeJob(), MakeJob(), MakeJob({.client_token = "t", .fingerprint = "f"})});
  ExpectApiError([&] { store_->InsertJobs({MakeJob({.client_token = "t", .fingerprint = "g"})}); },
                 ErrorCode::kAlreadyExists, "clientToken \"t\" was already used");
  EXPECT_EQ(Jobs(), 3);
}

// A submit whose outcome was unknown (the connection broke around its commit) is written
// again with the same job ids: it answers as the first did and makes no second row.
TEST_F(JobsTest, WritingTheSameJobsAgainAnswersTheSame) {
  const std::vector<NewJob> jobs = {MakeJob({.name = "a"}), MakeJob({.name = "b"})};
  const auto first = store_->InsertJobs(jobs);
  const auto again = store_->InsertJobs(jobs);
  ASSERT_EQ(again.size(), 2u);
  for (size_t i = 0; i < jobs.size(); ++i) {
    EXPECT_EQ(again[i].job_id(), jobs[i].detail.job_id());
    EXPECT_EQ(again[i].job_id(), first[i].job_id());
    EXPECT_EQ(again[i].job_name(), first[i].job_name());
  }
  EXPECT_EQ(Jobs(), 2);
}

TEST_F(JobsTest, SameTokenTwiceInOneBatch) {
  auto a = MakeJob({.client_token = "t", .fingerprint = "f"});
  auto b = MakeJob({.client_token = "t", .fingerprint = "f"});
  auto responses = store_->InsertJobs({a, b});
  EXPECT_EQ(responses[0].job_id(), a.detail.job_id());
  EXPECT_EQ(responses[1].job_id(), a.detail.job_id());
  EXPECT_EQ(Jobs(), 1);
}

TEST_F(JobsTest, ConcurrentInsertsWithTheSameTokenMakeOneJob) {
  constexpr int kThreads = 6;
  std::vector<std::string> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ids[t] =
          store_->InsertJobs({MakeJob({.client_token = "same", .fingerprint = "f"})})[0].job_id();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 1u);
  EXPECT_EQ(Jobs(), 1);
}

NewJob ArrayJob(const std::string& token, int size,
                JobStatus::Value children = JobStatus::RUNNABLE) {
  NewJob job = MakeJob({.name = "arr", .client_token = token, .fingerprint = "f"});
  job.detail.mutable_array_properties()->set_size(size);
  job.detail.set_status(JobStatus::PENDING);
  job.children_status = children;
  return job;
}

TEST_F(JobsTest, ArrayChildrenHaveNoRowsUntilTheyChange) {
  const NewJob job = ArrayJob("arr-token", 3);
  const std::string parent = job.detail.job_id();
  store_->InsertJobs({job});
  EXPECT_EQ(Jobs(), 1) << "children are not written up front";

  auto described = store_->DescribeJobs({parent, parent + ":2", parent + ":3"});
  ASSERT_EQ(described.size(), 2u) << "index 3 is outside the array";
  EXPECT_EQ(described[0].array_properties().status_summary().at("RUNNABLE"), 3);
  const auto& child = described[1];
  EXPECT_EQ(child.job_id(), parent + ":2");
  EXPECT_EQ(child.status(), JobStatus::RUNNABLE);
  EXPECT_EQ(child.array_properties().index(), 2);
  EXPECT_EQ(child.array_properties().size(), 3);
  EXPECT_EQ(child.job_name(), "arr");

  // The first change writes the child's row.
  store_->UpdateJob(parent + ":1", [](batch::v1::JobDetail& j) {
    EXPECT_EQ(j.status(), JobStatus::RUNNABLE);
    j.set_status(JobStatus::STARTING);
  });
  EXPECT_EQ(Jobs(), 2);
  auto summary = store_->DescribeJobs({parent})[0].array_properties().status_summary();
  EXPECT_EQ(summary.at("RUNNABLE"), 2);
  EXPECT_EQ(summary.at("STARTING"), 1);
  auto statuses = store_->ArrayChildStatuses(parent);
  EXPECT_EQ(statuses, (std::vector<JobStatus::Value>{JobStatus::RUNNABLE, JobStatus::STARTING,
                                                     JobStatus::RUNNABLE}));
  auto some = store_->JobStatuses({parent + ":0", parent + ":1", "nope"});
  EXPECT_EQ(some.size(), 2u);
  EXPECT_EQ(some.at(parent + ":1"), JobStatus::STARTING);

  // Listed in index order, rows and the rest alike, a page at a time.
  JobQuery children;
  children.array_job_id = parent;
  children.max_results = 2;
  auto page = store_->ListJobs(children);
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[0].job_id(), parent + ":0");
  EXPECT_EQ(page.items[1].status(), JobStatus::STARTING);
  children.next_token = page.next_token;
  page = store_->ListJobs(children);
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].array_properties().index(), 2);
  EXPECT_TRUE(page.next_token.empty());
  children = JobQuery{.array_job_id = parent, .statuses = {JobStatus::STARTING}};
  EXPECT_EQ(store_->ListJobs(children).items.size(), 1u);

  // Other listings leave children out.
  EXPECT_EQ(store_->ListJobs(JobQuery{}).items.size(), 1u);
}

TEST_F(JobsTest, StoppingAParentEndsItsWaitingChildren) {
  const NewJob job = ArrayJob("", 4);
  const std::string parent = job.detail.job_id();
  store_->InsertJobs({job});
  store_->UpdateJob(parent + ":0",
                    [](batch::v1::JobDetail& j) { j.set_status(JobStatus::STARTING); });
  store_->UpdateJob(parent + ":1",
                    [](batch::v1::JobDetail& j) { j.set_status(JobStatus::RUNNABLE); });
  store_->StopJob(
      parent,
      [](batch::v1::JobDetail& j) {
        j.set_is_cancelled(true);
        j.set_status_reason("stop");
      },
      1000);
  auto statuses = store_->ArrayChildStatuses(parent);
  EXPECT_EQ(statuses, (std::vector<JobStatus::Value>{JobStatus::STARTING, JobStatus::FAILED,
                                                     JobStatus::FAILED, JobStatus::FAILED}));
  auto child = store_->DescribeJobs({parent + ":3"})[0];
  EXPECT_EQ(child.status_reason(), "stop");
  EXPECT_TRUE(child.is_cancelled());
}

TEST_F(JobsTest, AReleasedArraysChildrenBecomeRunnable) {
  const NewJob job = ArrayJob("", 2, JobStatus::PENDING);
  const std::string parent = job.detail.job_id();
  store_->InsertJobs({job});
  EXPECT_EQ(store_->DescribeJobs({parent + ":1"})[0].status(), JobStatus::PENDING);
  store_->ReleaseArrays({{parent, JobStatus::RUNNABLE}});
  EXPECT_EQ(store_->DescribeJobs({parent + ":1"})[0].status(), JobStatus::RUNNABLE);
}

}  // namespace
}  // namespace batchd::store
