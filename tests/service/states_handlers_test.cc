// StatesService's state machines, definition validation, activities and tags, through gRPC
// against a real PostgreSQL. Executions and task tokens: states_executions_test.cc.
#include "states_fixture.h"

namespace batchd::testing {
namespace {

using namespace batch::v1;

constexpr char kPass[] =
    R"({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"x": 1}, "End": true}}})";
constexpr char kPass2[] = R"({"StartAt":"B","States":{"B":{"Type":"Pass","End":true}}})";
// One error only: the Choice's Default still reaches a terminal state.
constexpr char kMissingNext[] = R"({"StartAt":"A","States":{"A":{"Type":"Choice",
  "Choices":[{"Variable":"$.x","IsPresent":true,"Next":"B"}],"Default":"Done"},
  "Done":{"Type":"Succeed"}}})";

using StateMachines = StatesTest;

TEST_F(StateMachines, CreateDescribeUpdateKeepsRevisions) {
  CreateStateMachineRequest create;
  create.set_name("resize");
  create.set_definition(kPass);
  create.set_role_arn("arn:aws:iam::123456789012:role/sfn");
  auto* tag = create.add_tags();
  tag->set_key("team");
  tag->set_value("imaging");
  CreateStateMachineResponse created;
  ASSERT_OK(SCALL(CreateStateMachine, create, &created));
  EXPECT_EQ(created.state_machine_arn(),
            "arn:batchd:states:local:000000000000:stateMachine:resize");
  EXPECT_GT(created.creation_date(), 1.6e9);
  EXPECT_EQ(created.state_machine_version_arn(), "");
  EXPECT_EQ(created.revision(), 1);

  DescribeStateMachineRequest describe;
  describe.set_state_machine_arn("resize");
  DescribeStateMachineResponse d;
  ASSERT_OK(SCALL(DescribeStateMachine, describe, &d));
  EXPECT_EQ(d.state_machine_arn(), created.state_machine_arn());
  EXPECT_EQ(d.name(), "resize");
  EXPECT_EQ(d.definition(), kPass);  // verbatim, spaces and all
  EXPECT_EQ(d.status(), StateMachineStatus::ACTIVE);
  EXPECT_EQ(d.type(), StateMachineType::STANDARD);
  EXPECT_EQ(d.role_arn(), "arn:aws:iam::123456789012:role/sfn");
  EXPECT_EQ(d.creation_date(), created.creation_date());
  EXPECT_EQ(d.revision_id(), "1");
  EXPECT_EQ(d.revision(), 1);
  EXPECT_EQ(d.revisions(), 1);
  EXPECT_EQ(d.logging_configuration().fields().at("level").string_value(), "OFF");

  UpdateStateMachineRequest update;
  update.set_state_machine_arn(created.state_machine_arn());
  update.set_definition(kPass2);
  UpdateStateMachineResponse updated;
  ASSERT_OK(SCALL(UpdateStateMachine, update, &updated));
  EXPECT_EQ(updated.revision_id(), "2");
  EXPECT_EQ(updated.revision(), 2);
  EXPECT_GE(updated.update_date(), created.creation_date());

  ASSERT_OK(SCALL(DescribeStateMachine, describe, &d));
  EXPECT_EQ(d.definition(), kPass2);
  EXPECT_EQ(d.revision(), 2);
  EXPECT_EQ(d.revision_id(), "2");
  EXPECT_EQ(d.revisions(), 2);
  EXPECT_EQ(d.role_arn(), "arn:aws:iam::123456789012:role/sfn");

  // The earlier revision, by "name:revision" and by a version-style ARN.
  for (const std::string& ref :
       std::vector<std::string>{"resize:1", created.state_machine_arn() + ":1"}) {
    describe.set_state_machine_arn(ref);
    ASSERT_OK(SCALL(DescribeStateMachine, describe, &d));
    EXPECT_EQ(d.definition(), kPass) << ref;
    EXPECT_EQ(d.revision(), 1) << ref;
    EXPECT_EQ(d.revisions(), 2) << ref;
  }
  describe.set_state_machine_arn("resize:9");
  EXPECT_STATUS(SCALL(DescribeStateMachine, describe, &d), NOT_FOUND,
                "StateMachineDoesNotExist: state machine "
                "arn:batchd:states:local:000000000000:stateMachine:resize has no revision 9");

  // The role alone makes a revision; the description alone does not.
  update.clear_definition();
  update.set_role_arn("arn:aws:iam::123456789012:role/other");
  ASSERT_OK(SCALL(UpdateStateMachine, update, &updated));
  EXPECT_EQ(updated.revision(), 3);
  update.clear_role_arn();
  update.set_description("resizes images");
  ASSERT_OK(SCALL(UpdateStateMachine, update, &updated));
  EXPECT_EQ(updated.revision(), 3);
  describe.set_state_machine_arn("resize");
  ASSERT_OK(SCALL(DescribeStateMachine, describe, &d));
  EXPECT_EQ(d.description(), "resizes images");
  EXPECT_EQ(d.role_arn(), "arn:aws:iam::123456789012:role/other");

  // A bad definition changes nothing.
  update.set_definition(kMissingNext);
  EXPECT_STATUS(SCALL(UpdateStateMachine, update, &updated), INVALID_ARGUMENT,
                "InvalidDefinition: /States/A/Choices/0/Next: no state named \"B\"");
  ASSERT_OK(SCALL(DescribeStateMachine, describe, &d));
  EXPECT_EQ(d.revision(), 3);

  UpdateStateMachineRequest nothing;
  nothing.set_state_machine_arn("resize");
  EXPECT_STATUS(SCALL(UpdateStateMachine, nothing, &updated), INVALID_ARGUMENT,
                "MissingRequiredParameter");
  update.set_state_machine_arn("missing");
  update.set_definition(kPass);
  EXPECT_STATUS(SCALL(UpdateStateMachine, update, &updated), NOT_FOUND,
                "StateMachineDoesNotExist: state machine "
                "arn:batchd:states:local:000000000000:stateMachine:missing does not exist");
}

