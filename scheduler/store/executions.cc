// Executions: starting them (many per statement), reading and listing them, their history a
// page at a time, and loading the running ones when the workflow loop starts.
#include <array>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include <pqxx/result>
#include <pqxx/row>

#include "api/api_error.h"
#include "api/states_names.h"
#include "store/batch_statement.h"
#include "store/connection_pool.h"
#include "store/page_token.h"
#include "store/row_codec.h"
#include "store/transaction.h"
#include "store/workflow_rows.h"
#include "store/workflow_store.h"

namespace batchd::store {
namespace {

using batch::v1::ExecutionStatus;
using internal::ArrayLiteral;
using internal::EnumText;

constexpr std::string_view kExecutionListing = "executions";
constexpr std::string_view kHistoryListing = "history";
constexpr int kRecoveryPage = 500;
constexpr int64_t kMaxInt64 = std::numeric_limits<int64_t>::max();

constexpr int kInsertColumns = 17;

// Inserted only where the state machine exists and is ACTIVE, locked FOR SHARE until commit
// (DeleteStateMachine takes it FOR UPDATE). ORDER BY gives ids in the callers' order; a name
// already stored, or repeated in the batch, is skipped.
constexpr char kInsertExecutions[] = R"sql(
WITH machines AS (
  SELECT name, revision FROM state_machines
  WHERE name = ANY($2::text[]) AND status = 'ACTIVE' ORDER BY name FOR SHARE
)
INSERT INTO executions (arn, state_machine, name, revision, status, input, output, error, cause,
  start_ms, stop_ms, redrive_count, redrive_ms, parent_arn, runtime, next_due_ms, last_event_id)
SELECT u.arn, u.state_machine, u.name, CASE WHEN u.revision = 0 THEN m.revision ELSE u.revision END,
  u.status, u.input, u.output, u.error, u.cause, u.start_ms, u.stop_ms, u.redrive_count,
  u.redrive_ms, u.parent_arn, u.runtime, u.next_due_ms, u.last_event_id
FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[],
  $8::text[], $9::text[], $10::bigint[], $11::bigint[], $12::int[], $13::bigint[], $14::text[],
  $15::text[], $16::bigint[], $17::bigint[]) WITH ORDINALITY
  AS u(arn, state_machine, name, revision, status, input, output, error, cause, start_ms, stop_ms,
       redrive_count, redrive_ms, parent_arn, runtime, next_due_ms, last_event_id, ord)
JOIN machines m ON m.name = u.state_machine
ORDER BY u.ord
ON CONFLICT DO NOTHING
RETURNING id, arn, revision
)sql";

std::optional<std::string> Text(const std::string& s) { return s; }
std::optional<std::string> Number(int64_t n) { return std::to_string(n); }

void InsertChunk(pqxx::transaction_base& txn, const std::vector<ExecutionRow>& rows, size_t begin,
                 size_t end, std::unordered_map<std::string, std::pair<int64_t, int>>& inserted) {
  std::array<std::vector<std::optional<std::string>>, kInsertColumns> c;
  for (auto& column : c) column.reserve(end - begin);
  for (size_t i = begin; i < end; ++i) {
    const ExecutionRow& e = rows[i];
    int k = 0;
    c[k++].push_back(Text(e.arn));
    c[k++].push_back(Text(e.state_machine));
    c[k++].push_back(Text(e.name));
    c[k++].push_back(Number(e.revision));
    c[k++].push_back(Text(EnumText<ExecutionStatus>(e.status)));
    c[k++].push_back(Text(e.input));
    c[k++].push_back(Text(e.output));
    c[k++].push_back(Text(e.error));
    c[k++].push_back(Text(e.cause));
    c[k++].push_back(Number(e.start_ms));
    c[k++].push_back(e.stop_ms == 0 ? std::nullopt : Number(e.stop_ms));
    c[k++].push_back(Number(e.redrive_count));
    c[k++].push_back(e.redrive_ms == 0 ? std::nullopt : Number(e.redrive_ms));
    c[k++].push_back(internal::NullIfEmpty(e.parent_arn));
    c[k++].push_back(Text(e.runtime));
    c[k++].push_back(internal::NumberText(e.next_due_ms));
    c[k++].push_back(Number(e.last_event_id));
  }
  auto result = internal::ExecBatch(txn, kInsertExecutions, ArrayLiteral(c[0]), ArrayLiteral(c[1]),
                                    ArrayLiteral(c[2]), ArrayLiteral(c[3]), ArrayLiteral(c[4]),
                                    ArrayLiteral(c[5]), ArrayLiteral(c[6]), ArrayLiteral(c[7]),
                                    ArrayLiteral(c[8]), ArrayLiteral(c[9]), ArrayLiteral(c[10]),
                                    ArrayLiteral(c[11]), ArrayLiteral(c[12]), ArrayLiteral(c[13]),
                                    ArrayLiteral(c[14]), ArrayLiteral(c[15]), ArrayLiteral(c[16]));
  for (const auto& row : result) {
    inserted[row[1].c_str()] = {row[0].as<int64_t>(), row[2].as<int>()};
  }
}

