// Valid definitions and the typed form they parse into.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/asl/definition.h"
#include "definition_test_util.h"

namespace batchd::asl {
namespace {

using namespace batchd::asl::testing;

// A definition that uses every state type and nearly every field.
constexpr const char* kEverything = R"json({
  "Comment": "every state type",
  "Version": "1.0",
  "TimeoutSeconds": 315360000,
  "QueryLanguage": "JSONPath",
  "StartAt": "Prepare",
  "States": {
    "Prepare": {"Type": "Pass", "Comment": "set up", "QueryLanguage": "JSONPath",
                "InputPath": "$.in", "OutputPath": null, "ResultPath": "$.prepared",
                "Parameters": {"x.$": "$.a", "States": {"k": 1, "k": 2}},
                "Result": {"k": [1, "two"]}, "Assign": {"count": 0}, "Next": "Submit"},
    "Submit": {"Type": "Task", "Resource": "arn:aws:states:::batch:submitJob.sync",
               "Parameters": {"JobName": "n", "JobQueue": "q", "JobDefinition": "d"},
               "ResultSelector": {"id.$": "$.JobId"}, "ResultPath": null,
               "TimeoutSeconds": 300, "HeartbeatSeconds": 60,
               "Credentials": {"RoleArn": "arn:aws:iam::123456789012:role/r"},
               "Retry": [{"ErrorEquals": ["Batch.ServerException", "States.Timeout"],
                          "IntervalSeconds": 5, "MaxAttempts": 0, "BackoffRate": 1.5,
                          "MaxDelaySeconds": 30, "JitterStrategy": "FULL", "Comment": "c"},
                         {"ErrorEquals": ["States.ALL"]}],
               "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Failed",
                          "ResultPath": "$.error", "Assign": {"failed": true}},
                         {"ErrorEquals": ["States.ALL"], "Next": "Failed", "ResultPath": null}],
               "Next": "Route"},
    "Route": {"Type": "Choice", "InputPath": "$.route", "Assign": {"routed": true},
              "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "Pause"},
                          {"Variable": "$.n", "NumericEquals": 2, "Next": "Bad"}],
              "Default": "Until"},
    "Pause": {"Type": "Wait", "SecondsPath": "$.delay", "Next": "Fan"},
    "Until": {"Type": "Wait", "Timestamp": "2016-03-14T01:59:00Z", "Next": "Sleep"},
    "Sleep": {"Type": "Wait", "Seconds": 0, "Next": "Later"},
    "Later": {"Type": "Wait", "TimestampPath": "$.at", "Next": "Fan"},
    "Fan": {"Type": "Parallel", "InputPath": "$.fan", "Parameters": {"p.$": "$.q"},
            "ResultSelector": {"first.$": "$[0]"}, "ResultPath": "$.fanned",
            "Retry": [{"ErrorEquals": ["States.BranchFailed"]}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}],
            "Branches": [
              {"StartAt": "Work", "States": {
                "Work": {"Type": "Task",
                         "Resource": "arn:batchd:states:local:000000000000:activity:resize-images",
                         "TimeoutSecondsPath": "$.t", "HeartbeatSecondsPath": "$.h",
                         "End": true}}},
              {"Comment": "second", "StartAt": "Callback", "States": {
                "Callback": {"Type": "Task",
                             "Resource": "arn:aws:states:::batchd:task.waitForTaskToken",
                             "Parameters": {"Payload": [{"token.$": "$$.Task.Token"}]},
                             "HeartbeatSeconds": 30, "End": true}}}],
            "Next": "Each"},
    "Each": {"Type": "Map", "ItemsPath": "$.items",
             "ItemProcessor": {
               "Comment": "one item",
               "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
               "StartAt": "Child",
               "States": {"Child": {"Type": "Task",
                                    "Resource": "arn:aws:states:::states:startExecution.sync:2",
                                    "Parameters": {"StateMachineArn": "arn:x"}, "End": true}}},
             "ItemSelector": {"v.$": "$$.Map.Item.Value"}, "MaxConcurrencyPath": "$.mc",
             "ToleratedFailureCount": 2, "ToleratedFailurePercentage": 12.5,
             "ItemBatcher": {"MaxItemsPerBatch": 10, "MaxInputBytesPerBatchPath": "$.bytes",
                             "BatchInput": {"b": 1}},
             "Label": "each", "ResultSelector": {"n.$": "States.ArrayLength($)"
}
, "Retry" : [ {"ErrorEquals" : ["States.ExceedToleratedFailureThreshold"]} ], "Next" : "Legacy"
}
, "Legacy" : {
  "Type" : "Map",
  "Iterator" : {"StartAt" : "L", "States" : {"L" : {"Type" : "Pass", "End" : true}}},
  "Parameters" : {"i.$" : "$$.Map.Item.Index"},
  "MaxConcurrency" : 0,
  "ToleratedFailurePercentagePath" : "$.pct",
  "ToleratedFailureCountPath" : "$.cnt",
  "Next" : "Done"
},
             "Done" : {"Type" : "Succeed", "InputPath" : "$", "OutputPath" : "$.result"},
                      "Bad"
    : {"Type" : "Fail", "Comment" : "no", "Error" : "Bad.Input", "Cause" : "n was 2"},
      "Failed" : {
  "Type" : "Fail",
           "ErrorPath" : "$.error.Error",
                         "CausePath" : "States.Format('failed: {}', $.error.Cause)"
}
}
})json";

