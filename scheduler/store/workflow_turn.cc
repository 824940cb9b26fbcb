// CommitTurn: everything one turn of the workflow loop changed, for many executions, in one
// transaction of a few multi-row statements (unnest of one array per column).
#include <algorithm>
#include <array>
#include <unordered_map>
#include <unordered_set>

#include <pqxx/except>
#include <pqxx/result>

#include "api/api_error.h"
#include "store/batch_statement.h"
#include "store/connection_pool.h"
#include "store/row_codec.h"
#include "store/transaction.h"
#include "store/workflow_rows.h"
#include "store/workflow_store.h"

namespace batchd::store {
namespace {

using batch::v1::ExecutionStatus;
using batch::v1::WorkflowTaskKind;
using batch::v1::WorkflowTaskStatus;
using internal::ArrayLiteral;
using internal::EnumText;

using Column = std::vector<std::optional<std::string>>;

constexpr char kUpdateExecutions[] = R"sql(
UPDATE executions e SET status = u.status, output = u.output, error = u.error, cause = u.cause,
  stop_ms = u.stop_ms, runtime = u.runtime, next_due_ms = u.next_due_ms,
  last_event_id = u.last_event_id, redrive_count = u.redrive_count, redrive_ms = u.redrive_ms
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[],
  $7::text[], $8::bigint[], $9::bigint[], $10::int[], $11::bigint[])
  AS u(arn, status, output, error, cause, stop_ms, runtime, next_due_ms, last_event_id,
       redrive_count, redrive_ms)
WHERE e.arn = u.arn
RETURNING e.id, e.arn, e.state_machine, e.status
)sql";

constexpr char kInsertEvents[] = R"sql(
INSERT INTO execution_events (execution_id, event_id, previous_event_id, type, ts_ms, details)
SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::bigint[],
  $6::text[])
)sql";

constexpr char kInsertTasks[] = R"sql(
INSERT INTO tasks (token, execution_arn, task_seq, state_name, kind, resource, activity_arn,
  input, status, worker_name, scheduled_ms, started_ms, heartbeat_seconds, heartbeat_due_ms,
  timeout_due_ms)
SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[],
  $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[], $12::bigint[], $13::int[],
  $14::bigint[], $15::bigint[])
)sql";

std::optional<std::string> Text(const std::string& s) { return s; }
std::optional<std::string> Number(int64_t n) { return std::to_string(n); }
std::optional<std::string> NonZero(int64_t n) {
  if (n == 0) return std::nullopt;
  return std::to_string(n);
}

[[noreturn]] void ThrowInternal(const std::string& message) {
  throw api::ApiError(api::ErrorCode::kInternal, message);
}

// The first two lines of a database error: the message and its DETAIL.
std::string MessageAndDetail(const std::string& text) {
  auto first = text.find('\n');
  if (first == std::string::npos) return text;
  auto second = text.find('\n', first + 1);
  return text.substr(0, second);
}

struct Written {
  std::unordered_map<std::string, int64_t> ids;  // by arn
  std::vector<std::string> ended_machines;       // of executions no longer RUNNING
  std::unordered_set<std::string> skipped;       // new executions not inserted, by arn
};

std::vector<ExecutionInsert> InsertNew(pqxx::work& txn, const WorkflowTurn& turn,
                                       Written& written) {
  if (turn.new_executions.empty()) return {};
  auto results = internal::InsertExecutionRows(txn, turn.new_executions);
  for (const auto& result : results) {
    const ExecutionRow& row = result.row;
    switch (result.outcome) {
      case ExecutionInsert::Outcome::kInserted:
        written.ids[row.arn] = row.id;
        if (row.status != ExecutionStatus::RUNNING) {
          written.ended_machines.push_back(row.state_machine);
        }
        break;
      case ExecutionInsert::Outcome::kExists:
      case ExecutionInsert::Outcome::kNoStateMachine:
      case ExecutionInsert::Outcome::kStateMachineDeleting:
        // Its events and tasks are known only by its ARN: one ARN twice among the new
        // executions would leave them to the wrong one.
        if (!written.skipped.insert(row.arn).second || written.ids.count(row.arn)) {
          ThrowInternal("execution '" + row.arn + "' is started twice in one turn");
        }
        break;
    }
  }
  for (const auto& row : turn.changed_executions) {
    if (written.skipped.count(row.arn)) {
      ThrowInternal("execution '" + row.arn + "' is both started and changed in one turn");
    }
  }
  return results;
}

