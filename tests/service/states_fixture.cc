#include "states_fixture.h"

#include "support/postgres_env.h"
#include "support/wait.h"

namespace batchd::testing {

using namespace batch::v1;

void StatesTest::SetUp() {
  store_ = std::make_unique<store::Store>(FreshDatabaseUrl());
  plane_ = std::make_unique<service::ControlPlane>(*store_, clock_);
  workflows_ = std::make_unique<store::WorkflowStore>(store_->pool());
  engine_ =
      std::make_unique<workflows::WorkflowEngine>(*store_, *workflows_, *plane_, clock_, options_);
  engine_->Start();
  handlers_ = std::make_unique<service::StatesHandlers>(*workflows_, engine_.get(), clock_);
  service_ = std::make_unique<service::StatesServiceImpl>(*handlers_);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  // As batchd's server: a request may carry a payload of kMaxStatesPayloadBytes.
  builder.SetMaxReceiveMessageSize(static_cast<int>(service::kMaxStatesPayloadBytes) + (1 << 20));
  builder.RegisterService(service_.get());
  server_ = builder.BuildAndStart();
  ASSERT_NE(server_, nullptr);
  ASSERT_GT(port, 0);
  stub_ = StatesService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
}

void StatesTest::TearDown() {
  if (server_) server_->Shutdown();
  server_.reset();
  service_.reset();
  handlers_.reset();
  if (engine_) engine_->Stop();
  engine_.reset();
  workflows_.reset();
  plane_.reset();
  store_.reset();
}

std::string StatesTest::CreateMachine(const std::string& name, const std::string& definition) {
  CreateStateMachineRequest req;
  req.set_name(name);
  req.set_definition(definition);
  CreateStateMachineResponse resp;
  grpc::Status s = SCALL(CreateStateMachine, req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return resp.state_machine_arn();
}

std::string StatesTest::Start(const std::string& machine, const std::string& name,
                              const std::string& input) {
  StartExecutionRequest req;
  req.set_state_machine_arn(machine);
  req.set_name(name);
  req.set_input(input);
  StartExecutionResponse resp;
  grpc::Status s = SCALL(StartExecution, req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return resp.execution_arn();
}

DescribeExecutionResponse StatesTest::DescribeExecution(const std::string& arn) {
  DescribeExecutionRequest req;
  req.set_execution_arn(arn);
  DescribeExecutionResponse resp;
  grpc::Status s = SCALL(DescribeExecution, req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return resp;
}

DescribeExecutionResponse StatesTest::WaitForEnd(const std::string& arn) {
  DescribeExecutionResponse resp;
  EXPECT_TRUE(PollUntil([&] {
    resp = DescribeExecution(arn);
    return resp.status() != ExecutionStatus::RUNNING;
  })) << arn
      << " still runs";
  return resp;
}

std::vector<TaskListItem> StatesTest::WaitForTasks(const std::string& execution_arn, size_t count) {
  ListTasksRequest req;
  req.set_execution_arn(execution_arn);
  ListTasksResponse resp;
  EXPECT_TRUE(PollUntil([&] {
    grpc::Status s = SCALL(ListTasks, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return static_cast<size_t>(resp.tasks_size()) >= count;
  })) << execution_arn
      << " waits on " << resp.tasks_size() << " tasks, not " << count;
  return {resp.tasks().begin(), resp.tasks().end()};
}

std::vector<HistoryEvent> StatesTest::History(GetExecutionHistoryRequest req) {
  std::vector<HistoryEvent> events;
  do {
    GetExecutionHistoryResponse resp;
    grpc::Status s = SCALL(GetExecutionHistory, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (!s.ok()) break;
    events.insert(events.end(), resp.events().begin(), resp.events().end());
    req.set_next_token(resp.next_token());
  } while (!req.next_token().empty());
  return events;
}

}  // namespace batchd::testing
