// State machines (revisions, AWS's idempotency, deletion), activities, tags, and the names and
// ARNs of workflow resources.
#include "workflow_test_util.h"

namespace batchd::store {
namespace {

using api::ErrorCode;
using batch::v1::StateMachineStatus;

const std::string kArn = "arn:batchd:states:local:000000000000:stateMachine:";

TEST_F(WorkflowStoreTest, CreateStoresRevisionOneVerbatim) {
  auto row = Machine("resize", "{\n  \"StartAt\": \"A\",  \"States\": {}\n}");
  row.description = "resizes images";
  row.tags = {{"team", "media"}, {"env", "prod"}};
  row.creation_date = 1'700'000'000'123;
  auto created = wf_->CreateStateMachine(row);
  EXPECT_EQ(created.arn, kArn + "resize");
  EXPECT_EQ(created.revision, 1);

  auto got = wf_->GetStateMachine("resize");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->arn, kArn + "resize");
  EXPECT_EQ(got->definition, row.definition);
  EXPECT_EQ(got->role_arn, kRole);
  EXPECT_EQ(got->type, batch::v1::StateMachineType::STANDARD);
  EXPECT_EQ(got->status, StateMachineStatus::ACTIVE);
  EXPECT_EQ(got->description, "resizes images");
  EXPECT_EQ(got->tags, (Tags{{"env", "prod"}, {"team", "media"}}));
  EXPECT_EQ(got->creation_date, 1'700'000'000'123);
  EXPECT_EQ(got->revision, 1);

  auto first = wf_->GetStateMachineRevision("resize", 1);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->definition, row.definition);
  EXPECT_EQ(first->role_arn, kRole);
  EXPECT_FALSE(wf_->GetStateMachineRevision("resize", 2));
  EXPECT_FALSE(wf_->GetStateMachine("missing"));
}

TEST_F(WorkflowStoreTest, CreateIsIdempotentOnlyForTheSameDefinitionTextAndRole) {
  auto row = Machine("m");
  row.creation_date = 1000;
  wf_->CreateStateMachine(row);
  auto again = Machine("m");
  again.creation_date = 2000;
  again.description = "ignored";
  EXPECT_EQ(wf_->CreateStateMachine(again).creation_date, 1000);  // the stored one

  auto spaced = Machine("m", std::string(kPassDefinition) + " ");
  ExpectApiError([&] { wf_->CreateStateMachine(spaced); }, ErrorCode::kAlreadyExists,
                 "State Machine Already Exists: '" + kArn + "m'");
  auto other_role = Machine("m", kPassDefinition, "arn:aws:iam::000000000000:role/other");
  ExpectApiError([&] { wf_->CreateStateMachine(other_role); }, ErrorCode::kAlreadyExists,
                 "State Machine Already Exists: '" + kArn + "m'");
  EXPECT_EQ(Count("SELECT count(*) FROM state_machine_revisions"), 1);
}

