#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/asl/definition.h"
#include "definition_test_util.h"

namespace batchd::asl {
namespace {

using namespace batchd::asl::testing;
TEST(ParseDefinition, RefusesTextThatIsNotAJsonObject) {
  ExpectDiagnostics({
      {"truncated",
       R"({"StartAt": )",
       {Line(kNotJson, "",
             "the definition is not valid JSON: parse error at line 1, column 13: syntax error "
             "while parsing value - unexpected end of input; expected '[', '{', or a literal")}},
      {"empty",
       "",
       {Line(kNotJson, "",
             "the definition is not valid JSON: parse error at line 1, column 1: syntax error "
             "while parsing value - unexpected end of input; expected '[', '{', or a literal")}},
      {"array", "[1]", {Line(kNotJson, "", "a definition must be a JSON object, got [1]")}},
  });
}

TEST(ParseDefinition, ChecksTheTopLevel) {
  ExpectDiagnostics({
      {"nothing",
       "{}",
       {Line(kSchema, "", "Field 'StartAt' is required"),
        Line(kSchema, "", "Field 'States' is required")}},
      {"empty States",
       R"({"StartAt": "A", "States": {}})",
       {Line(kSchema, "/States",
             "States must be a non-empty object of state name to state, got {}")}},
      {"States not an object",
       R"({"StartAt": "A", "States": []})",
       {Line(kSchema, "/States",
             "States must be a non-empty object of state name to state, got []")}},
      {"StartAt not a string",
       R"({"StartAt": 1, "States": {"A": {"Type": "Succeed"}}})",
       {Line(kSchema, "/StartAt", "StartAt must be a string, got 1"),
        Line(kTarget, "/States/A", "state \"A\" is not reachable from StartAt")}},
      {"every top-level field wrong",
       R"({"Comment": 5, "Version": 1, "TimeoutSeconds": 0, "QueryLanguage": "JSONata",
           "Foo": 1, "StartAt": "A", "States": {"A": {"Type": "Succeed"}}})",
       {Line(kSchema, "", "Field 'Foo' is not supported at the top level of a definition"),
        Line(kSchema, "/Version", "Version must be a string, got 1"),
        Line(kSchema, "/QueryLanguage",
             "QueryLanguage JSONata is not supported yet: batchd runs JSONPath states only"),
        Line(kSchema, "/TimeoutSeconds",
             "TimeoutSeconds must be an integer from 1 to 315360000, got 0"),
        Line(kSchema, "/Comment", "Comment must be a string, got 5")}},
      {"TimeoutSeconds past ten years",
       R"({"TimeoutSeconds": 315360001, "StartAt": "A", "States": {"A": {"Type": "Succeed"}}})",
       {Line(kSchema, "/TimeoutSeconds",
             "TimeoutSeconds must be an integer from 1 to 315360000, got 315360001")}},
      {"TimeoutSeconds fractional",
       R"({"TimeoutSeconds": 1.5, "StartAt": "A", "States": {"A": {"Type": "Succeed"}}})",
       {Line(kSchema, "/TimeoutSeconds",
             "TimeoutSeconds must be an integer from 1 to 315360000, got 1.5")}},
      {"unknown QueryLanguage",
       R"({"QueryLanguage": "XPath", "StartAt": "A", "States": {"A": {"Type": "Succeed"}}})",
       {Line(kSchema, "/QueryLanguage",
             "QueryLanguage must be JSONPath or JSONata, got \"XPath\"")}},
      {"JSONata on a state",
       WithStates(R"({"A": {"Type": "Succeed", "QueryLanguage": "JSONata"}})"),
       {Line(kSchema, "/States/A/QueryLanguage",
             "QueryLanguage JSONata is not supported yet: batchd runs JSONPath states only")}},
  });
}

