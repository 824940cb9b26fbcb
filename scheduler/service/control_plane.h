#pragma once
// The control plane's request handlers, free of any transport: each takes an API request,
// validates it, applies the rules and calls the store, and returns the response or throws
// api::ApiError. The gRPC service is a thin adapter over this class.
#include <exception>
#include <functional>

#include "api/validation.h"
#include "batch/v1/batch_service.pb.h"
#include "core/clock.h"
#include "service/definition_cache.h"
#include "service/scheduler_hooks.h"
#include "service/submit_batcher.h"
#include "store/store.h"

namespace batchd::store {
class WorkflowStore;
}

namespace batchd::service {

class ScheduleRunner;

class ControlPlane {
 public:
  ControlPlane(store::Store& store, const core::Clock& clock, api::Limits limits = {});

  batch::v1::CreateComputeEnvironmentResponse CreateComputeEnvironment(
      const batch::v1::CreateComputeEnvironmentRequest& req);
  batch::v1::UpdateComputeEnvironmentResponse UpdateComputeEnvironment(
      const batch::v1::UpdateComputeEnvironmentRequest& req);
  batch::v1::DeleteComputeEnvironmentResponse DeleteComputeEnvironment(
      const batch::v1::DeleteComputeEnvironmentRequest& req);
  batch::v1::DescribeComputeEnvironmentsResponse DescribeComputeEnvironments(
      const batch::v1::DescribeComputeEnvironmentsRequest& req);

  batch::v1::CreateJobQueueResponse CreateJobQueue(const batch::v1::CreateJobQueueRequest& req);
  batch::v1::UpdateJobQueueResponse UpdateJobQueue(const batch::v1::UpdateJobQueueRequest& req);
  batch::v1::DeleteJobQueueResponse DeleteJobQueue(const batch::v1::DeleteJobQueueRequest& req);
  batch::v1::DescribeJobQueuesResponse DescribeJobQueues(
      const batch::v1::DescribeJobQueuesRequest& req);

  batch::v1::RegisterJobDefinitionResponse RegisterJobDefinition(
      const batch::v1::RegisterJobDefinitionRequest& req);
  batch::v1::DeregisterJobDefinitionResponse DeregisterJobDefinition(
      const batch::v1::DeregisterJobDefinitionRequest& req);
  batch::v1::DescribeJobDefinitionsResponse DescribeJobDefinitions(
      const batch::v1::DescribeJobDefinitionsRequest& req);

  batch::v1::SubmitJobResponse SubmitJob(const batch::v1::SubmitJobRequest& req);
  // SubmitJob without waiting: validates at once (and throws ApiError), then returns; `done`
  // is called on a writer's thread with the answer, or with the error that refused the job.
  using SubmitJobDone =
      std::function<void(const batch::v1::SubmitJobResponse* answer, std::exception_ptr error)>;
  void SubmitJobAsync(const batch::v1::SubmitJobRequest& req, SubmitJobDone done);
  batch::v1::SubmitJobsResponse SubmitJobs(const batch::v1::SubmitJobsRequest& req);
  batch::v1::DescribeJobsResponse DescribeJobs(const batch::v1::DescribeJobsRequest& req);
  batch::v1::ListJobsResponse ListJobs(const batch::v1::ListJobsRequest& req);
  batch::v1::CancelJobResponse CancelJob(const batch::v1::CancelJobRequest& req);
  batch::v1::TerminateJobResponse TerminateJob(const batch::v1::TerminateJobRequest& req);

  batch::v1::ListNodesResponse ListNodes(const batch::v1::ListNodesRequest& req);
  batch::v1::ListEventsResponse ListEvents(const batch::v1::ListEventsRequest& req);
  batch::v1::ReclaimNodeResponse ReclaimNode(const batch::v1::ReclaimNodeRequest& req);
  batch::v1::ExplainJobResponse ExplainJob(const batch::v1::ExplainJobRequest& req);
  batch::v1::GetJobLogsResponse GetJobLogs(const batch::v1::GetJobLogsRequest& req);

  batch::v1::ScheduleResponse CreateSchedule(const batch::v1::ScheduleRequest& req);
  batch::v1::ScheduleResponse UpdateSchedule(const batch::v1::ScheduleRequest& req);
  batch::v1::DeleteScheduleResponse DeleteSchedule(const batch::v1::ScheduleRef& req);
  batch::v1::DescribeSchedulesResponse DescribeSchedules(
      const batch::v1::DescribeSchedulesRequest& req);
  batch::v1::ScheduleResponse SuspendSchedule(const batch::v1::ScheduleRef& req);
  batch::v1::ScheduleResponse ResumeSchedule(const batch::v1::ScheduleRef& req);
  batch::v1::TriggerScheduleResponse TriggerSchedule(const batch::v1::ScheduleRef& req);

  // Submission split in two, for callers that write the jobs in a transaction of their own
  // (a schedule firing): validated and built, not written; then the scheduler told of them.
  std::vector<store::NewJob> PrepareJobs(const batch::v1::SubmitJobsRequest& req);
  void JobsWritten(const std::vector<store::NewJob>& jobs,
                   const std::vector<batch::v1::SubmitJobResponse>& written);

  // Set once at start-up, before serving.
  void SetSchedulerHooks(SchedulerHooks* hooks) { hooks_ = hooks; }
  void SetScheduleRunner(ScheduleRunner* runner) { runner_ = runner; }
  // Where a schedule's stateMachine is looked up when the schedule is created or changed.
  void SetWorkflowStore(store::WorkflowStore* workflows) { workflows_ = workflows; }

 private:
  void CheckSchedule(const batch::v1::ScheduleRequest& req);
  void CheckExecutionTarget(const batch::v1::ScheduleRequest& req);
  batch::v1::ScheduleResponse SetSuspended(const batch::v1::ScheduleRef& req, bool suspended);

  store::Store& store_;
  const core::Clock& clock_;
  api::Limits limits_;
  SchedulerHooks* hooks_ = nullptr;
  ScheduleRunner* runner_ = nullptr;
  store::WorkflowStore* workflows_ = nullptr;
  DefinitionCache definitions_;
  SubmitBatcher submits_;
};

}  // namespace batchd::service