TEST_F(WorkflowStoreTest, UpdateWritesARevisionOnlyWhenDefinitionOrRoleChange) {
  wf_->CreateStateMachine(Machine("m"));
  auto described = wf_->UpdateStateMachine("m", [](StateMachineRow& m) { m.description = "d"; });
  EXPECT_EQ(described.revision, 1);
  EXPECT_EQ(described.description, "d");

  const std::string v2 = R"({"StartAt": "B", "States": {"B": {"Type": "Succeed"}}})";
  auto second = wf_->UpdateStateMachine("m", [&](StateMachineRow& m) { m.definition = v2; });
  EXPECT_EQ(second.revision, 2);
  auto third = wf_->UpdateStateMachine("m", [](StateMachineRow& m) { m.role_arn = "r3"; });
  EXPECT_EQ(third.revision, 3);

  auto got = wf_->GetStateMachine("m");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->revision, 3);
  EXPECT_EQ(got->definition, v2);
  EXPECT_EQ(got->role_arn, "r3");
  EXPECT_EQ(got->description, "d");
  EXPECT_EQ(wf_->GetStateMachineRevision("m", 1)->definition, kPassDefinition);
  EXPECT_EQ(wf_->GetStateMachineRevision("m", 2)->definition, v2);
  EXPECT_EQ(wf_->GetStateMachineRevision("m", 2)->role_arn, kRole);
  EXPECT_EQ(wf_->GetStateMachineRevision("m", 3)->role_arn, "r3");

  // A refusing mutate writes nothing; identity fields cannot change.
  ExpectApiError(
      [&] {
        wf_->UpdateStateMachine("m", [](StateMachineRow& m) {
          m.definition = "{}";
          api::ThrowInvalid("definition", "is not valid");
        });
      },
      ErrorCode::kInvalidArgument, "definition: is not valid");
  ExpectApiError([&] { wf_->UpdateStateMachine("m", [](StateMachineRow& m) { m.name = "n"; }); },
                 ErrorCode::kInvalidArgument, "name: cannot be changed");
  EXPECT_EQ(wf_->GetStateMachine("m")->revision, 3);
  ExpectApiError([&] { wf_->UpdateStateMachine("gone", [](StateMachineRow&) {}); },
                 ErrorCode::kNotFound,
                 "State Machine Does Not Exist: state machine '" + kArn + "gone'");
}

TEST_F(WorkflowStoreTest, ListStateMachinesPagesByNameWithoutDefinitions) {
  for (const std::string name : {"e", "c", "a", "d", "b"}) wf_->CreateStateMachine(Machine(name));
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    auto page = wf_->ListStateMachines(2, token);
    for (const auto& m : page.items) {
      seen.push_back(m.name);
      EXPECT_TRUE(m.definition.empty());
      EXPECT_EQ(m.arn, kArn + m.name);
    }
    token = page.next_token;
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(pages, 3);
  ExpectApiError([&] { wf_->ListStateMachines(2, "zz"); }, ErrorCode::kInvalidArgument,
                 "nextToken");
}

TEST_F(WorkflowStoreTest, DeleteWithoutRunningExecutionsRemovesEverything) {
  wf_->CreateStateMachine(Machine("m"));
  wf_->UpdateStateMachine("m", [](StateMachineRow& m) { m.definition = "{}"; });
  auto e = Start({Execution("m", "done")})[0];
  e.status = batch::v1::ExecutionStatus::SUCCEEDED;
  e.stop_ms = e.start_ms + 5;
  e.last_event_id = 3;
  wf_->CommitTurn({.changed_executions = {e}, .events = {{e.arn, Events(1, 3)}}});

  EXPECT_EQ(wf_->DeleteStateMachine("m"), DeleteOutcome::kDeleted);
  EXPECT_FALSE(wf_->GetStateMachine("m"));
  EXPECT_EQ(Count("SELECT count(*) FROM state_machine_revisions"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM executions"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM execution_events"), 0);
  EXPECT_EQ(wf_->DeleteStateMachine("m"), DeleteOutcome::kNotFound);
  // The name is free again, with a fresh revision count.
  EXPECT_EQ(wf_->CreateStateMachine(Machine("m")).revision, 1);
}

TEST_F(WorkflowStoreTest, ActivitiesAreIdempotentOnNameAndPageByName) {
  ActivityRow row{"approve", "", {{"a", "1"}}, 5000};
  auto created = wf_->CreateActivity(row);
  EXPECT_EQ(created.arn, "arn:batchd:states:local:000000000000:activity:approve");
  // Same name with other tags: AWS treats it as the same request and keeps the first.
  ActivityRow again{"approve", "", {{"b", "2"}}, 6000};
  auto second = wf_->CreateActivity(again);
  EXPECT_EQ(second.tags, (Tags{{"a", "1"}}));
  EXPECT_EQ(second.creation_date, 5000);

  for (const std::string name : {"c", "b"}) wf_->CreateActivity({name, "", {}, 0});
  auto first_page = wf_->ListActivities(2, "");
  ASSERT_EQ(first_page.items.size(), 2u);
  EXPECT_EQ(first_page.items[0].name, "approve");
  EXPECT_EQ(first_page.items[1].name, "b");
  auto last_page = wf_->ListActivities(2, first_page.next_token);
  ASSERT_EQ(last_page.items.size(), 1u);
  EXPECT_EQ(last_page.items[0].name, "c");
  EXPECT_TRUE(last_page.next_token.empty());

  EXPECT_TRUE(wf_->GetActivity("b"));
  EXPECT_TRUE(wf_->DeleteActivity("b"));
  EXPECT_FALSE(wf_->DeleteActivity("b"));
  EXPECT_FALSE(wf_->GetActivity("b"));
}