TEST(ParseDefinition, ChecksTransitionsAndReachability) {
  const std::string long_name(81, 'n');
  ExpectDiagnostics({
      {"Next naming a missing state (the brief's example)",
       R"({"StartAt": "Resize", "States": {
            "Resize": {"Type": "Pass", "Next": "Resise"},
            "Done": {"Type": "Succeed"}}})",
       {Line(kTarget, "/States/Resize/Next", "no state named \"Resise\""),
        Line(kTarget, "/States/Done", "state \"Done\" is not reachable from StartAt")}},
      {"StartAt naming a missing state: every state is then unreachable (AWS)",
       R"({"StartAt": "X", "States": {"A": {"Type": "Succeed"}}})",
       {Line(kTarget, "/StartAt", "no state named \"X\""),
        Line(kTarget, "/States/A", "state \"A\" is not reachable from StartAt")}},
      {"unreachable state",
       WithStates(R"({"A": {"Type": "Pass", "End": true}, "B": {"Type": "Succeed"}})"),
       {Line(kTarget, "/States/B", "state \"B\" is not reachable from StartAt")}},
      {"a loop with no terminal state reports only that (AWS)",
       WithStates(R"({"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"},
                      "C": {"Type": "Pass", "Next": "A"}})"),
       {Line(kNoEnd, "",
             "Workflow has no terminal state: a machine needs a Succeed or Fail state or a "
             "state with \"End\": true")}},
      {"a loop beside an unreachable terminal state (AWS)",
       WithStates(R"({"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"},
                      "C": {"Type": "Pass", "End": true}})"),
       {Line(kTarget, "/States/C", "state \"C\" is not reachable from StartAt")}},
      {"Default, Choices and Catch targets",
       WithStates(R"({
            "A": {"Type": "Choice", "Default": "Nope1",
                  "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "Nope2"},
                              {"Variable": "$.x", "IsNull": true, "Next": "T"}]},
            "T": {"Type": "Task", "Resource": "arn:aws:states:::batch:submitJob", "End": true,
                  "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Nope3"}]}})"),
       {Line(kTarget, "/States/A/Choices/0/Next", "no state named \"Nope2\""),
        Line(kTarget, "/States/A/Default", "no state named \"Nope1\""),
        Line(kTarget, "/States/T/Catch/0/Next", "no state named \"Nope3\"")}},
      {"a transition cannot leave a Parallel branch",
       WithStates(R"({
            "A": {"Type": "Parallel", "Next": "Done", "Branches": [
                   {"StartAt": "B", "States": {"B": {"Type": "Pass", "Next": "Done"}}}]},
            "Done": {"Type": "Succeed"}})"),
       {Line(kTarget, "/States/A/Branches/0/States/B/Next",
             "no state named \"Done\" in this Parallel branch: a transition cannot leave its "
             "branch"),
        Line(kNoEnd, "/States/A/Branches/0",
             "Workflow has no terminal state: a machine needs a Succeed or Fail state or a "
             "state with \"End\": true")}},
      {"a transition cannot leave a Map processor",
       WithStates(R"({
            "A": {"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "B", "States": {
                   "B": {"Type": "Choice", "Choices": [
                          {"Variable": "$", "IsNull": true, "Next": "A"}], "Default": "C"},
                   "C": {"Type": "Succeed"}}}}})"),
       {Line(kTarget, "/States/A/ItemProcessor/States/B/Choices/0/Next",
             "no state named \"A\" in this Map processor: a transition cannot leave its "
             "processor")}},
      {"a transition cannot enter a branch",
       WithStates(R"({
            "A": {"Type": "Pass", "Next": "B"},
            "P": {"Type": "Parallel", "End": true, "Branches": [
                   {"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}]}})"),
       {Line(kTarget, "/States/A/Next",
             "no state named \"B\" at the top level: it is inside a Parallel branch or Map "
             "processor, which a transition cannot enter"),
        Line(kTarget, "/States/P", "state \"P\" is not reachable from StartAt")}},
      {"state name too long",
       R"({"StartAt": ")" + long_name + R"(", "States": {")" + long_name +
           R"(": {"Type": "Succeed"}}})",
       {Line(kSchema, "/States/" + long_name,
             "state name \"" + long_name + "\" must be 1 to 80 characters long, not 81")}},
      {"two states of one name in one States object",
       WithStates(R"({"A": {"Type": "Pass", "End": true}, "A": {"Type": "Succeed"}})"),
       {Line(kDuplicate, "/States/A",
             "duplicate state name \"A\": state names must be unique in the whole definition, "
             "branches and Map processors included")}},
      {"a duplicate inside a branch's States",
       WithStates(R"({"A": {"Type": "Parallel", "End": true, "Branches": [
            {"StartAt": "B", "States": {"B": {"Type": "Succeed"}, "B": {"Type": "Succeed"}}}]}})"),
       {Line(kDuplicate, "/States/A/Branches/0/States/B",
             "duplicate state name \"B\": state names must be unique in the whole definition, "
             "branches and Map processors included")}},
      {"a branch state named like a top-level state",
       WithStates(R"({
            "A": {"Type": "Parallel", "Next": "Done", "Branches": [
                   {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}]},
            "Done": {"Type": "Succeed"}})"),
       {Line(kDuplicate, "/States/Done",
             "duplicate state name \"Done\": state names must be unique in the whole definition, "
             "branches and Map processors included")}},
  });
}