TEST(ParseDefinition, ParsesEveryStateTypeIntoItsTypedForm) {
  ParsedDefinition parsed = ParseDefinition(std::string(kEverything));
  EXPECT_EQ(Lines(parsed.diagnostics), std::vector<std::string>{});
  ASSERT_NE(parsed.machine, nullptr);
  const Machine& m = *parsed.machine;
  EXPECT_EQ(m.comment, "every state type");
  EXPECT_EQ(m.timeout_seconds, 315360000);
  EXPECT_EQ(m.start_at, "Prepare");
  std::vector<std::string> names;
  for (const State& s : m.states) names.push_back(s.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"Prepare", "Submit", "Route", "Pause", "Until", "Sleep",
                                      "Later", "Fan", "Each", "Legacy", "Done", "Bad", "Failed"}));
  ASSERT_EQ(m.index.size(), names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(m.index.at(names[i]), i);
    EXPECT_EQ(m.Find(names[i]), &m.states[i]);
  }
  EXPECT_EQ(m.Find("Nope"), nullptr);

  const State& pass = *m.Find("Prepare");
  EXPECT_EQ(pass.type, StateType::kPass);
  EXPECT_EQ(pass.comment, "set up");
  EXPECT_EQ(pass.next, "Submit");
  EXPECT_FALSE(pass.end);
  EXPECT_EQ(pass.input_path.kind, PathField::Kind::kPath);
  EXPECT_EQ(pass.input_path.path, "$.in");
  EXPECT_EQ(pass.output_path.kind, PathField::Kind::kNull);
  EXPECT_TRUE(pass.output_path.present());
  EXPECT_EQ(pass.result_path.path, "$.prepared");
  // A "States" key inside a payload is data: its repeated key keeps the last value.
  EXPECT_EQ(pass.parameters, Json::parse(R"({"x.$": "$.a", "States": {"k": 2}})"));
  EXPECT_EQ(pass.result, Json::parse(R"({"k": [1, "two"]})"));
  EXPECT_EQ(pass.assign, Json::parse(R"({"count": 0})"));
  EXPECT_FALSE(pass.result_selector.has_value());

  const State& task = *m.Find("Submit");
  EXPECT_EQ(task.type, StateType::kTask);
  EXPECT_EQ(task.resource.kind, TaskResource::Kind::kBatchSubmitJobSync);
  EXPECT_EQ(task.resource.arn, "arn:aws:states:::batch:submitJob.sync");
  EXPECT_EQ(task.resource.activity_name, "");
  EXPECT_EQ(task.result_path.kind, PathField::Kind::kNull);
  EXPECT_EQ(task.input_path.kind, PathField::Kind::kAbsent);
  EXPECT_FALSE(task.input_path.present());
  EXPECT_EQ(task.result_selector, Json::parse(R"({"id.$": "$.JobId"})"));
  EXPECT_EQ(task.timeout_seconds.value, 300);
  EXPECT_EQ(task.timeout_seconds.path, "");
  EXPECT_EQ(task.heartbeat_seconds.value, 60);
  ASSERT_EQ(task.retry.size(), 2u);
  EXPECT_EQ(task.retry[0].error_equals,
            (std::vector<std::string>{"Batch.ServerException", "States.Timeout"}));
  EXPECT_EQ(task.retry[0].interval_seconds, 5);
  EXPECT_EQ(task.retry[0].max_attempts, 0);
  EXPECT_EQ(task.retry[0].backoff_rate, 1.5);
  EXPECT_EQ(task.retry[0].max_delay_seconds, 30);
  EXPECT_TRUE(task.retry[0].full_jitter);
  // AWS's defaults.
  EXPECT_EQ(task.retry[1].error_equals, std::vector<std::string>{"States.ALL"});
  EXPECT_EQ(task.retry[1].interval_seconds, 1);
  EXPECT_EQ(task.retry[1].max_attempts, 3);
  EXPECT_EQ(task.retry[1].backoff_rate, 2.0);
  EXPECT_EQ(task.retry[1].max_delay_seconds, std::nullopt);
  EXPECT_FALSE(task.retry[1].full_jitter);
  ASSERT_EQ(task.catchers.size(), 2u);
  EXPECT_EQ(task.catchers[0].error_equals, std::vector<std::string>{"States.TaskFailed"});
  EXPECT_EQ(task.catchers[0].next, "Failed");
  EXPECT_EQ(task.catchers[0].result_path.path, "$.error");
  EXPECT_EQ(task.catchers[0].assign, Json::parse(R"({"failed": true})"));
  EXPECT_EQ(task.catchers[1].result_path.kind, PathField::Kind::kNull);
  EXPECT_FALSE(task.catchers[1].assign.has_value());

  const State& choice = *m.Find("Route");
  EXPECT_EQ(choice.type, StateType::kChoice);
  ASSERT_EQ(choice.choices.size(), 2u);
  EXPECT_EQ(choice.choices[0].next, "Pause");
  EXPECT_EQ(choice.choices[1].next, "Bad");
  EXPECT_EQ(choice.default_next, "Until");
  EXPECT_EQ(choice.next, "");
  EXPECT_FALSE(choice.end);
  EXPECT_EQ(choice.input_path.path, "$.route");
  EXPECT_EQ(choice.assign, Json::parse(R"({"routed": true})"));

  EXPECT_EQ(m.Find("Pause")->seconds_path, "$.delay");
  EXPECT_EQ(m.Find("Pause")->seconds, std::nullopt);
  EXPECT_EQ(m.Find("Until")->timestamp, "2016-03-14T01:59:00Z");
  EXPECT_EQ(m.Find("Sleep")->seconds, 0);
  EXPECT_EQ(m.Find("Later")->timestamp_path, "$.at");
  EXPECT_EQ(m.Find("Later")->timestamp, "");

  const State& fan = *m.Find("Fan");
  EXPECT_EQ(fan.type, StateType::kParallel);
  EXPECT_EQ(fan.parameters, Json::parse(R"({"p.$": "$.q"})"));
  EXPECT_EQ(fan.result_path.path, "$.fanned");
  ASSERT_EQ(fan.retry.size(), 1u);
  ASSERT_EQ(fan.catchers.size(), 1u);
  ASSERT_EQ(fan.branches.size(), 2u);
  const Machine& first = *fan.branches[0];
  EXPECT_EQ(first.start_at, "Work");
  EXPECT_EQ(first.timeout_seconds, std::nullopt);
  const State& work = *first.Find("Work");
  EXPECT_EQ(work.resource.kind, TaskResource::Kind::kActivity);
  EXPECT_EQ(work.resource.activity_name, "resize-images");
  EXPECT_EQ(work.timeout_seconds.value, std::nullopt);
  EXPECT_EQ(work.timeout_seconds.path, "$.t");
  EXPECT_TRUE(work.timeout_seconds.present());
  EXPECT_EQ(work.heartbeat_seconds.path, "$.h");
  EXPECT_TRUE(work.end);
  const Machine& second = *fan.branches[1];
  EXPECT_EQ(second.comment, "second");
  EXPECT_EQ(second.Find("Callback")->resource.kind, TaskResource::Kind::kWaitForTaskToken);
  EXPECT_EQ(second.Find("Callback")->heartbeat_seconds.value, 30);
  EXPECT_FALSE(second.Find("Callback")->timeout_seconds.present());

  const State& each = *m.Find("Each");
  EXPECT_EQ(each.type, StateType::kMap);
  EXPECT_TRUE(each.distributed);
  EXPECT_EQ(each.items_path.path, "$.items");
  EXPECT_EQ(each.parameters, Json::parse(R"({"v.$": "$$.Map.Item.Value"})"));
  EXPECT_EQ(each.max_concurrency.path, "$.mc");
  EXPECT_EQ(each.tolerated_failure_count.value, 2);
  EXPECT_EQ(each.tolerated_failure_percentage.value, 12.5);
  ASSERT_TRUE(each.item_batcher.has_value());
  EXPECT_EQ(each.item_batcher->max_items_per_batch.value, 10);
  EXPECT_EQ(each.item_batcher->max_input_bytes_per_batch.path, "$.bytes");
  EXPECT_EQ(each.item_batcher->batch_input, Json::parse(R"({"b": 1})"));
  EXPECT_EQ(each.label, "each");
  ASSERT_NE(each.processor, nullptr);
  EXPECT_EQ(each.processor->comment, "one item");
  EXPECT_EQ(each.processor->Find("Child")->resource.kind, TaskResource::Kind::kStartExecutionSync2);

  const State& legacy = *m.Find("Legacy");
  EXPECT_FALSE(legacy.distributed);
  EXPECT_EQ(legacy.items_path.kind, PathField::Kind::kAbsent);
  EXPECT_EQ(legacy.parameters, Json::parse(R"({"i.$": "$$.Map.Item.Index"})"));
  EXPECT_EQ(legacy.max_concurrency.value, 0);
  EXPECT_EQ(legacy.tolerated_failure_percentage.path, "$.pct");
  EXPECT_FALSE(legacy.tolerated_failure_percentage.value.has_value());
  EXPECT_EQ(legacy.tolerated_failure_count.path, "$.cnt");
  EXPECT_FALSE(legacy.item_batcher.has_value());
  ASSERT_NE(legacy.processor, nullptr);
  EXPECT_EQ(legacy.processor->start_at, "L");

  const State& done = *m.Find("Done");
  EXPECT_EQ(done.type, StateType::kSucceed);
  EXPECT_EQ(done.output_path.path, "$.result");
  const State& bad = *m.Find("Bad");
  EXPECT_EQ(bad.type, StateType::kFail);
  EXPECT_EQ(bad.error, "Bad.Input");
  EXPECT_EQ(bad.cause, "n was 2");
  EXPECT_EQ(bad.error_path, "");
  const State& failed = *m.Find("Failed");
  EXPECT_EQ(failed.error, std::nullopt);
  EXPECT_EQ(failed.error_path, "$.error.Error");
  EXPECT_EQ(failed.cause_path, "States.Format('failed: {}', $.error.Cause)");
}