TEST_F(StateMachines, CreateIsIdempotentOnlyForTheSameDefinitionAndRole) {
  CreateStateMachineRequest req;
  req.set_name("m");
  req.set_definition(kPass);
  CreateStateMachineResponse first;
  ASSERT_OK(SCALL(CreateStateMachine, req, &first));
  CreateStateMachineResponse again;
  ASSERT_OK(SCALL(CreateStateMachine, req, &again));
  EXPECT_EQ(again.state_machine_arn(), first.state_machine_arn());
  EXPECT_EQ(again.creation_date(), first.creation_date());

  req.set_definition(kPass2);
  EXPECT_STATUS(SCALL(CreateStateMachine, req, &again), ALREADY_EXISTS,
                "StateMachineAlreadyExists: state machine "
                "arn:batchd:states:local:000000000000:stateMachine:m exists with another "
                "definition or role");
  req.set_definition(kPass);
  req.set_role_arn("arn:aws:iam::123456789012:role/x");
  EXPECT_STATUS(SCALL(CreateStateMachine, req, &again), ALREADY_EXISTS,
                "StateMachineAlreadyExists");
}

TEST_F(StateMachines, BadRequestsAreRefusedWithAwsCodesAndNothingIsStored) {
  CreateStateMachineRequest req;
  req.set_name("bad");
  req.set_definition(kMissingNext);
  CreateStateMachineResponse resp;
  grpc::Status s = SCALL(CreateStateMachine, req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "InvalidDefinition: /States/A/Choices/0/Next: no state named \"B\"");
  DescribeStateMachineRequest describe;
  describe.set_state_machine_arn("bad");
  DescribeStateMachineResponse d;
  EXPECT_STATUS(SCALL(DescribeStateMachine, describe, &d), NOT_FOUND, "StateMachineDoesNotExist");

  // Every error, in document order; one without a location is its message alone.
  req.set_definition(R"({"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"}}})");
  s = SCALL(CreateStateMachine, req, &resp);
  EXPECT_EQ(s.error_message(),
            "InvalidDefinition: /States/A/Next: no state named \"B\"; Workflow has no terminal "
            "state: a machine needs a Succeed or Fail state or a state with \"End\": true");
  req.set_definition("");
  EXPECT_STATUS(SCALL(CreateStateMachine, req, &resp), INVALID_ARGUMENT,
                "InvalidDefinition: definition is required");
  req.set_definition("{not json");
  EXPECT_STATUS(SCALL(CreateStateMachine, req, &resp), INVALID_ARGUMENT, "InvalidDefinition: ");
  req.set_definition(kPass);
  req.set_type(StateMachineType::EXPRESS);
  EXPECT_STATUS(SCALL(CreateStateMachine, req, &resp), INVALID_ARGUMENT,
                "batchd runs STANDARD state machines");
  req.set_type(StateMachineType::STANDARD);
  req.set_name("has space");
  EXPECT_STATUS(SCALL(CreateStateMachine, req, &resp), INVALID_ARGUMENT, "InvalidName: name: ");
  req.set_name("");
  EXPECT_STATUS(SCALL(CreateStateMachine, req, &resp), INVALID_ARGUMENT,
                "InvalidName: name: is required");
  req.set_name("ok");
  for (int i = 0; i < 51; ++i) {
    auto* tag = req.add_tags();
    tag->set_key("k" + std::to_string(i));
  }
  EXPECT_STATUS(SCALL(CreateStateMachine, req, &resp), INVALID_ARGUMENT, "TooManyTags");

  describe.set_state_machine_arn("arn:aws:states:us-east-1:1:activity:x");
  EXPECT_STATUS(SCALL(DescribeStateMachine, describe, &d), INVALID_ARGUMENT,
                "InvalidArn: stateMachineArn: expected a state machine ARN");
}

