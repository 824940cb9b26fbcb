#pragma once
// A real StatesService: a PostgreSQL database of its own, the real workflow engine over it,
// and real gRPC on 127.0.0.1 port 0.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "batch/v1/states.grpc.pb.h"
#include "core/clock.h"
#include "service/control_plane.h"
#include "service/states_handlers.h"
#include "service/states_service.h"
#include "service_fixture.h"
#include "store/store.h"
#include "store/workflow_store.h"
#include "workflows/engine.h"

namespace batchd::testing {

class StatesTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Creates a state machine and asserts success; returns its ARN.
  std::string CreateMachine(const std::string& name, const std::string& definition);
  // Starts an execution and asserts success; returns its ARN.
  std::string Start(const std::string& machine, const std::string& name,
                    const std::string& input = "{}");
  batch::v1::DescribeExecutionResponse DescribeExecution(const std::string& arn);
  // Polls until the execution is no longer RUNNING (or the deadline passes) and returns it.
  batch::v1::DescribeExecutionResponse WaitForEnd(const std::string& arn);
  // The task tokens the execution waits on, once there are `count` of them.
  std::vector<batch::v1::TaskListItem> WaitForTasks(const std::string& execution_arn,
                                                    size_t count = 1);
  // The whole history, followed page by page.
  std::vector<batch::v1::HistoryEvent> History(batch::v1::GetExecutionHistoryRequest req);

  // Short, so a poll that finds nothing ends quickly; tests that want a task poll again.
  workflows::EngineOptions options_{.activity_poll = std::chrono::milliseconds(300)};
  std::unique_ptr<store::Store> store_;
  core::SystemClock clock_;
  std::unique_ptr<service::ControlPlane> plane_;
  std::unique_ptr<store::WorkflowStore> workflows_;
  std::unique_ptr<workflows::WorkflowEngine> engine_;
  std::unique_ptr<service::StatesHandlers> handlers_;
  std::unique_ptr<service::StatesServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<batch::v1::StatesService::Stub> stub_;
};

// Calls a StatesService RPC and returns its status.
#define SCALL(Method, req, resp)                 \
  ([&] {                                         \
    grpc::ClientContext ctx__;                   \
    return stub_->Method(&ctx__, (req), (resp)); \
  }())

}  // namespace batchd::testing
