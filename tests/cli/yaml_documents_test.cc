#include "cli/yaml_documents.h"

#include <gtest/gtest.h>

#include "cli/errors.h"

namespace batchd::cli {
namespace {

using batch::v1::CreateComputeEnvironmentRequest;
using batch::v1::CreateJobQueueRequest;
using batch::v1::RegisterJobDefinitionRequest;

// The error text, or "" when parsing succeeded.
std::string ParseError(const std::string& text) {
  try {
    ParseResourceDocuments(text, "res.yaml");
  } catch (const CliError& e) {
    EXPECT_EQ(e.exit_code(), kExitFailure);
    return e.what();
  }
  return "";
}

constexpr char kThree[] = R"(# definitions first, to show apply reorders them
kind: JobDefinition
jobDefinitionName: hello
containerProperties:
  command: [echo, hello]
---
kind: JobQueue
jobQueueName: high
priority: 10
computeEnvironmentOrder:
  - order: 1
    computeEnvironment: local
---
kind: ComputeEnvironment
computeEnvironmentName: local
type: MANAGED
computeResources:
  type: EC2
  minvCpus: 0
  maxvCpus: 8
---
)";

TEST(ParseResourceDocuments, ReadsEveryKindWithItsLine) {
  auto docs = ParseResourceDocuments(kThree, "res.yaml");
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[0].kind, ResourceKind::kJobDefinition);
  EXPECT_EQ(docs[0].name, "hello");
  EXPECT_EQ(docs[0].line, 2);
  EXPECT_EQ(docs[1].kind, ResourceKind::kJobQueue);
  EXPECT_EQ(docs[1].line, 7);
  const auto& q = std::get<CreateJobQueueRequest>(docs[1].request);
  EXPECT_EQ(q.priority(), 10);
  ASSERT_EQ(q.compute_environment_order_size(), 1);
  EXPECT_EQ(q.compute_environment_order(0).compute_environment(), "local");
  const auto& ce = std::get<CreateComputeEnvironmentRequest>(docs[2].request);
  EXPECT_EQ(ce.compute_resources().maxv_cpus(), 8);
  EXPECT_EQ(
      std::get<RegisterJobDefinitionRequest>(docs[0].request).container_properties().command_size(),
      2);
}

TEST(SortForApply, EnvironmentsThenQueuesThenDefinitions) {
  auto docs = ParseResourceDocuments(kThree, "res.yaml");
  SortForApply(&docs);
  EXPECT_EQ(docs[0].kind, ResourceKind::kComputeEnvironment);
  EXPECT_EQ(docs[1].kind, ResourceKind::kJobQueue);
  EXPECT_EQ(docs[2].kind, ResourceKind::kJobDefinition);
}

TEST(ParseResourceKind, CaseDashesPluralsAndShortForms) {
  EXPECT_EQ(ParseResourceKind("ComputeEnvironment"), ResourceKind::kComputeEnvironment);
  EXPECT_EQ(ParseResourceKind("compute-environments"), ResourceKind::kComputeEnvironment);
  EXPECT_EQ(ParseResourceKind("jobqueue"), ResourceKind::kJobQueue);
  EXPECT_EQ(ParseResourceKind("JOB_QUEUES"), ResourceKind::kJobQueue);
  EXPECT_EQ(ParseResourceKind("jd"), ResourceKind::kJobDefinition);
  EXPECT_EQ(ParseResourceKind("Job"), std::nullopt);
  EXPECT_EQ(ParseResourceKind(""), std::nullopt);
}

TEST(ParseResourceDocuments, SyntaxErrorGivesItsLine) {
  const std::string text =
      "kind: JobQueue\n"
      "jobQueueName: a\n"
      "priority: 1\n"
      "computeEnvironmentOrder: [{order: 1, computeEnvironment: x}\n"
      "---\n"
      "kind: JobQueue\n";
  EXPECT_EQ(ParseError(text).rfind("res.yaml:", 0), 0u);
  EXPECT_NE(ParseError(text).find("YAML syntax error"), std::string::npos) << ParseError(text);
}

TEST(ParseResourceDocuments, BadIndentationGivesItsLine) {
  const std::string text =
      "kind: ComputeEnvironment\n"
      "computeEnvironmentName: a\n"
      "  type: MANAGED\n"
      "  bad: [\n";
  EXPECT_EQ(ParseError(text).rfind("res.yaml:3: YAML syntax error", 0), 0u) << ParseError(text);
}

TEST(ParseResourceDocuments, UnknownFieldGivesItsLine) {
  const std::string text =
      "kind: JobQueue\n"
      "jobQueueName: a\n"
      "priority: 1\n"
      "computeEnvironmentOrder:\n"
      "  - order: 1\n"
      "    computeEnvironment: x\n"
      "    weight: 3\n";
  const std::string msg = ParseError(text);
  EXPECT_EQ(msg.rfind("res.yaml:7: ", 0), 0u) << msg;
  EXPECT_NE(msg.find("unknown field \"weight\""), std::string::npos) << msg;
}

TEST(ParseResourceDocuments, WrongTypeGivesItsLine) {
  const std::string text =
      "kind: JobQueue\n"
      "jobQueueName: a\n"
      "priority: high\n";
  EXPECT_EQ(ParseError(text).rfind("res.yaml:3: priority: expected an integer", 0), 0u)
      << ParseError(text);
}

TEST(ParseResourceDocuments, ValidationErrorPointsAtTheField) {
  const std::string text =
      "kind: ComputeEnvironment\n"
      "computeEnvironmentName: local\n"
      "type: MANAGED\n"
      "computeResources:\n"
      "  type: EC2\n"
      "  minvCpus: 16\n"
      "  maxvCpus: 8\n";
  const std::string msg = ParseError(text);
  EXPECT_EQ(msg.rfind("res.yaml:6: ComputeEnvironment \"local\": computeResources.minvCpus: ", 0),
            0u)
      << msg;
}

