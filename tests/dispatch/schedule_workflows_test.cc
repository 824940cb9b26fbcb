// Schedules whose target is a state machine, end to end: each time they fire they start an
// execution named after the run, record it among their runs with its status, honour
// Forbid/Replace against the execution still running, and start each run's execution once
// however often batchd is killed.
#include <set>

#include "batch/v1/states.grpc.pb.h"
#include "dispatch_fixture.h"
#include "support/wait.h"

namespace batchd::testing {
namespace {

using namespace batch::v1;

constexpr char kExecutionArnPrefix[] = "arn:batchd:states:local:000000000000:execution:";
constexpr char kPass[] = R"({"StartAt":"Pass","States":{"Pass":{"Type":"Pass","End":true}}})";
// Runs long enough that the next run finds it going.
constexpr char kWait[] =
    R"({"StartAt":"Wait","States":{"Wait":{"Type":"Wait","Seconds":60,"End":true}}})";

class ScheduleWorkflows : public DispatchTest {
 protected:
  void SetUp() override {
    DispatchTest::SetUp();
    Connect();
  }

  void TearDown() override {
    // An open channel holds batchd's graceful shutdown: closed before the fixture stops it.
    states_.reset();
    DispatchTest::TearDown();
  }

  void Connect() {
    states_ = StatesService::NewStub(
        grpc::CreateChannel(batchd_->address(), grpc::InsecureChannelCredentials()));
  }

