// StatesService's executions, their history, activity tasks and callbacks, through gRPC with
// the real workflow engine and a real PostgreSQL.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "states_fixture.h"
#include "support/wait.h"

namespace batchd::testing {
namespace {

using namespace batch::v1;

constexpr char kPass[] =
    R"({"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"x":1},"End":true}}})";
// Waits for SendTask* on its token: the execution runs until answered.
constexpr char kCallback[] = R"({"StartAt":"Ask","States":{"Ask":{"Type":"Task",
  "Resource":"arn:aws:states:::batchd:task.waitForTaskToken",
  "Parameters":{"token.$":"$$.Task.Token","n.$":"$.n"},"End":true}}})";
// An activity named as AWS names them: region and account are ignored.
constexpr char kActivityStep[] = R"({"StartAt":"Work","States":{"Work":{"Type":"Task",
  "Resource":"arn:aws:states:us-east-1:123456789012:activity:worker","End":true}}})";

std::vector<std::string> Types(const std::vector<HistoryEvent>& events) {
  std::vector<std::string> types;
  for (const auto& e : events) types.push_back(e.type());
  return types;
}

using Executions = StatesTest;

TEST_F(Executions, APassMachineSucceedsWithItsOutputAndHistory) {
  const std::string machine = CreateMachine("m", kPass);
  const std::string arn = Start(machine, "e1", R"({"a": 1})");
  EXPECT_EQ(arn, "arn:batchd:states:local:000000000000:execution:m:e1");

  const DescribeExecutionResponse d = WaitForEnd(arn);
  EXPECT_EQ(d.status(), ExecutionStatus::SUCCEEDED);
  EXPECT_EQ(d.output(), R"({"x":1})");
  EXPECT_TRUE(d.output_details().included());
  EXPECT_EQ(d.input(), R"({"a": 1})");
  EXPECT_TRUE(d.input_details().included());
  EXPECT_EQ(d.state_machine_arn(), machine);
  EXPECT_EQ(d.name(), "e1");
  EXPECT_GT(d.start_date(), 1.6e9);
  EXPECT_GE(d.stop_date(), d.start_date());
  EXPECT_EQ(d.revision(), 1);
  EXPECT_EQ(d.redrive_count(), 0);
  EXPECT_EQ(d.redrive_status(), ExecutionRedriveStatus::NOT_REDRIVABLE);
  EXPECT_EQ(d.parent_execution_arn(), "");

  DescribeExecutionRequest metadata;
  metadata.set_execution_arn("m:e1");  // the short form
  metadata.set_included_data(IncludedData::METADATA_ONLY);
  DescribeExecutionResponse m;
  ASSERT_OK(SCALL(DescribeExecution, metadata, &m));
  EXPECT_EQ(m.input(), "");
  EXPECT_FALSE(m.input_details().included());
  EXPECT_EQ(m.output(), "");

  GetExecutionHistoryRequest req;
  req.set_execution_arn(arn);
  req.set_max_results(2);  // followed page by page
  const std::vector<HistoryEvent> events = History(req);
  EXPECT_EQ(Types(events), (std::vector<std::string>{"ExecutionStarted", "PassStateEntered",
                                                     "PassStateExited", "ExecutionSucceeded"}));
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].id(), static_cast<int64_t>(i + 1));
    EXPECT_GT(events[i].timestamp(), 1.6e9);
  }
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].previous_event_id(), 0);
  EXPECT_EQ(events[0].execution_started_event_details().fields().at("input").string_value(),
            R"({"a":1})");
  EXPECT_EQ(events[1].state_entered_event_details().fields().at("name").string_value(), "A");
  EXPECT_EQ(events[2].state_exited_event_details().fields().at("name").string_value(), "A");
  EXPECT_EQ(events[2].state_exited_event_details().fields().at("output").string_value(),
            R"({"x":1})");
  EXPECT_EQ(events[3].execution_succeeded_event_details().fields().at("output").string_value(),
            R"({"x":1})");

  // Newest first, and without the payloads.
  req.set_max_results(0);
  req.set_reverse_order(true);
  req.set_include_execution_data(false);
  const std::vector<HistoryEvent> reversed = History(req);
  ASSERT_EQ(reversed.size(), 4u);
  EXPECT_EQ(reversed[0].id(), 4);
  EXPECT_EQ(reversed[3].id(), 1);
  EXPECT_EQ(reversed[3].execution_started_event_details().fields().count("input"), 0u);
  EXPECT_EQ(reversed[1].state_exited_event_details().fields().count("output"), 0u);
  EXPECT_EQ(reversed[1].state_exited_event_details().fields().at("name").string_value(), "A");

  DescribeStateMachineForExecutionRequest for_execution;
  for_execution.set_execution_arn(arn);
  DescribeStateMachineForExecutionResponse sm;
  ASSERT_OK(SCALL(DescribeStateMachineForExecution, for_execution, &sm));
  EXPECT_EQ(sm.state_machine_arn(), machine);
  EXPECT_EQ(sm.name(), "m");
  EXPECT_EQ(sm.definition(), kPass);
  EXPECT_EQ(sm.revision_id(), "1");

  ListExecutionsRequest list;
  list.set_state_machine_arn(machine);
  list.set_status_filter(ExecutionStatus::SUCCEEDED);
  ListExecutionsResponse listed;
  ASSERT_OK(SCALL(ListExecutions, list, &listed));
  ASSERT_EQ(listed.executions_size(), 1);
  EXPECT_EQ(listed.executions(0).execution_arn(), arn);
  EXPECT_EQ(listed.executions(0).status(), ExecutionStatus::SUCCEEDED);
  EXPECT_EQ(listed.executions(0).revision(), 1);
  list.set_status_filter(ExecutionStatus::FAILED);
  ASSERT_OK(SCALL(ListExecutions, list, &listed));
  EXPECT_EQ(listed.executions_size(), 0);
  list.set_state_machine_arn("nope");
  EXPECT_STATUS(SCALL(ListExecutions, list, &listed), NOT_FOUND, "StateMachineDoesNotExist");

  req.set_execution_arn("m:nope");
  GetExecutionHistoryResponse none;
  EXPECT_STATUS(SCALL(GetExecutionHistory, req, &none), NOT_FOUND,
                "ExecutionDoesNotExist: execution "
                "arn:batchd:states:local:000000000000:execution:m:nope does not exist");
}

