// Activities, and the task tokens that steps wait on: read, listed, and taken by workers
// (GetActivityTask) without two workers ever taking the same task.
#include <limits>

#include <pqxx/result>
#include <pqxx/row>

#include "api/api_error.h"
#include "api/states_names.h"
#include "api/text.h"
#include "store/connection_pool.h"
#include "store/page_token.h"
#include "store/transaction.h"
#include "store/workflow_rows.h"
#include "store/workflow_store.h"

namespace batchd::store {
namespace {

using batch::v1::WorkflowTaskStatus;

constexpr std::string_view kActivityListing = "activities";
constexpr std::string_view kTaskListing = "tasks";

ActivityRow ActivityFromRow(const pqxx::row& row) {
  return {row["name"].c_str(), row["arn"].c_str(), internal::TagsFromField(row["tags"]),
          row["created_at"].as<int64_t>()};
}

}  // namespace

void internal::PrepareActivityStatements(pqxx::connection& conn) {
  conn.prepare("act_insert",
               "INSERT INTO activities (name, arn, tags, created_at) VALUES ($1, $2, $3, $4) "
               "ON CONFLICT (name) DO NOTHING");
  conn.prepare("act_get", "SELECT name, arn, tags, created_at FROM activities WHERE name = $1");
  conn.prepare("act_page",
               "SELECT name, arn, tags, created_at FROM activities WHERE name > $1 "
               "ORDER BY name LIMIT $2");
  conn.prepare("act_delete", "DELETE FROM activities WHERE name = $1");

  const std::string columns(kTaskColumns);
  conn.prepare("task_get", "SELECT " + columns + " FROM tasks WHERE token = $1");
  // SKIP LOCKED: a task another worker is taking right now is passed over, not waited for,
  // so concurrent pollers each get a different task at once.
  conn.prepare("task_claim",
               "UPDATE tasks SET status = 'STARTED', worker_name = $2, started_ms = $3, "
               "heartbeat_due_ms = CASE WHEN heartbeat_seconds > 0 "
               "THEN $3 + heartbeat_seconds * 1000::bigint END "
               "WHERE token = (SELECT token FROM tasks WHERE activity_arn = $1 "
               "AND status = 'SCHEDULED' ORDER BY scheduled_ms, execution_arn, task_seq "
               "LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING " +
                   columns);
  conn.prepare("task_page", "SELECT " + columns +
                                " FROM tasks WHERE ($1::text = '' OR execution_arn = $1::text) "
                                "AND ($2::text = '' OR activity_arn = $2::text) "
                                "AND ($3::text = '' OR status = $3::text) "
                                "AND (scheduled_ms, execution_arn, task_seq) > ($4, $5, $6) "
                                "ORDER BY scheduled_ms, execution_arn, task_seq LIMIT $7");
}

ActivityRow WorkflowStore::CreateActivity(const ActivityRow& input) {
  ActivityRow row = input;
  if (row.arn.empty()) row.arn = api::ActivityArn(row.name);
  if (row.creation_date == 0) row.creation_date = api::EpochMillisNow();
  return internal::InTransaction(pool_, "activity '" + row.arn + "'", [&](pqxx::work& txn) {
    if (txn.exec_prepared("act_insert", row.name, row.arn, internal::TagsBytea(row.tags),
                          row.creation_date)
            .affected_rows() == 1) {
      return row;
    }
    auto stored = txn.exec_prepared("act_get", row.name);
    if (stored.empty()) throw internal::LostRace{};  // deleted since the insert ran
    return ActivityFromRow(stored[0]);
  });
}

std::optional<ActivityRow> WorkflowStore::GetActivity(const std::string& name) {
  return internal::InTransaction<pqxx::nontransaction>(
      pool_, "activity", [&](auto& txn) -> std::optional<ActivityRow> {
        auto rows = txn.exec_prepared("act_get", name);
        if (rows.empty()) return std::nullopt;
        return ActivityFromRow(rows[0]);
      });
}

Page<ActivityRow> WorkflowStore::ListActivities(int max_results, const std::string& next_token) {
  std::string after;
  if (!next_token.empty()) after = internal::DecodePageToken(kActivityListing, next_token, 1)[0];
  const int limit = internal::PageSize(max_results);
  return internal::InTransaction<pqxx::nontransaction>(pool_, "activities", [&](auto& txn) {
    Page<ActivityRow> page;
    for (const auto& row : txn.exec_prepared("act_page", after, limit + 1)) {
      if (static_cast<int>(page.items.size()) == limit) {
        page.next_token = internal::EncodePageToken(kActivityListing, {page.items.back().name});
        break;
      }
      page.items.push_back(ActivityFromRow(row));
    }
    return page;
  });
}

bool WorkflowStore::DeleteActivity(const std::string& name) {
  return internal::InTransaction<pqxx::nontransaction>(pool_, "activity", [&](auto& txn) {
    return txn.exec_prepared("act_delete", name).affected_rows() == 1;
  });
}

std::optional<TaskRow> WorkflowStore::GetTask(const std::string& token) {
  // Named without the token, which is a secret, should an error quote `what`.
  return internal::InTransaction<pqxx::nontransaction>(
      pool_, "task", [&](auto& txn) -> std::optional<TaskRow> {
        auto rows = txn.exec_prepared("task_get", token);
        if (rows.empty()) return std::nullopt;
        return internal::TaskFromRow(rows[0]);
      });
}

Page<TaskRow> WorkflowStore::ListTasks(const TaskQuery& query) {
  int64_t after_scheduled = std::numeric_limits<int64_t>::min();
  std::string after_execution;
  int64_t after_seq = std::numeric_limits<int64_t>::min();
  if (!query.next_token.empty()) {
    auto key = internal::DecodePageToken(kTaskListing, query.next_token, 3);
    after_scheduled = internal::PageTokenInt(key[0]);
    after_execution = key[1];
    after_seq = internal::PageTokenInt(key[2]);
  }
  std::string status;
  if (query.status) status = internal::EnumText<WorkflowTaskStatus>(*query.status);
  const int limit = internal::PageSize(query.max_results);
  return internal::InTransaction<pqxx::nontransaction>(pool_, "tasks", [&](auto& txn) {
    Page<TaskRow> page;
    for (const auto& row :
         txn.exec_prepared("task_page", query.execution_arn, query.activity_arn, status,
                           after_scheduled, after_execution, after_seq, limit + 1)) {
      if (static_cast<int>(page.items.size()) == limit) {
        const auto& last = page.items.back();
        page.next_token = internal::EncodePageToken(
            kTaskListing,
            {std::to_string(last.scheduled_ms), last.execution_arn, std::to_string(last.task_seq)});
        break;
      }
      page.items.push_back(internal::TaskFromRow(row));
    }
    return page;
  });
}

std::optional<TaskRow> WorkflowStore::ClaimActivityTask(const std::string& activity_arn,
                                                        const std::string& worker_name,
                                                        int64_t now_ms) {
  // One statement, committed by itself. Should its answer be lost, the task it took stays
  // STARTED with no worker knowing its token, and times out as any unanswered task does.
  return internal::InTransaction<pqxx::nontransaction>(
      pool_, "activity task", [&](auto& txn) -> std::optional<TaskRow> {
        auto rows = txn.exec_prepared("task_claim", activity_arn, worker_name, now_ms);
        if (rows.empty()) return std::nullopt;
        return internal::TaskFromRow(rows[0]);
      });
}

}  // namespace batchd::store