TEST(ParseDefinition, DecodesTaskResources) {
  using Kind = TaskResource::Kind;
  struct Case {
    const char* arn;
    Kind kind;
    const char* activity_name;
  };
  for (const Case& c : {
           Case{"arn:aws:states:::batch:submitJob", Kind::kBatchSubmitJob, ""},
           Case{"arn:aws:states:::batch:submitJob.sync", Kind::kBatchSubmitJobSync, ""},
           Case{"arn:aws:states:::batchd:task.waitForTaskToken", Kind::kWaitForTaskToken, ""},
           Case{"arn:aws:states:::states:startExecution", Kind::kStartExecution, ""},
           Case{"arn:aws:states:::states:startExecution.sync", Kind::kStartExecutionSync, ""},
           Case{"arn:aws:states:::states:startExecution.sync:2", Kind::kStartExecutionSync2, ""},
           Case{"arn:aws:states:us-east-1:123456789012:activity:Get_Work-1", Kind::kActivity,
                "Get_Work-1"},
           Case{"arn:batchd:states:local:000000000000:activity:resize", Kind::kActivity, "resize"},
       }) {
    const std::string parameters =
        c.kind == Kind::kWaitForTaskToken ? R"("Parameters": {"t.$": "$$.Task.Token"}, )" : "";
    ParsedDefinition parsed =
        ParseDefinition(WithStates(R"({"A": {"Type": "Task", )" + parameters + R"("Resource": ")" +
                                   c.arn + R"(", "End": true}})"));
    ASSERT_NE(parsed.machine, nullptr) << c.arn << "\n" << Lines(parsed.diagnostics).front();
    const TaskResource& resource = parsed.machine->states[0].resource;
    EXPECT_EQ(resource.kind, c.kind) << c.arn;
    EXPECT_EQ(resource.arn, c.arn);
    EXPECT_EQ(resource.activity_name, c.activity_name) << c.arn;
  }
}

