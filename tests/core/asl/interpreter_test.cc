// The interpreter against whole definitions: what each state does, the history it writes,
// retries and catches, Parallel and Map, timers, stop and redrive. The clock is a FakeClock
// and randomness is seeded, so every run is the same.
#include <gtest/gtest.h>

#include "core/asl/definition.h"
#include "core/asl/interpreter.h"
#include "core/asl/states_error.h"
#include "core/clock.h"

namespace batchd::asl {
namespace {

using std::chrono::milliseconds;

class InterpreterTest : public ::testing::Test {
 protected:
  InterpreterTest()
      : clock_(std::chrono::system_clock::time_point(milliseconds(1'700'000'000'000))) {}

  void Load(const std::string& text) {
    ParsedDefinition parsed = ParseDefinition(text);
    for (const auto& d : parsed.diagnostics) ADD_FAILURE() << Describe(d);
    ASSERT_TRUE(parsed.machine);
    interpreter_ = std::make_unique<Interpreter>(parsed.machine, clock_, random_);
  }

  ExecutionState Start(const std::string& input) {
    ExecutionInfo info;
    info.arn = "arn:batchd:states:local:000000000000:execution:m:e1";
    info.name = "e1";
    info.state_machine_arn = "arn:batchd:states:local:000000000000:stateMachine:m";
    info.state_machine_name = "m";
    info.start_ms = clock_.NowMillis();
    out_ = {};
    return interpreter_->Start(info, Json::parse(input), out_);
  }

  // The types of the events of the last call, in order.
  std::vector<std::string> Types() const {
    std::vector<std::string> types;
    for (const auto& e : out_.events) types.push_back(e.type);
    return types;
  }

  const HistoryEvent* Find(const std::string& type) const {
    for (const auto& e : out_.events) {
      if (e.type == type) return &e;
    }
    return nullptr;
  }

  core::FakeClock clock_;
  SeededRandom random_{42};
  std::unique_ptr<Interpreter> interpreter_;
  Transition out_;
};

TEST_F(InterpreterTest, PassStatesRunToTheEndInOneCall) {
  Load(R"js({"StartAt":"A","States":{
    "A":{"Type":"Pass","Result":{"x":1},"ResultPath":"$.a","Next":"B"},
    "B":{"Type":"Pass","InputPath":"$.a","Parameters":{"y.$":"$.x","z":"lit"},"End":true}}})js");
  ExecutionState ex = Start(R"js({"in":true})js");
  EXPECT_EQ(ex.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(ex.output, Json::parse(R"js({"y":1,"z":"lit"})js"));
  EXPECT_EQ(Types(), (std::vector<std::string>{"ExecutionStarted", "PassStateEntered",
                                               "PassStateExited", "PassStateEntered",
                                               "PassStateExited", "ExecutionSucceeded"}));
  // Ids count from 1; the first state's previousEventId is 0, as AWS records it.
  for (size_t i = 0; i < out_.events.size(); ++i) EXPECT_EQ(out_.events[i].id, int64_t(i + 1));
  EXPECT_EQ(out_.events[1].previous_id, 0);
  EXPECT_EQ(out_.events[2].previous_id, 2);
  EXPECT_EQ(out_.events[1].details["input"], R"js({"in":true})js");
  EXPECT_EQ(out_.events[4].details["output"], R"js({"y":1,"z":"lit"})js");
  EXPECT_EQ(DetailsMember("PassStateEntered"), "stateEnteredEventDetails");
  EXPECT_EQ(DetailsMember("TaskScheduled"), "taskScheduledEventDetails");
  EXPECT_EQ(DetailsMember("ParallelStateStarted"), "");
}

TEST_F(InterpreterTest, ResultPathNullKeepsTheInputAndOutputPathNullGivesAnEmptyObject) {
  Load(R"js({"StartAt":"A","States":{
    "A":{"Type":"Pass","Result":1,"ResultPath":null,"Next":"B"},
    "B":{"Type":"Pass","OutputPath":null,"End":true}}})js");
  ExecutionState ex = Start(R"js({"k":"v"})js");
  EXPECT_EQ(out_.events[2].details["output"], R"js({"k":"v"})js");
  EXPECT_EQ(ex.output, Json::object());
}

