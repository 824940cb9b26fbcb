// Executions: start, describe, list, stop, redrive, their history and the definition they run.
// Starting, stopping and redriving go to the execution loop (WorkflowHooks); reads come from
// the store.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include "api/api_error.h"
#include "api/states_names.h"
#include "core/asl/interpreter.h"
#include "service/states_checks.h"
#include "service/states_handlers.h"

namespace batchd::service {
namespace {

using batch::v1::ExecutionRedriveStatus;
using batch::v1::ExecutionStatus;
using states::Seconds;

[[noreturn]] void ThrowNoExecution(const std::string& arn) {
  states::Throw(api::ErrorCode::kNotFound, "ExecutionDoesNotExist",
                "execution " + arn + " does not exist");
}

// AWS's redriveStatus: only an execution that ended without succeeding can run again.
void SetRedriveStatus(ExecutionStatus::Value status, batch::v1::DescribeExecutionResponse& resp) {
  const auto not_redrivable = [&](const char* why) {
    resp.set_redrive_status(ExecutionRedriveStatus::NOT_REDRIVABLE);
    resp.set_redrive_status_reason(std::string("Execution is ") + why + " and cannot be redriven");
  };
  switch (status) {
    case ExecutionStatus::RUNNING:
      return not_redrivable("RUNNING");
    case ExecutionStatus::SUCCEEDED:
      return not_redrivable("SUCCEEDED");
    case ExecutionStatus::PENDING_REDRIVE:
      return not_redrivable("PENDING_REDRIVE");
    case ExecutionStatus::FAILED:
    case ExecutionStatus::TIMED_OUT:
    case ExecutionStatus::ABORTED:
      resp.set_redrive_status(ExecutionRedriveStatus::REDRIVABLE);
      return;
    case ExecutionStatus::EXECUTION_STATUS_UNSPECIFIED:
    case batch::v1::ExecutionStatus_Value_ExecutionStatus_Value_INT_MIN_SENTINEL_DO_NOT_USE_:
    case batch::v1::ExecutionStatus_Value_ExecutionStatus_Value_INT_MAX_SENTINEL_DO_NOT_USE_:
      return;
  }
}

// With includeExecutionData false AWS leaves out the payloads an event carries; a task's
// resolved parameters are its input (and may hold a task token).
void StripExecutionData(google::protobuf::Struct& details) {
  for (const char* key : {"input", "output", "parameters"}) details.mutable_fields()->erase(key);
}

// HistoryEvent's Struct field whose JSON name is `member`, or null. (This protobuf has no
// Descriptor::FindFieldByJsonName.)
const google::protobuf::FieldDescriptor* DetailsField(const std::string& member) {
  const google::protobuf::Descriptor* descriptor = batch::v1::HistoryEvent::descriptor();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = descriptor->field(i);
    if (field->json_name() == member) return field;
  }
  return nullptr;
}

batch::v1::HistoryEvent ToHistoryEvent(const std::string& execution_arn,
                                       const store::HistoryEventRow& row, bool include_data) {
  batch::v1::HistoryEvent event;
  event.set_timestamp(Seconds(row.ts_ms));
  event.set_type(row.type);
  event.set_id(row.event_id);
  event.set_previous_event_id(row.previous_event_id);
  if (row.details.empty()) return event;
  const std::string member = asl::DetailsMember(row.type);
  if (member.empty()) return event;
  const google::protobuf::FieldDescriptor* field = DetailsField(member);
  if (field == nullptr || field->message_type() != google::protobuf::Struct::descriptor()) {
    // An event type AWS added after this proto: the event is listed without its details.
    return event;
  }
  auto* details =
      static_cast<google::protobuf::Struct*>(event.GetReflection()->MutableMessage(&event, field));
  const auto status = google::protobuf::util::JsonStringToMessage(row.details, details);
  if (!status.ok()) {
    // Never the details themselves in the message: they may hold a task token.
    throw api::ApiError(api::ErrorCode::kInternal,
                        "history event " + std::to_string(row.event_id) + " of " + execution_arn +
                            " has stored details that are not a JSON object");
  }
  if (!include_data) StripExecutionData(*details);
  return event;
}

}  // namespace