TEST_F(WorkflowStoreTest, TagsOfStateMachinesAndActivities) {
  wf_->CreateStateMachine(Machine("m"));
  wf_->CreateActivity({"act", "", {}, 0});
  const std::string machine = api::StateMachineArn("m");
  const std::string activity = api::ActivityArn("act");

  wf_->TagResource(machine, {{"k1", "a"}, {"k2", "b"}});
  wf_->TagResource(machine, {{"k2", "B"}, {"k3", "c"}});
  EXPECT_EQ(wf_->ListTags(machine), (Tags{{"k1", "a"}, {"k2", "B"}, {"k3", "c"}}));
  wf_->UntagResource(machine, {"k1", "absent"});
  EXPECT_EQ(wf_->ListTags(machine), (Tags{{"k2", "B"}, {"k3", "c"}}));
  EXPECT_EQ(wf_->GetStateMachine("m")->tags, (Tags{{"k2", "B"}, {"k3", "c"}}));

  wf_->TagResource(activity, {{"x", "y"}});
  EXPECT_EQ(wf_->ListTags(activity), (Tags{{"x", "y"}}));
  ExpectApiError(
      [&] {
        wf_->TagResource(activity, {{"p", "1"}, {"q", "2"}}, 2);
      },
      ErrorCode::kInvalidArgument, "tags: a resource has at most 2 tags");
  EXPECT_EQ(wf_->ListTags(activity), (Tags{{"x", "y"}}));

  ExpectApiError([&] { wf_->ListTags(api::StateMachineArn("gone")); }, ErrorCode::kNotFound,
                 "Resource not found");
  ExpectApiError(
      [&] {
        wf_->TagResource(api::ExecutionArn("m", "e"), {{"a", "b"}});
      },
      ErrorCode::kInvalidArgument, "only state machines and activities have tags");
  ExpectApiError([&] { wf_->ListTags("arn:aws:batch:local:0:job-queue/q"); },
                 ErrorCode::kInvalidArgument, "not a Step Functions ARN");
}

TEST(StatesNamesTest, NamesFollowAwsRules) {
  for (const std::string& good :
       std::vector<std::string>{"a", "resize-images_v2", "Ünïcödé", "日本語の名前",
                                "a.b(c)@d+e=f!'", std::string(80, 'x'),
                                // 80 characters of two bytes each are still 80 characters.
                                [] {
                                  std::string s;
                                  for (int i = 0; i < 80; ++i) s += "é";
                                  return s;
                                }()}) {
    EXPECT_TRUE(api::IsValidStatesName(good)) << good;
  }
  std::vector<std::string> bad = {"",      std::string(81, 'x'), "a b",      "a\tb",     "a\nb",
                                  "a\x7f", "a\u00a0b",           "a\u2003b", "a\u0085b", "\xff\xfe",
                                  "\xc3"};
  for (char c : std::string("<>{}[]?*\"#%\\^|~`$&,;:/")) bad.push_back(std::string("a") + c);
  for (const auto& name : bad) EXPECT_FALSE(api::IsValidStatesName(name)) << name;
  ExpectApiError([] { api::CheckStatesName("name", "a:b"); }, ErrorCode::kInvalidArgument,
                 "name: must be 1-80 characters without whitespace");
  ExpectApiError([] { api::CheckStatesName("name", ""); }, ErrorCode::kInvalidArgument,
                 "name: is required");
}