TEST_F(InterpreterTest, ChoiceBranchesAndFailsWhenNothingMatches) {
  const char* def = R"js({"StartAt":"C","States":{
    "C":{"Type":"Choice","Choices":[
      {"Variable":"$.n","NumericGreaterThan":10,"Next":"Big"},
      {"And":[{"Variable":"$.n","NumericGreaterThan":0},{"Not":{"Variable":"$.s","StringEquals":"x"}}],
       "Next":"Small"}]},
    "Big":{"Type":"Succeed"},
    "Small":{"Type":"Pass","Result":"small","End":true}}})js";
  Load(def);
  EXPECT_EQ(Start(R"js({"n":11})js").output, Json::parse(R"js({"n":11})js"));
  EXPECT_EQ(Start(R"js({"n":3,"s":"y"})js").output, "small");
  ExecutionState ex = Start(R"js({"n":-1})js");
  EXPECT_EQ(ex.status, ExecutionStatus::kFailed);
  EXPECT_EQ(ex.error, errors::kNoChoiceMatched);
  EXPECT_EQ(Types().back(), "ExecutionFailed");
}

TEST_F(InterpreterTest, FailStateTakesErrorAndCauseFromPathsAndIntrinsics) {
  Load(R"js({"StartAt":"F","States":{"F":{"Type":"Fail","ErrorPath":"$.e",
    "CausePath":"States.Format('bad {}', $.n)"}}})js");
  ExecutionState ex = Start(R"js({"e":"MyError","n":7})js");
  EXPECT_EQ(ex.status, ExecutionStatus::kFailed);
  EXPECT_EQ(ex.error, "MyError");
  EXPECT_EQ(ex.cause, "bad 7");
  EXPECT_EQ(Types(),
            (std::vector<std::string>{"ExecutionStarted", "FailStateEntered", "ExecutionFailed"}));
}

TEST_F(InterpreterTest, WaitFiresAtItsTimeAndAPastTimestampDoesNotWait) {
  Load(R"js({"StartAt":"W","States":{"W":{"Type":"Wait","SecondsPath":"$.s","Next":"T"},
    "T":{"Type":"Wait","Timestamp":"2000-01-01T00:00:00Z","End":true}}})js");
  ExecutionState ex = Start(R"js({"s":5})js");
  EXPECT_EQ(ex.status, ExecutionStatus::kRunning);
  EXPECT_EQ(Interpreter::NextDue(ex), clock_.NowMillis() + 5000);
  clock_.Advance(milliseconds(4999));
  out_ = {};
  interpreter_->Timers(ex, out_);
  EXPECT_TRUE(out_.events.empty());
  clock_.Advance(milliseconds(1));
  interpreter_->Timers(ex, out_);
  EXPECT_EQ(ex.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(Types(), (std::vector<std::string>{"WaitStateExited", "WaitStateEntered",
                                               "WaitStateExited", "ExecutionSucceeded"}));
}

TEST_F(InterpreterTest, ANegativeSecondsPathIsARuntimeErrorNoCatcherHandles) {
  Load(R"js({"StartAt":"W","States":{"W":{"Type":"Wait","SecondsPath":"$.s","End":true}}})js");
  ExecutionState ex = Start(R"js({"s":-1})js");
  EXPECT_EQ(ex.status, ExecutionStatus::kFailed);
  EXPECT_EQ(ex.error, errors::kRuntime);
}

const char* kTaskMachine = R"js({"StartAt":"T","States":{"T":{"Type":"Task",
  "Resource":"arn:aws:states:::batch:submitJob.sync",
  "Parameters":{"JobName.$":"$.name","JobQueue":"q","JobDefinition":"d"},
  "ResultSelector":{"id.$":"$.JobId"},"ResultPath":"$.job",
  "Retry":[{"ErrorEquals":["States.TaskFailed"],"IntervalSeconds":2,"MaxAttempts":2,"BackoffRate":3}],
  "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.err","Next":"Caught"}],
  "End":true},
  "Caught":{"Type":"Pass","End":true}}})js";