TEST_F(Executions, StartFollowsAwsRulesForNamesAndInput) {
  CreateMachine("wait", kCallback);
  CreateMachine("pass", kPass);
  const std::string arn = Start("wait", "same", R"({"n":1})");
  // Same name and input while it runs: the same execution.
  EXPECT_EQ(Start("wait", "same", R"({"n":1})"), arn);

  StartExecutionRequest req;
  req.set_state_machine_arn("wait");
  req.set_name("same");
  req.set_input(R"({"n":2})");
  StartExecutionResponse resp;
  EXPECT_STATUS(SCALL(StartExecution, req, &resp), ALREADY_EXISTS, "ExecutionAlreadyExists");

  // An ended execution's name is taken, whatever the input.
  Start("pass", "done", "{}");
  WaitForEnd("pass:done");
  req.set_state_machine_arn("pass");
  req.set_name("done");
  req.set_input("{}");
  EXPECT_STATUS(SCALL(StartExecution, req, &resp), ALREADY_EXISTS, "ExecutionAlreadyExists");

  req.set_name("bad-input");
  req.set_input("{\"n\":");
  EXPECT_STATUS(SCALL(StartExecution, req, &resp), INVALID_ARGUMENT,
                "InvalidExecutionInput: input is not JSON text");
  req.set_input(std::string(service::kMaxStatesPayloadBytes + 1, ' '));
  EXPECT_STATUS(SCALL(StartExecution, req, &resp), INVALID_ARGUMENT,
                "InvalidExecutionInput: input is 4194305 bytes; at most 4194304 are allowed");
  req.set_input("{}");
  req.set_name("white space");
  EXPECT_STATUS(SCALL(StartExecution, req, &resp), INVALID_ARGUMENT, "InvalidName: name: ");
  req.set_name("x");
  req.set_state_machine_arn("missing");
  EXPECT_STATUS(SCALL(StartExecution, req, &resp), NOT_FOUND, "StateMachineDoesNotExist");
  req.set_state_machine_arn("pass:7");
  EXPECT_STATUS(SCALL(StartExecution, req, &resp), NOT_FOUND, "has no revision 7");

  // No name: a UUID, as AWS gives.
  req.set_state_machine_arn("pass:1");
  req.clear_name();
  ASSERT_OK(SCALL(StartExecution, req, &resp));
  EXPECT_EQ(resp.execution_arn().size(),
            std::string("arn:batchd:states:local:000000000000:execution:pass:").size() + 36);
}