void UpdateChanged(pqxx::work& txn, const std::vector<ExecutionRow>& rows, Written& written) {
  if (rows.empty()) return;
  std::unordered_set<std::string> seen;
  std::vector<size_t> sizes;
  for (const auto& row : rows) {
    if (!seen.insert(row.arn).second) {
      ThrowInternal("execution '" + row.arn + "' is changed twice in one turn");
    }
    sizes.push_back(row.output.size() + row.runtime.size() + row.error.size() + row.cause.size() +
                    128);
  }
  for (const auto& [begin, end] : internal::Chunks(sizes)) {
    std::array<Column, 11> c;
    for (size_t i = begin; i < end; ++i) {
      const ExecutionRow& e = rows[i];
      int k = 0;
      c[k++].push_back(Text(e.arn));
      c[k++].push_back(Text(EnumText<ExecutionStatus>(e.status)));
      c[k++].push_back(Text(e.output));
      c[k++].push_back(Text(e.error));
      c[k++].push_back(Text(e.cause));
      c[k++].push_back(NonZero(e.stop_ms));
      c[k++].push_back(Text(e.runtime));
      c[k++].push_back(internal::NumberText(e.next_due_ms));
      c[k++].push_back(Number(e.last_event_id));
      c[k++].push_back(Number(e.redrive_count));
      c[k++].push_back(NonZero(e.redrive_ms));
    }
    auto result = internal::ExecBatch(
        txn, kUpdateExecutions, ArrayLiteral(c[0]), ArrayLiteral(c[1]), ArrayLiteral(c[2]),
        ArrayLiteral(c[3]), ArrayLiteral(c[4]), ArrayLiteral(c[5]), ArrayLiteral(c[6]),
        ArrayLiteral(c[7]), ArrayLiteral(c[8]), ArrayLiteral(c[9]), ArrayLiteral(c[10]));
    for (const auto& row : result) {
      written.ids[row[1].c_str()] = row[0].as<int64_t>();
      if (std::string_view(row[3].c_str()) != "RUNNING") {
        written.ended_machines.push_back(row[2].c_str());
      }
    }
  }
  for (const auto& row : rows) {
    if (!written.ids.count(row.arn)) ThrowInternal("execution '" + row.arn + "' is not stored");
  }
}

void AppendEvents(pqxx::work& txn, const std::vector<ExecutionEvents>& events, Written& written) {
  // Every execution with new events is normally in the turn (its last_event_id moved); the
  // others are looked up.
  std::vector<std::string> unknown;
  for (const auto& batch : events) {
    if (!batch.events.empty() && !written.ids.count(batch.execution_arn) &&
        !written.skipped.count(batch.execution_arn)) {
      unknown.push_back(batch.execution_arn);
    }
  }
  if (!unknown.empty()) {
    for (const auto& row :
         internal::ExecBatch(txn, "SELECT arn, id FROM executions WHERE arn = ANY($1::text[])",
                             ArrayLiteral(unknown))) {
      written.ids[row[0].c_str()] = row[1].as<int64_t>();
    }
  }
  struct Flat {
    int64_t execution_id;
    const HistoryEventRow* event;
  };
  std::vector<Flat> flat;
  std::vector<size_t> sizes;
  for (const auto& batch : events) {
    if (written.skipped.count(batch.execution_arn)) continue;
    auto it = written.ids.find(batch.execution_arn);
    if (it == written.ids.end() && !batch.events.empty()) {
      ThrowInternal("history events for execution '" + batch.execution_arn +
                    "', which is not stored");
    }
    for (const auto& event : batch.events) {
      flat.push_back({it->second, &event});
      sizes.push_back(event.details.size() + event.type.size() + 64);
    }
  }
  for (const auto& [begin, end] : internal::Chunks(sizes)) {
    std::array<Column, 6> c;
    for (size_t i = begin; i < end; ++i) {
      const HistoryEventRow& e = *flat[i].event;
      c[0].push_back(Number(flat[i].execution_id));
      c[1].push_back(Number(e.event_id));
      c[2].push_back(Number(e.previous_event_id));
      c[3].push_back(Text(e.type));
      c[4].push_back(Number(e.ts_ms));
      c[5].push_back(Text(e.details));
    }
    try {
      internal::ExecBatch(txn, kInsertEvents, ArrayLiteral(c[0]), ArrayLiteral(c[1]),
                          ArrayLiteral(c[2]), ArrayLiteral(c[3]), ArrayLiteral(c[4]),
                          ArrayLiteral(c[5]));
    } catch (const pqxx::unique_violation& e) {
      ThrowInternal("a history event was written twice; nothing of the turn was written: " +
                    MessageAndDetail(e.what()));
    }
  }
}

