// `apply -f` documents of kind StateMachine and Activity: read, checked, and each mistake
// reported with its line before anything is applied.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/errors.h"
#include "cli/yaml_documents.h"

namespace batchd::cli {
namespace {

using batch::v1::CreateActivityRequest;
using batch::v1::CreateStateMachineRequest;
using batch::v1::StateMachineType;

std::string ParseError(const std::string& text) {
  try {
    ParseResourceDocuments(text, "wf.yaml");
  } catch (const CliError& e) {
    return e.what();
  }
  return "";
}

constexpr char kMachine[] = R"(kind: StateMachine
name: nightly
description: Resize, then report
roleArn: arn:aws:iam::123456789012:role/sfn
type: STANDARD
tags: {team: data, tier: "1"}
definition:
  StartAt: Greet
  States:
    Greet: {Type: Pass, Result: {n: 1, on: "yes"}, End: true}
---
kind: Activity
name: approve
tags:
  - {key: owner, value: ops}
---
kind: JobQueue
jobQueueName: q
priority: 1
computeEnvironmentOrder: [{order: 1, computeEnvironment: ce}]
)";

TEST(WorkflowDocuments, KindsAreReadLikeTheOthers) {
  EXPECT_EQ(ParseResourceKind("StateMachine"), ResourceKind::kStateMachine);
  EXPECT_EQ(ParseResourceKind("state-machines"), ResourceKind::kStateMachine);
  EXPECT_EQ(ParseResourceKind("sm"), ResourceKind::kStateMachine);
  EXPECT_EQ(ParseResourceKind("Activity"), ResourceKind::kActivity);
  EXPECT_EQ(ParseResourceKind("activities"), ResourceKind::kActivity);
  EXPECT_EQ(KindLabel(ResourceKind::kStateMachine), "statemachine");
  EXPECT_EQ(KindName(ResourceKind::kActivity), "Activity");
}

TEST(WorkflowDocuments, StateMachineWithInlineYamlDefinitionAndActivity) {
  auto docs = ParseResourceDocuments(kMachine, "wf.yaml");
  ASSERT_EQ(docs.size(), 3u);
  SortForApply(&docs);
  // Queues first, then activities, then the machines that name them.
  EXPECT_EQ(docs[0].kind, ResourceKind::kJobQueue);
  EXPECT_EQ(docs[1].kind, ResourceKind::kActivity);
  EXPECT_EQ(docs[2].kind, ResourceKind::kStateMachine);
  EXPECT_EQ(docs[2].line, 1);

  const auto& sm = std::get<CreateStateMachineRequest>(docs[2].request);
  EXPECT_EQ(sm.name(), "nightly");
  EXPECT_EQ(sm.description(), "Resize, then report");
  EXPECT_EQ(sm.role_arn(), "arn:aws:iam::123456789012:role/sfn");
  EXPECT_EQ(sm.type(), StateMachineType::STANDARD);
  ASSERT_EQ(sm.tags_size(), 2);
  EXPECT_EQ(sm.tags(0).key(), "team");
  EXPECT_EQ(sm.tags(1).value(), "1");
  // Sent as JSON: key order kept, YAML 1.2 scalars ("yes" is a string).
  const auto definition = nlohmann::ordered_json::parse(sm.definition());
  EXPECT_EQ(definition.dump(),
            R"({"StartAt":"Greet","States":{"Greet":{"Type":"Pass","Result":{"n":1,"on":"yes"},)"
            R"("End":true}}})");

  const auto& activity = std::get<CreateActivityRequest>(docs[1].request);
  EXPECT_EQ(activity.name(), "approve");
  ASSERT_EQ(activity.tags_size(), 1);
  EXPECT_EQ(activity.tags(0).key(), "owner");
  EXPECT_EQ(activity.tags(0).value(), "ops");
}

TEST(WorkflowDocuments, AJsonStringDefinitionIsSentAsWritten) {
  const std::string json = R"({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}})";
  auto docs =
      ParseResourceDocuments("kind: StateMachine\nname: s\ndefinition: '" + json + "'\n", "x");
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(std::get<CreateStateMachineRequest>(docs[0].request).definition(), json);
}

TEST(WorkflowDocuments, MistakesNameTheirLine) {
  EXPECT_EQ(ParseError("kind: StateMachine\nname: s\ndefinitoin: {}\n"),
            "wf.yaml:3: StateMachine: unknown field \"definitoin\" (expected definition, "
            "definitionFile, description, kind, name, roleArn, tags, type)");
  EXPECT_EQ(ParseError("kind: Activity\nname: a\ntags: [x]\n"),
            "wf.yaml:3: Activity \"a\": tags: each entry needs \"key\" and \"value\"");
  EXPECT_EQ(ParseError("kind: Activity\nname: a b\n"),
            "wf.yaml:2: Activity: name: must be 1-80 characters without whitespace, control "
            "characters or any of < > { } [ ] ? * \" # % \\ ^ | ~ ` $ & , ; : / (got \"a b\")");
  EXPECT_EQ(ParseError("kind: StateMachine\nname: s\ntype: FAST\n"
                       "definition: {StartAt: A, States: {A: {Type: Succeed}}}\n"),
            "wf.yaml:3: StateMachine \"s\": type: expected STANDARD or EXPRESS, got \"FAST\"");
  const std::string invalid = ParseError(
      "kind: StateMachine\nname: s\ndefinition: {StartAt: A, States: {A: {Type: Pass, Next: "
      "B}}}\n");
  EXPECT_EQ(invalid.rfind("wf.yaml:1: StateMachine \"s\": invalid definition (in wf.yaml):\n  "
                          "/States/A/Next: ",
                          0),
            0u)
      << invalid;
  EXPECT_EQ(ParseError("kind: StateMachine\nname: s\n"),
            "wf.yaml:1: StateMachine \"s\": give exactly one of \"definition\" (the States "
            "Language, as YAML or a JSON string) and \"definitionFile\" (a path relative to this "
            "file)");
}

}  // namespace
}  // namespace batchd::cli
