// The grouping of submissions, with an insert function that records what it is given: what
// is committed, and with whom, is the batcher's whole job (Store::InsertJobs is tested with
// PostgreSQL in store_tests).
#include "service/submit_batcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <map>
#include <thread>

#include "api/api_error.h"
#include "support/wait.h"

namespace batchd::service {
namespace {

using batch::v1::SubmitJobResponse;

std::vector<store::NewJob> Jobs(std::initializer_list<const char*> ids) {
  std::vector<store::NewJob> jobs;
  for (const char* id : ids) {
    store::NewJob job;
    job.detail.set_job_id(id);
    jobs.push_back(job);
  }
  return jobs;
}

std::vector<std::string> Ids(const std::vector<SubmitJobResponse>& written) {
  std::vector<std::string> ids;
  for (const auto& w : written) ids.push_back(w.job_id());
  return ids;
}

// Answers each job with its id; refuses any group holding a job named "bad"; the first call
// blocks until `release` is set, so that others queue up behind it.
class FakeInsert {
 public:
  std::vector<SubmitJobResponse> operator()(const std::vector<store::NewJob>& jobs) {
    bool first = false;
    {
      std::lock_guard lock(mu_);
      std::vector<std::string> ids;
      for (const auto& j : jobs) ids.push_back(j.detail.job_id());
      groups_.push_back(ids);
      first = groups_.size() == 1;
    }
    if (first) release.get_future().wait();
    std::vector<SubmitJobResponse> out;
    for (const auto& j : jobs) {
      if (j.detail.job_id() == "bad") api::ThrowFailedPrecondition("job queue is DISABLED");
      SubmitJobResponse r;
      r.set_job_id(j.detail.job_id());
      out.push_back(r);
    }
    return out;
  }

  std::vector<std::vector<std::string>> groups() {
    std::lock_guard lock(mu_);
    return groups_;
  }

  std::promise<void> release;