TEST_F(InterpreterTest, ATaskIsScheduledThenItsResultIsSelectedAndPlaced) {
  Load(kTaskMachine);
  ExecutionState ex = Start(R"js({"name":"j"})js");
  ASSERT_EQ(out_.starts.size(), 1u);
  const TaskStart start = out_.starts[0];
  EXPECT_EQ(start.parameters,
            Json::parse(R"js({"JobName":"j","JobQueue":"q","JobDefinition":"d"})js"));
  EXPECT_EQ(start.resource.kind, TaskResource::Kind::kBatchSubmitJobSync);
  EXPECT_TRUE(start.token.empty());
  const HistoryEvent* scheduled = Find("TaskScheduled");
  ASSERT_TRUE(scheduled);
  EXPECT_EQ(scheduled->details["resourceType"], "batch");
  EXPECT_EQ(scheduled->details["resource"], "submitJob.sync");
  EXPECT_EQ(scheduled->details["parameters"],
            R"js({"JobName":"j","JobQueue":"q","JobDefinition":"d"})js");
  out_ = {};
  EXPECT_TRUE(
      interpreter_->TaskSubmitted(ex, start.seq, Json::parse(R"js({"JobId":"id1"})js"), out_));
  EXPECT_TRUE(interpreter_->TaskSucceeded(
      ex, start.seq, Json::parse(R"js({"JobId":"id1","Status":"SUCCEEDED"})js"), out_));
  EXPECT_EQ(Types(), (std::vector<std::string>{"TaskSubmitted", "TaskSucceeded", "TaskStateExited",
                                               "ExecutionSucceeded"}));
  EXPECT_EQ(ex.output, Json::parse(R"js({"name":"j","job":{"id":"id1"}})js"));
  // A late answer for a finished task changes nothing.
  out_ = {};
  EXPECT_FALSE(interpreter_->TaskSucceeded(ex, start.seq, Json::object(), out_));
  EXPECT_TRUE(out_.events.empty());
}