TEST(ParseDefinition, ChecksEveryStateTypesFields) {
  ExpectDiagnostics({
      {"not an object",
       WithStates(R"({"A": 5})"),
       {Line(kSchema, "/States/A", "a state must be an object, got 5")}},
      {"no Type",
       WithStates(R"({"A": {"End": true}})"),
       {Line(kSchema, "/States/A", "Field 'Type' is required")}},
      {"unknown Type",
       WithStates(R"({"A": {"Type": "Lambda", "End": true}})"),
       {Line(kSchema, "/States/A/Type",
             "unknown state type \"Lambda\": Type must be Pass, Task, Choice, Wait, Succeed, "
             "Fail, Parallel or Map")}},
      {"fields a Pass does not take",
       WithStates(R"({"A": {"Type": "Pass", "End": true, "Foo": 1, "TimeoutSeconds": 3,
                            "Retry": [], "Catch": [], "ResultSelector": {}}})"),
       {Line(kSchema, "/States/A", "Field 'Foo' is not supported by state type Pass"),
        Line(kSchema, "/States/A", "Field 'TimeoutSeconds' is not supported by state type Pass"),
        Line(kSchema, "/States/A", "Field 'Retry' is not supported by state type Pass"),
        Line(kSchema, "/States/A", "Field 'Catch' is not supported by state type Pass"),
        Line(kSchema, "/States/A", "Field 'ResultSelector' is not supported by state type Pass")}},
      {"Next and End on Succeed, Fail and Choice",
       WithStates(R"({
            "A": {"Type": "Choice", "End": true, "Default": "B",
                  "Choices": [{"Variable": "$", "IsNull": true, "Next": "C"}]},
            "B": {"Type": "Succeed", "Next": "C"},
            "C": {"Type": "Fail", "End": true, "InputPath": "$"}})"),
       {Line(kSchema, "/States/A", "Field 'End' is not supported by state type Choice"),
        Line(kSchema, "/States/B", "Field 'Next' is not supported by state type Succeed"),
        Line(kSchema, "/States/C", "Field 'End' is not supported by state type Fail"),
        Line(kSchema, "/States/C", "Field 'InputPath' is not supported by state type Fail")}},
      {"Next and End both",
       WithStates(R"({"A": {"Type": "Pass", "Next": "B", "End": true},
                                           "B": {"Type": "Succeed"}})"),
       {Line(kSchema, "/States/A", "a Pass state takes either Next or End, not both")}},
      {"neither Next nor End",
       WithStates(R"({"A": {"Type": "Wait", "Seconds": 1}})"),
       {Line(kSchema, "/States/A",
             "Field 'Next' or 'End' is required: a Wait state must name the next state or say "
             "\"End\": true"),
        Line(kNoEnd, "",
             "Workflow has no terminal state: a machine needs a Succeed or Fail state or a "
             "state with \"End\": true")}},
      {"End false",
       WithStates(R"({"A": {"Type": "Pass", "End": false}})"),
       {Line(kSchema, "/States/A/End", "End must be true when given, got false"),
        Line(kNoEnd, "",
             "Workflow has no terminal state: a machine needs a Succeed or Fail state or a "
             "state with \"End\": true")}},
      {"Next not a string",
       WithStates(R"({"A": {"Type": "Pass", "Next": 3},
                                           "B": {"Type": "Succeed"}})"),
       {Line(kSchema, "/States/A/Next", "Next must be a string, got 3"),
        Line(kTarget, "/States/B", "state \"B\" is not reachable from StartAt")}},
      {"paths of the wrong JSON type",
       WithStates(R"({"A": {"Type": "Pass", "End": true, "InputPath": 5, "OutputPath": [],
                            "ResultPath": true, "Assign": 1, "Comment": {}}})"),
       {Line(kSchema, "/States/A/Comment", "Comment must be a string, got {}"),
        Line(kSchema, "/States/A/InputPath", "InputPath must be a path or null, got 5"),
        Line(kSchema, "/States/A/OutputPath", "OutputPath must be a path or null, got []"),
        Line(kSchema, "/States/A/ResultPath",
             "ResultPath must be a reference path or null, got true"),
        Line(kSchema, "/States/A/Assign", "Assign must be an object, got 1")}},
  });
}