// A listing's statement: newest first, one index range scan per status, merged when no status
// is asked for (an index on start_ms alone would be one more to write on every transition).
std::string ListSql(bool by_machine, bool by_status) {
  int n = 0;
  const std::string machine = by_machine ? "$" + std::to_string(++n) : "";
  const std::string status = by_status ? "$" + std::to_string(++n) : "";
  const std::string start = "$" + std::to_string(++n);
  const std::string id = "$" + std::to_string(++n);
  const std::string limit = "$" + std::to_string(++n);
  const std::string order = " ORDER BY start_ms DESC, id DESC LIMIT " + limit;
  const auto branch = [&](const std::string& status_value) {
    std::string sql = "SELECT " + std::string(internal::kExecutionSummaryColumns) +
                      " FROM executions WHERE status = " + status_value;
    if (by_machine) sql += " AND state_machine = " + machine;
    return sql + " AND (start_ms, id) < (" + start + ", " + id + ")" + order;
  };
  if (by_status) return branch(status + "::text");
  std::string sql = "SELECT * FROM (";
  for (int s = ExecutionStatus::Value_MIN + 1; s <= ExecutionStatus::Value_MAX; ++s) {
    if (s > ExecutionStatus::Value_MIN + 1) sql += " UNION ALL ";
    sql += "(" +
           branch("'" + EnumText<ExecutionStatus>(static_cast<ExecutionStatus::Value>(s)) + "'") +
           ")";
  }
  return sql + ") AS t" + order;
}

HistoryEventRow EventFromRow(const pqxx::row& row) {
  return {row["event_id"].as<int64_t>(), row["previous_event_id"].as<int64_t>(),
          row["type"].c_str(), row["ts_ms"].as<int64_t>(), row["details"].c_str()};
}

}  // namespace

void internal::PrepareExecutionStatements(pqxx::connection& conn) {
  conn.prepare("exec_get",
               "SELECT " + std::string(kExecutionColumns) + " FROM executions WHERE arn = $1");
  conn.prepare("exec_get_summary", "SELECT " + std::string(kExecutionSummaryColumns) +
                                       " FROM executions WHERE arn = $1");
  conn.prepare("exec_id", "SELECT id FROM executions WHERE arn = $1");
  conn.prepare("exec_running_page", "SELECT " + std::string(kExecutionColumns) +
                                        " FROM executions WHERE status = 'RUNNING' AND id > $1 "
                                        "ORDER BY id LIMIT $2");
  conn.prepare("exec_list", ListSql(false, false));
  conn.prepare("exec_list_status", ListSql(false, true));
  conn.prepare("exec_list_machine", ListSql(true, false));
  conn.prepare("exec_list_machine_status", ListSql(true, true));
  conn.prepare("exec_list_parent", "SELECT " + std::string(internal::kExecutionSummaryColumns) +
                                       " FROM executions WHERE parent_arn = $1 AND (start_ms, id) "
                                       "< ($2, $3) ORDER BY start_ms DESC, id DESC LIMIT $4");
  constexpr char kEventColumns[] = "event_id, previous_event_id, type, ts_ms, details";
  conn.prepare("events_after", std::string("SELECT ") + kEventColumns +
                                   " FROM execution_events WHERE execution_id = $1 "
                                   "AND event_id > $2 ORDER BY event_id LIMIT $3");
  conn.prepare("events_before", std::string("SELECT ") + kEventColumns +
                                    " FROM execution_events WHERE execution_id = $1 "
                                    "AND event_id < $2 ORDER BY event_id DESC LIMIT $3");
}