TEST_F(StateMachines, ListPagesByNameAndDeleteOfAMissingOneSucceeds) {
  for (const char* name : {"c", "a", "b"}) CreateMachine(name, kPass);
  ListStateMachinesRequest req;
  req.set_max_results(2);
  ListStateMachinesResponse page;
  ASSERT_OK(SCALL(ListStateMachines, req, &page));
  ASSERT_EQ(page.state_machines_size(), 2);
  EXPECT_EQ(page.state_machines(0).name(), "a");
  EXPECT_EQ(page.state_machines(1).name(), "b");
  EXPECT_EQ(page.state_machines(0).type(), StateMachineType::STANDARD);
  EXPECT_EQ(page.state_machines(0).revision(), 1);
  EXPECT_GT(page.state_machines(0).creation_date(), 0);
  ASSERT_FALSE(page.next_token().empty());
  req.set_next_token(page.next_token());
  ASSERT_OK(SCALL(ListStateMachines, req, &page));
  ASSERT_EQ(page.state_machines_size(), 1);
  EXPECT_EQ(page.state_machines(0).name(), "c");
  EXPECT_EQ(page.next_token(), "");

  DeleteStateMachineRequest del;
  del.set_state_machine_arn("arn:batchd:states:local:000000000000:stateMachine:b");
  DeleteStateMachineResponse deleted;
  ASSERT_OK(SCALL(DeleteStateMachine, del, &deleted));
  del.set_state_machine_arn("b");
  ASSERT_OK(SCALL(DeleteStateMachine, del, &deleted));  // AWS: missing is fine
  del.set_state_machine_arn("a:1");
  EXPECT_STATUS(SCALL(DeleteStateMachine, del, &deleted), INVALID_ARGUMENT, "stateMachineArn");

  ListStateMachinesRequest all;
  ASSERT_OK(SCALL(ListStateMachines, all, &page));
  ASSERT_EQ(page.state_machines_size(), 2);
  EXPECT_EQ(page.state_machines(0).name(), "a");
  EXPECT_EQ(page.state_machines(1).name(), "c");

  all.set_next_token("not-a-token");
  EXPECT_STATUS(SCALL(ListStateMachines, all, &page), INVALID_ARGUMENT, "InvalidToken: ");
  all.set_next_token("");
  all.set_max_results(1001);
  EXPECT_STATUS(SCALL(ListStateMachines, all, &page), INVALID_ARGUMENT, "maxResults");
}