TEST_F(Executions, AnActivityTaskIsPolledAndAnsweredWithSendTaskSuccess) {
  CreateActivityRequest activity;
  activity.set_name("worker");
  CreateActivityResponse created;
  ASSERT_OK(SCALL(CreateActivity, activity, &created));

  // Nothing to do yet: the poll ends empty.
  GetActivityTaskRequest poll;
  poll.set_activity_arn(created.activity_arn());
  poll.set_worker_name("w1");
  GetActivityTaskResponse task;
  ASSERT_OK(SCALL(GetActivityTask, poll, &task));
  EXPECT_EQ(task.task_token(), "");
  EXPECT_EQ(task.input(), "");

  CreateMachine("m", kActivityStep);
  const std::string arn = Start("m", "e", R"({"file":"a.png"})");
  ASSERT_TRUE(PollUntil([&] {
    EXPECT_TRUE(SCALL(GetActivityTask, poll, &task).ok());
    return !task.task_token().empty();
  }));
  EXPECT_EQ(task.input(), R"({"file":"a.png"})");

  SendTaskSuccessRequest bad;
  bad.set_task_token(task.task_token());
  bad.set_output("not json");
  SendTaskSuccessResponse sent;
  grpc::Status s = SCALL(SendTaskSuccess, bad, &sent);
  EXPECT_STATUS(s, INVALID_ARGUMENT, "InvalidOutput: output is not JSON text");
  EXPECT_EQ(s.error_message().find(task.task_token()), std::string::npos);

  SendTaskHeartbeatRequest heartbeat;
  heartbeat.set_task_token(task.task_token());
  SendTaskHeartbeatResponse beat;
  ASSERT_OK(SCALL(SendTaskHeartbeat, heartbeat, &beat));

  SendTaskSuccessRequest ok;
  ok.set_task_token(task.task_token());
  ok.set_output(R"({"resized":true})");
  ASSERT_OK(SCALL(SendTaskSuccess, ok, &sent));
  const DescribeExecutionResponse d = WaitForEnd(arn);
  EXPECT_EQ(d.status(), ExecutionStatus::SUCCEEDED);
  EXPECT_EQ(d.output(), R"({"resized":true})");

  // Answered: the token names nothing any more.
  s = SCALL(SendTaskSuccess, ok, &sent);
  EXPECT_STATUS(s, NOT_FOUND, "TaskDoesNotExist");
  EXPECT_EQ(s.error_message().find(task.task_token()), std::string::npos);
}

