// Activities, and the task tokens steps wait on: activity workers poll (GetActivityTask) and
// answer (SendTask*); callbacks (.waitForTaskToken) are answered the same way. Task tokens
// are secrets: no message here quotes one.
#include "api/api_error.h"
#include "api/states_names.h"
#include "service/states_checks.h"
#include "service/states_handlers.h"

namespace batchd::service {
namespace {

using states::Seconds;

constexpr size_t kMaxWorkerNameChars = 80;

// The activity's stored row, or ActivityDoesNotExist.
store::ActivityRow ActivityOrThrow(store::WorkflowStore& store, const std::string& name) {
  auto row = store.GetActivity(name);
  if (!row) {
    states::Throw(api::ErrorCode::kNotFound, "ActivityDoesNotExist",
                  "activity " + api::ActivityArn(name) + " does not exist");
  }
  return *row;
}

double SecondsOrZero(const std::optional<int64_t>& ms) { return ms ? Seconds(*ms) : 0; }

}  // namespace

batch::v1::CreateActivityResponse StatesHandlers::CreateActivity(
    const batch::v1::CreateActivityRequest& req) {
  states::CheckName("name", req.name());
  store::ActivityRow row;
  row.name = req.name();
  row.tags = states::TagsOf(req.tags());
  row.creation_date = clock_.NowMillis();
  // AWS's idempotency: an activity of that name comes back as it is, whatever the tags.
  const store::ActivityRow stored = store_.CreateActivity(row);
  batch::v1::CreateActivityResponse resp;
  resp.set_activity_arn(stored.arn);
  resp.set_creation_date(Seconds(stored.creation_date));
  return resp;
}

batch::v1::DescribeActivityResponse StatesHandlers::DescribeActivity(
    const batch::v1::DescribeActivityRequest& req) {
  const store::ActivityRow row =
      ActivityOrThrow(store_, states::ActivityNameOf("activityArn", req.activity_arn()));
  batch::v1::DescribeActivityResponse resp;
  resp.set_activity_arn(row.arn);
  resp.set_name(row.name);
  resp.set_creation_date(Seconds(row.creation_date));
  return resp;
}

batch::v1::ListActivitiesResponse StatesHandlers::ListActivities(
    const batch::v1::ListActivitiesRequest& req) {
  states::CheckMaxResults(req.max_results());
  auto page = states::WithAwsCode(
      "InvalidToken", [&] { return store_.ListActivities(req.max_results(), req.next_token()); });
  batch::v1::ListActivitiesResponse resp;
  for (const store::ActivityRow& row : page.items) {
    batch::v1::ActivityListItem* item = resp.add_activities();
    item->set_activity_arn(row.arn);
    item->set_name(row.name);
    item->set_creation_date(Seconds(row.creation_date));
  }
  resp.set_next_token(page.next_token);
  return resp;
}

batch::v1::DeleteActivityResponse StatesHandlers::DeleteActivity(
    const batch::v1::DeleteActivityRequest& req) {
  // As for state machines, deleting one that is not there succeeds (AWS names no error for it).
  (void)store_.DeleteActivity(states::ActivityNameOf("activityArn", req.activity_arn()));
  return {};
}

batch::v1::GetActivityTaskResponse StatesHandlers::GetActivityTask(
    const batch::v1::GetActivityTaskRequest& req) {
  const std::string name = states::ActivityNameOf("activityArn", req.activity_arn());
  if (req.worker_name().size() > kMaxWorkerNameChars) {
    api::ThrowInvalid("workerName",
                      "at most " + std::to_string(kMaxWorkerNameChars) + " characters");
  }
  // Checked before the poll: a typo'd ARN should fail at once, not after a minute's wait.
  const store::ActivityRow activity = ActivityOrThrow(store_, name);
  batch::v1::GetActivityTaskResponse resp;
  if (auto task = Hooks().GetActivityTask(activity.arn, req.worker_name())) {
    resp.set_task_token(task->token);
    resp.set_input(task->input);
  }
  return resp;
}

batch::v1::SendTaskSuccessResponse StatesHandlers::SendTaskSuccess(
    const batch::v1::SendTaskSuccessRequest& req) {
  states::CheckTaskToken(req.task_token());
  states::CheckPayload("InvalidOutput", "output", req.output(), /*empty_ok=*/false);
  Hooks().SendTaskSuccess(req.task_token(), req.output());
  return {};
}

batch::v1::SendTaskFailureResponse StatesHandlers::SendTaskFailure(
    const batch::v1::SendTaskFailureRequest& req) {
  states::CheckTaskToken(req.task_token());
  states::CheckErrorAndCause(req.error(), req.cause());
  Hooks().SendTaskFailure(req.task_token(), req.error(), req.cause());
  return {};
}

batch::v1::SendTaskHeartbeatResponse StatesHandlers::SendTaskHeartbeat(
    const batch::v1::SendTaskHeartbeatRequest& req) {
  states::CheckTaskToken(req.task_token());
  Hooks().SendTaskHeartbeat(req.task_token());
  return {};
}

batch::v1::ListTasksResponse StatesHandlers::ListTasks(const batch::v1::ListTasksRequest& req) {
  states::CheckMaxResults(req.max_results());
  store::TaskQuery query;
  if (!req.execution_arn().empty()) {
    query.execution_arn = states::ExecutionArnOf("executionArn", req.execution_arn());
  }
  if (!req.activity_arn().empty()) {
    query.activity_arn =
        api::ActivityArn(states::ActivityNameOf("activityArn", req.activity_arn()));
  }
  if (req.status_filter() != batch::v1::WorkflowTaskStatus::WORKFLOW_TASK_STATUS_UNSPECIFIED) {
    query.status = req.status_filter();
  }
  query.max_results = req.max_results();
  query.next_token = req.next_token();
  auto page = states::WithAwsCode("InvalidToken", [&] { return store_.ListTasks(query); });
  batch::v1::ListTasksResponse resp;
  for (const store::TaskRow& task : page.items) {
    batch::v1::TaskListItem* item = resp.add_tasks();
    item->set_task_token(task.token);
    item->set_execution_arn(task.execution_arn);
    item->set_state_name(task.state_name);
    item->set_resource(task.resource);
    item->set_activity_arn(task.activity_arn);
    item->set_kind(task.kind);
    item->set_status(task.status);
    item->set_worker_name(task.worker_name);
    item->set_scheduled_date(Seconds(task.scheduled_ms));
    if (task.started_ms != 0) item->set_started_date(Seconds(task.started_ms));
    item->set_heartbeat_deadline(SecondsOrZero(task.heartbeat_due_ms));
    item->set_timeout_deadline(SecondsOrZero(task.timeout_due_ms));
    item->set_input(task.input);
  }
  resp.set_next_token(page.next_token);
  return resp;
}

}  // namespace batchd::service
