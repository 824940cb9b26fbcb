#include "store/workflow_rows.h"

#include <pqxx/field>

#include "store/row_codec.h"
#include "store/statements.h"

namespace batchd::store::internal {

using batch::v1::ExecutionStatus;
using batch::v1::WorkflowTaskKind;
using batch::v1::WorkflowTaskStatus;

void PrepareWorkflowStatements(pqxx::connection& conn) {
  PrepareStateMachineStatements(conn);
  PrepareExecutionStatements(conn);
  PrepareActivityStatements(conn);
}

pqxx::binarystring TagsBytea(const Tags& tags) {
  batch::v1::ListTagsForResourceResponse holder;
  for (const auto& [key, value] : tags) {
    auto* tag = holder.add_tags();
    tag->set_key(key);
    tag->set_value(value);
  }
  return ToBytea(holder);
}

Tags TagsFromField(const pqxx::field& field) {
  batch::v1::ListTagsForResourceResponse holder;
  FromBytea(field, &holder, "tags");
  Tags tags;
  for (const auto& tag : holder.tags()) tags[tag.key()] = tag.value();
  return tags;
}

std::optional<int64_t> OptionalInt(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<int64_t>();
}

std::optional<std::string> NullIfEmpty(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return text;
}

std::optional<std::string> NumberText(std::optional<int64_t> value) {
  if (!value) return std::nullopt;
  return std::to_string(*value);
}

ExecutionRow ExecutionFromRow(const pqxx::row& row, bool full) {
  ExecutionRow e;
  e.id = row["id"].as<int64_t>();
  e.arn = row["arn"].c_str();
  e.state_machine = row["state_machine"].c_str();
  e.name = row["name"].c_str();
  e.revision = row["revision"].as<int>();
  e.status = EnumFromText<ExecutionStatus>(row["status"].c_str(), "execution status");
  e.error = row["error"].c_str();
  e.cause = row["cause"].c_str();
  e.start_ms = row["start_ms"].as<int64_t>();
  e.stop_ms = row["stop_ms"].as<int64_t>(0);
  e.redrive_count = row["redrive_count"].as<int>();
  e.redrive_ms = row["redrive_ms"].as<int64_t>(0);
  if (!row["parent_arn"].is_null()) e.parent_arn = row["parent_arn"].c_str();
  e.next_due_ms = OptionalInt(row["next_due_ms"]);
  e.last_event_id = row["last_event_id"].as<int64_t>();
  if (full) {
    e.input = row["input"].c_str();
    e.output = row["output"].c_str();
    e.runtime = row["runtime"].c_str();
  }
  return e;
}

TaskRow TaskFromRow(const pqxx::row& row) {
  TaskRow t;
  t.token = row["token"].c_str();
  t.execution_arn = row["execution_arn"].c_str();
  t.task_seq = row["task_seq"].as<int64_t>();
  t.state_name = row["state_name"].c_str();
  t.kind = EnumFromText<WorkflowTaskKind>(row["kind"].c_str(), "task kind");
  t.resource = row["resource"].c_str();
  if (!row["activity_arn"].is_null()) t.activity_arn = row["activity_arn"].c_str();
  t.input = row["input"].c_str();
  t.status = EnumFromText<WorkflowTaskStatus>(row["status"].c_str(), "task status");
  t.worker_name = row["worker_name"].c_str();
  t.scheduled_ms = row["scheduled_ms"].as<int64_t>();
  t.started_ms = row["started_ms"].as<int64_t>(0);
  t.heartbeat_seconds = row["heartbeat_seconds"].as<int>();
  t.heartbeat_due_ms = OptionalInt(row["heartbeat_due_ms"]);
  t.timeout_due_ms = OptionalInt(row["timeout_due_ms"]);
  return t;
}

std::vector<std::pair<size_t, size_t>> Chunks(const std::vector<size_t>& sizes) {
  std::vector<std::pair<size_t, size_t>> chunks;
  size_t begin = 0;
  size_t bytes = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    const bool full = i - begin == kWorkflowChunkRows || bytes + sizes[i] > kWorkflowChunkBytes;
    if (full && i > begin) {
      chunks.emplace_back(begin, i);
      begin = i;
      bytes = 0;
    }
    bytes += sizes[i];
  }
  if (begin < sizes.size()) chunks.emplace_back(begin, sizes.size());
  return chunks;
}

}  // namespace batchd::store::internal