TEST(StatesNamesTest, ArnsAndReferences) {
  EXPECT_EQ(api::StateMachineArn("m"), "arn:batchd:states:local:000000000000:stateMachine:m");
  EXPECT_EQ(api::ExecutionArn("m", "e"), "arn:batchd:states:local:000000000000:execution:m:e");
  EXPECT_EQ(api::ActivityArn("a"), "arn:batchd:states:local:000000000000:activity:a");

  struct MachineCase {
    std::string ref;
    std::string name;
    std::optional<int> revision;
  };
  for (const auto& c : std::vector<MachineCase>{
           {"m", "m", std::nullopt},
           {"m:3", "m", 3},
           {api::StateMachineArn("m"), "m", std::nullopt},
           {api::StateMachineArn("m") + ":12", "m", 12},
           {"arn:aws:states:us-east-1:123456789012:stateMachine:m", "m", std::nullopt},
       }) {
    auto ref = api::ParseStateMachineRef("stateMachineArn", c.ref);
    EXPECT_EQ(ref.name, c.name) << c.ref;
    EXPECT_EQ(ref.revision, c.revision) << c.ref;
  }
  for (const auto& [ref, message] : std::vector<std::pair<std::string, std::string>>{
           {"", "stateMachineArn: is required"},
           {api::StateMachineArn("m") + ":prod", "batchd has no aliases"},
           {"m:0", "revision number"},
           {api::ActivityArn("m"), "expected a state machine ARN"},
           {"arn:aws:batch:us-east-1:1:job-queue/q", "not a Step Functions ARN"},
           {"a b", "must be 1-80 characters"},
       }) {
    ExpectApiError([&] { api::ParseStateMachineRef("stateMachineArn", ref); },
                   ErrorCode::kInvalidArgument, message);
  }

  auto e = api::ParseExecutionRef("executionArn", api::ExecutionArn("m", "run-1"));
  EXPECT_EQ(e.state_machine, "m");
  EXPECT_EQ(e.name, "run-1");
  e = api::ParseExecutionRef("executionArn", "m:run-2");
  EXPECT_EQ(e.name, "run-2");
  ExpectApiError([] { api::ParseExecutionRef("executionArn", "run-only"); },
                 ErrorCode::kInvalidArgument, "not an execution ARN");
  ExpectApiError([] { api::ParseExecutionRef("executionArn", api::StateMachineArn("m")); },
                 ErrorCode::kInvalidArgument, "expected an execution ARN");

  EXPECT_EQ(api::ActivityNameFromRef("activityArn", "a"), "a");
  EXPECT_EQ(api::ActivityNameFromRef("activityArn", "arn:aws:states:eu-west-1:1:activity:a"), "a");
  ExpectApiError([] { api::ActivityNameFromRef("activityArn", "arn:aws:states:::activity"); },
                 ErrorCode::kInvalidArgument, "activityArn");

  auto r = api::ParseStatesArn("resourceArn", api::ExecutionArn("m", "e"));
  EXPECT_EQ(r.kind, api::kExecutionKind);
  EXPECT_EQ(r.state_machine, "m");
  EXPECT_EQ(r.name, "e");
  r = api::ParseStatesArn("resourceArn", api::ActivityArn("a"));
  EXPECT_EQ(r.kind, api::kActivityKind);
  EXPECT_EQ(r.name, "a");
  ExpectApiError([] { api::ParseStatesArn("resourceArn", "m"); }, ErrorCode::kInvalidArgument,
                 "not a Step Functions ARN");
  ExpectApiError(
      [] { api::ParseStatesArn("resourceArn", "arn:batchd:states:local:0:mapRun:m/x:1"); },
      ErrorCode::kInvalidArgument, "not a state machine, execution or activity ARN");
}

}  // namespace
}  // namespace batchd::store