TEST(ParseDefinition, AcceptsTheEdgesOfEachRule) {
  const std::string eighty(80, 'n');
  std::string eighty_wide;
  for (int i = 0; i < 80; ++i) eighty_wide += "\xC3\xA9";  // "é": two bytes, one character
  for (const std::string& definition : {
           // One year and a second: over AWS's limit, within batchd's ten years.
           std::string(R"({"TimeoutSeconds": 31536001, "StartAt": "A",
                           "States": {"A": {"Type": "Succeed"}}})"),
           R"({"StartAt": ")" + eighty + R"(", "States": {")" + eighty +
               R"(": {"Type": "Succeed"}}})",
           R"({"StartAt": ")" + eighty_wide + R"(", "States": {")" + eighty_wide +
               R"(": {"Type": "Succeed"}}})",
           // State names, unlike execution names, may hold spaces and punctuation.
           std::string(R"({"StartAt": "Resize images: step 1/2", "States": {
                            "Resize images: step 1/2": {"Type": "Succeed"}}})"),
           // A Choice with no Default; a Fail reached only from a catcher.
           WithStates(R"({"A": {"Type": "Choice", "Choices": [
                            {"Variable": "$.x", "IsPresent": true, "Next": "B"}]},
                          "B": {"Type": "Task", "Resource": "arn:aws:states:::batch:submitJob",
                                "End": true, "Catch": [{"ErrorEquals": ["States.ALL"],
                                                        "Next": "C"}]},
                          "C": {"Type": "Fail"}})"),
           // A loop that can still end.
           WithStates(R"({"A": {"Type": "Wait", "Seconds": 99999999, "Next": "B"},
                          "B": {"Type": "Choice", "Default": "A", "Choices": [
                            {"Variable": "$.done", "BooleanEquals": true, "Next": "C"}]},
                          "C": {"Type": "Succeed"}})"),
           // The same name may not repeat, but a name can be a prefix of another.
           WithStates(R"({"A": {"Type": "Parallel", "End": true, "Branches": [
                            {"StartAt": "A1", "States": {"A1": {"Type": "Succeed"}}},
                            {"StartAt": "A2", "States": {"A2": {"Type": "Succeed"}}}]}})"),
           // ToleratedFailurePercentage may be fractional and reach 0 and 100.
           WithStates(R"({"A": {"Type": "Map", "End": true, "ToleratedFailurePercentage": 100,
                                "ItemProcessor": {"StartAt": "I", "States": {
                                  "I": {"Type": "Succeed"}}}}})"),
           WithStates(R"({"A": {"Type": "Task", "Resource": "arn:aws:states:::batch:submitJob",
                                "TimeoutSeconds": 99999999, "HeartbeatSeconds": 99999998,
                                "End": true, "Retry": [{"ErrorEquals": ["States.ALL"],
                                "MaxDelaySeconds": 31622400, "BackoffRate": 1}]}})"),
       }) {
    ParsedDefinition parsed = ParseDefinition(definition);
    EXPECT_EQ(Lines(parsed.diagnostics), std::vector<std::string>{}) << definition;
    EXPECT_NE(parsed.machine, nullptr) << definition;
  }
}

