// How batchctl reads an execution's history: the states entered and how each ended, retries,
// the batch jobs steps ran, and one-line summaries of events.
#include "cli/workflow_history.h"

#include <gtest/gtest.h>

#include <google/protobuf/util/json_util.h>

namespace batchd::cli {
namespace {

using batch::v1::HistoryEvent;
using Json = nlohmann::ordered_json;

constexpr double kT0 = 1'700'000'000;

// An event as GetExecutionHistory returns it; `details` goes in the member AWS names after
// the type ("taskFailedEventDetails"; "stateEnteredEventDetails" for every *StateEntered).
HistoryEvent Event(int64_t id, int64_t previous, const std::string& type, Json details = nullptr,
                   double at = kT0) {
  HistoryEvent e;
  e.set_id(id);
  e.set_previous_event_id(previous);
  e.set_type(type);
  e.set_timestamp(at);
  if (details.is_null()) return e;
  std::string member = type.ends_with("StateEntered")  ? "stateEnteredEventDetails"
                       : type.ends_with("StateExited") ? "stateExitedEventDetails"
                                                       : type + "EventDetails";
  member[0] = static_cast<char>(std::tolower(member[0]));
  const auto* field = [&]() -> const google::protobuf::FieldDescriptor* {
    const auto* d = HistoryEvent::descriptor();
    for (int i = 0; i < d->field_count(); ++i) {
      if (d->field(i)->json_name() == member) return d->field(i);
    }
    return nullptr;
  }();
  EXPECT_NE(field, nullptr) << member;
  auto* target = e.GetReflection()->MutableMessage(&e, field);
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(details.dump(), target).ok());
  return e;
}

Json Batch(const std::string& job) {
  return {{"resourceType", "batch"},
          {"resource", "submitJob.sync"},
          {"output", Json{{"JobId", job}, {"JobName", "step"}}.dump()}};
}

// Run (a batch job, failed once and retried), then a Choice and a Pass.
std::vector<HistoryEvent> RetriedJobThenChoice() {
  const Json failed = {{"resourceType", "batch"},
                       {"resource", "submitJob.sync"},
                       {"error", "States.TaskFailed"},
                       {"cause", "exit 1"}};
  return {Event(1, 0, "ExecutionStarted", {{"input", "{}"}}),
          Event(2, 0, "TaskStateEntered", {{"name", "Run"}, {"input", "{}"}}),
          Event(3, 2, "TaskScheduled", {{"resourceType", "batch"}, {"resource", "submitJob.sync"}}),
          Event(4, 3, "TaskStarted", {{"resourceType", "batch"}}),
          Event(5, 4, "TaskSubmitted", Batch("job-1")),
          Event(6, 5, "TaskFailed", failed),
          Event(7, 6, "TaskScheduled", {{"resourceType", "batch"}, {"resource", "submitJob.sync"}}),
          Event(8, 7, "TaskStarted", {{"resourceType", "batch"}}),
          Event(9, 8, "TaskSubmitted", Batch("job-2")),
          Event(10, 9, "TaskSucceeded", Batch("job-2"), kT0 + 12.5),
          Event(11, 10, "TaskStateExited", {{"name", "Run"}, {"output", "{}"}}, kT0 + 12.5),
          Event(12, 11, "ChoiceStateEntered", {{"name", "Pick"}}, kT0 + 12.5),
          Event(13, 12, "ChoiceStateExited", {{"name", "Pick"}}, kT0 + 12.5),
          Event(14, 13, "PassStateEntered", {{"name", "Done"}}, kT0 + 12.5),
          Event(15, 14, "PassStateExited", {{"name", "Done"}}, kT0 + 12.5),
          Event(16, 15, "ExecutionSucceeded", {{"output", "{}"}}, kT0 + 12.5)};
}

TEST(StepsOf, OneEntryPerStateWithRetriesAndTheLastJob) {
  const auto steps = StepsOf(RetriedJobThenChoice());
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[0].name, "Run");
  EXPECT_EQ(steps[0].type, "Task");
  EXPECT_EQ(steps[0].status, "succeeded");
  EXPECT_EQ(steps[0].retries, 1);
  EXPECT_EQ(steps[0].job_id, "job-2");
  EXPECT_DOUBLE_EQ(steps[0].ended - steps[0].entered, 12.5);
  EXPECT_EQ(steps[1].name, "Pick");
  EXPECT_EQ(steps[1].type, "Choice");
  EXPECT_EQ(steps[1].status, "succeeded");
  EXPECT_EQ(steps[1].retries, 0);
  EXPECT_EQ(steps[1].job_id, "");
  EXPECT_EQ(steps[2].type, "Pass");
}