TEST(ParseDefinition, ChecksTasks) {
  auto task = [](const std::string& fields) {
    return WithStates(R"({"A": {"Type": "Task", "End": true)" + fields + "}}");
  };
  ExpectDiagnostics({
      {"no Resource", task(""), {Line(kSchema, "/States/A", "Field 'Resource' is required")}},
      {"Resource not a string",
       task(R"(, "Resource": 7)"),
       {Line(kSchema, "/States/A/Resource", "Resource must be a string, got 7")}},
      {"a Lambda function",
       task(R"(, "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f")"),
       {Line(kSchema, "/States/A/Resource",
             "unknown resource \"arn:aws:lambda:us-east-1:123456789012:function:f\": " +
                 kResources)}},
      {"callbacks are offered for batchd tasks, not Batch jobs (AWS)",
       task(R"(, "Resource": "arn:aws:states:::batch:submitJob.waitForTaskToken")"),
       {Line(kSchema, "/States/A/Resource",
             "unknown resource \"arn:aws:states:::batch:submitJob.waitForTaskToken\": " +
                 kResources)}},
      {"an activity without a region",
       task(R"(, "Resource": "arn:aws:states::123:activity:work")"),
       {Line(kSchema, "/States/A/Resource",
             "unknown resource \"arn:aws:states::123:activity:work\": " + kResources)}},
      {"an activity name with a space",
       task(R"(, "Resource": "arn:aws:states:us-east-1:123:activity:bad name")"),
       {Line(kSchema, "/States/A/Resource",
             "activity name \"bad name\" must be 1 to 80 characters with no whitespace, "
             "brackets, wildcards or punctuation other than - _ . + = @ ' ! ( )")}},
      {"a callback that does not pass its token",
       task(R"(, "Resource": "arn:aws:states:::batchd:task.waitForTaskToken",
               "Parameters": {"Token": "$$.Task.Token", "Nested": {"t": 1}})"),
       {Line(kSchema, "/States/A/Parameters",
             "a .waitForTaskToken task must pass $$.Task.Token in its Parameters, e.g. "
             "\"TaskToken.$\": \"$$.Task.Token\"")}},
      {"a callback with no Parameters",
       task(R"(, "Resource": "arn:aws:states:::batchd:task.waitForTaskToken")"),
       {Line(kSchema, "/States/A",
             "a .waitForTaskToken task must pass $$.Task.Token in its Parameters, e.g. "
             "\"TaskToken.$\": \"$$.Task.Token\"")}},
      {"timeouts out of range",
       task(R"(, "Resource": "arn:aws:states:::batch:submitJob", "TimeoutSeconds": 0,
               "HeartbeatSeconds": 100000000)"),
       {Line(kSchema, "/States/A/TimeoutSeconds",
             "TimeoutSeconds must be an integer from 1 to 99999999, got 0"),
        Line(kSchema, "/States/A/HeartbeatSeconds",
             "HeartbeatSeconds must be an integer from 1 to 99999999, got 100000000")}},
      {"a timeout given twice",
       task(R"(, "Resource": "arn:aws:states:::batch:submitJob", "TimeoutSeconds": 5,
               "TimeoutSecondsPath": "$.t", "HeartbeatSeconds": "3")"),
       {Line(kSchema, "/States/A", "TimeoutSeconds and TimeoutSecondsPath cannot both be given"),
        Line(kSchema, "/States/A/HeartbeatSeconds",
             "HeartbeatSeconds must be an integer from 1 to 99999999, got \"3\"")}},
      {"a heartbeat no shorter than the timeout",
       task(R"(, "Resource": "arn:aws:states:::batch:submitJob", "TimeoutSeconds": 10,
               "HeartbeatSeconds": 10)"),
       {Line(kSchema, "/States/A/HeartbeatSeconds",
             "HeartbeatSeconds (10) must be smaller than TimeoutSeconds (10)")}},
      {"a timeout path that is not a string",
       task(R"(, "Resource": "arn:aws:states:::batch:submitJob", "HeartbeatSecondsPath": 3)"),
       {Line(kSchema, "/States/A/HeartbeatSecondsPath",
             "HeartbeatSecondsPath must be a reference path, got 3")}},
      {"ResultSelector not an object",
       task(R"(, "Resource": "arn:aws:states:::batch:submitJob", "ResultSelector": "x")"),
       {Line(kSchema, "/States/A/ResultSelector", "ResultSelector must be an object, got \"x\"")}},
  });
}

