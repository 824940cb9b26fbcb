#pragma once
// What the workflow store's files share: enum texts, the tags column, column lists and row
// readers, inserting executions, and deleting a state machine with all that hangs off it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/binarystring>
#include <pqxx/connection>
#include <pqxx/row>
#include <pqxx/transaction_base>

#include "api/api_error.h"
#include "store/workflow_store.h"

namespace batchd::store::internal {

// Enum values as their AWS text (the columns hold it), and back. A stored text this batchd does
// not know is a corrupt row (INTERNAL naming `what`).
template <typename Wrapper>
std::string EnumText(typename Wrapper::Value value) {
  return Wrapper::Value_Name(value);
}
template <typename Wrapper>
typename Wrapper::Value EnumFromText(const std::string& text, std::string_view what) {
  typename Wrapper::Value value;
  if (!Wrapper::Value_Parse(text, &value)) {
    throw api::ApiError(api::ErrorCode::kInternal,
                        "stored " + std::string(what) + " \"" + text + "\" is unknown");
  }
  return value;
}

// The tags column: a serialized batch.v1.ListTagsForResourceResponse, keys in order.
pqxx::binarystring TagsBytea(const Tags& tags);
Tags TagsFromField(const pqxx::field& field);

std::optional<int64_t> OptionalInt(const pqxx::field& field);
std::optional<std::string> NullIfEmpty(const std::string& text);
std::optional<std::string> NumberText(std::optional<int64_t> value);

inline constexpr std::string_view kExecutionColumns =
    "id, arn, state_machine, name, revision, status, input, output, error, cause, start_ms, "
    "stop_ms, redrive_count, redrive_ms, parent_arn, runtime, next_due_ms, last_event_id";
// For listings: without the columns that may hold megabytes.
inline constexpr std::string_view kExecutionSummaryColumns =
    "id, arn, state_machine, name, revision, status, error, cause, start_ms, stop_ms, "
    "redrive_count, redrive_ms, parent_arn, next_due_ms, last_event_id";
// `full`: the row has kExecutionColumns, else kExecutionSummaryColumns.
ExecutionRow ExecutionFromRow(const pqxx::row& row, bool full);

inline constexpr std::string_view kTaskColumns =
    "token, execution_arn, task_seq, state_name, kind, resource, activity_arn, input, status, "
    "worker_name, scheduled_ms, started_ms, heartbeat_seconds, heartbeat_due_ms, timeout_due_ms";
TaskRow TaskFromRow(const pqxx::row& row);

// Inserts `rows` (their arn made from the names when empty) as InsertExecutions describes,
// locking their state machines FOR SHARE so none can be marked DELETING meanwhile.
std::vector<ExecutionInsert> InsertExecutionRows(pqxx::transaction_base& txn,
                                                 std::vector<ExecutionRow> rows);

// Deletes the state machines with their revisions, executions, history and tasks.
void PurgeStateMachines(pqxx::transaction_base& txn, const std::vector<std::string>& names);

void PrepareStateMachineStatements(pqxx::connection& conn);
void PrepareExecutionStatements(pqxx::connection& conn);
void PrepareActivityStatements(pqxx::connection& conn);

// Rows per statement for tables whose rows may hold large JSON texts: bounded by count and by
// the bytes of their parameters, so one statement stays a few MB.
inline constexpr size_t kWorkflowChunkRows = 2000;
inline constexpr size_t kWorkflowChunkBytes = 8 << 20;

// Splits [0, sizes.size()) into consecutive chunks within both bounds (a single row over
// the byte bound is a chunk of its own).
std::vector<std::pair<size_t, size_t>> Chunks(const std::vector<size_t>& sizes);

}  // namespace batchd::store::internal