TEST(ParseResourceDocuments, ValidationErrorInAListPointsAtTheItem) {
  const std::string text =
      "kind: JobQueue\n"
      "jobQueueName: q\n"
      "priority: 1\n"
      "computeEnvironmentOrder:\n"
      "  - order: 1\n"
      "    computeEnvironment: a\n"
      "  - order: 2\n"
      "    computeEnvironment: a\n";
  const std::string msg = ParseError(text);
  EXPECT_EQ(
      msg.rfind("res.yaml:8: JobQueue \"q\": computeEnvironmentOrder[1].computeEnvironment", 0), 0u)
      << msg;
}

TEST(ParseResourceDocuments, MissingRequiredFieldUsesTheDocumentLine) {
  const std::string text =
      "kind: ComputeEnvironment\n"
      "computeEnvironmentName: a\n"
      "type: UNMANAGED\n"
      "---\n"
      "kind: JobQueue\n"
      "jobQueueName: q\n";
  const std::string msg = ParseError(text);
  EXPECT_EQ(msg.rfind("res.yaml:5: JobQueue \"q\": priority: is required", 0), 0u) << msg;
}

TEST(ParseResourceDocuments, UnknownOrMissingKind) {
  EXPECT_EQ(ParseError("jobQueueName: q\n"),
            "res.yaml:1: missing \"kind\" (ComputeEnvironment, JobQueue, JobDefinition, "
            "Schedule, StateMachine or Activity)");
  EXPECT_EQ(ParseError("---\nkind: Job\njobName: x\n"),
            "res.yaml:2: unknown kind \"Job\" (expected ComputeEnvironment, JobQueue, "
            "JobDefinition, Schedule, StateMachine or Activity)");
  EXPECT_EQ(ParseError("- a\n- b\n").rfind("res.yaml:1: expected a mapping", 0), 0u);
}

TEST(ParseResourceDocuments, SameResourceTwiceIsAnError) {
  const std::string text =
      "kind: ComputeEnvironment\n"
      "computeEnvironmentName: a\n"
      "type: UNMANAGED\n"
      "---\n"
      "kind: compute-environment\n"
      "computeEnvironmentName: a\n"
      "type: UNMANAGED\n";
  EXPECT_EQ(ParseError(text), "res.yaml:5: ComputeEnvironment \"a\" is already defined at line 1");
}

TEST(ParseResourceDocuments, EmptyDocumentsAreSkipped) {
  EXPECT_TRUE(ParseResourceDocuments("", "res.yaml").empty());
  EXPECT_TRUE(ParseResourceDocuments("---\n---\n# nothing\n", "res.yaml").empty());
}

TEST(ParseResourceDocuments, ProtoFieldNamesAreAcceptedToo) {
  auto docs = ParseResourceDocuments(
      "kind: JobQueue\njob_queue_name: q\npriority: 5\ncompute_environment_order:\n"
      "  - {order: 1, compute_environment: a}\n",
      "res.yaml");
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].name, "q");
}

TEST(ParseResourceDocuments, AScheduleMayStartAnExecutionWithYamlInput) {
  auto docs = ParseResourceDocuments(
      "kind: Schedule\n"
      "scheduleName: nightly\n"
      "scheduleExpression: '0 3 * * *'\n"
      "stateMachine: etl:2\n"
      "executionInput:\n"
      "  day: yesterday\n"
      "  retries: 3\n"
      "  tables: [a, '1']\n"
      "---\n"
      "kind: StateMachine\n"
      "name: etl\n"
      "definition: {StartAt: P, States: {P: {Type: Pass, End: true}}}\n",
      "res.yaml");
  ASSERT_EQ(docs.size(), 2u);
  const auto& schedule = std::get<batch::v1::ScheduleRequest>(docs[0].request);
  EXPECT_EQ(schedule.state_machine(), "etl:2");
  EXPECT_EQ(schedule.execution_input(), R"({"day":"yesterday","retries":3,"tables":["a","1"]})");
  // The state machine a schedule names is applied before it.
  SortForApply(&docs);
  EXPECT_EQ(docs[0].kind, ResourceKind::kStateMachine);
  EXPECT_EQ(docs[1].kind, ResourceKind::kSchedule);

  docs = ParseResourceDocuments(
      "kind: Schedule\nscheduleName: s\nscheduleExpression: '@daily'\nstateMachine: etl\n"
      "executionInput: '{\"day\": 1}'\n",
      "res.yaml");
  EXPECT_EQ(std::get<batch::v1::ScheduleRequest>(docs[0].request).execution_input(),
            R"({"day": 1})");
}

TEST(ParseResourceDocuments, AScheduleWithBothTargetsPointsAtTheField) {
  EXPECT_EQ(ParseError("kind: Schedule\n"
                       "scheduleName: both\n"
                       "scheduleExpression: '@daily'\n"
                       "jobQueue: q\n"
                       "jobDefinition: d\n"
                       "stateMachine: etl\n"),
            "res.yaml:6: Schedule \"both\": stateMachine: a schedule either submits a job "
            "(jobQueue and jobDefinition) or starts an execution (stateMachine), not both");
  EXPECT_EQ(ParseError("kind: Schedule\n"
                       "scheduleName: input\n"
                       "scheduleExpression: '@daily'\n"
                       "jobQueue: q\n"
                       "jobDefinition: d\n"
                       "executionInput: {a: 1}\n"),
            "res.yaml:6: Schedule \"input\": executionInput: is the input of the execution a "
            "schedule with a stateMachine starts; this schedule submits a job");
}

}  // namespace
}  // namespace batchd::cli