batch::v1::StartExecutionResponse StatesHandlers::StartExecution(
    const batch::v1::StartExecutionRequest& req) {
  const api::StateMachineRef ref =
      states::StateMachineRefOf("stateMachineArn", req.state_machine_arn());
  // No name: the loop gives the execution a UUID, as AWS does.
  if (!req.name().empty()) states::CheckName("name", req.name());
  states::CheckPayload("InvalidExecutionInput", "input", req.input(), /*empty_ok=*/true);
  if (ref.revision && !store_.GetStateMachineRevision(ref.name, *ref.revision)) {
    states::Throw(api::ErrorCode::kNotFound, "StateMachineDoesNotExist",
                  "state machine " + api::StateMachineArn(ref.name) + " has no revision " +
                      std::to_string(*ref.revision));
  }
  return Hooks().StartExecution(ref.name, ref.revision, req.name(), req.input());
}

batch::v1::DescribeExecutionResponse StatesHandlers::DescribeExecution(
    const batch::v1::DescribeExecutionRequest& req) {
  const std::string arn = states::ExecutionArnOf("executionArn", req.execution_arn());
  const bool with_data = req.included_data() != batch::v1::IncludedData::METADATA_ONLY;
  auto row = store_.GetExecution(arn, with_data);
  if (!row) ThrowNoExecution(arn);
  batch::v1::DescribeExecutionResponse resp;
  resp.set_execution_arn(row->arn);
  resp.set_state_machine_arn(api::StateMachineArn(row->state_machine));
  resp.set_name(row->name);
  resp.set_status(row->status);
  resp.set_start_date(Seconds(row->start_ms));
  if (row->stop_ms != 0) resp.set_stop_date(Seconds(row->stop_ms));
  if (with_data) resp.set_input(row->input);
  resp.mutable_input_details()->set_included(with_data);
  // AWS gives output (and outputDetails) only once the execution has succeeded.
  if (row->status == ExecutionStatus::SUCCEEDED) {
    if (with_data) resp.set_output(row->output);
    resp.mutable_output_details()->set_included(with_data);
  }
  resp.set_error(row->error);
  resp.set_cause(row->cause);
  resp.set_redrive_count(row->redrive_count);
  if (row->redrive_ms != 0) resp.set_redrive_date(Seconds(row->redrive_ms));
  SetRedriveStatus(row->status, resp);
  resp.set_revision(row->revision);
  resp.set_parent_execution_arn(row->parent_arn);
  return resp;
}

batch::v1::ListExecutionsResponse StatesHandlers::ListExecutions(
    const batch::v1::ListExecutionsRequest& req) {
  states::CheckMaxResults(req.max_results());
  store::ExecutionQuery query;
  if (!req.map_run_arn().empty()) {
    // A map run is named after its execution and Map state: EXECUTION_ARN/STATE.
    const std::string& run = req.map_run_arn();
    const size_t slash = run.find('/');
    if (slash == std::string::npos || slash + 1 == run.size()) {
      api::ThrowInvalid("mapRunArn", "expected EXECUTION_ARN/MAP_STATE, as MapRunStarted names it");
    }
    query.parent_arn = states::ExecutionArnOf("mapRunArn", run.substr(0, slash));
  }
  std::optional<int> revision;
  // Unlike AWS, no state machine lists the executions of every one.
  if (!req.state_machine_arn().empty()) {
    const api::StateMachineRef ref =
        states::StateMachineRefOf("stateMachineArn", req.state_machine_arn());
    if (!store_.GetStateMachine(ref.name)) {
      states::Throw(api::ErrorCode::kNotFound, "StateMachineDoesNotExist",
                    "state machine " + api::StateMachineArn(ref.name) + " does not exist");
    }
    query.state_machine = ref.name;
    revision = ref.revision;
  }
  if (req.status_filter() != ExecutionStatus::EXECUTION_STATUS_UNSPECIFIED) {
    query.status = req.status_filter();
  }
  query.max_results = req.max_results();
  query.next_token = req.next_token();
  auto page = states::WithAwsCode("InvalidToken", [&] { return store_.ListExecutions(query); });

  batch::v1::ListExecutionsResponse resp;
  for (const store::ExecutionRow& row : page.items) {
    // Filters the store has no index for apply to the page: a page may come back short (AWS
    // allows that: callers follow nextToken until it is empty).
    if (revision && row.revision != *revision) continue;
    if (!query.parent_arn.empty() && query.status && row.status != *query.status) continue;
    const auto redrive = req.redrive_filter();
    if (redrive == batch::v1::ExecutionRedriveFilter::REDRIVEN && row.redrive_count == 0) continue;
    if (redrive == batch::v1::ExecutionRedriveFilter::NOT_REDRIVEN && row.redrive_count != 0) {
      continue;
    }
    batch::v1::ExecutionListItem* item = resp.add_executions();
    item->set_execution_arn(row.arn);
    item->set_state_machine_arn(api::StateMachineArn(row.state_machine));
    item->set_name(row.name);
    item->set_status(row.status);
    item->set_start_date(Seconds(row.start_ms));
    if (row.stop_ms != 0) item->set_stop_date(Seconds(row.stop_ms));
    item->set_redrive_count(row.redrive_count);
    if (row.redrive_ms != 0) item->set_redrive_date(Seconds(row.redrive_ms));
    item->set_revision(row.revision);
    if (!query.parent_arn.empty()) item->set_map_run_arn(req.map_run_arn());
  }
  resp.set_next_token(page.next_token);
  return resp;
}