TEST(ParseDefinition, TakesAnAlreadyParsedDocument) {
  Json document = Json::parse(WithStates(R"({"A": {"Type": "Pass", "End": true}})"));
  ParsedDefinition parsed = ParseDefinition(document);
  ASSERT_NE(parsed.machine, nullptr);
  EXPECT_TRUE(parsed.machine->states[0].end);

  parsed = ParseDefinition(Json("text"));
  EXPECT_EQ(parsed.machine, nullptr);
  EXPECT_EQ(Lines(parsed.diagnostics),
            std::vector<std::string>{
                Line(kNotJson, "", "a definition must be a JSON object, got \"text\"")});
}

TEST(StateTypeName, NamesEveryType) {
  EXPECT_STREQ(StateTypeName(StateType::kPass), "Pass");
  EXPECT_STREQ(StateTypeName(StateType::kTask), "Task");
  EXPECT_STREQ(StateTypeName(StateType::kChoice), "Choice");
  EXPECT_STREQ(StateTypeName(StateType::kWait), "Wait");
  EXPECT_STREQ(StateTypeName(StateType::kSucceed), "Succeed");
  EXPECT_STREQ(StateTypeName(StateType::kFail), "Fail");
  EXPECT_STREQ(StateTypeName(StateType::kParallel), "Parallel");
  EXPECT_STREQ(StateTypeName(StateType::kMap), "Map");
}

}  // namespace
}  // namespace batchd::asl