TEST_F(InterpreterTest, AFailedTaskIsRetriedWithBackoffThenCaught) {
  Load(kTaskMachine);
  ExecutionState ex = Start(R"js({"name":"j"})js");
  int64_t seq = out_.starts.at(0).seq;
  out_ = {};
  interpreter_->TaskFailed(ex, seq, errors::kTaskFailed, "job failed", out_);
  EXPECT_TRUE(out_.starts.empty());
  EXPECT_EQ(Interpreter::NextDue(ex), clock_.NowMillis() + 2000);
  clock_.Advance(milliseconds(2000));
  interpreter_->Timers(ex, out_);
  ASSERT_EQ(out_.starts.size(), 1u);
  EXPECT_NE(out_.starts[0].seq, seq);
  EXPECT_EQ(out_.starts[0].retry, 1);
  seq = out_.starts[0].seq;
  out_ = {};
  interpreter_->TaskFailed(ex, seq, errors::kTaskFailed, "again", out_);
  // The second retry waits IntervalSeconds * BackoffRate.
  EXPECT_EQ(Interpreter::NextDue(ex), clock_.NowMillis() + 6000);
  clock_.Advance(milliseconds(6000));
  interpreter_->Timers(ex, out_);
  seq = out_.starts.back().seq;
  out_ = {};
  interpreter_->TaskFailed(ex, seq, errors::kTaskFailed, "third", out_);
  EXPECT_EQ(ex.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(ex.output["err"], Json::parse(R"js({"Error":"States.TaskFailed","Cause":"third"})js"));
  EXPECT_EQ(Types(), (std::vector<std::string>{"TaskFailed", "TaskStateExited", "PassStateEntered",
                                               "PassStateExited", "ExecutionSucceeded"}));
}

TEST_F(InterpreterTest, ATaskTimesOutAndItsJobIsCancelled) {
  Load(
      R"js({"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::batch:submitJob.sync",
    "TimeoutSeconds":10,"Parameters":{"JobName":"n","JobQueue":"q","JobDefinition":"d"},"End":true}}})js");
  ExecutionState ex = Start("{}");
  const int64_t seq = out_.starts.at(0).seq;
  clock_.Advance(milliseconds(10'000));
  out_ = {};
  interpreter_->Timers(ex, out_);
  EXPECT_EQ(ex.status, ExecutionStatus::kFailed);
  EXPECT_EQ(ex.error, errors::kTimeout);
  ASSERT_EQ(out_.cancels.size(), 1u);
  EXPECT_EQ(out_.cancels[0].seq, seq);
  EXPECT_EQ(Types().front(), "TaskTimedOut");
}

TEST_F(InterpreterTest, ACallbackTaskPassesItsTokenAndAMissedHeartbeatIsATimeout) {
  Load(R"js({"StartAt":"Approve","States":{"Approve":{"Type":"Task",
    "Resource":"arn:aws:states:::batchd:task.waitForTaskToken","HeartbeatSeconds":30,
    "Parameters":{"token.$":"$$.Task.Token","what":"deploy"},
    "Catch":[{"ErrorEquals":["States.HeartbeatTimeout"],"Next":"Late"}],"End":true},
    "Late":{"Type":"Pass","End":true}}})js");
  ExecutionState ex = Start("{}");
  ASSERT_EQ(out_.starts.size(), 1u);
  const TaskStart start = out_.starts[0];
  EXPECT_EQ(start.token.size(), 64u);
  EXPECT_EQ(start.parameters["token"], start.token);
  EXPECT_EQ(start.heartbeat_seconds, 30);
  clock_.Advance(milliseconds(20'000));
  EXPECT_TRUE(interpreter_->TaskHeartbeat(ex, start.seq));
  clock_.Advance(milliseconds(20'000));
  out_ = {};
  interpreter_->Timers(ex, out_);
  EXPECT_EQ(ex.status, ExecutionStatus::kRunning);  // the heartbeat moved the deadline
  clock_.Advance(milliseconds(10'000));
  interpreter_->Timers(ex, out_);
  EXPECT_EQ(ex.status, ExecutionStatus::kSucceeded);
  const HistoryEvent* timed_out = Find("TaskTimedOut");
  ASSERT_TRUE(timed_out);
  EXPECT_EQ(timed_out->details["error"], "States.Timeout");
  EXPECT_EQ(ex.output["Error"], "States.Timeout");
}

TEST_F(InterpreterTest, ActivitiesWriteActivityEvents) {
  Load(R"js({"StartAt":"A","States":{"A":{"Type":"Task",
    "Resource":"arn:batchd:states:local:000000000000:activity:review","End":true}}})js");
  ExecutionState ex = Start(R"js({"doc":1})js");
  const TaskStart start = out_.starts.at(0);
  EXPECT_FALSE(start.token.empty());
  EXPECT_EQ(Find("ActivityScheduled")->details["input"], R"js({"doc":1})js");
  out_ = {};
  interpreter_->TaskStarted(ex, start.seq, "worker-1", out_);
  interpreter_->TaskFailed(ex, start.seq, "Rejected", "no", out_);
  EXPECT_EQ(Types(),
            (std::vector<std::string>{"ActivityStarted", "ActivityFailed", "ExecutionFailed"}));
  EXPECT_EQ(ex.error, "Rejected");
}

TEST_F(InterpreterTest, ParallelGivesBranchOutputsInOrderAndAFailedBranchAbortsTheOthers) {
  const char* def = R"js({"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
    {"StartAt":"A","States":{"A":{"Type":"Pass","Result":"a","End":true}}},
    {"StartAt":"B","States":{"B":{"Type":"Task","Resource":"arn:aws:states:::batch:submitJob.sync",
      "Parameters":{"JobName":"n","JobQueue":"q","JobDefinition":"d"},"End":true}}},
    {"StartAt":"C","States":{"C":{"Type":"Wait","Seconds":100,"End":true}}}]}}})js";
  Load(def);
  ExecutionState ex = Start("{}");
  const int64_t seq = out_.starts.at(0).seq;
  out_ = {};
  interpreter_->TaskSucceeded(ex, seq, "b", out_);
  EXPECT_EQ(ex.status, ExecutionStatus::kRunning);
  clock_.Advance(milliseconds(100'000));
  interpreter_->Timers(ex, out_);
  EXPECT_EQ(ex.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(ex.output, Json::parse(R"js(["a","b",{}])js"));

  ExecutionState failing = Start("{}");
  out_ = {};
  interpreter_->TaskFailed(failing, failing.root.children.at(1).task_seq, "Boom", "c", out_);
  EXPECT_EQ(failing.status, ExecutionStatus::kFailed);
  EXPECT_EQ(failing.error, "Boom");
  EXPECT_EQ(Types(), (std::vector<std::string>{"TaskFailed", "WaitStateAborted",
                                               "ParallelStateFailed", "ExecutionFailed"}));
}

TEST_F(InterpreterTest, MapRunsEveryItemWithItsSelectorAndKeepsItemOrder) {
  Load(R"js({"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items",
    "ItemSelector":{"v.$":"$$.Map.Item.Value","i.$":"$$.Map.Item.Index","k.$":"$.k"},
    "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
    "ResultPath":"$.out","End":true}}})js");
  ExecutionState ex = Start(R"js({"items":["a","b","c"],"k":9})js");
  EXPECT_EQ(ex.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(
      ex.output["out"],
      Json::parse(R"js([{"v":"a","i":0,"k":9},{"v":"b","i":1,"k":9},{"v":"c","i":2,"k":9}])js"));
  EXPECT_EQ(Find("MapStateStarted")->details["length"], 3);
  EXPECT_EQ(Find("MapIterationStarted")->details, Json::parse(R"js({"name":"M","index":0})js"));
}