 private:
  std::mutex mu_;
  std::vector<std::vector<std::string>> groups_;
};

TEST(SubmitBatcherTest, AloneACallIsWrittenAtOnce) {
  FakeInsert insert;
  insert.release.set_value();
  SubmitBatcher batcher([&](const auto& jobs) { return insert(jobs); }, 100);
  EXPECT_EQ(Ids(batcher.Write(Jobs({"a", "b"}))), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(insert.groups().size(), 1u);
}

TEST(SubmitBatcherTest, CallsArrivingDuringAWriteShareTheNextTransaction) {
  FakeInsert insert;
  SubmitBatcher batcher([&](const auto& jobs) { return insert(jobs); }, 100);
  auto first = std::async(std::launch::async, [&] { return batcher.Write(Jobs({"a"})); });
  ASSERT_TRUE(testing::PollUntil([&] { return !insert.groups().empty(); }));
  std::vector<std::future<std::vector<SubmitJobResponse>>> later;
  for (const char* id : {"b", "c", "d"}) {
    later.push_back(std::async(std::launch::async, [&, id] { return batcher.Write(Jobs({id})); }));
  }
  ASSERT_TRUE(testing::PollUntil([&] { return batcher.waiting() == 3; }));
  insert.release.set_value();
  EXPECT_EQ(Ids(first.get()), std::vector<std::string>{"a"});
  std::vector<std::string> answered;
  for (auto& f : later) answered.push_back(Ids(f.get()).at(0));
  EXPECT_EQ(answered, (std::vector<std::string>{"b", "c", "d"}));
  ASSERT_EQ(insert.groups().size(), 2u);
  EXPECT_EQ(insert.groups()[1].size(), 3u);
}

TEST(SubmitBatcherTest, AFailingCallFailsAloneAndTheOthersAreWritten) {
  FakeInsert insert;
  SubmitBatcher batcher([&](const auto& jobs) { return insert(jobs); }, 100);
  auto first = std::async(std::launch::async, [&] { return batcher.Write(Jobs({"a"})); });
  ASSERT_TRUE(testing::PollUntil([&] { return !insert.groups().empty(); }));
  auto good = std::async(std::launch::async, [&] { return batcher.Write(Jobs({"b", "c"})); });
  ASSERT_TRUE(testing::PollUntil([&] { return batcher.waiting() == 1; }));
  auto bad = std::async(std::launch::async, [&] { return batcher.Write(Jobs({"bad"})); });
  ASSERT_TRUE(testing::PollUntil([&] { return batcher.waiting() == 2; }));
  insert.release.set_value();
  first.get();
  EXPECT_EQ(Ids(good.get()), (std::vector<std::string>{"b", "c"}));
  EXPECT_THROW(bad.get(), api::ApiError);
  // The group, then each of its calls alone.
  ASSERT_EQ(insert.groups().size(), 4u);
  EXPECT_EQ(insert.groups()[1], (std::vector<std::string>{"b", "c", "bad"}));
}

TEST(SubmitBatcherTest, WithTwoWritersAGroupIsWrittenWhileAnotherCommits) {
  FakeInsert insert;
  SubmitBatcher batcher([&](const auto& jobs) { return insert(jobs); }, 100, 2);
  auto first = std::async(std::launch::async, [&] { return batcher.Write(Jobs({"a"})); });
  ASSERT_TRUE(testing::PollUntil([&] { return insert.groups().size() == 1; }));
  // The first write still waits for its commit; the second goes ahead of it.
  EXPECT_EQ(Ids(batcher.Write(Jobs({"b"}))), std::vector<std::string>{"b"});
  insert.release.set_value();
  EXPECT_EQ(Ids(first.get()), std::vector<std::string>{"a"});
}

TEST(SubmitBatcherTest, AGroupHoldsAtMostMaxJobs) {
  FakeInsert insert;
  SubmitBatcher batcher([&](const auto& jobs) { return insert(jobs); }, 3);
  auto first = std::async(std::launch::async, [&] { return batcher.Write(Jobs({"a"})); });
  ASSERT_TRUE(testing::PollUntil([&] { return !insert.groups().empty(); }));
  std::vector<std::future<std::vector<SubmitJobResponse>>> later;
  for (const char* id : {"b", "c", "d", "e"}) {
    later.push_back(std::async(std::launch::async, [&, id] { return batcher.Write(Jobs({id})); }));
    ASSERT_TRUE(testing::PollUntil([&] { return batcher.waiting() == later.size(); }));
  }
  insert.release.set_value();
  for (auto& f : later) f.get();
  first.get();
  ASSERT_EQ(insert.groups().size(), 3u);
  EXPECT_EQ(insert.groups()[1], (std::vector<std::string>{"b", "c", "d"}));
  EXPECT_EQ(insert.groups()[2], (std::vector<std::string>{"e"}));
}

TEST(SubmitBatcherTest, SubmitReturnsAtOnceAndDoneTellsEachCallItsOwnAnswer) {
  FakeInsert insert;
  SubmitBatcher batcher([&](const auto& jobs) { return insert(jobs); }, 100);
  std::mutex mu;
  std::map<std::string, std::string> answers;  // first job of the call -> answer or error
  auto done = [&](const std::vector<store::NewJob>& jobs, std::vector<SubmitJobResponse> written,
                  std::exception_ptr error) {
    std::string answer;
    try {
      if (error) std::rethrow_exception(error);
      answer = Ids(written).at(0);
    } catch (const api::ApiError& e) {
      answer = e.what();
    }
    std::lock_guard lock(mu);
    answers[jobs.at(0).detail.job_id()] = answer;
  };
  // The first write blocks in Insert, yet every Submit returns: nothing waits on the caller.
  batcher.Submit(Jobs({"a"}), done);
  ASSERT_TRUE(testing::PollUntil([&] { return !insert.groups().empty(); }));
  batcher.Submit(Jobs({"b"}), done);
  batcher.Submit(Jobs({"bad"}), done);
  EXPECT_EQ(batcher.waiting(), 2u);
  insert.release.set_value();
  ASSERT_TRUE(testing::PollUntil([&] {
    std::lock_guard lock(mu);
    return answers.size() == 3;
  }));
  std::lock_guard lock(mu);
  EXPECT_EQ(answers["a"], "a");
  EXPECT_EQ(answers["b"], "b");
  EXPECT_EQ(answers["bad"], "job queue is DISABLED");
}

TEST(SubmitBatcherTest, CallsQueuedWhenItStopsAreStillWritten) {
  FakeInsert insert;
  std::atomic<int> answered{0};
  {
    SubmitBatcher batcher([&](const auto& jobs) { return insert(jobs); }, 100);
    auto count = [&](const auto&, auto, std::exception_ptr) { ++answered; };
    batcher.Submit(Jobs({"a"}), count);
    ASSERT_TRUE(testing::PollUntil([&] { return !insert.groups().empty(); }));
    batcher.Submit(Jobs({"b"}), count);
    insert.release.set_value();
  }
  EXPECT_EQ(answered, 2);
  EXPECT_EQ(insert.groups().size(), 2u);
}

}  // namespace
}  // namespace batchd::service
