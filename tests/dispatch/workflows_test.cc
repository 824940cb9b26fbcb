// Workflows end to end: state machines whose steps run real batch jobs on a real agent,
// driven over real gRPC; batchd killed mid-execution; StopExecution terminating jobs.
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "batch/v1/states.grpc.pb.h"
#include "dispatch_fixture.h"
#include "support/wait.h"

namespace batchd::testing {
namespace {

using namespace batch::v1;
using Json = nlohmann::ordered_json;

class Workflows : public DispatchTest {
 protected:
  void SetUp() override {
    DispatchTest::SetUp();
    CreateCe("ce");
    CreateQueue("q", "ce");
    Connect();
  }

  void Connect() {
    states_ = StatesService::NewStub(
        grpc::CreateChannel(batchd_->address(), grpc::InsecureChannelCredentials()));
  }

  template <typename Req, typename Resp>
  grpc::Status Call(grpc::Status (StatesService::Stub::*method)(grpc::ClientContext*, const Req&,
                                                                Resp*),
                    const Req& req, Resp* resp) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return ((*states_).*method)(&ctx, req, resp);
  }

  void CreateMachine(const std::string& name, const std::string& definition) {
    CreateStateMachineRequest req;
    req.set_name(name);
    req.set_definition(definition);
    CreateStateMachineResponse resp;
    grpc::Status s = Call(&StatesService::Stub::CreateStateMachine, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  std::string Start(const std::string& machine, const std::string& input,
                    const std::string& name = "") {
    StartExecutionRequest req;
    req.set_state_machine_arn(machine);
    req.set_input(input);
    req.set_name(name);
    StartExecutionResponse resp;
    grpc::Status s = Call(&StatesService::Stub::StartExecution, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.execution_arn();
  }

  DescribeExecutionResponse DescribeExecution(const std::string& arn) {
    DescribeExecutionRequest req;
    req.set_execution_arn(arn);
    DescribeExecutionResponse resp;
    grpc::Status s = Call(&StatesService::Stub::DescribeExecution, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  // Polls until the execution has ended (a restarted batchd may refuse calls for a moment).
  DescribeExecutionResponse WaitEnded(const std::string& arn,
                                      std::chrono::seconds timeout = std::chrono::seconds(60)) {
    DescribeExecutionResponse last;
    EXPECT_TRUE(PollUntil(
        [&] {
          DescribeExecutionRequest req;
          req.set_execution_arn(arn);
          if (!Call(&StatesService::Stub::DescribeExecution, req, &last).ok()) return false;
          return last.status() != ExecutionStatus::RUNNING;
        },
        timeout, std::chrono::milliseconds(50)))
        << "execution still running: " << Diagnostics();
    return last;
  }

  std::vector<HistoryEvent> History(const std::string& arn) {
    std::vector<HistoryEvent> events;
    std::string token;
    do {
      GetExecutionHistoryRequest req;
      req.set_execution_arn(arn);
      req.set_max_results(100);
      req.set_next_token(token);
      GetExecutionHistoryResponse resp;
      grpc::Status s = Call(&StatesService::Stub::GetExecutionHistory, req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      for (const auto& e : resp.events()) events.push_back(e);
      token = resp.next_token();
    } while (!token.empty());
    return events;
  }

  static size_t CountType(const std::vector<HistoryEvent>& events, const std::string& type) {
    size_t n = 0;
    for (const auto& e : events) n += e.type() == type;
    return n;
  }

  // Ids 1..n, each once: no gap, no duplicate.
  static void ExpectGapFree(const std::vector<HistoryEvent>& events) {
    for (size_t i = 0; i < events.size(); ++i) {
      ASSERT_EQ(events[i].id(), int64_t(i + 1)) << "event " << i << " is " << events[i].type();
    }
  }

  // Jobs that carry the execution's tag.
  std::vector<JobDetail> JobsOf(const std::string& arn) {
    std::vector<std::string> ids;
    for (const auto& e : History(arn)) {
      if (e.type() != "TaskSubmitted" && e.type() != "TaskSucceeded" && e.type() != "TaskFailed")
        continue;
      Json details =
          Json::parse(e.type() == "TaskSubmitted"
                          ? e.task_submitted_event_details().fields().at("output").string_value()
                      : e.type() == "TaskSucceeded"
                          ? e.task_succeeded_event_details().fields().at("output").string_value()
                          : std::string("{}"));
      if (details.contains("JobId")) ids.push_back(details["JobId"]);
    }
    std::set<std::string> unique(ids.begin(), ids.end());
    std::vector<JobDetail> jobs = DescribeAll({unique.begin(), unique.end()});
    return jobs;
  }

  // kill -9 of batchd, then batchd again on the same database and port.
  void KillAndRestart() {
    const int port = Port();
    batchd_->Kill();
    StartBatchd(port);
    Connect();
  }

  // The lines of a file the steps' jobs append to.
  static std::multiset<std::string> Lines(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::multiset<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.insert(line);
    return lines;
  }

  std::unique_ptr<StatesService::Stub> states_;
};

TEST_F(Workflows, SyncJobsBranchFanOutRunInParallelRetryAndCatch) {
  StartAgent("a", "ce", 4);
  Register("echo", {.script = "echo item-$ITEM"});
  Register("fail", {.script = "echo failing; exit 3"});
  CreateMachine("pipeline", R"js({
    "StartAt": "Prepare",
    "States": {
      "Prepare": {"Type": "Task", "Resource": "arn:aws:states:::batch:submitJob.sync",
        "Parameters": {"JobName": "prepare", "JobQueue": "q", "JobDefinition": "echo",
                       "ContainerOverrides": {"Environment": [{"Name": "ITEM", "Value": "p"}]}},
        "ResultSelector": {"status.$": "$.Status", "id.$": "$.JobId"},
        "ResultPath": "$.prepare", "Next": "Check"},
      "Check": {"Type": "Choice", "Choices": [
        {"Variable": "$.prepare.status", "StringEquals": "SUCCEEDED", "Next": "FanOut"}],
        "Default": "Broken"},
      "Broken": {"Type": "Fail", "Error": "Unexpected"},
      "FanOut": {"Type": "Map", "ItemsPath": "$.items", "ResultPath": "$.mapped",
        "ItemSelector": {"item.$": "$$.Map.Item.Value"},
        "ItemProcessor": {"StartAt": "Run", "States": {
          "Run": {"Type": "Task", "Resource": "arn:aws:states:::batch:submitJob.sync",
            "Parameters": {"JobName": "item", "JobQueue": "q", "JobDefinition": "echo",
              "ContainerOverrides": {"Environment": [{"Name": "ITEM", "Value.$": "$.item"}]}},
            "ResultSelector": {"status.$": "$.Status"}, "End": true}}},
        "Next": "Both"},
      "Both": {"Type": "Parallel", "ResultPath": "$.both", "Next": "Flaky", "Branches": [
        {"StartAt": "Pause", "States": {"Pause": {"Type": "Wait", "Seconds": 1, "End": true}}},
        {"StartAt": "Note", "States": {"Note": {"Type": "Pass", "Result": "noted", "End": true}}}]},
      "Flaky": {"Type": "Task", "Resource": "arn:aws:states:::batch:submitJob.sync",
        "Parameters": {"JobName": "flaky", "JobQueue": "q", "JobDefinition": "fail"},
        "Retry": [{"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 1, "MaxAttempts": 1}],
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "Recovered"}],
        "End": true},
      "Recovered": {"Type": "Pass", "Parameters": {"mapped.$": "$.mapped", "both.$": "$.both",
        "error.$": "$.failure.Error"}, "End": true}
    }})js");
  const std::string arn = Start("pipeline", R"js({"items": ["x", "y", "z"]})js");
  DescribeExecutionResponse done = WaitEnded(arn);
  ASSERT_EQ(done.status(), ExecutionStatus::SUCCEEDED) << done.error() << " " << done.cause();
  Json out = Json::parse(done.output());
  EXPECT_EQ(out["mapped"].size(), 3u);
  EXPECT_EQ(out["both"][1], "noted");
  EXPECT_EQ(out["error"], "States.TaskFailed");
  EXPECT_EQ(out["mapped"][0], Json::parse(R"js({"status": "SUCCEEDED"})js"));
  std::vector<HistoryEvent> events = History(arn);
  ExpectGapFree(events);
  EXPECT_EQ(events.front().type(), "ExecutionStarted");
  EXPECT_EQ(events.back().type(), "ExecutionSucceeded");
  EXPECT_EQ(CountType(events, "MapIterationSucceeded"), 3u);
  // Prepare, three items, and the flaky job twice (one retry).
  EXPECT_EQ(CountType(events, "TaskScheduled"), 6u);
  EXPECT_EQ(CountType(events, "TaskFailed"), 2u);
  std::vector<JobDetail> jobs = JobsOf(arn);
  ASSERT_EQ(jobs.size(), 6u);
  std::multiset<std::string> logs;
  for (const auto& job : jobs) {
    EXPECT_EQ(job.tags().at("batchd:execution"), arn);
    logs.insert(Logs(job.job_id()));
  }
  EXPECT_EQ(logs.count("item-x\n"), 1u);
  EXPECT_EQ(logs.count("item-p\n"), 1u);
}

TEST_F(Workflows, BatchdKilledMidExecutionFinishesWithEachJobSubmittedOnce) {
  StartAgent("a", "ce", 4);
  const auto marker = dir_->path() / "runs";
  Register("step", {.script = "echo $ITEM >> " + marker.string() + "; sleep 0.3"});
  CreateMachine("durable", R"js({"StartAt": "Each", "States": {
    "Each": {"Type": "Map", "MaxConcurrency": 2, "ItemProcessor": {"StartAt": "Run", "States": {
      "Run": {"Type": "Task", "Resource": "arn:aws:states:::batch:submitJob.sync",
        "Parameters": {"JobName": "step", "JobQueue": "q", "JobDefinition": "step",
          "ContainerOverrides": {"Environment": [{"Name": "ITEM", "Value.$": "States.Format('{}', $)"}]}},
        "ResultSelector": {"id.$": "$.JobId"}, "Next": "Rest"},
      "Rest": {"Type": "Wait", "Seconds": 1, "End": true}}}, "End": true}}})js");
  const std::string arn = Start("durable", "[1, 2, 3, 4, 5, 6]");
  for (int kill = 0; kill < 3; ++kill) {
    // Let it get somewhere, then kill -9.
    const size_t before = History(arn).size();
    ASSERT_TRUE(PollUntil([&] { return History(arn).size() > before + 3; },
                          std::chrono::seconds(30), std::chrono::milliseconds(50)))
        << Diagnostics();
    KillAndRestart();
  }
  DescribeExecutionResponse done = WaitEnded(arn, std::chrono::seconds(90));
  ASSERT_EQ(done.status(), ExecutionStatus::SUCCEEDED) << done.error() << " " << done.cause();
  std::vector<HistoryEvent> events = History(arn);
  ExpectGapFree(events);
  EXPECT_EQ(CountType(events, "TaskScheduled"), 6u);
  EXPECT_EQ(CountType(events, "TaskSucceeded"), 6u);
  EXPECT_EQ(CountType(events, "ExecutionSucceeded"), 1u);
  EXPECT_EQ(Lines(marker), (std::multiset<std::string>{"1", "2", "3", "4", "5", "6"}))
      << "each step's job runs exactly once";
}

TEST_F(Workflows, ADistributedMapSurvivesKillsWithEachChildAndJobOnce) {
  StartAgent("a", "ce", 4);
  const auto marker = dir_->path() / "runs";
  Register("step", {.script = "echo $ITEM >> " + marker.string() + "; sleep 0.3"});
  CreateMachine("fan", R"js({"StartAt": "Each", "States": {
    "Each": {"Type": "Map", "MaxConcurrency": 2, "ItemProcessor": {
      "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
      "StartAt": "Run", "States": {
      "Run": {"Type": "Task", "Resource": "arn:aws:states:::batch:submitJob.sync",
        "Parameters": {"JobName": "step", "JobQueue": "q", "JobDefinition": "step",
          "ContainerOverrides": {"Environment": [{"Name": "ITEM", "Value.$": "States.Format('{}', $)"}]}},
        "ResultSelector": {"id.$": "$.JobId"}, "End": true}}}, "End": true}}})js");
  const std::string arn = Start("fan", "[1, 2, 3, 4, 5, 6]");
  for (int kill = 0; kill < 3; ++kill) {
    // Each time a job more has run, kill -9.
    const size_t before = Lines(marker).size();
    if (before >= 6) break;
    ASSERT_TRUE(PollUntil([&] { return Lines(marker).size() > before; }, std::chrono::seconds(30),
                          std::chrono::milliseconds(20)))
        << Diagnostics();
    KillAndRestart();
  }
  DescribeExecutionResponse done = WaitEnded(arn, std::chrono::seconds(90));
  ASSERT_EQ(done.status(), ExecutionStatus::SUCCEEDED) << done.error() << " " << done.cause();
  EXPECT_EQ(Json::parse(done.output()).size(), 6u);
  std::vector<HistoryEvent> events = History(arn);
  ExpectGapFree(events);
  EXPECT_EQ(CountType(events, "MapRunStarted"), 1u);
  EXPECT_EQ(CountType(events, "MapRunSucceeded"), 1u);
  EXPECT_EQ(Lines(marker), (std::multiset<std::string>{"1", "2", "3", "4", "5", "6"}))
      << "each item's job runs exactly once";
  // One child per item, each with one job and a gap-free history of its own.
  ListExecutionsRequest list;
  list.set_map_run_arn(arn + "/Each");
  ListExecutionsResponse children;
  ASSERT_TRUE(Call(&StatesService::Stub::ListExecutions, list, &children).ok());
  ASSERT_EQ(children.executions_size(), 6);
  for (const auto& child : children.executions()) {
    EXPECT_EQ(child.status(), ExecutionStatus::SUCCEEDED);
    const std::vector<HistoryEvent> child_events = History(child.execution_arn());
    ExpectGapFree(child_events);
    EXPECT_EQ(CountType(child_events, "TaskSubmitted"), 1u);
  }
}

TEST_F(Workflows, StopExecutionTerminatesTheRunningJob) {
  StartAgent("a", "ce");
  Register("long", {.command = {"sleep", "300"}});
  CreateMachine("stoppable", R"js({"StartAt": "Long", "States": {"Long": {"Type": "Task",
    "Resource": "arn:aws:states:::batch:submitJob.sync",
    "Parameters": {"JobName": "long", "JobQueue": "q", "JobDefinition": "long"}, "End": true}}})js");
  const std::string arn = Start("stoppable", "{}");
  std::string job_id;
  ASSERT_TRUE(PollUntil(
      [&] {
        std::vector<JobDetail> jobs = JobsOf(arn);
        if (jobs.empty() || jobs[0].status() != JobStatus::RUNNING) return false;
        job_id = jobs[0].job_id();
        return true;
      },
      std::chrono::seconds(30), std::chrono::milliseconds(50)))
      << Diagnostics();
  StopExecutionRequest req;
  req.set_execution_arn(arn);
  req.set_error("Operator");
  req.set_cause("not needed");
  StopExecutionResponse resp;
  grpc::Status s = Call(&StatesService::Stub::StopExecution, req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  DescribeExecutionResponse stopped = DescribeExecution(arn);
  EXPECT_EQ(stopped.status(), ExecutionStatus::ABORTED);
  EXPECT_EQ(stopped.error(), "Operator");
  JobDetail job = WaitFor(job_id, JobStatus::FAILED);
  EXPECT_TRUE(job.is_terminated());
}

}  // namespace
}  // namespace batchd::testing