TEST_F(InterpreterTest, MapHonoursMaxConcurrencyAndToleratedFailures) {
  Load(R"js({"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":2,"ToleratedFailureCount":1,
    "ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task",
      "Resource":"arn:aws:states:::batch:submitJob.sync",
      "Parameters":{"JobName":"n","JobQueue":"q","JobDefinition":"d"},"End":true}}},"End":true}}})js");
  ExecutionState ex = Start("[1,2,3,4]");
  ASSERT_EQ(out_.starts.size(), 2u);
  std::vector<int64_t> seqs = {out_.starts[0].seq, out_.starts[1].seq};
  out_ = {};
  interpreter_->TaskFailed(ex, seqs[0], "E", "one", out_);  // tolerated
  ASSERT_EQ(out_.starts.size(), 1u);
  seqs.push_back(out_.starts[0].seq);
  interpreter_->TaskSucceeded(ex, seqs[1], 2, out_);
  ASSERT_EQ(out_.starts.size(), 2u);
  seqs.push_back(out_.starts[1].seq);
  EXPECT_EQ(ex.status, ExecutionStatus::kRunning);
  out_ = {};
  interpreter_->TaskFailed(ex, seqs[2], "E", "two", out_);  // one too many
  EXPECT_EQ(ex.status, ExecutionStatus::kFailed);
  EXPECT_EQ(ex.error, errors::kExceedToleratedFailureThreshold);
  ASSERT_EQ(out_.cancels.size(), 1u);
  EXPECT_EQ(out_.cancels[0].seq, seqs[3]);
}