void WriteTasks(pqxx::work& txn, const WorkflowTurn& turn, const Written& written) {
  if (!turn.finished_tasks.empty()) {
    internal::ExecBatch(txn, "DELETE FROM tasks WHERE token = ANY($1::text[])",
                        ArrayLiteral(turn.finished_tasks));
  }
  std::vector<const TaskRow*> tasks;
  for (const auto& t : turn.new_tasks) {
    if (!written.skipped.count(t.execution_arn)) tasks.push_back(&t);
  }
  if (!tasks.empty()) {
    std::vector<size_t> sizes;
    for (const TaskRow* t : tasks) sizes.push_back(t->input.size() + 256);
    for (const auto& [begin, end] : internal::Chunks(sizes)) {
      std::array<Column, 15> c;
      for (size_t i = begin; i < end; ++i) {
        const TaskRow& t = *tasks[i];
        int k = 0;
        c[k++].push_back(Text(t.token));
        c[k++].push_back(Text(t.execution_arn));
        c[k++].push_back(Number(t.task_seq));
        c[k++].push_back(Text(t.state_name));
        c[k++].push_back(Text(EnumText<WorkflowTaskKind>(t.kind)));
        c[k++].push_back(Text(t.resource));
        c[k++].push_back(internal::NullIfEmpty(t.activity_arn));
        c[k++].push_back(Text(t.input));
        c[k++].push_back(Text(EnumText<WorkflowTaskStatus>(t.status)));
        c[k++].push_back(Text(t.worker_name));
        c[k++].push_back(Number(t.scheduled_ms));
        c[k++].push_back(NonZero(t.started_ms));
        c[k++].push_back(Number(t.heartbeat_seconds));
        c[k++].push_back(internal::NumberText(t.heartbeat_due_ms));
        c[k++].push_back(internal::NumberText(t.timeout_due_ms));
      }
      try {
        internal::ExecBatch(
            txn, kInsertTasks, ArrayLiteral(c[0]), ArrayLiteral(c[1]), ArrayLiteral(c[2]),
            ArrayLiteral(c[3]), ArrayLiteral(c[4]), ArrayLiteral(c[5]), ArrayLiteral(c[6]),
            ArrayLiteral(c[7]), ArrayLiteral(c[8]), ArrayLiteral(c[9]), ArrayLiteral(c[10]),
            ArrayLiteral(c[11]), ArrayLiteral(c[12]), ArrayLiteral(c[13]), ArrayLiteral(c[14]));
      } catch (const pqxx::unique_violation&) {
        // The server's detail would quote the key, and a token is a secret.
        ThrowInternal(
            "a task token, or a task sequence number of one execution, was stored twice; nothing "
            "of the turn was written");
      }
    }
  }
  if (!turn.heartbeats.empty()) {
    std::vector<std::string> tokens;
    std::vector<std::string> due;
    for (const auto& h : turn.heartbeats) {
      tokens.push_back(h.token);
      due.push_back(std::to_string(h.heartbeat_due_ms));
    }
    internal::ExecBatch(txn,
                        "UPDATE tasks t SET heartbeat_due_ms = u.due "
                        "FROM unnest($1::text[], $2::bigint[]) AS u(token, due) "
                        "WHERE t.token = u.token",
                        ArrayLiteral(tokens), ArrayLiteral(due));
  }
}

// State machines marked DELETING go once their last running execution has ended. Their rows
// are locked (FOR SHARE) whatever their status: DeleteStateMachine, which counts running
// executions under FOR UPDATE, then either waits for this turn or is waited for, so neither can
// miss the other's change.
void FinishDeletions(pqxx::work& txn, std::vector<std::string> machines) {
  if (machines.empty()) return;
  std::sort(machines.begin(), machines.end());
  machines.erase(std::unique(machines.begin(), machines.end()), machines.end());
  std::vector<std::string> deleting;
  for (const auto& row : internal::ExecBatch(txn,
                                             "SELECT name, status FROM state_machines "
                                             "WHERE name = ANY($1::text[]) ORDER BY name FOR SHARE",
                                             ArrayLiteral(machines))) {
    if (std::string_view(row[1].c_str()) == "DELETING") deleting.push_back(row[0].c_str());
  }
  if (deleting.empty()) return;
  std::unordered_set<std::string> running;
  for (const auto& row :
       internal::ExecBatch(txn,
                           "SELECT DISTINCT state_machine FROM executions "
                           "WHERE state_machine = ANY($1::text[]) AND status = 'RUNNING'",
                           ArrayLiteral(deleting))) {
    running.insert(row[0].c_str());
  }
  std::vector<std::string> done;
  for (const auto& name : deleting) {
    if (!running.count(name)) done.push_back(name);
  }
  internal::PurgeStateMachines(txn, done);
}

}  // namespace

std::vector<ExecutionInsert> WorkflowStore::CommitTurn(const WorkflowTurn& turn) {
  return internal::InTransaction(pool_, "workflow turn", [&](pqxx::work& txn) {
    Written written;
    auto started = InsertNew(txn, turn, written);
    UpdateChanged(txn, turn.changed_executions, written);
    AppendEvents(txn, turn.events, written);
    WriteTasks(txn, turn, written);
    FinishDeletions(txn, std::move(written.ended_machines));
    return started;
  });
}

}  // namespace batchd::store