TEST_F(StateMachines, ValidateAnswersOkOrFailWithDiagnostics) {
  ValidateStateMachineDefinitionRequest req;
  req.set_definition(kPass);
  ValidateStateMachineDefinitionResponse resp;
  ASSERT_OK(SCALL(ValidateStateMachineDefinition, req, &resp));
  EXPECT_EQ(resp.result(), ValidationResultCode::OK);
  EXPECT_EQ(resp.diagnostics_size(), 0);
  EXPECT_FALSE(resp.truncated());

  req.set_definition(kMissingNext);
  ASSERT_OK(SCALL(ValidateStateMachineDefinition, req, &resp));
  EXPECT_EQ(resp.result(), ValidationResultCode::FAIL);
  ASSERT_EQ(resp.diagnostics_size(), 1);
  EXPECT_EQ(resp.diagnostics(0).severity(), ValidationSeverity::ERROR);
  EXPECT_EQ(resp.diagnostics(0).code(), "MISSING_TRANSITION_TARGET");
  EXPECT_EQ(resp.diagnostics(0).location(), "/States/A/Choices/0/Next");
  EXPECT_EQ(resp.diagnostics(0).message(), "no state named \"B\"");

  // Two errors, one reported: truncated, and still FAIL.
  req.set_definition(R"({"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},
                         "C":{"Type":"Pass","Next":"D"}}})");
  req.set_max_results(1);
  ASSERT_OK(SCALL(ValidateStateMachineDefinition, req, &resp));
  EXPECT_EQ(resp.result(), ValidationResultCode::FAIL);
  EXPECT_EQ(resp.diagnostics_size(), 1);
  EXPECT_TRUE(resp.truncated());

  req.set_max_results(0);
  req.set_definition("{not json");
  ASSERT_OK(SCALL(ValidateStateMachineDefinition, req, &resp));
  EXPECT_EQ(resp.result(), ValidationResultCode::FAIL);
  ASSERT_GE(resp.diagnostics_size(), 1);
  EXPECT_EQ(resp.diagnostics(0).code(), "INVALID_JSON_DESCRIPTION");

  req.set_definition(kPass);
  req.set_type(StateMachineType::EXPRESS);
  ASSERT_OK(SCALL(ValidateStateMachineDefinition, req, &resp));
  EXPECT_EQ(resp.result(), ValidationResultCode::FAIL);

  req.set_max_results(101);
  EXPECT_STATUS(SCALL(ValidateStateMachineDefinition, req, &resp), INVALID_ARGUMENT, "maxResults");
}

