// Jobs that wait on other jobs: promotion when dependencies end, conditions, and failures
// running down chains and fan-outs, with real jobs on a real agent.
#include <chrono>

#include "dispatch_fixture.h"
#include "support/wait.h"

namespace batchd::testing {
namespace {

using namespace batch::v1;

class Dependencies : public DispatchTest {
 protected:
  void SetUp() override {
    DispatchTest::SetUp();
    CreateCe("ce");
    CreateQueue("q", "ce");
    StartAgent("a", "ce", 4);
    Register("ok", {.command = {"true"}});
    Register("fail", {.command = {"false"}});
    Register("sleep", {.command = {"sleep", "Ref::seconds"}, .parameters = {{"seconds", "1"}}});
  }

  SubmitJobRequest After(const std::string& definition, const std::string& dependency,
                         DependencyCondition::Value condition = DependencyCondition::afterok) {
    SubmitJobRequest req = Request("q", definition);
    auto* d = req.add_depends_on();
    d->set_job_id(dependency);
    d->set_condition(condition);
    return req;
  }

  // Waits until every job of `ids` has ended; returns them described.
  std::vector<JobDetail> WaitAllEnded(const std::vector<std::string>& ids,
                                      std::chrono::seconds timeout = std::chrono::seconds(60)) {
    std::vector<JobDetail> jobs;
    const bool ended = PollUntil(
        [&] {
          jobs = DescribeAll(ids);
          for (const auto& j : jobs) {
            if (j.status() != JobStatus::SUCCEEDED && j.status() != JobStatus::FAILED) {
              return false;
            }
          }
          return jobs.size() == ids.size();
        },
        timeout, std::chrono::milliseconds(50));
    EXPECT_TRUE(ended) << Diagnostics();
    return jobs;
  }
};

TEST_F(Dependencies, ADependentWaitsPendingThenRunsAfterItsDependency) {
  const std::string first = Submit("q", "sleep");
  const std::string second = Submit(After("ok", first));
  JobDetail pending = Describe(second);
  EXPECT_EQ(pending.status(), JobStatus::PENDING);
  EXPECT_EQ(pending.status_reason(), "waiting for 1 dependency: " + first);
  EXPECT_EQ(Explain(second).summary(), "waiting for 1 dependency: " + first);

  JobDetail done = WaitFor(second, JobStatus::SUCCEEDED);
  EXPECT_GE(done.started_at(), Describe(first).stopped_at());
  EXPECT_TRUE(done.status_reason().empty()) << done.status_reason();
}

TEST_F(Dependencies, FailureRunsDownAChainOfFifty) {
  // The chain is written while its root still runs, so every link is decided by the scheduler.
  const std::string root = Submit("q", "sleep");
  std::vector<std::string> chain{root};
  for (int i = 0; i < 50; ++i) chain.push_back(Submit(After("ok", chain.back())));
  ASSERT_TRUE(Terminate(root, "stop the chain").ok());

  const auto started = std::chrono::steady_clock::now();
  auto jobs = WaitAllEnded(chain);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  ASSERT_EQ(jobs.size(), chain.size());
  for (size_t i = 1; i < jobs.size(); ++i) {
    EXPECT_EQ(jobs[i].status(), JobStatus::FAILED);
    EXPECT_EQ(jobs[i].status_reason(),
              "Dependent Job failed: dependency " + chain[i - 1] + " failed");
    EXPECT_TRUE(jobs[i].attempts().empty()) << "a dependent of a failed job never runs";
  }
  std::printf("chain of 50 failed within %lld ms of the terminate\n",
              static_cast<long long>(took.count()));
}

TEST_F(Dependencies, FailureReachesAFanOutOfFiveHundred) {
  const std::string root = Submit("q", "fail");
  WaitFor(root, JobStatus::FAILED);
  // Submitted after the root failed: each fails at once, as submitted.
  std::vector<SubmitJobRequest> late(10, After("ok", root));
  for (const auto& job : DescribeAll(SubmitAll(late))) {
    EXPECT_EQ(job.status(), JobStatus::FAILED);
    EXPECT_EQ(job.status_reason(), "Dependent Job failed: dependency " + root + " failed");
  }
  // Submitted while the root waits: the scheduler fails all 500 when it ends.
  const std::string gate = Submit("q", "sleep");
  const std::string middle = Submit(After("fail", gate));
  std::vector<SubmitJobRequest> fan(500, After("ok", middle));
  const auto ids = SubmitAll(fan);
  auto jobs = WaitAllEnded(ids);
  ASSERT_EQ(jobs.size(), 500u);
  for (const auto& job : jobs) {
    EXPECT_EQ(job.status(), JobStatus::FAILED);
    EXPECT_EQ(job.status_reason(), "Dependent Job failed: dependency " + middle + " failed");
  }
  EXPECT_EQ(Describe(middle).attempts_size(), 1) << "the middle job ran and failed";
}

TEST_F(Dependencies, AfteranyAndAfternotokRunOnAFailure) {
  const std::string gate = Submit("q", "sleep");
  const std::string failing = Submit(After("fail", gate));
  const std::string any = Submit(After("ok", failing, DependencyCondition::afterany));
  const std::string notok = Submit(After("ok", failing, DependencyCondition::afternotok));
  const std::string ok = Submit(After("ok", failing, DependencyCondition::afterok));
  WaitFor(any, JobStatus::SUCCEEDED);
  WaitFor(notok, JobStatus::SUCCEEDED);
  WaitFor(ok, JobStatus::FAILED);
}

TEST_F(Dependencies, AfternotokFailsOnASuccess) {
  const std::string gate = Submit("q", "sleep");
  const std::string notok = Submit(After("ok", gate, DependencyCondition::afternotok));
  const std::string any = Submit(After("ok", gate, DependencyCondition::afterany));
  JobDetail failed = WaitFor(notok, JobStatus::FAILED);
  EXPECT_EQ(failed.status_reason(),
            "Dependent Job failed: dependency " + gate + " succeeded; afternotok needs it to fail");
  WaitFor(any, JobStatus::SUCCEEDED);
}

TEST_F(Dependencies, ManyDependenciesAllCount) {
  std::vector<std::string> deps;
  for (int i = 0; i < 5; ++i) deps.push_back(Submit("q", "sleep"));
  SubmitJobRequest req = Request("q", "ok");
  for (const auto& d : deps) req.add_depends_on()->set_job_id(d);
  const std::string join = Submit(req);
  JobDetail done = WaitFor(join, JobStatus::SUCCEEDED);
  for (const auto& d : DescribeAll(deps)) EXPECT_GE(done.started_at(), d.stopped_at());
}

TEST_F(Dependencies, UnknownDependenciesAreRejected) {
  SubmitJobRequest req = Request("q", "ok");
  req.add_depends_on()->set_job_id("00000000-0000-4000-8000-000000000000");
  grpc::Status status = TrySubmit(req, nullptr);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "dependsOn[0].jobId: job 00000000-0000-4000-8000-000000000000 does not exist");
}

TEST_F(Dependencies, WaitingSurvivesARestartOfBatchd) {
  SubmitJobRequest slow = Request("q", "sleep");
  (*slow.mutable_parameters())["seconds"] = "2";
  const std::string first = Submit(slow);
  const std::string second = Submit(After("ok", first));
  const std::string third = Submit(After("ok", second));
  WaitFor(first, JobStatus::RUNNING);
  const int port = Port();
  batchd_->Kill();
  StartBatchd(port);
  WaitFor(third, JobStatus::SUCCEEDED);
  EXPECT_EQ(Describe(second).status(), JobStatus::SUCCEEDED);
}

TEST_F(Dependencies, CancellingAWaitingJobFailsItsDependents) {
  const std::string gate = Submit("q", "sleep");
  const std::string waiting = Submit(After("ok", gate));
  const std::string after = Submit(After("ok", waiting));
  ASSERT_TRUE(Cancel(waiting, "not needed").ok());
  JobDetail failed = WaitFor(after, JobStatus::FAILED);
  EXPECT_EQ(failed.status_reason(), "Dependent Job failed: dependency " + waiting + " failed");
  EXPECT_EQ(Describe(waiting).status_reason(), "not needed");
}

}  // namespace
}  // namespace batchd::testing