TEST_F(InterpreterTest, AMapOfAHundredThousandPassItemsRunsInCallsOfBoundedHistory) {
  Load(R"js({"StartAt":"M","States":{"M":{"Type":"Map",
    "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}})js");
  Json items = Json::array();
  for (int i = 0; i < 100'000; ++i) items.push_back(i);
  ExecutionInfo info;
  info.arn = "x";
  out_ = {};
  ExecutionState ex = interpreter_->Start(info, items, out_);
  const int64_t per_call = Interpreter::kIterationsPerCall;
  size_t events = out_.events.size();
  int calls = 1;
  while (ex.status == ExecutionStatus::kRunning) {
    // The rest is due at once, and goes on from where its JSON form says after a restart.
    ASSERT_EQ(Interpreter::NextDue(ex), clock_.NowMillis());
    ASSERT_LE(out_.events.size(), size_t(4 * per_call + 6));
    ex = ExecutionStateFromJson(Json::parse(ToJson(ex).dump()));
    const int64_t first = ex.last_event_id + 1;
    out_ = {};
    interpreter_->Timers(ex, out_);
    ASSERT_FALSE(out_.events.empty());
    EXPECT_EQ(out_.events.front().id, first);
    events += out_.events.size();
    ++calls;
  }
  EXPECT_EQ(ex.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(calls, 100'000 / per_call);
  EXPECT_EQ(ex.output.size(), 100'000u);
  EXPECT_EQ(ex.output[99'999], 99'999);
  EXPECT_EQ(events, 6u + 4u * 100'000u);
  EXPECT_EQ(ex.last_event_id, int64_t(events));
}

TEST_F(InterpreterTest, EachCallNamesTheTasksItEnded) {
  Load(R"js({"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
    {"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::batch:submitJob.sync",
      "Parameters":{"JobName":"a","JobQueue":"q","JobDefinition":"d"},"End":true}}},
    {"StartAt":"B","States":{"B":{"Type":"Task","Resource":"arn:aws:states:::batch:submitJob.sync",
      "Parameters":{"JobName":"b","JobQueue":"q","JobDefinition":"d"},"End":true}}},
    {"StartAt":"C","States":{"C":{"Type":"Task","Resource":"arn:aws:states:::batch:submitJob.sync",
      "Parameters":{"JobName":"c","JobQueue":"q","JobDefinition":"d"},"End":true}}}]}}})js");
  ExecutionState ex = Start("{}");
  ASSERT_EQ(out_.starts.size(), 3u);
  const int64_t a = out_.starts[0].seq, b = out_.starts[1].seq, c = out_.starts[2].seq;
  ASSERT_TRUE(interpreter_->WaitingTask(ex, b));
  EXPECT_EQ(interpreter_->WaitingTask(ex, b)->name, "B");
  EXPECT_FALSE(interpreter_->WaitingTask(ex, c + 1));
  out_ = {};
  interpreter_->TaskSubmitted(ex, a, Json::object(), out_);
  EXPECT_TRUE(out_.ended.empty());  // submitted, still waited on
  interpreter_->TaskSucceeded(ex, a, Json::object(), out_);
  EXPECT_EQ(out_.ended, std::vector<int64_t>{a});
  EXPECT_FALSE(interpreter_->WaitingTask(ex, a));
  out_ = {};
  // A failed branch ends its own task and cancels the others'.
  interpreter_->TaskFailed(ex, b, "E", "no", out_);
  EXPECT_EQ(out_.ended, (std::vector<int64_t>{b, c}));
  EXPECT_EQ(ex.status, ExecutionStatus::kFailed);
  EXPECT_FALSE(interpreter_->WaitingTask(ex, c));
}

TEST_F(InterpreterTest, AssignedVariablesAreSeenLaterAndShownInTheExitEvent) {
  Load(R"js({"StartAt":"A","States":{
    "A":{"Type":"Pass","Result":{"n":5},"Assign":{"count.$":"$.n","label":"x"},"Next":"B"},
    "B":{"Type":"Pass","Parameters":{"c.$":"$count","l.$":"$label"},"End":true}}})js");
  ExecutionState ex = Start("{}");
  EXPECT_EQ(ex.output, Json::parse(R"js({"c":5,"l":"x"})js"));
  EXPECT_EQ(out_.events[2].details["assignedVariables"],
            Json::parse(R"js({"count":"5","label":"\"x\""})js"));
}

