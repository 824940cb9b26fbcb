#pragma once
// The table forms of workflow resources, and the small conversions the workflow commands
// share: Step Functions' epoch-second times, short execution names, JSON arguments.
#include <string>
#include <string_view>

#include "batch/v1/states.pb.h"
#include "cli/output.h"
#include "cli/workflow_history.h"

namespace batchd::cli {

// Epoch seconds (the Step Functions wire's doubles) -> milliseconds for FormatTime.
int64_t MillisOf(double epoch_seconds);
// "SUCCEEDED"; "-" when unset.
std::string StatusName(batch::v1::ExecutionStatus::Value status);
// A state machine ARN as its name ("name:revision" for a revision's); other text as is.
std::string ShortStateMachine(std::string_view arn);
// An execution ARN as "machine:execution" (what the commands accept back); other text as is.
std::string ShortExecution(std::string_view arn);
// A task token as tables show it: its first 12 characters and "…".
std::string ShortToken(std::string_view token);

// A flag's JSON: the text itself, or with "@FILE" the file's contents ("@-": stdin). Throws a
// usage CliError naming `flag` when it is not JSON.
std::string JsonArgument(std::string_view flag, const std::string& value);

Table StateMachineTable();
void AddStateMachineRow(Table* table, const batch::v1::StateMachineListItem& sm);

Table ExecutionTable();
void AddExecutionRow(Table* table, const batch::v1::ExecutionListItem& ex);
// For `describe state-machine`: its executions without the machine's name.
Table RecentExecutionTable();
void AddRecentExecutionRow(Table* table, const batch::v1::ExecutionListItem& ex);

Table ActivityTable();
void AddActivityRow(Table* table, const batch::v1::ActivityListItem& activity);

Table TaskTable();
void AddTaskRow(Table* table, const batch::v1::TaskListItem& task);

// One row per state entered; running states' durations are measured against `now_ms`.
Table StepTable(const std::vector<StepEntry>& steps, int64_t now_ms);

// History rows; `state` is the event's (StateTracker).
Table HistoryTable();
std::vector<std::string> HistoryCells(const batch::v1::HistoryEvent& event,
                                      const std::string& state);
void AddHistoryRow(Table* table, const batch::v1::HistoryEvent& event, const std::string& state);

}  // namespace batchd::cli