TEST(StepsOf, CaughtFailuresFailStatesAndStoppedExecutions) {
  const std::vector<HistoryEvent> caught = {
      Event(1, 0, "ExecutionStarted"),
      Event(2, 0, "TaskStateEntered", {{"name", "Run"}}),
      Event(3, 2, "TaskScheduled", {{"resourceType", "batchd"}}),
      Event(4, 3, "TaskFailed", {{"error", "Oops"}, {"cause", "why"}}),
      Event(5, 4, "TaskStateExited", {{"name", "Run"}}),
      Event(6, 5, "FailStateEntered", {{"name", "Boom"}}),
      Event(7, 6, "ExecutionFailed", {{"error", "Boom"}, {"cause", "bad"}})};
  auto steps = StepsOf(caught);
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].status, "caught");
  EXPECT_EQ(steps[1].type, "Fail");
  EXPECT_EQ(steps[1].status, "failed");

  const std::vector<HistoryEvent> uncaught = {
      Event(1, 0, "ExecutionStarted"), Event(2, 0, "TaskStateEntered", {{"name", "Run"}}),
      Event(3, 2, "TaskScheduled", {{"resourceType", "batchd"}}),
      Event(4, 3, "TaskTimedOut", {{"error", "States.Timeout"}}),
      Event(5, 4, "ExecutionFailed", {{"error", "States.Timeout"}})};
  steps = StepsOf(uncaught);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].status, "failed");

  const std::vector<HistoryEvent> stopped = {
      Event(1, 0, "ExecutionStarted"), Event(2, 0, "TaskStateEntered", {{"name", "Work"}}),
      Event(3, 2, "ActivityScheduled", {{"resource", "arn:x"}}),
      Event(4, 3, "ActivityStarted", {{"workerName", "w1"}})};
  steps = StepsOf(stopped);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].status, "running");
  EXPECT_EQ(steps[0].ended, 0);
  auto aborted = stopped;
  aborted.push_back(Event(5, 4, "ExecutionAborted", {{"error", "E"}}));
  EXPECT_EQ(StepsOf(aborted)[0].status, "aborted");
  auto timed_out = stopped;
  timed_out.push_back(Event(5, 4, "ExecutionTimedOut", {{"error", "States.Timeout"}}));
  EXPECT_EQ(StepsOf(timed_out)[0].status, "timed out");
}

TEST(JobIdsOf, EveryJobOnceInOrderAndTheLatestPerState) {
  const auto events = RetriedJobThenChoice();
  EXPECT_EQ(JobIdsOf(events), (std::vector<std::string>{"job-1", "job-2"}));
  EXPECT_EQ(JobOfState(events, "Run"), "job-2");
  EXPECT_EQ(JobOfState(events, "Pick"), std::nullopt);
  EXPECT_EQ(JobOfState(events, "Nope"), std::nullopt);
}

TEST(StateOfEvents, FollowsPreviousEventIdsToTheStateEntered) {
  const auto states = StateOfEvents(RetriedJobThenChoice());
  ASSERT_EQ(states.size(), 16u);
  EXPECT_EQ(states[0], "");
  EXPECT_EQ(states[5], "Run");
  EXPECT_EQ(states[11], "Pick");
  EXPECT_EQ(states[15], "");
}

TEST(EventSummary, SaysWhatMattersInOneLine) {
  const auto events = RetriedJobThenChoice();
  EXPECT_EQ(EventSummary(events[4], 70), "job job-1");
  EXPECT_EQ(EventSummary(events[5], 70), "States.TaskFailed: exit 1");
  EXPECT_EQ(EventSummary(events[2], 70), "batch:submitJob.sync");
  EXPECT_EQ(EventSummary(events[0], 70), "input {}");
  EXPECT_EQ(EventSummary(Event(1, 0, "ActivityStarted", {{"workerName", "w1"}}), 70), "worker w1");
  EXPECT_EQ(EventSummary(Event(1, 0, "TaskFailed", {{"cause", "line 1\nline 2"}}), 9), "line 1...");
  EXPECT_EQ(EventSummary(Event(1, 0, "ParallelStateStarted"), 70), "");
}

TEST(EventJson, IsAwsHistoryEventShape) {
  const Json json = EventJson(RetriedJobThenChoice()[5]);
  EXPECT_EQ(json.dump(),
            R"({"timestamp":1700000000.0,"type":"TaskFailed","id":6,"previousEventId":5,)"
            R"("taskFailedEventDetails":{"cause":"exit 1","error":"States.TaskFailed",)"
            R"("resource":"submitJob.sync","resourceType":"batch"}})");
  EXPECT_EQ(EventJson(Event(1, 0, "ParallelStateStarted")).dump(),
            R"({"timestamp":1700000000.0,"type":"ParallelStateStarted","id":1,)"
            R"("previousEventId":0})");
}

}  // namespace
}  // namespace batchd::cli