batch::v1::StopExecutionResponse StatesHandlers::StopExecution(
    const batch::v1::StopExecutionRequest& req) {
  const std::string arn = states::ExecutionArnOf("executionArn", req.execution_arn());
  states::CheckErrorAndCause(req.error(), req.cause());
  batch::v1::StopExecutionResponse resp;
  resp.set_stop_date(Hooks().StopExecution(arn, req.error(), req.cause()));
  return resp;
}

batch::v1::RedriveExecutionResponse StatesHandlers::RedriveExecution(
    const batch::v1::RedriveExecutionRequest& req) {
  const std::string arn = states::ExecutionArnOf("executionArn", req.execution_arn());
  // clientToken makes AWS's redrive idempotent; batchd's is already: redriving an execution
  // that runs again is refused.
  batch::v1::RedriveExecutionResponse resp;
  resp.set_redrive_date(Hooks().RedriveExecution(arn));
  return resp;
}

batch::v1::GetExecutionHistoryResponse StatesHandlers::GetExecutionHistory(
    const batch::v1::GetExecutionHistoryRequest& req) {
  const std::string arn = states::ExecutionArnOf("executionArn", req.execution_arn());
  states::CheckMaxResults(req.max_results());
  store::HistoryQuery query;
  query.execution_arn = arn;
  query.reverse = req.reverse_order();
  query.max_results = req.max_results();
  query.next_token = req.next_token();
  auto page = states::Replacing(api::ErrorCode::kNotFound,
                                "ExecutionDoesNotExist: execution " + arn + " does not exist", [&] {
                                  return states::WithAwsCode(
                                      "InvalidToken", [&] { return store_.GetHistory(query); });
                                });
  const bool include_data = !req.has_include_execution_data() || req.include_execution_data();
  batch::v1::GetExecutionHistoryResponse resp;
  for (const store::HistoryEventRow& row : page.items) {
    *resp.add_events() = ToHistoryEvent(arn, row, include_data);
  }
  resp.set_next_token(page.next_token);
  return resp;
}

batch::v1::DescribeStateMachineForExecutionResponse
StatesHandlers::DescribeStateMachineForExecution(
    const batch::v1::DescribeStateMachineForExecutionRequest& req) {
  const std::string arn = states::ExecutionArnOf("executionArn", req.execution_arn());
  auto execution = store_.GetExecution(arn, false);
  if (!execution) ThrowNoExecution(arn);
  auto revision = store_.GetStateMachineRevision(execution->state_machine, execution->revision);
  if (!revision) {
    // Revisions go only with their state machine, which takes its executions with it.
    ThrowNoExecution(arn);
  }
  batch::v1::DescribeStateMachineForExecutionResponse resp;
  resp.set_state_machine_arn(api::StateMachineArn(execution->state_machine));
  resp.set_name(execution->state_machine);
  resp.set_definition(revision->definition);
  resp.set_role_arn(revision->role_arn);
  resp.set_update_date(Seconds(revision->created_at));
  resp.set_revision_id(std::to_string(revision->revision));
  resp.set_revision(revision->revision);
  *resp.mutable_logging_configuration() = states::LoggingOff();
  return resp;
}

}  // namespace batchd::service