TEST(ParseDefinition, ChecksRetriersAndCatchers) {
  auto task = [](const std::string& fields) {
    return WithStates(R"({"A": {"Type": "Task", "Resource": "arn:aws:states:::batch:submitJob",
                               "End": true, )" +
                      fields + R"(}, "B": {"Type": "Succeed"}})");
  };
  ExpectDiagnostics({
      {"Retry not an array",
       task(R"("Retry": {}, "Catch": 1)"),
       {Line(kSchema, "/States/A/Retry", "Retry must be an array of retriers, got {}"),
        Line(kSchema, "/States/A/Catch", "Catch must be an array of catchers, got 1"),
        Line(kTarget, "/States/B", "state \"B\" is not reachable from StartAt")}},
      {"retriers wrong in every field",
       task(R"("Retry": [
            {"IntervalSeconds": 0, "MaxAttempts": -1, "BackoffRate": 0.5, "MaxDelaySeconds": 0,
             "JitterStrategy": "HALF", "Foo": 1},
            {"ErrorEquals": []},
            {"ErrorEquals": ["States.ALL", "States.Timeout"]},
            {"ErrorEquals": ["States.ALL"]},
            {"ErrorEquals": ["States.Timeout", 5]},
            "x"], "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "B"}])"),
       {Line(kSchema, "/States/A/Retry/0", "Field 'Foo' is not supported in a retrier"),
        Line(kSchema, "/States/A/Retry/0", "Field 'ErrorEquals' is required"),
        Line(kSchema, "/States/A/Retry/0/IntervalSeconds",
             "IntervalSeconds must be an integer from 1 to 99999999, got 0"),
        Line(kSchema, "/States/A/Retry/0/MaxAttempts",
             "MaxAttempts must be an integer from 0 to 99999999, got -1"),
        Line(kSchema, "/States/A/Retry/0/BackoffRate",
             "BackoffRate must be a number of at least 1.0, got 0.5"),
        Line(kSchema, "/States/A/Retry/0/MaxDelaySeconds",
             "MaxDelaySeconds must be an integer from 1 to 31622400, got 0"),
        Line(kSchema, "/States/A/Retry/0/JitterStrategy",
             "JitterStrategy must be FULL or NONE, got \"HALF\""),
        Line(kSchema, "/States/A/Retry/1/ErrorEquals",
             "ErrorEquals must be a non-empty array of error names, got []"),
        Line(kSchema, "/States/A/Retry/2/ErrorEquals",
             "States.ALL must stand alone in ErrorEquals"),
        Line(kSchema, "/States/A/Retry/2/ErrorEquals", "States.ALL must be in the last retrier"),
        Line(kSchema, "/States/A/Retry/3/ErrorEquals", "States.ALL must be in the last retrier"),
        Line(kSchema, "/States/A/Retry/4/ErrorEquals",
             "ErrorEquals must be a non-empty array of error names, got [\"States.Timeout\",5]"),
        Line(kSchema, "/States/A/Retry/5", "a retrier must be an object, got \"x\"")}},
      {"catchers wrong in every field",
       task(R"("Catch": [
            {"ErrorEquals": ["States.ALL"], "Next": "B", "ResultPath": 5, "Assign": []},
            {"ErrorEquals": ["States.Timeout"], "Foo": 1},
            {"ErrorEquals": ["States.TaskFailed"], "Next": "Nope"}])"),
       {Line(kSchema, "/States/A/Catch/0/ErrorEquals", "States.ALL must be in the last catcher"),
        Line(kSchema, "/States/A/Catch/0/ResultPath",
             "ResultPath must be a reference path or null, got 5"),
        Line(kSchema, "/States/A/Catch/0/Assign", "Assign must be an object, got []"),
        Line(kSchema, "/States/A/Catch/1", "Field 'Foo' is not supported in a catcher"),
        Line(kSchema, "/States/A/Catch/1", "Field 'Next' is required"),
        Line(kTarget, "/States/A/Catch/2/Next", "no state named \"Nope\"")}},
  });
}

TEST(ParseDefinition, ChecksChoiceWaitAndFail) {
  ExpectDiagnostics({
      {"Choice without Choices",
       WithStates(R"({"A": {"Type": "Choice", "Default": "B"}, "B": {"Type": "Succeed"}})"),
       {Line(kSchema, "/States/A", "Field 'Choices' is required")}},
      {"Choice with empty Choices",
       WithStates(R"({"A": {"Type": "Choice", "Choices": [], "Default": 3},
                      "B": {"Type": "Succeed"}})"),
       {Line(kSchema, "/States/A/Choices", "Choices must be a non-empty array of rules, got []"),
        Line(kSchema, "/States/A/Default", "Default must be a string, got 3"),
        Line(kTarget, "/States/B", "state \"B\" is not reachable from StartAt")}},
      {"Wait with nothing to wait for",
       WithStates(R"({"A": {"Type": "Wait", "End": true}})"),
       {Line(kSchema, "/States/A",
             "a Wait state takes exactly one of Seconds, SecondsPath, Timestamp or "
             "TimestampPath")}},
      {"Wait with two",
       WithStates(R"({"A": {"Type": "Wait", "End": true, "Seconds": -1,
                                             "Timestamp": "tomorrow"}})"),
       {Line(kSchema, "/States/A",
             "a Wait state takes exactly one of Seconds, SecondsPath, Timestamp or "
             "TimestampPath, got Seconds, Timestamp"),
        Line(kSchema, "/States/A/Seconds", "Seconds must be an integer from 0 to 99999999, got -1"),
        Line(kSchema, "/States/A/Timestamp",
             "Timestamp \"tomorrow\" is not an RFC 3339 timestamp such as "
             "\"2016-03-14T01:59:00Z\"")}},
      {"Wait Timestamp not a string",
       WithStates(R"({"A": {"Type": "Wait", "End": true, "Timestamp": 1457920740}})"),
       {Line(kSchema, "/States/A/Timestamp", "Timestamp must be a string, got 1457920740")}},
      {"Fail with a literal and a path",
       WithStates(R"({"A": {"Type": "Fail", "Error": "E", "ErrorPath": "$.e", "Cause": 5,
                            "CausePath": 6}})"),
       {Line(kSchema, "/States/A", "Error and ErrorPath cannot both be given"),
        Line(kSchema, "/States/A", "Cause and CausePath cannot both be given"),
        Line(kSchema, "/States/A/Cause", "Cause must be a string, got 5"),
        Line(kSchema, "/States/A/CausePath", "CausePath must be a string, got 6")}},
  });
}

