#pragma once
// gRPC adapter for StatesService: each method forwards to the StatesHandlers method of the same
// name and turns api::ApiError (and database errors) into a grpc::Status.
#include "batch/v1/states.grpc.pb.h"
#include "service/states_handlers.h"

// Every StatesService RPC; each takes <Name>Request and returns <Name>Response.
#define BATCHD_STATES_RPCS(X)         \
  X(CreateStateMachine)               \
  X(UpdateStateMachine)               \
  X(DescribeStateMachine)             \
  X(ListStateMachines)                \
  X(DeleteStateMachine)               \
  X(ValidateStateMachineDefinition)   \
  X(StartExecution)                   \
  X(DescribeExecution)                \
  X(ListExecutions)                   \
  X(StopExecution)                    \
  X(GetExecutionHistory)              \
  X(DescribeStateMachineForExecution) \
  X(RedriveExecution)                 \
  X(CreateActivity)                   \
  X(DescribeActivity)                 \
  X(ListActivities)                   \
  X(DeleteActivity)                   \
  X(GetActivityTask)                  \
  X(SendTaskSuccess)                  \
  X(SendTaskFailure)                  \
  X(SendTaskHeartbeat)                \
  X(ListTasks)                        \
  X(TagResource)                      \
  X(UntagResource)                    \
  X(ListTagsForResource)

namespace batchd::service {

// Synchronous: GetActivityTask holds its handler thread for up to the poll time (60 s), which
// the server's pool of up to 64 pollers absorbs; the other calls are short.
class StatesServiceImpl final : public batch::v1::StatesService::Service {
 public:
  explicit StatesServiceImpl(StatesHandlers& handlers) : handlers_(handlers) {}

#define BATCHD_DECLARE_RPC(Name)                                                   \
  grpc::Status Name(grpc::ServerContext* ctx, const batch::v1::Name##Request* req, \
                    batch::v1::Name##Response* resp) override;
  BATCHD_STATES_RPCS(BATCHD_DECLARE_RPC)
#undef BATCHD_DECLARE_RPC

 private:
  StatesHandlers& handlers_;
};

}  // namespace batchd::service
