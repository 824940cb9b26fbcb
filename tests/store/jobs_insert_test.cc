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

std::vector<NewJob> ArrayJob(const std::string& token, int size) {
  std::vector<NewJob> jobs{MakeJob({.name = "arr", .client_token = token, .fingerprint = "f"})};
  jobs[0].detail.mutable_array_properties()->set_size(size);
  const std::string parent = jobs[0].detail.job_id();
  for (int i = 0; i < size; ++i) {
    NewJob child = MakeJob({.name = "arr"});
    child.detail.set_job_id(parent + ":" + std::to_string(i));
    child.detail.mutable_array_properties()->set_size(size);
    child.detail.mutable_array_properties()->set_index(i);
    jobs.push_back(child);
  }
  return jobs;
}

TEST_F(JobsTest, ArrayJobChildrenAndTheirStatusSummary) {
  auto jobs = ArrayJob("arr-token", 3);
  const std::string parent = jobs[0].detail.job_id();
  store_->InsertJobs(jobs);
  store_->UpdateJob(parent + ":1",
                    [](batch::v1::JobDetail& j) { j.set_status(JobStatus::RUNNABLE); });

  auto described = store_->DescribeJobs({parent, parent + ":2"});
  ASSERT_EQ(described.size(), 2u);
  const auto& summary = described[0].array_properties().status_summary();
  EXPECT_EQ(summary.at("SUBMITTED"), 2);
  EXPECT_EQ(summary.at("RUNNABLE"), 1);
  EXPECT_EQ(summary.at("FAILED"), 0);
  EXPECT_EQ(described[1].array_properties().index(), 2);

  JobQuery children;
  children.array_job_id = parent;
  auto page = store_->ListJobs(children);
  ASSERT_EQ(page.items.size(), 3u);
  for (const auto& s : page.items) {
    EXPECT_EQ(s.array_properties().size(), 3);
    EXPECT_TRUE(s.array_properties().has_index());
  }

  // Submitting the same array again (same token) writes neither parent nor children.
  auto again = ArrayJob("arr-token", 3);
  auto responses = store_->InsertJobs(again);
  EXPECT_EQ(responses[0].job_id(), parent);
  EXPECT_EQ(responses[2].job_id(), parent + ":1");
  EXPECT_EQ(Jobs(), 4);
}

}  // namespace
}  // namespace batchd::store
