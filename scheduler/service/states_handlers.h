#pragma once
// The workflow API's request handlers (AWS Step Functions' operations), free of any transport:
// each takes a request, checks it, reads the workflow store or asks the execution loop through
// WorkflowHooks, and returns the response or throws api::ApiError. The gRPC service and a
// later JSON 1.0 transcoder are thin adapters over this class.
//
// Error messages start with AWS's error code ("StateMachineDoesNotExist: ...") so a transcoder
// can give the `__type` AWS's SDKs expect without deciding anything itself.
#include <cstddef>

#include "batch/v1/states.pb.h"
#include "core/clock.h"
#include "service/workflow_hooks.h"
#include "store/workflow_store.h"

namespace batchd::service {

// AWS's quotas on definitions and tags.
inline constexpr size_t kMaxDefinitionBytes = 1 << 20;
inline constexpr size_t kMaxTagsPerResource = 50;

class StatesHandlers {
 public:
  // `hooks` may be null where no execution loop runs: the calls that need it are UNAVAILABLE.
  StatesHandlers(store::WorkflowStore& store, WorkflowHooks* hooks, const core::Clock& clock);

  batch::v1::CreateStateMachineResponse CreateStateMachine(
      const batch::v1::CreateStateMachineRequest& req);
  batch::v1::UpdateStateMachineResponse UpdateStateMachine(
      const batch::v1::UpdateStateMachineRequest& req);
  batch::v1::DescribeStateMachineResponse DescribeStateMachine(
      const batch::v1::DescribeStateMachineRequest& req);
  batch::v1::ListStateMachinesResponse ListStateMachines(
      const batch::v1::ListStateMachinesRequest& req);
  batch::v1::DeleteStateMachineResponse DeleteStateMachine(
      const batch::v1::DeleteStateMachineRequest& req);
  // Never throws for a bad definition: that is the answer (result FAIL with diagnostics).
  batch::v1::ValidateStateMachineDefinitionResponse ValidateStateMachineDefinition(
      const batch::v1::ValidateStateMachineDefinitionRequest& req);

  batch::v1::StartExecutionResponse StartExecution(const batch::v1::StartExecutionRequest& req);
  batch::v1::DescribeExecutionResponse DescribeExecution(
      const batch::v1::DescribeExecutionRequest& req);
  batch::v1::ListExecutionsResponse ListExecutions(const batch::v1::ListExecutionsRequest& req);
  batch::v1::StopExecutionResponse StopExecution(const batch::v1::StopExecutionRequest& req);
  batch::v1::GetExecutionHistoryResponse GetExecutionHistory(
      const batch::v1::GetExecutionHistoryRequest& req);
  batch::v1::DescribeStateMachineForExecutionResponse DescribeStateMachineForExecution(
      const batch::v1::DescribeStateMachineForExecutionRequest& req);
  batch::v1::RedriveExecutionResponse RedriveExecution(
      const batch::v1::RedriveExecutionRequest& req);

  batch::v1::CreateActivityResponse CreateActivity(const batch::v1::CreateActivityRequest& req);
  batch::v1::DescribeActivityResponse DescribeActivity(
      const batch::v1::DescribeActivityRequest& req);
  batch::v1::ListActivitiesResponse ListActivities(const batch::v1::ListActivitiesRequest& req);
  batch::v1::DeleteActivityResponse DeleteActivity(const batch::v1::DeleteActivityRequest& req);
  // Long poll: blocks the calling thread up to the loop's poll time (AWS: 60 s); both fields
  // empty when no task came.
  batch::v1::GetActivityTaskResponse GetActivityTask(const batch::v1::GetActivityTaskRequest& req);
  batch::v1::SendTaskSuccessResponse SendTaskSuccess(const batch::v1::SendTaskSuccessRequest& req);
  batch::v1::SendTaskFailureResponse SendTaskFailure(const batch::v1::SendTaskFailureRequest& req);
  batch::v1::SendTaskHeartbeatResponse SendTaskHeartbeat(
      const batch::v1::SendTaskHeartbeatRequest& req);
  batch::v1::ListTasksResponse ListTasks(const batch::v1::ListTasksRequest& req);

  batch::v1::TagResourceResponse TagResource(const batch::v1::TagResourceRequest& req);
  batch::v1::UntagResourceResponse UntagResource(const batch::v1::UntagResourceRequest& req);
  batch::v1::ListTagsForResourceResponse ListTagsForResource(
      const batch::v1::ListTagsForResourceRequest& req);

 private:
  WorkflowHooks& Hooks() const;

  store::WorkflowStore& store_;
  WorkflowHooks* hooks_;
  const core::Clock& clock_;
};

}  // namespace batchd::service