TEST_F(InterpreterTest, StopAbortsAndCancelsAndRedriveEntersTheFailedStateAgain) {
  Load(kTaskMachine);
  ExecutionState ex = Start(R"js({"name":"j"})js");
  const int64_t seq = out_.starts.at(0).seq;
  out_ = {};
  interpreter_->Stop(ex, "Operator", "stopped by hand", out_);
  EXPECT_EQ(ex.status, ExecutionStatus::kAborted);
  ASSERT_EQ(out_.cancels.size(), 1u);
  EXPECT_EQ(out_.cancels[0].seq, seq);
  EXPECT_EQ(Types(), (std::vector<std::string>{"TaskStateAborted", "ExecutionAborted"}));
  out_ = {};
  interpreter_->Redrive(ex, out_);
  EXPECT_EQ(ex.status, ExecutionStatus::kRunning);
  EXPECT_EQ(ex.info.redrive_count, 1);
  EXPECT_EQ(Types(), (std::vector<std::string>{"ExecutionRedriven", "TaskStateEntered",
                                               "TaskScheduled", "TaskStarted"}));
}

TEST_F(InterpreterTest, TheExecutionTimesOut) {
  Load(
      R"js({"TimeoutSeconds":5,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}})js");
  ExecutionState ex = Start("{}");
  EXPECT_EQ(Interpreter::NextDue(ex), clock_.NowMillis() + 5000);
  clock_.Advance(milliseconds(5000));
  out_ = {};
  interpreter_->Timers(ex, out_);
  EXPECT_EQ(ex.status, ExecutionStatus::kTimedOut);
  EXPECT_EQ(Types(), (std::vector<std::string>{"WaitStateAborted", "ExecutionTimedOut"}));
}