TEST_F(Executions, ACallbackAnsweredWithSendTaskFailureFailsTheExecution) {
  CreateMachine("m", kCallback);
  const std::string arn = Start("m", "e", R"({"n":7})");
  const std::vector<TaskListItem> tasks = WaitForTasks(arn);
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].execution_arn(), arn);
  EXPECT_EQ(tasks[0].state_name(), "Ask");
  EXPECT_EQ(tasks[0].kind(), WorkflowTaskKind::CALLBACK);
  EXPECT_FALSE(tasks[0].task_token().empty());
  EXPECT_GT(tasks[0].scheduled_date(), 1.6e9);

  SendTaskFailureRequest fail;
  fail.set_task_token(tasks[0].task_token());
  fail.set_error("Resize.TooBig");
  fail.set_cause("the image is 90000 pixels wide");
  SendTaskFailureResponse sent;
  ASSERT_OK(SCALL(SendTaskFailure, fail, &sent));
  const DescribeExecutionResponse d = WaitForEnd(arn);
  EXPECT_EQ(d.status(), ExecutionStatus::FAILED);
  EXPECT_EQ(d.error(), "Resize.TooBig");
  EXPECT_EQ(d.cause(), "the image is 90000 pixels wide");
  EXPECT_EQ(d.redrive_status(), ExecutionRedriveStatus::REDRIVABLE);

  GetExecutionHistoryRequest req;
  req.set_execution_arn(arn);
  const std::vector<HistoryEvent> events = History(req);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().type(), "ExecutionFailed");
  EXPECT_EQ(events.back().execution_failed_event_details().fields().at("error").string_value(),
            "Resize.TooBig");
  bool scheduled = false;
  for (const auto& e : events) {
    if (e.type() != "TaskScheduled") continue;
    scheduled = true;
    EXPECT_EQ(e.task_scheduled_event_details().fields().at("resourceType").string_value(),
              "batchd");
  }
  EXPECT_TRUE(scheduled);

  fail.set_task_token("no-such-token");
  grpc::Status s = SCALL(SendTaskFailure, fail, &sent);
  EXPECT_STATUS(s, NOT_FOUND, "TaskDoesNotExist");
  EXPECT_EQ(s.error_message().find("no-such-token"), std::string::npos);
  fail.set_task_token("");
  EXPECT_STATUS(SCALL(SendTaskFailure, fail, &sent), INVALID_ARGUMENT, "taskToken: is required");
  fail.set_task_token("t");
  fail.set_error(std::string(257, 'e'));
  EXPECT_STATUS(SCALL(SendTaskFailure, fail, &sent), INVALID_ARGUMENT, "error: at most 256");
}

TEST_F(Executions, AFailedExecutionIsRedrivenFromItsFailedStep) {
  CreateMachine("m", kCallback);
  const std::string arn = Start("m", "e", R"({"n":3})");
  std::vector<TaskListItem> tasks = WaitForTasks(arn);
  ASSERT_EQ(tasks.size(), 1u);
  SendTaskFailureRequest fail;
  fail.set_task_token(tasks[0].task_token());
  fail.set_error("Flaky");
  SendTaskFailureResponse failed;
  ASSERT_OK(SCALL(SendTaskFailure, fail, &failed));
  ASSERT_EQ(WaitForEnd(arn).status(), ExecutionStatus::FAILED);

  RedriveExecutionRequest redrive;
  redrive.set_execution_arn(arn);
  RedriveExecutionResponse redriven;
  ASSERT_OK(SCALL(RedriveExecution, redrive, &redriven));
  EXPECT_GT(redriven.redrive_date(), 1.6e9);
  DescribeExecutionResponse d = DescribeExecution(arn);
  EXPECT_EQ(d.status(), ExecutionStatus::RUNNING);
  EXPECT_EQ(d.redrive_count(), 1);
  EXPECT_EQ(d.redrive_date(), redriven.redrive_date());
  // Running again: not redrivable.
  EXPECT_STATUS(SCALL(RedriveExecution, redrive, &redriven), FAILED_PRECONDITION,
                "ExecutionNotRedrivable");

  tasks = WaitForTasks(arn);
  ASSERT_EQ(tasks.size(), 1u);
  SendTaskSuccessRequest ok;
  ok.set_task_token(tasks[0].task_token());
  ok.set_output(R"({"second":"try"})");
  SendTaskSuccessResponse sent;
  ASSERT_OK(SCALL(SendTaskSuccess, ok, &sent));
  d = WaitForEnd(arn);
  EXPECT_EQ(d.status(), ExecutionStatus::SUCCEEDED);
  EXPECT_EQ(d.output(), R"({"second":"try"})");

  ListExecutionsRequest list;
  list.set_state_machine_arn("m");
  list.set_redrive_filter(ExecutionRedriveFilter::REDRIVEN);
  ListExecutionsResponse listed;
  ASSERT_OK(SCALL(ListExecutions, list, &listed));
  ASSERT_EQ(listed.executions_size(), 1);
  EXPECT_EQ(listed.executions(0).redrive_count(), 1);
  list.set_redrive_filter(ExecutionRedriveFilter::NOT_REDRIVEN);
  ASSERT_OK(SCALL(ListExecutions, list, &listed));
  EXPECT_EQ(listed.executions_size(), 0);
}

