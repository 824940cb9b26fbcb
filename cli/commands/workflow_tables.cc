#include "cli/commands/workflow_tables.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "api/api_error.h"
#include "api/states_names.h"
#include "cli/commands/command_util.h"
#include "cli/errors.h"

namespace batchd::cli {

using namespace batch::v1;

namespace {

// Long enough for an error and the start of its cause; `history -o json` has the rest.
constexpr size_t kDetailWidth = 70;
constexpr size_t kTokenShown = 12;

std::string Time(double epoch_seconds) { return FormatTime(MillisOf(epoch_seconds)); }

std::string Word(const std::string& enum_name) {
  return enum_name.ends_with("_UNSPECIFIED") || enum_name.empty() ? "-" : enum_name;
}

}  // namespace

int64_t MillisOf(double epoch_seconds) {
  return static_cast<int64_t>(std::llround(epoch_seconds * 1000));
}

std::string StatusName(ExecutionStatus::Value status) {
  return Word(ExecutionStatus::Value_Name(status));
}

std::string ShortStateMachine(std::string_view arn) {
  if (!arn.starts_with("arn:")) return std::string(arn);
  try {
    const auto ref = api::ParseStateMachineRef("state machine", arn);
    return ref.revision ? ref.name + ":" + std::to_string(*ref.revision) : ref.name;
  } catch (const api::ApiError&) {
    return std::string(arn);
  }
}

std::string ShortExecution(std::string_view arn) {
  if (!arn.starts_with("arn:")) return std::string(arn);
  try {
    const auto ref = api::ParseExecutionRef("execution", arn);
    return ref.state_machine + ":" + ref.name;
  } catch (const api::ApiError&) {
    return std::string(arn);
  }
}

std::string ShortToken(std::string_view token) {
  if (token.size() <= kTokenShown) return std::string(token);
  return std::string(token.substr(0, kTokenShown)) + "…";
}

std::string JsonArgument(std::string_view flag, const std::string& value) {
  std::string text = value;
  if (value.starts_with("@")) {
    try {
      text = ReadInput(value.substr(1));
    } catch (const CliError& e) {
      throw CliError(std::string(flag) + ": " + e.what(), kExitUsage);
    }
  }
  try {
    const auto parsed = nlohmann::json::parse(text);
    (void)parsed;
  } catch (const nlohmann::json::parse_error& e) {
    // The library's message says where ("at line 1, column 5") and what it expected, after
    // its own prefix "[json.exception.parse_error.101] parse error ".
    std::string why = e.what();
    if (auto at = why.find("parse error "); at != std::string::npos) why = why.substr(at + 12);
    throw CliError(std::string(flag) + ": not valid JSON: " + why, kExitUsage);
  }
  return text;
}

Table StateMachineTable() { return Table({"NAME", "REVISION", "CREATED"}); }

void AddStateMachineRow(Table* table, const StateMachineListItem& sm) {
  table->AddRow({sm.name(), sm.revision() > 0 ? std::to_string(sm.revision()) : "-",
                 Time(sm.creation_date())});
}

Table ExecutionTable() { return Table({"NAME", "STATE-MACHINE", "STATUS", "STARTED", "STOPPED"}); }

void AddExecutionRow(Table* table, const ExecutionListItem& ex) {
  table->AddRow({ex.name(), ShortStateMachine(ex.state_machine_arn()), StatusName(ex.status()),
                 Time(ex.start_date()), Time(ex.stop_date())});
}

Table RecentExecutionTable() { return Table({"NAME", "STATUS", "STARTED", "STOPPED"}); }

void AddRecentExecutionRow(Table* table, const ExecutionListItem& ex) {
  table->AddRow({ex.name(), StatusName(ex.status()), Time(ex.start_date()), Time(ex.stop_date())});
}

Table ActivityTable() { return Table({"NAME", "CREATED"}); }

void AddActivityRow(Table* table, const ActivityListItem& activity) {
  table->AddRow({activity.name(), Time(activity.creation_date())});
}

Table TaskTable() { return Table({"TOKEN", "EXECUTION", "STATE", "KIND", "STATUS", "SCHEDULED"}); }

void AddTaskRow(Table* table, const TaskListItem& task) {
  table->AddRow({ShortToken(task.task_token()), ShortExecution(task.execution_arn()),
                 task.state_name(), Word(WorkflowTaskKind::Value_Name(task.kind())),
                 Word(WorkflowTaskStatus::Value_Name(task.status())), Time(task.scheduled_date())});
}

Table StepTable(const std::vector<StepEntry>& steps, int64_t now_ms) {
  Table table({"STATE", "TYPE", "STATUS", "DURATION", "RETRIES", "JOB"});
  for (const StepEntry& s : steps) {
    const int64_t end_ms = s.ended > 0 ? MillisOf(s.ended) : now_ms;
    table.AddRow({s.name, s.type, s.status, FormatDuration(end_ms - MillisOf(s.entered)),
                  std::to_string(s.retries), s.job_id.empty() ? "-" : s.job_id});
  }
  return table;
}

Table HistoryTable() { return Table({"ID", "TYPE", "STEP", "TIME", "DETAIL"}); }

std::vector<std::string> HistoryCells(const HistoryEvent& event, const std::string& state) {
  return {std::to_string(event.id()), event.type(), state.empty() ? "-" : state,
          FormatTimeMillis(MillisOf(event.timestamp())), EventSummary(event, kDetailWidth)};
}

void AddHistoryRow(Table* table, const HistoryEvent& event, const std::string& state) {
  table->AddRow(HistoryCells(event, state));
}

}  // namespace batchd::cli
