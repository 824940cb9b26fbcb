// What runs where, and why a job waits: infeasible jobs, backfill, explain.
#include "dispatch_fixture.h"
#include "support/wait.h"

namespace batchd::testing {
namespace {

using namespace batch::v1;

class Placement : public DispatchTest {
 protected:
  void SetUp() override {
    DispatchTest::SetUp();
    CreateCe("ce");
    CreateQueue("q", "ce");
    StartAgent("a", "ce", /*vcpus=*/2, /*memory_mib=*/2048);
  }
};

TEST_F(Placement, AJobNoNodeCanFitFailsWithTheNumbers) {
  Register("huge", {.command = {"true"}, .vcpus = 64});
  JobDetail job = WaitFor(Submit("q", "huge"), JobStatus::FAILED);
  EXPECT_NE(job.status_reason().find("64 vCPU"), std::string::npos) << job.status_reason();
  EXPECT_NE(job.status_reason().find("2 vCPU"), std::string::npos) << job.status_reason();
}

TEST_F(Placement, SmallJobsBackfillPastABlockedHeadAndExplainSaysWhy) {
  Register("one", {.command = {"sleep", "30"}, .vcpus = 1});
  Register("two", {.command = {"true"}, .vcpus = 2});
  Register("small", {.command = {"true"}, .vcpus = 1});
  const std::string busy = Submit("q", "one");
  WaitFor(busy, JobStatus::RUNNING);
  const std::string head = Submit("q", "two");  // needs the whole node: waits
  const std::string later = Submit("q", "small");
  WaitFor(later, JobStatus::SUCCEEDED);
  EXPECT_EQ(Describe(head).status(), JobStatus::RUNNABLE);

  auto why = Explain(head);
  const std::string text = why.summary() + "\n" + [&] {
    std::string all;
    for (const auto& d : why.details()) all += d + "\n";
    return all;
  }();
  EXPECT_NE(text.find("2 vCPU"), std::string::npos) << text;
  EXPECT_NE(text.find("1 vCPU"), std::string::npos) << text;

  ASSERT_TRUE(Terminate(busy, "make room").ok());
  WaitFor(head, JobStatus::SUCCEEDED);
}

}  // namespace
}  // namespace batchd::testing