TEST_F(Executions, StopAbortsARunningExecution) {
  CreateMachine("m", kCallback);
  const std::string arn = Start("m", "e", R"({"n":1})");
  WaitForTasks(arn);
  StopExecutionRequest stop;
  stop.set_execution_arn(arn);
  stop.set_error("Operator");
  stop.set_cause("no longer needed");
  StopExecutionResponse stopped;
  ASSERT_OK(SCALL(StopExecution, stop, &stopped));
  EXPECT_GT(stopped.stop_date(), 1.6e9);
  const DescribeExecutionResponse d = DescribeExecution(arn);
  EXPECT_EQ(d.status(), ExecutionStatus::ABORTED);
  EXPECT_EQ(d.error(), "Operator");

  stop.set_execution_arn("m:missing");
  EXPECT_STATUS(SCALL(StopExecution, stop, &stopped), NOT_FOUND, "ExecutionDoesNotExist");
  stop.set_execution_arn("arn:aws:states:us-east-1:1:stateMachine:m");
  EXPECT_STATUS(SCALL(StopExecution, stop, &stopped), INVALID_ARGUMENT,
                "InvalidArn: executionArn: ");
}

TEST_F(Executions, HeartbeatsKeepATaskAliveAndTheirAbsenceTimesItOut) {
  CreateMachine("m", R"({"StartAt":"Ask","States":{"Ask":{"Type":"Task",
    "Resource":"arn:aws:states:::batchd:task.waitForTaskToken","HeartbeatSeconds":2,
    "Parameters":{"token.$":"$$.Task.Token"},
    "Catch":[{"ErrorEquals":["States.HeartbeatTimeout"],"ResultPath":"$.late","Next":"Late"}],
    "End":true},"Late":{"Type":"Pass","End":true}}})");
  const std::string arn = Start("m", "e", R"({"n":1})");
  const std::string token = WaitForTasks(arn).at(0).task_token();
  SendTaskHeartbeatRequest beat;
  beat.set_task_token(token);
  SendTaskHeartbeatResponse beaten;
  // Beaten often for more than twice its HeartbeatSeconds, the step still waits.
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(4500);
  PollUntil(
      [&] {
        EXPECT_TRUE(SCALL(SendTaskHeartbeat, beat, &beaten).ok());
        EXPECT_EQ(DescribeExecution(arn).status(), ExecutionStatus::RUNNING);
        return std::chrono::steady_clock::now() >= until;
      },
      std::chrono::seconds(10), std::chrono::milliseconds(250));
  // Left alone, it times out; the catcher sees AWS's error names.
  const DescribeExecutionResponse d = WaitForEnd(arn);
  ASSERT_EQ(d.status(), ExecutionStatus::SUCCEEDED);
  const auto out = nlohmann::json::parse(d.output());
  EXPECT_EQ(out["late"]["Error"], "States.Timeout");
  GetExecutionHistoryRequest req;
  req.set_execution_arn(arn);
  const std::vector<std::string> types = Types(History(req));
  EXPECT_NE(std::find(types.begin(), types.end(), "TaskTimedOut"), types.end());
  // The token is gone with its step.
  EXPECT_STATUS(SCALL(SendTaskHeartbeat, beat, &beaten), NOT_FOUND, "TaskDoesNotExist");
}