  void CreateMachine(const std::string& name, const std::string& definition) {
    CreateStateMachineRequest req;
    req.set_name(name);
    req.set_definition(definition);
    CreateStateMachineResponse resp;
    grpc::ClientContext ctx;
    grpc::Status s = states_->CreateStateMachine(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  static ScheduleRequest Every(const std::string& name, const std::string& machine,
                               const std::string& expression = "@every 1s") {
    ScheduleRequest req;
    req.set_schedule_name(name);
    req.set_schedule_expression(expression);
    req.set_state_machine(machine);
    req.set_runs_to_keep(1000);
    return req;
  }

  grpc::Status TryCreate(const ScheduleRequest& req) { return TryCreateSchedule(req); }

  // Returns the schedule's first time.
  int64_t Create(const ScheduleRequest& req) {
    ScheduleResponse resp;
    grpc::Status s = TryCreateSchedule(req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.schedule().next_run_at();
  }

  std::string StartByHand(const std::string& arn) {
    const std::string prefix = kExecutionArnPrefix;
    const std::string rest = arn.substr(prefix.size());
    StartExecutionRequest req;
    req.set_state_machine_arn(rest.substr(0, rest.find(':')));
    req.set_name(rest.substr(rest.find(':') + 1));
    req.set_input("{}");
    StartExecutionResponse resp;
    grpc::ClientContext ctx;
    grpc::Status s = states_->StartExecution(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.execution_arn();
  }

  // Empty when batchd does not answer (it may be restarting).
  ScheduleDetail Get(const std::string& name) {
    ScheduleDetail schedule;
    if (!DescribeSchedule(name, &schedule).ok()) return {};
    return schedule;
  }

  std::vector<ScheduleRun> WaitForRuns(
      const std::string& name, const std::string& outcome, int n,
      const std::function<bool(const ScheduleRun&)>& also = nullptr) {
    return WaitForScheduleRuns(name, outcome, n, std::chrono::seconds(30), also);
  }

  DescribeExecutionResponse DescribeExecution(const std::string& arn) {
    DescribeExecutionRequest req;
    req.set_execution_arn(arn);
    DescribeExecutionResponse resp;
    grpc::ClientContext ctx;
    grpc::Status s = states_->DescribeExecution(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << arn << ": " << s.error_message();
    return resp;
  }

  DescribeExecutionResponse WaitEnded(const std::string& arn) {
    DescribeExecutionResponse last;
    EXPECT_TRUE(PollUntil(
        [&] {
          last = DescribeExecution(arn);
          return last.status() != ExecutionStatus::RUNNING;
        },
        std::chrono::seconds(30), std::chrono::milliseconds(50)))
        << arn << " still running" << Diagnostics();
    return last;
  }

  // Every execution of `machine`, by ARN.
  std::set<std::string> Executions(const std::string& machine) {
    std::set<std::string> arns;
    std::string token;
    do {
      ListExecutionsRequest req;
      req.set_state_machine_arn(machine);
      req.set_max_results(1000);
      req.set_next_token(token);
      ListExecutionsResponse resp;
      grpc::ClientContext ctx;
      grpc::Status s = states_->ListExecutions(&ctx, req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      for (const auto& e : resp.executions()) arns.insert(e.execution_arn());
      token = resp.next_token();
    } while (!token.empty());
    return arns;
  }

  // The execution a run of `schedule` due at `at` starts.
  static std::string ExecutionOf(const std::string& machine, const std::string& schedule,
                                 int64_t at) {
    std::string name = schedule + "-" + std::to_string(at / 1000);
    if (at % 1000 != 0) {
      const std::string ms = std::to_string(1000 + at % 1000);
      name += "." + ms.substr(1);
    }
    return kExecutionArnPrefix + machine + ":" + name;
  }

  std::unique_ptr<StatesService::Stub> states_;
};

TEST_F(ScheduleWorkflows, EachRunStartsAnExecutionNamedAfterItAndRecordsIt) {
  CreateMachine("greet", kPass);
  auto req = Every("hello", "greet");
  req.set_execution_input(R"({"who":"cron"})");
  Create(req);
  const auto runs = WaitForRuns("hello", "FIRED", 2);
  ASSERT_GE(runs.size(), 2u);
  for (const auto& run : runs) {
    EXPECT_TRUE(run.job_id().empty());
    EXPECT_EQ(run.execution_arn(), ExecutionOf("greet", "hello", run.scheduled_at()));
    const auto execution = WaitEnded(run.execution_arn());
    EXPECT_EQ(execution.status(), ExecutionStatus::SUCCEEDED);
    EXPECT_EQ(execution.output(), R"({"who":"cron"})");
  }
  // The runs show their execution's status as it is now.
  WaitForRuns("hello", "FIRED", 2, [](const ScheduleRun& r) {
    return r.execution_status() == ExecutionStatus::SUCCEEDED;
  });
  const ScheduleDetail s = Get("hello");
  EXPECT_EQ(s.state_machine(), "greet");
  EXPECT_EQ(s.execution_input(), R"({"who":"cron"})");
  EXPECT_TRUE(s.job_queue().empty());
  EXPECT_FALSE(s.last_fired().execution_arn().empty());
}

TEST_F(ScheduleWorkflows, TriggerStartsOneExecution) {
  CreateMachine("greet", kPass);
  Create(Every("manual", "arn:batchd:states:local:000000000000:stateMachine:greet:1", "0 0 1 1 *"));
  ScheduleRef ref;
  ref.set_schedule("manual");
  TriggerScheduleResponse fired;
  {
    grpc::ClientContext ctx;
    grpc::Status s = stub_->TriggerSchedule(&ctx, ref, &fired);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_TRUE(fired.job_id().empty());
  ASSERT_EQ(fired.execution_arn().rfind(std::string(kExecutionArnPrefix) + "greet:manual-", 0), 0u)
      << fired.execution_arn();
  const auto execution = WaitEnded(fired.execution_arn());
  EXPECT_EQ(execution.status(), ExecutionStatus::SUCCEEDED);
  EXPECT_EQ(execution.input(), "{}");
  const auto runs = WaitForRuns("manual", "FIRED", 1, [](const ScheduleRun& r) {
    return r.execution_status() == ExecutionStatus::SUCCEEDED;
  });
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].execution_arn(), fired.execution_arn());
  EXPECT_EQ(runs[0].status_reason(), "triggered by hand");
  EXPECT_EQ(runs[0].execution_arn(), ExecutionOf("greet", "manual", runs[0].scheduled_at()));
}

TEST_F(ScheduleWorkflows, ForbidSkipsWhileTheExecutionRunsAndReplaceStopsIt) {
  CreateMachine("slow", kWait);
  auto forbid = Every("forbid", "slow");
  forbid.set_concurrency_policy(ConcurrencyPolicy::Forbid);
  Create(forbid);
  auto replace = Every("replace", "slow");
  replace.set_concurrency_policy(ConcurrencyPolicy::Replace);
  Create(replace);

  const auto skipped = WaitForRuns("forbid", "SKIPPED", 2);
  const auto fired = WaitForRuns("forbid", "FIRED", 1);
  ASSERT_EQ(fired.size(), 1u) << "only one run at a time";
  EXPECT_EQ(
      skipped.front().status_reason(),
      "the previous run (execution " + fired[0].execution_arn() + ") has not finished (Forbid)");
  EXPECT_EQ(DescribeExecution(fired[0].execution_arn()).status(), ExecutionStatus::RUNNING);

  const auto replaced = WaitForRuns("replace", "FIRED", 3);
  const std::string oldest = replaced.back().execution_arn();  // newest first
  const auto stopped = WaitEnded(oldest);
  EXPECT_EQ(stopped.status(), ExecutionStatus::ABORTED);
  EXPECT_EQ(stopped.error(), "batchd.ScheduleReplaced");
  EXPECT_EQ(stopped.cause().rfind("replaced by the run of schedule replace due at ", 0), 0u)
      << stopped.cause();
}

TEST_F(ScheduleWorkflows, EachRunStartsOneExecutionThroughKills) {
  CreateMachine("greet", kPass);
  Create(Every("once", "greet"));
  WaitForRuns("once", "FIRED", 1);
  const int port = Port();
  for (int i = 0; i < 4; ++i) {
    const int before = Get("once").recent_runs_size();
    ASSERT_TRUE(PollUntil([&] { return Get("once").recent_runs_size() > before; }));
    batchd_->Kill();  // kill -9, at whatever point the runner is
    StartBatchd(port);
    Connect();
  }
  WaitForRuns("once", "FIRED", 6);
  const ScheduleDetail s = Get("once");
  // Every execution of the machine is a fired run's, and each fired run's execution exists:
  // a run fired again after a kill found the execution its first try started.
  std::set<std::string> recorded;
  for (const auto& run : s.recent_runs()) {
    if (run.outcome() != "FIRED") continue;
    EXPECT_TRUE(recorded.insert(run.execution_arn()).second) << "recorded twice";
    EXPECT_EQ(run.execution_arn(), ExecutionOf("greet", "once", run.scheduled_at()));
  }
  const std::set<std::string> started = Executions("greet");
  for (const auto& arn : started) {
    if (recorded.contains(arn)) continue;
    // A run that started as this listing was read may be recorded only now.
    const bool named = PollUntil([&] {
      const auto schedule = Get("once");
      for (const auto& run : schedule.recent_runs()) {
        if (run.execution_arn() == arn) return run.outcome() == "FIRED";
      }
      return false;
    });
    EXPECT_TRUE(named) << arn << " started but no run names it";
  }
  for (const auto& arn : recorded) EXPECT_TRUE(started.contains(arn)) << arn << " never started";
}

// What a try that started a run's execution and was killed before recording the run leaves
// behind, made here by starting that execution by hand before the run is due.
TEST_F(ScheduleWorkflows, ARunFindsTheExecutionAnEarlierTryStarted) {
  CreateMachine("greet", kPass);
  const int64_t first = Create(Every("again", "greet", "@every 3s"));
  const std::string arn = StartByHand(ExecutionOf("greet", "again", first));
  ASSERT_EQ(WaitEnded(arn).status(), ExecutionStatus::SUCCEEDED);
  // It has ended, so starting it again is refused as taken: the run is recorded as fired.
  const auto fired = WaitForRuns("again", "FIRED", 1);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].scheduled_at(), first);
  EXPECT_EQ(fired[0].execution_arn(), arn);

  // Under Forbid a run due while the previous one runs is not started, but one already
  // started is still recorded as the run's.
  CreateMachine("slow", kWait);
  auto forbid = Every("forbid", "slow", "@every 2s");
  forbid.set_concurrency_policy(ConcurrencyPolicy::Forbid);
  const int64_t at = Create(forbid);
  WaitForRuns("forbid", "FIRED", 1);
  const std::string second = StartByHand(ExecutionOf("slow", "forbid", at + 2000));
  const auto runs = WaitForRuns("forbid", "FIRED", 2);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].scheduled_at(), at + 2000);
  EXPECT_EQ(runs[0].execution_arn(), second);
  EXPECT_EQ(runs[0].status_reason(),
            "started by an earlier try of this run, before batchd stopped");
  EXPECT_EQ(WaitForRuns("forbid", "SKIPPED", 1).back().scheduled_at(), at + 4000);  // the oldest
}

TEST_F(ScheduleWorkflows, SchedulesThatCannotStartAnExecutionAreRefused) {
  CreateMachine("greet", kPass);
  CreateCe("ce");
  CreateQueue("q", "ce");
  Register("ok", {.command = {"true"}});
  auto check = [&](const ScheduleRequest& req, grpc::StatusCode code, const std::string& message) {
    grpc::Status s = TryCreate(req);
    EXPECT_EQ(s.error_code(), code) << s.error_message();
    EXPECT_EQ(s.error_message(), message);
  };
  check(Every("bad", "nope"), grpc::StatusCode::NOT_FOUND, "state machine \"nope\" not found");
  check(Every("bad", "greet:7"), grpc::StatusCode::NOT_FOUND,
        "state machine \"greet\" has no revision 7");
  auto both = Every("bad", "greet");
  both.set_job_queue("q");
  both.set_job_definition("ok");
  check(both, grpc::StatusCode::INVALID_ARGUMENT,
        "stateMachine: a schedule either submits a job (jobQueue and jobDefinition) or starts an "
        "execution (stateMachine), not both");
  auto named = Every("bad", "greet");
  named.set_job_name("x");
  check(named, grpc::StatusCode::INVALID_ARGUMENT,
        "jobName: belongs to the job a schedule submits; a schedule with a stateMachine starts an "
        "execution instead");
  auto input = Every("bad", "greet");
  input.set_execution_input("{nope");
  grpc::Status s = TryCreate(input);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().rfind("executionInput: is not JSON text: ", 0), 0u)
      << s.error_message();
  ScheduleRequest job_with_input;
  job_with_input.set_schedule_name("bad");
  job_with_input.set_schedule_expression("@daily");
  job_with_input.set_job_queue("q");
  job_with_input.set_job_definition("ok");
  job_with_input.set_execution_input("{}");
  check(job_with_input, grpc::StatusCode::INVALID_ARGUMENT,
        "executionInput: is the input of the execution a schedule with a stateMachine starts; "
        "this schedule submits a job");

  // A schedule changed to name a missing state machine is refused the same way.
  Create(Every("good", "greet", "@daily"));
  grpc::ClientContext ctx;
  ScheduleResponse resp;
  s = stub_->UpdateSchedule(&ctx, Every("good", "gone", "@daily"), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
  EXPECT_EQ(s.error_message(), "state machine \"gone\" not found");
}

}  // namespace
}  // namespace batchd::testing
