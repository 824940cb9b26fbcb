#include "cli/arguments.h"

#include <gtest/gtest.h>

#include "api/job_states.h"
#include "cli/errors.h"

namespace batchd::cli {
namespace {

using batch::v1::ArrayJobDependency;
using batch::v1::DependencyCondition;
using batch::v1::JobStatus;

// The message a usage error carries, or "" when none was thrown.
template <typename F>
std::string UsageMessage(F f) {
  try {
    f();
  } catch (const CliError& e) {
    EXPECT_EQ(e.exit_code(), kExitUsage);
    return e.what();
  }
  return "";
}

TEST(ParseKeyValue, SplitsAtTheFirstEquals) {
  EXPECT_EQ(ParseKeyValue("--env", "A=b=c"), std::make_pair(std::string("A"), std::string("b=c")));
  EXPECT_EQ(ParseKeyValue("--env", "A="), std::make_pair(std::string("A"), std::string("")));
}

TEST(ParseKeyValue, NamesTheFlagWhenMalformed) {
  EXPECT_EQ(UsageMessage([] { ParseKeyValue("--env", "FOO"); }),
            "--env: expected KEY=VALUE, got \"FOO\"");
  EXPECT_EQ(UsageMessage([] { ParseKeyValue("--param", "=x"); }),
            "--param: the KEY in KEY=VALUE is empty (got \"=x\")");
}

TEST(ParseDependency, PlainId) {
  auto dep = ParseDependency("--depends-on", "0b6c1e2a-1111-4222-8333-444455556666");
  EXPECT_EQ(dep.job_id(), "0b6c1e2a-1111-4222-8333-444455556666");
  EXPECT_EQ(dep.type(), ArrayJobDependency::ARRAY_JOB_DEPENDENCY_UNSPECIFIED);
  EXPECT_EQ(dep.condition(), DependencyCondition::DEPENDENCY_CONDITION_UNSPECIFIED);
}

TEST(ParseDependency, TypeAndConditionInEitherOrder) {
  auto a = ParseDependency("--depends-on", "abc:n_to_n:afterany");
  EXPECT_EQ(a.job_id(), "abc");
  EXPECT_EQ(a.type(), ArrayJobDependency::N_TO_N);
  EXPECT_EQ(a.condition(), DependencyCondition::afterany);
  auto b = ParseDependency("--depends-on", "abc:afternotok:SEQUENTIAL");
  EXPECT_EQ(b.job_id(), "abc");
  EXPECT_EQ(b.type(), ArrayJobDependency::SEQUENTIAL);
  EXPECT_EQ(b.condition(), DependencyCondition::afternotok);
}

TEST(ParseDependency, ArrayChildIdKeepsItsIndex) {
  auto dep = ParseDependency("--depends-on", "abc:7");
  EXPECT_EQ(dep.job_id(), "abc:7");
  auto typed = ParseDependency("--depends-on", "abc:7:N_TO_N");
  EXPECT_EQ(typed.job_id(), "abc:7");
  EXPECT_EQ(typed.type(), ArrayJobDependency::N_TO_N);
}

TEST(ParseDependency, SequentialNamesNoJob) {
  auto dep = ParseDependency("--depends-on", "sequential");
  EXPECT_EQ(dep.job_id(), "");
  EXPECT_EQ(dep.type(), ArrayJobDependency::SEQUENTIAL);
  auto any = ParseDependency("--depends-on", "SEQUENTIAL:afterany");
  EXPECT_EQ(any.condition(), DependencyCondition::afterany);
  EXPECT_NE(UsageMessage([] {
              ParseDependency("--depends-on", "SEQUENTIAL:x");
            }).find("expected SEQUENTIAL[:afterok|afterany|afternotok]"),
            std::string::npos);
}

TEST(ParseDependency, EmptyIdIsAnError) {
  EXPECT_NE(UsageMessage([] { ParseDependency("--depends-on", ":N_TO_N"); }).find("--depends-on: "),
            std::string::npos);
}

TEST(ParseStatuses, DefaultsToEveryStatus) {
  EXPECT_EQ(ParseStatuses("--status", {}), api::AllJobStatuses());
}

TEST(ParseStatuses, CommaListsRepeatsAndAnyCase) {
  auto got = ParseStatuses("--status", {"runnable,RUNNING", "Failed", "running"});
  EXPECT_EQ(got, (std::vector<JobStatus::Value>{JobStatus::RUNNABLE, JobStatus::RUNNING,
                                                JobStatus::FAILED}));
}

TEST(ParseStatuses, UnknownStatusNamesTheFlag) {
  auto msg = UsageMessage([] { ParseStatuses("--status", {"RUNNABLE,DONE"}); });
  EXPECT_EQ(msg.rfind("--status: ", 0), 0u) << msg;
  EXPECT_NE(msg.find("DONE"), std::string::npos);
}

TEST(ParseNodeStates, CommaListsAnyCaseAndEmptyMeansAll) {
  using batch::v1::NodeState;
  EXPECT_TRUE(ParseNodeStates("--state", {}).empty());
  EXPECT_EQ(ParseNodeStates("--state", {"ready,Draining", "READY"}),
            (std::vector<NodeState::Value>{NodeState::READY, NodeState::DRAINING}));
  EXPECT_EQ(UsageMessage([] { ParseNodeStates("--state", {"READY,gone"}); }),
            "--state: must be one of LAUNCHING, READY, DRAINING, LOST, TERMINATED; got \"gone\"");
  EXPECT_NE(UsageMessage([] { ParseNodeStates("--state", {"NODE_STATE_UNSPECIFIED"}); }), "");
}

TEST(ParseVcpus, AcceptsPositiveNumbers) {
  EXPECT_EQ(ParseVcpus("--vcpus", "2"), "2");
  EXPECT_EQ(ParseVcpus("--vcpus", "0.5"), "0.5");
  EXPECT_EQ(UsageMessage([] { ParseVcpus("--vcpus", "0"); }),
            "--vcpus: expected a positive number of vCPUs, got \"0\"");
  EXPECT_NE(UsageMessage([] { ParseVcpus("--vcpus", "two"); }), "");
}

}  // namespace
}  // namespace batchd::cli