TEST_F(Executions, ADistributedMapRunsEachItemAsAChildExecution) {
  CreateMachine("m", R"js({"StartAt":"Each","States":{"Each":{"Type":"Map","ItemsPath":"$.items",
    "ToleratedFailureCount":1,
    "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
      "StartAt":"Check","States":{
        "Check":{"Type":"Choice","Choices":[{"Variable":"$","NumericEquals":2,"Next":"Bad"}],
          "Default":"Double"},
        "Bad":{"Type":"Fail","Error":"Item.Bad","Cause":"two"},
        "Double":{"Type":"Pass","Parameters":{"v.$":"States.MathAdd($, $)"},"End":true}}},
    "End":true}}})js");
  const std::string arn = Start("m", "e", R"({"items":[1,2,3,4]})");
  const DescribeExecutionResponse d = WaitForEnd(arn);
  ASSERT_EQ(d.status(), ExecutionStatus::SUCCEEDED) << d.error() << ": " << d.cause();
  EXPECT_EQ(
      nlohmann::json::parse(d.output()),
      nlohmann::json::parse(R"([{"v":2},{"Error":"Item.Bad","Cause":"two"},{"v":6},{"v":8}])"));

  GetExecutionHistoryRequest req;
  req.set_execution_arn(arn);
  const std::vector<HistoryEvent> events = History(req);
  const std::vector<std::string> types = Types(events);
  EXPECT_EQ(std::count(types.begin(), types.end(), "MapIterationStarted"), 0);
  std::string run;
  for (const auto& e : events) {
    if (e.type() == "MapRunStarted") {
      run = e.map_run_started_event_details().fields().at("mapRunArn").string_value();
    }
  }
  ASSERT_EQ(run, arn + "/Each");
  EXPECT_NE(std::find(types.begin(), types.end(), "MapRunSucceeded"), types.end());

  // Each item is an execution of its own, with its own history, listed by the map run.
  ListExecutionsRequest list;
  list.set_map_run_arn(run);
  ListExecutionsResponse children;
  ASSERT_OK(SCALL(ListExecutions, list, &children));
  ASSERT_EQ(children.executions_size(), 4);
  int failed = 0;
  for (const auto& child : children.executions()) {
    EXPECT_EQ(child.map_run_arn(), run);
    if (child.status() == ExecutionStatus::FAILED) ++failed;
    const DescribeExecutionResponse c = DescribeExecution(child.execution_arn());
    EXPECT_EQ(c.parent_execution_arn(), arn);
    GetExecutionHistoryRequest child_history;
    child_history.set_execution_arn(child.execution_arn());
    EXPECT_EQ(Types(History(child_history)).front(), "ExecutionStarted");
  }
  EXPECT_EQ(failed, 1);
  list.set_map_run_arn("no-slash");
  EXPECT_STATUS(SCALL(ListExecutions, list, &children), INVALID_ARGUMENT, "mapRunArn: expected");
}

TEST_F(Executions, StoppingADistributedMapStopsItsChildren) {
  CreateMachine("m", R"({"StartAt":"Each","States":{"Each":{"Type":"Map",
    "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
      "StartAt":"Ask","States":{"Ask":{"Type":"Task",
        "Resource":"arn:aws:states:::batchd:task.waitForTaskToken",
        "Parameters":{"token.$":"$$.Task.Token"},"End":true}}},"End":true}}})");
  const std::string arn = Start("m", "e", "[1,2,3]");
  // Each child waits on its own callback task.
  ListExecutionsRequest list;
  list.set_map_run_arn(arn + "/Each");
  ListExecutionsResponse children;
  ASSERT_TRUE(PollUntil(
      [&] {
        EXPECT_TRUE(SCALL(ListExecutions, list, &children).ok());
        return children.executions_size() == 3;
      },
      std::chrono::seconds(10), std::chrono::milliseconds(20)));
  for (const auto& child : children.executions()) WaitForTasks(child.execution_arn());
  StopExecutionRequest stop;
  stop.set_execution_arn(arn);
  StopExecutionResponse stopped;
  ASSERT_OK(SCALL(StopExecution, stop, &stopped));
  for (const auto& child : children.executions()) {
    EXPECT_EQ(WaitForEnd(child.execution_arn()).status(), ExecutionStatus::ABORTED);
  }
  EXPECT_EQ(DescribeExecution(arn).status(), ExecutionStatus::ABORTED);
}

}  // namespace
}  // namespace batchd::testing