TEST(ParseDefinition, ChecksParallelAndMap) {
  const std::string processor =
      R"("ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}})";
  auto map = [&processor](const std::string& fields) {
    return WithStates(R"({"A": {"Type": "Map", "End": true, )" + processor + fields + "}}");
  };
  ExpectDiagnostics({
      {"Parallel without Branches",
       WithStates(R"({"A": {"Type": "Parallel", "End": true}})"),
       {Line(kSchema, "/States/A", "Field 'Branches' is required")}},
      {"Parallel with no branch",
       WithStates(R"({"A": {"Type": "Parallel", "End": true, "Branches": []}})"),
       {Line(kSchema, "/States/A/Branches",
             "Branches must be a non-empty array of machines, got []")}},
      {"Parallel branches wrong",
       WithStates(R"({"A": {"Type": "Parallel", "End": true, "Branches": [
            5, {"TimeoutSeconds": 3, "States": {"X": {"Type": "Succeed"}}}]}})"),
       {Line(kSchema, "/States/A/Branches/0",
             "a branch must be an object with StartAt and States, got 5"),
        Line(kSchema, "/States/A/Branches/1",
             "Field 'TimeoutSeconds' is not supported in a Parallel branch"),
        Line(kSchema, "/States/A/Branches/1", "Field 'StartAt' is required"),
        Line(kTarget, "/States/A/Branches/1/States/X",
             "state \"X\" is not reachable from StartAt")}},
      {"Map without a processor",
       WithStates(R"({"A": {"Type": "Map", "End": true}})"),
       {Line(kSchema, "/States/A", "Field 'ItemProcessor' is required")}},
      {"Map with both processor names",
       map(R"(, "Iterator": {"StartAt": "J", "States": {"J": {"Type": "Succeed"}}})"),
       {Line(kSchema, "/States/A",
             "ItemProcessor and Iterator (its legacy name) cannot both be given")}},
      {"Iterator with a ProcessorConfig",
       WithStates(R"({"A": {"Type": "Map", "End": true, "Iterator": {"StartAt": "J",
            "ProcessorConfig": {"Mode": "INLINE"}, "States": {"J": {"Type": "Succeed"}}}}})"),
       {Line(kSchema, "/States/A/Iterator",
             "Field 'ProcessorConfig' is not supported in Iterator")}},
      {"ProcessorConfig wrong",
       WithStates(R"({"A": {"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "I",
            "ProcessorConfig": {"Mode": "BATCH", "ExecutionType": "FAST", "Foo": 1},
            "States": {"I": {"Type": "Succeed"}}}}})"),
       {Line(kSchema, "/States/A/ItemProcessor/ProcessorConfig",
             "Field 'Foo' is not supported in ProcessorConfig"),
        Line(kSchema, "/States/A/ItemProcessor/ProcessorConfig/Mode",
             "Mode must be INLINE or DISTRIBUTED, got \"BATCH\""),
        Line(kSchema, "/States/A/ItemProcessor/ProcessorConfig/ExecutionType",
             "ExecutionType must be STANDARD or EXPRESS, got \"FAST\"")}},
      {"DISTRIBUTED without an ExecutionType",
       WithStates(R"({"A": {"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "I",
            "ProcessorConfig": {"Mode": "DISTRIBUTED"}, "States": {"I": {"Type": "Succeed"}}}}})"),
       {Line(kSchema, "/States/A/ItemProcessor/ProcessorConfig",
             "Field 'ExecutionType' is required when Mode is DISTRIBUTED")}},
      {"S3 readers and writers, and an inline batcher",
       map(R"(, "ItemReader": {"Resource": "arn:aws:states:::s3:getObject"},
               "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject"},
               "ItemBatcher": {"MaxItemsPerBatch": 0, "MaxInputBytesPerBatch": 300000,
                               "BatchInput": 1})"),
       {Line(kSchema, "/States/A/ItemBatcher",
             "ItemBatcher needs a DISTRIBUTED Map (ProcessorConfig Mode)"),
        Line(kSchema, "/States/A/ItemBatcher/MaxItemsPerBatch",
             "MaxItemsPerBatch must be an integer from 1 to 9223372036854775807, got 0"),
        Line(kSchema, "/States/A/ItemBatcher/MaxInputBytesPerBatch",
             "MaxInputBytesPerBatch must be an integer from 1 to 262144, got 300000"),
        Line(kSchema, "/States/A/ItemBatcher/BatchInput", "BatchInput must be an object, got 1"),
        Line(kSchema, "/States/A/ItemReader",
             "ItemReader is not supported: it reads items from S3, which batchd has no "
             "equivalent of; pass the items in the state input and select them with ItemsPath"),
        Line(kSchema, "/States/A/ResultWriter",
             "ResultWriter is not supported: it writes results to S3, which batchd has no "
             "equivalent of; the results are the Map state's output")}},
      {"a batcher with no limit",
       WithStates(R"({"A": {"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "I",
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
            "States": {"I": {"Type": "Succeed"}}}, "ItemBatcher": {"BatchInput": {}}}})"),
       {Line(kSchema, "/States/A/ItemBatcher",
             "ItemBatcher needs MaxItemsPerBatch or MaxInputBytesPerBatch (or their Path)")}},
      {"Map numbers out of range",
       map(R"(, "MaxConcurrency": -1, "ToleratedFailureCount": 1.5,
               "ToleratedFailurePercentage": 101, "ItemsPath": null, "Label": "")"),
       {Line(kSchema, "/States/A/ItemsPath", "ItemsPath must be a reference path, got null"),
        Line(kSchema, "/States/A/MaxConcurrency",
             "MaxConcurrency must be an integer from 0 to 9223372036854775807, got -1"),
        Line(kSchema, "/States/A/ToleratedFailureCount",
             "ToleratedFailureCount must be an integer from 0 to 9223372036854775807, got 1.5"),
        Line(kSchema, "/States/A/ToleratedFailurePercentage",
             "ToleratedFailurePercentage must be a number from 0 to 100, got 101"),
        Line(kSchema, "/States/A/Label", "Label must be 1 to 40 characters long")}},
      {"Map fields given twice",
       map(R"(, "ItemSelector": {}, "Parameters": {}, "ToleratedFailureCount": 1,
               "ToleratedFailureCountPath": "$.n", "ToleratedFailurePercentage": 1,
               "ToleratedFailurePercentagePath": "$.p", "MaxConcurrency": 1,
               "MaxConcurrencyPath": "$.m")"),
       {Line(kSchema, "/States/A",
             "ItemSelector and Parameters (its legacy name) cannot both be given"),
        Line(kSchema, "/States/A", "MaxConcurrency and MaxConcurrencyPath cannot both be given"),
        Line(kSchema, "/States/A",
             "ToleratedFailureCount and ToleratedFailureCountPath cannot both be given"),
        Line(kSchema, "/States/A",
             "ToleratedFailurePercentage and ToleratedFailurePercentagePath cannot both be "
             "given")}},
  });
}