std::vector<ExecutionInsert> internal::InsertExecutionRows(pqxx::transaction_base& txn,
                                                           std::vector<ExecutionRow> rows) {
  std::vector<size_t> sizes;
  sizes.reserve(rows.size());
  for (auto& row : rows) {
    const std::string arn = api::ExecutionArn(row.state_machine, row.name);
    if (row.arn.empty()) row.arn = arn;
    if (row.arn != arn) {
      throw api::ApiError(api::ErrorCode::kInternal,
                          "execution ARN '" + row.arn + "' does not name execution '" + row.name +
                              "' of state machine '" + row.state_machine + "'");
    }
    sizes.push_back(row.input.size() + row.output.size() + row.runtime.size() + 256);
  }
  std::unordered_map<std::string, std::pair<int64_t, int>> inserted;  // arn -> id, revision
  for (const auto& [begin, end] : Chunks(sizes)) InsertChunk(txn, rows, begin, end, inserted);

  std::vector<std::string> missing_arns;
  std::vector<std::string> missing_machines;
  std::unordered_set<std::string> first_seen;
  for (const auto& row : rows) {
    // A name repeated in the batch: the first was inserted, the others find it.
    if (inserted.count(row.arn) && first_seen.insert(row.arn).second) continue;
    missing_arns.push_back(row.arn);
    missing_machines.push_back(row.state_machine);
  }
  std::unordered_map<std::string, ExecutionRow> existing;
  std::unordered_map<std::string, std::string> machine_status;
  if (!missing_arns.empty()) {
    for (const auto& row : ExecBatch(txn,
                                     "SELECT " + std::string(kExecutionColumns) +
                                         " FROM executions WHERE arn = ANY($1::text[])",
                                     ArrayLiteral(missing_arns))) {
      existing.emplace(row["arn"].c_str(), ExecutionFromRow(row, true));
    }
    for (const auto& row :
         ExecBatch(txn, "SELECT name, status FROM state_machines WHERE name = ANY($1::text[])",
                   ArrayLiteral(missing_machines))) {
      machine_status[row[0].c_str()] = row[1].c_str();
    }
  }
  std::vector<ExecutionInsert> out;
  out.reserve(rows.size());
  first_seen.clear();
  for (auto& row : rows) {
    ExecutionInsert result;
    if (auto it = inserted.find(row.arn);
        it != inserted.end() && first_seen.insert(row.arn).second) {
      row.id = it->second.first;
      row.revision = it->second.second;
      result.outcome = ExecutionInsert::Outcome::kInserted;
      result.row = std::move(row);
    } else if (auto found = existing.find(row.arn); found != existing.end()) {
      result.outcome = ExecutionInsert::Outcome::kExists;
      result.row = found->second;
    } else {
      auto status = machine_status.find(row.state_machine);
      result.outcome = status == machine_status.end()
                           ? ExecutionInsert::Outcome::kNoStateMachine
                           : ExecutionInsert::Outcome::kStateMachineDeleting;
      result.row = std::move(row);
    }
    out.push_back(std::move(result));
  }
  return out;
}

std::vector<ExecutionInsert> WorkflowStore::InsertExecutions(
    const std::vector<ExecutionRow>& rows) {
  if (rows.empty()) return {};
  return internal::InTransaction(pool_, "executions", [&](pqxx::work& txn) {
    return internal::InsertExecutionRows(txn, rows);
  });
}

std::optional<ExecutionRow> WorkflowStore::GetExecution(const std::string& arn, bool with_data) {
  return internal::InTransaction<pqxx::nontransaction>(
      pool_, "execution", [&](auto& txn) -> std::optional<ExecutionRow> {
        auto rows = txn.exec_prepared(with_data ? "exec_get" : "exec_get_summary", arn);
        if (rows.empty()) return std::nullopt;
        return internal::ExecutionFromRow(rows[0], with_data);
      });
}

