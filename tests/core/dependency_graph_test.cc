#include "core/dependency_graph.h"

#include <gtest/gtest.h>

namespace batchd::core {
namespace {

using batch::v1::DependencyCondition;
using batch::v1::JobStatus;
using C = DependencyCondition;

std::string Id(int i) { return "j" + std::to_string(i); }

TEST(DependencyGraph, RunnableOnlyWhenTheLastDependencyFinishes) {
  DependencyGraph g;
  g.AddWaiting("c", {{"a", C::afterok}, {"b", C::afterany}});
  EXPECT_TRUE(g.Finished("a", JobStatus::SUCCEEDED).empty());
  ASSERT_NE(g.UnmetOf("c"), nullptr);
  EXPECT_EQ(g.UnmetOf("c")->size(), 1u);
  auto out = g.Finished("b", JobStatus::FAILED);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].job_id, "c");
  EXPECT_EQ(out[0].status, JobStatus::RUNNABLE);
  EXPECT_FALSE(g.IsWaiting("c"));
  EXPECT_EQ(g.size(), 0u);
}

TEST(DependencyGraph, ConditionsDecide) {
  struct Case {
    C::Value cond;
    JobStatus::Value dep;
    JobStatus::Value expect;
  };
  for (auto c : {Case{C::DEPENDENCY_CONDITION_UNSPECIFIED, JobStatus::FAILED, JobStatus::FAILED},
                 Case{C::afterok, JobStatus::SUCCEEDED, JobStatus::RUNNABLE},
                 Case{C::afterany, JobStatus::FAILED, JobStatus::RUNNABLE},
                 Case{C::afternotok, JobStatus::FAILED, JobStatus::RUNNABLE},
                 Case{C::afternotok, JobStatus::SUCCEEDED, JobStatus::FAILED}}) {
    DependencyGraph g;
    g.AddWaiting("x", {{"d", c.cond}});
    auto out = g.Finished("d", c.dep);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].status, c.expect) << C::Value_Name(c.cond);
  }
}

TEST(DependencyGraph, ReasonsNameTheDependency) {
  DependencyGraph g;
  g.AddWaiting("x", {{"d", C::afterok}});
  g.AddWaiting("y", {{"e", C::afternotok}});
  EXPECT_EQ(g.Finished("d", JobStatus::FAILED)[0].reason,
            "Dependent Job failed: dependency d failed");
  EXPECT_EQ(g.Finished("e", JobStatus::SUCCEEDED)[0].reason,
            "Dependent Job failed: dependency e succeeded; afternotok needs it to fail");
}

TEST(DependencyGraph, FailureRunsDownAChainOfFiftyInOneCall) {
  DependencyGraph g;
  for (int i = 1; i <= 50; ++i) g.AddWaiting(Id(i), {{Id(i - 1), C::afterok}});
  auto out = g.Finished(Id(0), JobStatus::FAILED);
  ASSERT_EQ(out.size(), 50u);
  for (int i = 1; i <= 50; ++i) {
    EXPECT_EQ(out[i - 1].job_id, Id(i));
    EXPECT_EQ(out[i - 1].status, JobStatus::FAILED);
    EXPECT_EQ(out[i - 1].reason, "Dependent Job failed: dependency " + Id(i - 1) + " failed");
  }
  EXPECT_EQ(g.size(), 0u);
}

TEST(DependencyGraph, AfteranyStopsAFailureFromRunningOn) {
  DependencyGraph g;
  g.AddWaiting("b", {{"a", C::afterok}});
  g.AddWaiting("cleanup", {{"b", C::afterany}});
  g.AddWaiting("c", {{"b", C::afterok}});
  auto out = g.Finished("a", JobStatus::FAILED);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].job_id, "b");
  EXPECT_EQ(out[1].job_id, "cleanup");
  EXPECT_EQ(out[1].status, JobStatus::RUNNABLE);
  EXPECT_EQ(out[2].job_id, "c");
  EXPECT_EQ(out[2].status, JobStatus::FAILED);
}

TEST(DependencyGraph, FanOutOfFiveHundred) {
  DependencyGraph g;
  for (int i = 0; i < 500; ++i) g.AddWaiting(Id(i), {{"root", C::afterok}});
  auto out = g.Finished("root", JobStatus::SUCCEEDED);
  ASSERT_EQ(out.size(), 500u);
  for (const auto& o : out) EXPECT_EQ(o.status, JobStatus::RUNNABLE);
}

TEST(DependencyGraph, AJobFailedTwiceOverIsDecidedOnce) {
  DependencyGraph g;
  g.AddWaiting("a", {{"root", C::afterok}});
  g.AddWaiting("b", {{"root", C::afterok}});
  g.AddWaiting("join", {{"a", C::afterok}, {"b", C::afterok}});
  auto out = g.Finished("root", JobStatus::FAILED);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[2].job_id, "join");
}

TEST(DependencyGraph, AWaitingJobThatFinishesStopsWaiting) {
  DependencyGraph g;
  g.AddWaiting("b", {{"a", C::afterok}});
  g.AddWaiting("c", {{"b", C::afterok}});
  // b is cancelled while it waits: c fails, and a finishing later decides nothing.
  auto out = g.Finished("b", JobStatus::FAILED);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].job_id, "c");
  EXPECT_TRUE(g.Finished("a", JobStatus::SUCCEEDED).empty());
}

TEST(DependencyGraph, ForgottenJobsAreNotDecided) {
  DependencyGraph g;
  g.AddWaiting("b", {{"a", C::afterok}});
  g.Forget("b");
  EXPECT_TRUE(g.Finished("a", JobStatus::SUCCEEDED).empty());
  // Registered again with other dependencies, the old edge stays inert.
  g.AddWaiting("b", {{"x", C::afterok}});
  EXPECT_TRUE(g.Finished("a", JobStatus::FAILED).empty());
  EXPECT_EQ(g.Finished("x", JobStatus::SUCCEEDED).size(), 1u);
}

TEST(DependencyGraph, WaitingReasonNamesAtMostFive) {
  std::vector<Dependency> deps;
  for (int i = 0; i < 7; ++i) deps.push_back({Id(i), C::afterok});
  EXPECT_EQ(WaitingReason(deps), "waiting for 7 dependencies: j0, j1, j2, j3, j4, ...");
  EXPECT_EQ(WaitingReason({{"a", C::afterok}}), "waiting for 1 dependency: a");
}

}  // namespace
}  // namespace batchd::core
