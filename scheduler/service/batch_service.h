#pragma once
// gRPC adapter for BatchService: each method forwards to ControlPlane and turns api::ApiError
// (and database errors) into a grpc::Status.
#include "batch/v1/batch_service.grpc.pb.h"
#include "service/control_plane.h"

// The BatchService RPCs served synchronously (all but SubmitJob), each by the ControlPlane
// method of the same name.
#define BATCHD_BATCH_RPCS(X)     \
  X(CreateComputeEnvironment)    \
  X(UpdateComputeEnvironment)    \
  X(DeleteComputeEnvironment)    \
  X(DescribeComputeEnvironments) \
  X(CreateJobQueue)              \
  X(UpdateJobQueue)              \
  X(DeleteJobQueue)              \
  X(DescribeJobQueues)           \
  X(RegisterJobDefinition)       \
  X(DeregisterJobDefinition)     \
  X(DescribeJobDefinitions)      \
  X(SubmitJobs)                  \
  X(DescribeJobs)                \
  X(ListJobs)                    \
  X(CancelJob)                   \
  X(TerminateJob)                \
  X(ListNodes)                   \
  X(ListEvents)                  \
  X(ReclaimNode)                 \
  X(ExplainJob)                  \
  X(GetJobLogs)

// batchd's schedule RPCs, whose messages are named differently: (method, request, response).
#define BATCHD_SCHEDULE_RPCS(X)                                             \
  X(CreateSchedule, ScheduleRequest, ScheduleResponse)                      \
  X(UpdateSchedule, ScheduleRequest, ScheduleResponse)                      \
  X(DeleteSchedule, ScheduleRef, DeleteScheduleResponse)                    \
  X(DescribeSchedules, DescribeSchedulesRequest, DescribeSchedulesResponse) \
  X(SuspendSchedule, ScheduleRef, ScheduleResponse)                         \
  X(ResumeSchedule, ScheduleRef, ScheduleResponse)                          \
  X(TriggerSchedule, ScheduleRef, TriggerScheduleResponse)

namespace batchd::service {

// SubmitJob uses gRPC's callback API: a call in flight waits in the submission queue, not on
// a handler thread of its own (16 clients' calls parked on 16 threads cost more in thread
// switches than their SQL). The other calls are rarer and keep the simpler synchronous form.
class BatchServiceImpl final : public batch::v1::BatchService::WithCallbackMethod_SubmitJob<
                                   batch::v1::BatchService::Service> {
 public:
  explicit BatchServiceImpl(ControlPlane& plane) : plane_(plane) {}

  grpc::ServerUnaryReactor* SubmitJob(grpc::CallbackServerContext* ctx,
                                      const batch::v1::SubmitJobRequest* req,
                                      batch::v1::SubmitJobResponse* resp) override;

#define BATCHD_DECLARE_RPC(Name)                                                   \
  grpc::Status Name(grpc::ServerContext* ctx, const batch::v1::Name##Request* req, \
                    batch::v1::Name##Response* resp) override;
  BATCHD_BATCH_RPCS(BATCHD_DECLARE_RPC)
#undef BATCHD_DECLARE_RPC
#define BATCHD_DECLARE_RPC(Name, Req, Resp)                                                     \
  grpc::Status Name(grpc::ServerContext* ctx, const batch::v1::Req* req, batch::v1::Resp* resp) \
      override;
  BATCHD_SCHEDULE_RPCS(BATCHD_DECLARE_RPC)
#undef BATCHD_DECLARE_RPC

 private:
  ControlPlane& plane_;
};

// Converts the exception in flight (inside a catch block) to a gRPC status.
grpc::Status StatusFromCurrentException();

}  // namespace batchd::service