TEST_F(InterpreterTest, TheStateSurvivesItsJsonForm) {
  Load(kTaskMachine);
  ExecutionState ex = Start(R"js({"name":"j"})js");
  const int64_t seq = out_.starts.at(0).seq;
  ExecutionState back = ExecutionStateFromJson(Json::parse(ToJson(ex).dump()));
  EXPECT_EQ(ToJson(back), ToJson(ex));
  out_ = {};
  EXPECT_TRUE(interpreter_->TaskSucceeded(back, seq, Json::parse(R"js({"JobId":"z"})js"), out_));
  EXPECT_EQ(back.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(out_.events.front().id, ex.last_event_id + 1);
}

TEST_F(InterpreterTest, ADistributedMapRunsEachItemAsAChildExecution) {
  Load(R"js({"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items",
    "ItemSelector":{"v.$":"$$.Map.Item.Value"},"ToleratedFailureCount":1,
    "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
      "StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}})js");
  ExecutionState ex = Start(R"js({"items":["a","b","c"]})js");
  ASSERT_EQ(out_.starts.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(out_.starts[i].resource.kind, TaskResource::Kind::kMapIteration);
    EXPECT_EQ(out_.starts[i].resource.arn, "/States/M");
    EXPECT_EQ(out_.starts[i].state, "M");
  }
  EXPECT_EQ(out_.starts[1].parameters, Json::parse(R"js({"v":"b"})js"));
  // The parent's history names the run, not each iteration: those are the children's.
  EXPECT_EQ(Types(), (std::vector<std::string>{"ExecutionStarted", "MapStateEntered",
                                               "MapStateStarted", "MapRunStarted"}));
  EXPECT_EQ(Find("MapRunStarted")->details["mapRunArn"], ex.info.arn + "/M");
  auto processor = FindProcessor(interpreter_->machine_ptr(), "/States/M");
  ASSERT_TRUE(processor);
  EXPECT_EQ(processor->start_at, "P");
  EXPECT_FALSE(FindProcessor(interpreter_->machine_ptr(), "/States/P"));

  const std::vector<TaskStart> running = interpreter_->RunningTasks(ex);
  ASSERT_EQ(running.size(), 3u);
  EXPECT_EQ(running[2].seq, out_.starts[2].seq);
  EXPECT_EQ(running[2].resource.arn, "/States/M");
  ASSERT_TRUE(interpreter_->WaitingTask(ex, running[0].seq));
  EXPECT_EQ(interpreter_->WaitingTask(ex, running[0].seq)->name, "M");

  ex = ExecutionStateFromJson(Json::parse(ToJson(ex).dump()));
  out_ = {};
  EXPECT_TRUE(interpreter_->TaskSucceeded(ex, running[1].seq, Json::parse(R"js({"r":2})js"), out_));
  EXPECT_TRUE(interpreter_->TaskFailed(ex, running[0].seq, "E", "one", out_));  // tolerated
  EXPECT_TRUE(out_.events.empty());
  EXPECT_EQ(out_.ended, (std::vector<int64_t>{running[1].seq, running[0].seq}));
  EXPECT_TRUE(interpreter_->TaskSucceeded(ex, running[2].seq, Json::parse("3"), out_));
  EXPECT_EQ(ex.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(ex.output, Json::parse(R"js([{"Error":"E","Cause":"one"},{"r":2},3])js"));
  EXPECT_EQ(Types(), (std::vector<std::string>{"MapRunSucceeded", "MapStateSucceeded",
                                               "MapStateExited", "ExecutionSucceeded"}));
}

TEST_F(InterpreterTest, StoppingADistributedMapStopsItsChildren) {
  Load(R"js({"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":2,
    "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
      "StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}})js");
  ExecutionState ex = Start("[1,2,3,4]");
  ASSERT_EQ(out_.starts.size(), 2u);  // MaxConcurrency children at a time
  const int64_t first = out_.starts[0].seq;
  out_ = {};
  interpreter_->TaskFailed(ex, first, "E", "no", out_);
  EXPECT_EQ(ex.status, ExecutionStatus::kFailed);
  ASSERT_EQ(out_.cancels.size(), 1u);
  EXPECT_EQ(out_.cancels[0].resource.kind, TaskResource::Kind::kMapIteration);
  EXPECT_EQ(Types(),
            (std::vector<std::string>{"MapRunFailed", "MapStateFailed", "ExecutionFailed"}));
}

TEST_F(InterpreterTest, AStartedTaskIsStoredWithoutWhatItWasStartedWith) {
  Load(kTaskMachine);
  ExecutionState ex = Start(R"js({"name":"j"})js");
  const int64_t seq = out_.starts.at(0).seq;
  // Until its job is known, a restart must be able to submit it again.
  EXPECT_EQ(ToJson(ex)["root"]["tpar"]["JobName"], "j");
  ex.external_ids[seq] = "job-1";
  const Json doc = ToJson(ex);
  EXPECT_FALSE(doc["root"].contains("tpar"));
  ExecutionState back = ExecutionStateFromJson(Json::parse(doc.dump()));
  EXPECT_EQ(back.external_ids.at(seq), "job-1");
  out_ = {};
  EXPECT_TRUE(
      interpreter_->TaskSucceeded(back, seq, Json::parse(R"js({"JobId":"job-1"})js"), out_));
  EXPECT_EQ(back.status, ExecutionStatus::kSucceeded);
}

TEST_F(InterpreterTest, ADistributedMapStartsAThousandChildrenPerCall) {
  Load(R"js({"StartAt":"M","States":{"M":{"Type":"Map",
    "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
      "StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}})js");
  Json items = Json::array();
  for (int i = 0; i < 2'500; ++i) items.push_back(i);
  ExecutionInfo info;
  out_ = {};
  ExecutionState ex = interpreter_->Start(info, items, out_);
  EXPECT_EQ(out_.starts.size(), 1'000u);
  EXPECT_EQ(Interpreter::NextDue(ex), clock_.NowMillis());
  out_ = {};
  interpreter_->Timers(ex, out_);
  EXPECT_EQ(out_.starts.size(), 1'000u);
  out_ = {};
  interpreter_->Timers(ex, out_);
  ASSERT_EQ(out_.starts.size(), 500u);
  EXPECT_EQ(out_.starts.back().parameters, 2'499);
  EXPECT_EQ(Interpreter::NextDue(ex), 0);  // nothing more to start: it waits on its children
}

}  // namespace
}  // namespace batchd::asl