// Paths, payloads, intrinsics, timestamps and Choice rules are checked by their own parts;
// their problems arrive here with their messages, at the field's location.
TEST(ParseDefinition, PlacesTheProblemsOfEachFieldsOwnChecker) {
  ExpectDiagnostics({
      {"paths",
       WithStates(R"j({"A": {"Type": "Pass", "End": true, "InputPath": "foo",
                            "OutputPath": "$.a[", "ResultPath": "$.a[*]"}})j"),
       {Line(kSchema, "/States/A/InputPath",
             "'foo' is not a valid JSONPath: it must start with '$'"),
        Line(kSchema, "/States/A/OutputPath", "'$.a[' is not a valid JSONPath: unclosed '['"),
        Line(kSchema, "/States/A/ResultPath",
             "'$.a[*]' is not a valid reference path: '*' selects many")}},
      {"reference paths",
       WithStates(R"j({"A": {"Type": "Map", "End": true, "ItemsPath": "$..items",
                            "MaxConcurrencyPath": "$.m[0:2]",
                            "ItemProcessor": {"StartAt": "I", "States": {
                              "I": {"Type": "Wait", "SecondsPath": "$.s[*]", "End": true}}}}})j"),
       {Line(kSchema, "/States/A/ItemProcessor/States/I/SecondsPath",
             "'$.s[*]' is not a valid reference path: '*' selects many"),
        Line(kSchema, "/States/A/ItemsPath",
             "'$..items' is not a valid reference path: '..' selects many"),
        Line(kSchema, "/States/A/MaxConcurrencyPath",
             "'$.m[0:2]' is not a valid reference path: a slice selects many")}},
      {"a result placed outside the state input",
       WithStates(R"j({"A": {"Type": "Task", "Resource": "arn:aws:states:::batch:submitJob",
                            "End": true, "ResultPath": "$$.x", "Catch": [
                              {"ErrorEquals": ["States.ALL"], "Next": "A",
                               "ResultPath": "$errors"}]}})j"),
       {Line(kSchema, "/States/A/ResultPath",
             "ResultPath '$$.x' must point into the state input (start with \"$.\" or \"$[\"): "
             "a result cannot be placed in the context object or a variable"),
        Line(kSchema, "/States/A/Catch/0/ResultPath",
             "ResultPath '$errors' must point into the state input (start with \"$.\" or "
             "\"$[\"): a result cannot be placed in the context object or a variable")}},
      {"payload templates",
       WithStates(R"j({"A": {"Type": "Task", "Resource": "arn:aws:states:::batch:submitJob",
                            "End": true, "Parameters": {"a.$": 5, "d": {"e.$": "$.x["}},
                            "ResultSelector": {"c.$": "States.Fromat('x')"
  }}})j"),
       {Line(kSchema, "/States/A/Parameters/a.$",
             "The value for the field 'a.$' must be a valid JSONPath or a valid intrinsic "
             "function call: got 5, not a string"),
        Line(kSchema, "/States/A/Parameters/d/e.$",
             "The value for the field 'e.$' must be a valid JSONPath or a valid intrinsic "
             "function call: '$.x[' is not a valid JSONPath: unclosed '['"),
        Line(kSchema, "/States/A/ResultSelector/c.$",
             "The value for the field 'c.$' must be a valid JSONPath or a valid intrinsic "
             "function call: unknown function 'States.Fromat'")}},
      {"variable names",
       WithStates(R"j({"A": {"Type": "Pass", "End": true,
                            "Assign": {"ok_1": 1, "bad name": 2, "2x.$": "$.y", "a.b": 3}}})j"),
       {Line(kSchema, "/States/A/Assign/bad name",
             "variable name \"bad name\" must start with a letter or _, hold only letters, "
             "digits and _, and be at most 80 characters long"),
        Line(kSchema, "/States/A/Assign/2x.$",
             "variable name \"2x\" must start with a letter or _, hold only letters, digits "
             "and _, and be at most 80 characters long"),
        Line(kSchema, "/States/A/Assign/a.b",
             "variable name \"a.b\" must start with a letter or _, hold only letters, digits "
             "and _, and be at most 80 characters long")}},
      {"Fail paths and intrinsics",
       WithStates(R"j({"A": {"Type": "Fail", "ErrorPath": "$.e[*]",
                            "CausePath": "States.Format('{}', $.x"}})j"),
       {Line(kSchema, "/States/A/ErrorPath",
             "'$.e[*]' is not a valid reference path: '*' selects many"),
        Line(kSchema, "/States/A/CausePath",
             "'States.Format('{}', $.x' is not a valid intrinsic function call: expected ',' or "
             "')' at offset 23")}},
      {"timestamps need an uppercase T and a zone",
       WithStates(R"j({"A": {"Type": "Wait", "Timestamp": "2016-03-14t01:59:00Z", "Next": "B"},
                      "B": {"Type": "Wait", "Timestamp": "2016-03-14 01:59:00Z", "Next": "C"},
                      "C": {"Type": "Wait", "Timestamp": "2016-03-14T01:59:00", "End": true}})j"),
       {Line(kSchema, "/States/A/Timestamp",
             "Timestamp \"2016-03-14t01:59:00Z\" is not an RFC 3339 timestamp such as "
             "\"2016-03-14T01:59:00Z\""),
        Line(kSchema, "/States/B/Timestamp",
             "Timestamp \"2016-03-14 01:59:00Z\" is not an RFC 3339 timestamp such as "
             "\"2016-03-14T01:59:00Z\""),
        Line(kSchema, "/States/C/Timestamp",
             "Timestamp \"2016-03-14T01:59:00\" is not an RFC 3339 timestamp such as "
             "\"2016-03-14T01:59:00Z\"")}},
      {"choice rules",
       WithStates(R"j({"A": {"Type": "Choice", "Default": "B", "Choices": [
                        {"Variable": "$.x", "StringEquals": "a"},
                        {"Not": {"Variable": "$.x", "IsNull": true, "Next": "B"}, "Next": "B"},
                        {"Variable": "$.x", "NumericEquals": "1", "Next": "B"}, 5]},
                      "B": {"Type": "Succeed"}})j"),
       {Line(kSchema, "/States/A/Choices/0",
             "The field 'Next' is required but was missing: every rule in Choices names the "
             "state to go to when it matches"),
        Line(kSchema, "/States/A/Choices/1/Not",
             "Field 'Next' is not supported in a nested choice rule: only the rules directly in "
             "Choices have a Next"),
        Line(kSchema, "/States/A/Choices/2/NumericEquals",
             "'NumericEquals' must be a number, not a string"),
        Line(kSchema, "/States/A/Choices/3", "A choice rule must be an object, not a number")}},
  });
}

TEST(ParseDefinition, ReportsEveryProblemOfADefinitionInDocumentOrder) {
  ParsedDefinition parsed = ParseDefinition(std::string(R"({
    "StartAt": "A",
    "States": {
      "A": {"Type": "Pass", "Next": "B", "Bogus": true},
      "B": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "Next": "Gone"},
      "C": {"Type": "Succeed"}
    }})"));
  EXPECT_EQ(parsed.machine, nullptr);
  EXPECT_EQ(Lines(parsed.diagnostics),
            (std::vector<std::string>{
                Line(kSchema, "/States/A", "Field 'Bogus' is not supported by state type Pass"),
                Line(kSchema, "/States/B/Resource",
                     "unknown resource \"arn:aws:states:::sqs:sendMessage\": " + kResources),
                Line(kTarget, "/States/B/Next", "no state named \"Gone\""),
                Line(kTarget, "/States/C", "state \"C\" is not reachable from StartAt"),
            }));
  EXPECT_EQ(Describe(parsed.diagnostics[2]), "/States/B/Next: no state named \"Gone\"");
}
}  // namespace
}  // namespace batchd::asl