TEST_F(StateMachines, TagsOfStateMachinesAndActivities) {
  const std::string machine = CreateMachine("m", kPass);
  TagResourceRequest tag;
  tag.set_resource_arn(machine);
  for (const auto& [k, v] : {std::pair{"team", "a"}, {"env", "prod"}}) {
    auto* t = tag.add_tags();
    t->set_key(k);
    t->set_value(v);
  }
  TagResourceResponse tagged;
  ASSERT_OK(SCALL(TagResource, tag, &tagged));
  ListTagsForResourceRequest list;
  list.set_resource_arn(machine);
  ListTagsForResourceResponse tags;
  ASSERT_OK(SCALL(ListTagsForResource, list, &tags));
  ASSERT_EQ(tags.tags_size(), 2);
  EXPECT_EQ(tags.tags(0).key(), "env");
  EXPECT_EQ(tags.tags(1).key(), "team");
  EXPECT_EQ(tags.tags(1).value(), "a");

  UntagResourceRequest untag;
  untag.set_resource_arn(machine);
  untag.add_tag_keys("team");
  UntagResourceResponse untagged;
  ASSERT_OK(SCALL(UntagResource, untag, &untagged));
  ASSERT_OK(SCALL(ListTagsForResource, list, &tags));
  ASSERT_EQ(tags.tags_size(), 1);
  EXPECT_EQ(tags.tags(0).key(), "env");

  // 50 in all at most: one already there plus 50 more is over.
  TagResourceRequest many;
  many.set_resource_arn(machine);
  for (int i = 0; i < 50; ++i) many.add_tags()->set_key("k" + std::to_string(i));
  EXPECT_STATUS(SCALL(TagResource, many, &tagged), INVALID_ARGUMENT, "TooManyTags: ");

  CreateActivityRequest activity;
  activity.set_name("worker");
  auto* t = activity.add_tags();
  t->set_key("owner");
  t->set_value("ops");
  CreateActivityResponse created;
  ASSERT_OK(SCALL(CreateActivity, activity, &created));
  list.set_resource_arn(created.activity_arn());
  ASSERT_OK(SCALL(ListTagsForResource, list, &tags));
  ASSERT_EQ(tags.tags_size(), 1);
  EXPECT_EQ(tags.tags(0).value(), "ops");

  list.set_resource_arn("arn:batchd:states:local:000000000000:stateMachine:gone");
  EXPECT_STATUS(SCALL(ListTagsForResource, list, &tags), NOT_FOUND, "ResourceNotFound: ");
  list.set_resource_arn("m");
  EXPECT_STATUS(SCALL(ListTagsForResource, list, &tags), INVALID_ARGUMENT, "InvalidArn: ");
}

using Activities = StatesTest;

TEST_F(Activities, CreateDescribeListDelete) {
  CreateActivityRequest req;
  req.set_name("resize");
  CreateActivityResponse created;
  ASSERT_OK(SCALL(CreateActivity, req, &created));
  EXPECT_EQ(created.activity_arn(), "arn:batchd:states:local:000000000000:activity:resize");
  CreateActivityResponse again;
  ASSERT_OK(SCALL(CreateActivity, req, &again));  // AWS: idempotent by name
  EXPECT_EQ(again.activity_arn(), created.activity_arn());
  EXPECT_EQ(again.creation_date(), created.creation_date());
  req.set_name("encode");
  ASSERT_OK(SCALL(CreateActivity, req, &again));
  req.set_name("a/b");
  EXPECT_STATUS(SCALL(CreateActivity, req, &again), INVALID_ARGUMENT, "InvalidName: name: ");

  DescribeActivityRequest describe;
  // AWS's own ARN form names the same activity.
  describe.set_activity_arn("arn:aws:states:us-east-1:123456789012:activity:resize");
  DescribeActivityResponse d;
  ASSERT_OK(SCALL(DescribeActivity, describe, &d));
  EXPECT_EQ(d.activity_arn(), created.activity_arn());
  EXPECT_EQ(d.name(), "resize");
  EXPECT_EQ(d.creation_date(), created.creation_date());

  ListActivitiesRequest list;
  ListActivitiesResponse listed;
  ASSERT_OK(SCALL(ListActivities, list, &listed));
  ASSERT_EQ(listed.activities_size(), 2);
  EXPECT_EQ(listed.activities(0).name(), "encode");
  EXPECT_EQ(listed.activities(1).name(), "resize");

  DeleteActivityRequest del;
  del.set_activity_arn(created.activity_arn());
  DeleteActivityResponse deleted;
  ASSERT_OK(SCALL(DeleteActivity, del, &deleted));
  ASSERT_OK(SCALL(DeleteActivity, del, &deleted));
  EXPECT_STATUS(SCALL(DescribeActivity, describe, &d), NOT_FOUND,
                "ActivityDoesNotExist: activity "
                "arn:batchd:states:local:000000000000:activity:resize does not exist");
  ASSERT_OK(SCALL(ListActivities, list, &listed));
  ASSERT_EQ(listed.activities_size(), 1);

  GetActivityTaskRequest poll;
  poll.set_activity_arn("resize");
  GetActivityTaskResponse task;
  EXPECT_STATUS(SCALL(GetActivityTask, poll, &task), NOT_FOUND, "ActivityDoesNotExist");
}

}  // namespace
}  // namespace batchd::testing