Page<ExecutionRow> WorkflowStore::ListExecutions(const ExecutionQuery& query) {
  int64_t before_start = kMaxInt64;
  int64_t before_id = kMaxInt64;
  if (!query.next_token.empty()) {
    auto key = internal::DecodePageToken(kExecutionListing, query.next_token, 2);
    before_start = internal::PageTokenInt(key[0]);
    before_id = internal::PageTokenInt(key[1]);
  }
  const int limit = internal::PageSize(query.max_results);
  const bool by_machine = !query.state_machine.empty();
  std::string status;
  if (query.status) status = EnumText<ExecutionStatus>(*query.status);
  return internal::InTransaction<pqxx::nontransaction>(pool_, "executions", [&](auto& txn) {
    pqxx::result rows;
    if (!query.parent_arn.empty()) {
      rows = txn.exec_prepared("exec_list_parent", query.parent_arn, before_start, before_id,
                               limit + 1);
    } else if (by_machine && query.status) {
      rows = txn.exec_prepared("exec_list_machine_status", query.state_machine, status,
                               before_start, before_id, limit + 1);
    } else if (by_machine) {
      rows = txn.exec_prepared("exec_list_machine", query.state_machine, before_start, before_id,
                               limit + 1);
    } else if (query.status) {
      rows = txn.exec_prepared("exec_list_status", status, before_start, before_id, limit + 1);
    } else {
      rows = txn.exec_prepared("exec_list", before_start, before_id, limit + 1);
    }
    Page<ExecutionRow> page;
    for (const auto& row : rows) {
      if (static_cast<int>(page.items.size()) == limit) {
        const auto& last = page.items.back();
        page.next_token = internal::EncodePageToken(
            kExecutionListing, {std::to_string(last.start_ms), std::to_string(last.id)});
        break;
      }
      page.items.push_back(internal::ExecutionFromRow(row, false));
    }
    return page;
  });
}

Page<HistoryEventRow> WorkflowStore::GetHistory(const HistoryQuery& query) {
  const std::string direction = query.reverse ? "reverse" : "forward";
  int64_t from = query.reverse ? kMaxInt64 : 0;
  if (!query.next_token.empty()) {
    // A token names its execution and direction, so it cannot page another listing.
    auto key = internal::DecodePageToken(kHistoryListing, query.next_token, 3);
    if (key[0] != query.execution_arn || key[1] != direction) {
      api::ThrowInvalid("nextToken", "not a token returned by a previous call");
    }
    from = internal::PageTokenInt(key[2]);
  }
  const int limit = internal::PageSize(query.max_results);
  return internal::InTransaction(pool_, "execution history", [&](pqxx::work& txn) {
    auto ids = txn.exec_prepared("exec_id", query.execution_arn);
    if (ids.empty()) api::ThrowNotFound("Execution Does Not Exist: '" + query.execution_arn + "'");
    const int64_t id = ids[0][0].as<int64_t>();
    Page<HistoryEventRow> page;
    for (const auto& row :
         txn.exec_prepared(query.reverse ? "events_before" : "events_after", id, from, limit + 1)) {
      if (static_cast<int>(page.items.size()) == limit) {
        page.next_token = internal::EncodePageToken(
            kHistoryListing,
            {query.execution_arn, direction, std::to_string(page.items.back().event_id)});
        break;
      }
      page.items.push_back(EventFromRow(row));
    }
    return page;
  });
}

void WorkflowStore::LoadRunningExecutions(const std::function<void(ExecutionRow&&)>& each) {
  int64_t after = 0;
  for (;;) {
    auto rows =
        internal::InTransaction<pqxx::nontransaction>(pool_, "running executions", [&](auto& txn) {
          std::vector<ExecutionRow> page;
          for (const auto& row : txn.exec_prepared("exec_running_page", after, kRecoveryPage)) {
            page.push_back(internal::ExecutionFromRow(row, true));
          }
          return page;
        });
    for (auto& row : rows) {
      after = row.id;
      each(std::move(row));
    }
    if (static_cast<int>(rows.size()) < kRecoveryPage) return;
  }
}

}  // namespace batchd::store
