#pragma once
// gRPC adapter for BatchService: each method forwards to ControlPlane and turns api::ApiError
// (and database errors) into a grpc::Status.
#include "batch/v1/batch_service.grpc.pb.h"
#include "service/control_plane.h"

namespace batchd::service {

class BatchServiceImpl final : public batch::v1::BatchService::Service {
 public:
  explicit BatchServiceImpl(ControlPlane& plane) : plane_(plane) {}

#define BATCHD_RPC(Name)                                                           \
  grpc::Status Name(grpc::ServerContext* ctx, const batch::v1::Name##Request* req, \
                    batch::v1::Name##Response* resp) override;
  BATCHD_RPC(CreateComputeEnvironment)
  BATCHD_RPC(UpdateComputeEnvironment)
  BATCHD_RPC(DeleteComputeEnvironment)
  BATCHD_RPC(DescribeComputeEnvironments)
  BATCHD_RPC(CreateJobQueue)
  BATCHD_RPC(UpdateJobQueue)
  BATCHD_RPC(DeleteJobQueue)
  BATCHD_RPC(DescribeJobQueues)
  BATCHD_RPC(RegisterJobDefinition)
  BATCHD_RPC(DeregisterJobDefinition)
  BATCHD_RPC(DescribeJobDefinitions)
  BATCHD_RPC(SubmitJob)
  BATCHD_RPC(SubmitJobs)
  BATCHD_RPC(DescribeJobs)
  BATCHD_RPC(ListJobs)
  BATCHD_RPC(CancelJob)
  BATCHD_RPC(TerminateJob)
#undef BATCHD_RPC

 private:
  ControlPlane& plane_;
};

// Converts the exception in flight (inside a catch block) to a gRPC status.
grpc::Status StatusFromCurrentException();

}  // namespace batchd::service
