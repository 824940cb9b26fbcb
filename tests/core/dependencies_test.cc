#include "core/dependencies.h"

#include <gtest/gtest.h>

namespace batchd::core {
namespace {

using batch::v1::DependencyCondition;
using batch::v1::JobStatus;

TEST(Dependencies, NoneMeansRunnable) {
  auto s = DecideInitialState({});
  EXPECT_EQ(s.status, JobStatus::RUNNABLE);
  EXPECT_TRUE(s.reason.empty());
}

TEST(Dependencies, UnfinishedMeansPendingWithTheirIds) {
  auto s = DecideInitialState({{"a", DependencyCondition::afterok, JobStatus::RUNNING},
                               {"b", DependencyCondition::afterok, JobStatus::SUCCEEDED},
                               {"c", DependencyCondition::afterany, JobStatus::RUNNABLE}});
  EXPECT_EQ(s.status, JobStatus::PENDING);
  EXPECT_EQ(s.reason, "waiting for 2 dependencies: a, c");
}

TEST(Dependencies, ConditionsDecideOnFinishedOnes) {
  using C = DependencyCondition;
  struct Case {
    C::Value cond;
    JobStatus::Value dep;
    JobStatus::Value expect;
  };
  for (auto c :
       {Case{C::DEPENDENCY_CONDITION_UNSPECIFIED, JobStatus::SUCCEEDED, JobStatus::RUNNABLE},
        Case{C::DEPENDENCY_CONDITION_UNSPECIFIED, JobStatus::FAILED, JobStatus::FAILED},
        Case{C::afterok, JobStatus::FAILED, JobStatus::FAILED},
        Case{C::afterany, JobStatus::FAILED, JobStatus::RUNNABLE},
        Case{C::afterany, JobStatus::SUCCEEDED, JobStatus::RUNNABLE},
        Case{C::afternotok, JobStatus::FAILED, JobStatus::RUNNABLE},
        Case{C::afternotok, JobStatus::SUCCEEDED, JobStatus::FAILED}}) {
    auto s = DecideInitialState({{"d", c.cond, c.dep}});
    EXPECT_EQ(s.status, c.expect) << C::Value_Name(c.cond) << " " << JobStatus::Value_Name(c.dep);
    if (c.expect == JobStatus::FAILED) {
      EXPECT_NE(s.reason.find("Dependent Job failed: dependency d "), std::string::npos);
    }
  }
}

TEST(Dependencies, ManyWaitingAreSummarised) {
  std::vector<DependencyState> deps;
  for (int i = 0; i < 8; ++i)
    deps.push_back({"j" + std::to_string(i), DependencyCondition::afterok, JobStatus::PENDING});
  auto s = DecideInitialState(deps);
  EXPECT_EQ(s.reason, "waiting for 8 dependencies: j0, j1, j2, j3, j4, ...");
}

}  // namespace
}  // namespace batchd::core
