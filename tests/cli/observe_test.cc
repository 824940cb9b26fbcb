// batchctl logs, explain and get nodes. The argument checks need no server; the rest runs
// against the fixture's batchd, where no agent ever joins (so no job starts and no node
// exists). Runs with agents are in the end-to-end suites.
#include <gmock/gmock.h>

#include "api/json_yaml.h"
#include "batch/v1/batch_service.pb.h"
#include "cli_fixture.h"
#include "support/wait.h"

namespace batchd::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

using ObserveTest = BatchctlTest;

CommandResult Offline(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {BatchctlBinary(), "--server", "127.0.0.1:1"};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, "", {});
}

TEST(ObserveUsage, BadArgumentsExitTwoBeforeAnyCall) {
  struct Case {
    std::vector<std::string> args;
    std::string err_start;
  };
  const std::vector<Case> cases = {
      {{"logs"}, "batchctl: JOB_ID is required"},
      {{"logs", "j", "--attempt", "0"}, "batchctl: --attempt: Value 0 not in range"},
      {{"logs", "j", "--attempt", "-2"},
       "batchctl: --attempt: Value -2 not in range: must be a number above 0"},
      {{"logs", "j", "--attempt", "x"}, "batchctl: --attempt"},
      {{"logs", "j", "--tail"}, "batchctl: The following argument was not expected: --tail"},
      {{"explain"}, "batchctl: JOB_ID is required"},
      {{"get", "nodes", "--state", "gone"}, "batchctl: --state: must be one of"},
      {{"get", "nodes", "-o", "csv"}, "batchctl: --output: csv not in"},
      {{"events"}, "batchctl: events needs a resource type: compute-environment (ce)"},
      {{"events", "queue", "q"}, "batchctl: unknown resource type \"queue\" for events"},
      {{"events", "ce"}, "batchctl: NAME is required"},
      {{"events", "ce", "x", "--limit", "0"}, "batchctl: --limit: Value 0 not in range"},
      {{"reclaim"}, "batchctl: reclaim needs a resource type: node"},
      {{"reclaim", "node"}, "batchctl: NODE_ID is required"},
  };
  for (const auto& c : cases) {
    auto r = Offline(c.args);
    EXPECT_EQ(r.exit_code, 2) << ::testing::PrintToString(c.args) << "\n" << Describe(r);
    EXPECT_THAT(r.err, StartsWith(c.err_start)) << ::testing::PrintToString(c.args);
  }
}

TEST(ObserveUsage, HelpListsTheFlags) {
  auto r = Offline({"logs", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("--follow"));
  EXPECT_THAT(r.out, HasSubstr("--timestamps"));
  r = Offline({"get", "nodes", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("--compute-environment"));
}

// Needs batchd's ListNodes (scheduler/service).
TEST_F(ObserveTest, GetNodesWithoutAgentsIsEmpty) {
  // Other tests' environments may have nodes: this one never has.
  auto r = Ctl({"get", "nodes", "--compute-environment", "observe-no-nodes"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "No nodes found.\n");

  r = Ctl(
      {"get", "nodes", "--state", "READY,draining", "--compute-environment", "nope", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  batch::v1::ListNodesResponse nodes;
  api::FromJson(r.out, &nodes);
  EXPECT_EQ(nodes.nodes_size(), 0);

  r = Ctl({"get", "nodes", "node-x"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_EQ(r.err, "batchctl: node \"node-x\" not found\n");
}

// Needs batchd's ExplainJob and GetJobLogs (scheduler/service).
TEST_F(ObserveTest, AJobThatHasNotStartedHasAnExplanationAndNoLogs) {
  MakeQueue("observe-q");
  MakeDefinition("observe-def");
  const std::string id = Submit("observe-q", "observe-def");

  auto r = Ctl({"explain", id});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, StartsWith(id + "  RUNNABLE\n"));

  r = Ctl({"explain", id, "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  batch::v1::ExplainJobResponse explained;
  api::FromJson(r.out, &explained);
  EXPECT_EQ(explained.job_id(), id);
  EXPECT_EQ(explained.status(), batch::v1::JobStatus::RUNNABLE);

  r = Ctl({"logs", id});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "batchctl: job " + id + " has not started yet\n");

  // Following a job that ends without starting stops by itself.
  EXPECT_EQ(Ctl({"cancel", id}).exit_code, 0);
  r = Ctl({"logs", "-f", id});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("never started"));

  r = Ctl({"logs", "no-such-job"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
}

// Needs batchd's ListEvents and the autoscaler (scheduler/dispatch): an environment whose
// provider always fails shows why, in `events` and under `describe`.
TEST_F(ObserveTest, EventsSayWhatTheSchedulerDidAndWhy) {
  const std::string file = WriteFile("events-ce.yaml", R"(
kind: ComputeEnvironment
computeEnvironmentName: observe-events
type: MANAGED
computeResources:
  type: EC2
  minvCpus: 1
  maxvCpus: 2
  provider:
    type: exec
    createCommand: "cat >/dev/null; echo 'no capacity left' >&2; exit 7"
    deleteCommand: "cat >/dev/null"
)");
  auto r = Ctl({"apply", "-f", file});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  ASSERT_TRUE(PollUntil([&] {
    r = Ctl({"events", "ce", "observe-events"});
    return r.out.find("no capacity left") != std::string::npos;
  })) << Describe(r);
  EXPECT_THAT(r.out, StartsWith("TIME "));
  EXPECT_THAT(r.out, HasSubstr("scale out observe-events by 1×default to keep minvCpus 1"));
  EXPECT_THAT(r.out, HasSubstr("createCommand exited with status 7: no capacity left"));

  r = Ctl({"describe", "ce", "observe-events"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr("statusReason: \"the node provider failed: createCommand exited "
                               "with status 7: no capacity left\""));
  EXPECT_THAT(r.out, HasSubstr("# events:\n#   TIME "));

  r = Ctl({"events", "ce", "observe-events", "--limit", "1", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  batch::v1::ListEventsResponse events;
  api::FromJson(r.out, &events);
  EXPECT_EQ(events.events_size(), 1);

  r = Ctl({"events", "ce", "observe-nothing"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.err, "No events for compute environment observe-nothing.\n");
}

}  // namespace
}  // namespace batchd::testing
