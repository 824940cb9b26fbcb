#include "store/array_children.h"

#include <algorithm>
#include <pqxx/result>
#include <pqxx/row>

#include "api/array_jobs.h"
#include "api/job_states.h"
#include "store/batch_statement.h"
#include "store/page_token.h"
#include "store/row_codec.h"
#include "store/statements.h"

namespace batchd::store::internal {
namespace {

using batch::v1::JobDetail;
using batch::v1::JobStatus;

constexpr std::string_view kListing = "array-jobs";

const std::string& VirtualChildReason() {
  static const std::string reason =
      "(CASE WHEN p.is_cancelled OR p.is_terminated OR p.status IN ('SUCCEEDED', 'FAILED') "
      "THEN p.status_reason WHEN p.children_status = 'RUNNABLE' THEN '' "
      "WHEN p.status_reason <> '' THEN p.status_reason "
      "ELSE 'waiting for its own dependencies' END)";
  return reason;
}

// A child row as JobFromRow reads it, made from the parent row `p` and the index `c.idx`.
const std::string& VirtualChildColumns() {
  static const std::string columns =
      "p.job_id || ':' || c.idx AS job_id, p.job_name, p.job_queue, p.job_definition, " +
      std::string(kVirtualChildStatus) + " AS status, " + VirtualChildReason() +
      " AS status_reason, p.created_at, NULL::bigint AS started_at, NULL::bigint AS stopped_at, "
      "p.is_cancelled, p.is_terminated, c.idx AS array_index, p.array_size, 0::bigint AS "
      "version, ''::bytea AS attempts, p.spec";
  return columns;
}

constexpr std::string_view kNoRow =
    "NOT EXISTS (SELECT 1 FROM jobs x WHERE x.array_job_id = p.job_id AND x.array_index = c.idx)";

struct ChildRefs {
  std::vector<std::string> parents;  // one per child
  std::vector<std::string> indexes;
  std::vector<std::string> distinct_parents;
};

ChildRefs SplitChildren(const std::vector<std::string>& ids) {
  ChildRefs refs;
  for (const auto& id : ids) {
    auto child = api::SplitArrayChildId(id);
    if (!child) continue;
    refs.parents.push_back(child->first);
    refs.indexes.push_back(std::to_string(child->second));
    refs.distinct_parents.push_back(child->first);
  }
  std::sort(refs.distinct_parents.begin(), refs.distinct_parents.end());
  refs.distinct_parents.erase(
      std::unique(refs.distinct_parents.begin(), refs.distinct_parents.end()),
      refs.distinct_parents.end());
  return refs;
}

const std::string& FromParent() {
  static const std::string sql =
      " FROM unnest($1::text[], $2::int[]) AS c(parent, idx) JOIN jobs p ON p.job_id = c.parent "
      "AND p.array_index IS NULL AND c.idx < p.array_size";
  return sql;
}

const std::string& MaterializeSql() {
  static const std::string sql =
      "INSERT INTO jobs (job_id, job_name, job_queue, job_definition, "
      "job_definition_name, job_definition_revision, status, status_reason, "
      "scheduling_priority, share_identifier, created_at, is_cancelled, is_terminated, "
      "array_job_id, array_index, array_size, spec) "
      "SELECT p.job_id || ':' || c.idx, p.job_name, p.job_queue, p.job_definition, "
      "p.job_definition_name, p.job_definition_revision, " +
      std::string(kVirtualChildStatus) + ", " + VirtualChildReason() +
      ", p.scheduling_priority, p.share_identifier, p.created_at, p.is_cancelled, "
      "p.is_terminated, p.job_id, c.idx, p.array_size, p.spec" +
      FromParent() + " ON CONFLICT DO NOTHING";
  return sql;
}

const std::string& VirtualChildrenSql() {
  static const std::string sql =
      "SELECT " + VirtualChildColumns() + FromParent() + " WHERE " + std::string(kNoRow);
  return sql;
}

const std::string& VirtualChildStatusesSql() {
  static const std::string sql = "SELECT p.job_id || ':' || c.idx, " +
                                 std::string(kVirtualChildStatus) + FromParent() + " WHERE " +
                                 std::string(kNoRow);
  return sql;
}

}  // namespace

void PrepareArrayStatements(pqxx::connection& conn) {
  // Rows first, then the parent's word for the indexes without one.
  conn.prepare("array_list_rows", "SELECT " + std::string(kJobSummaryColumns) +
                                      " FROM jobs WHERE array_job_id = $1 AND array_index >= $2 "
                                      "AND status = ANY($3::text[]) ORDER BY array_index LIMIT $4");
  conn.prepare("array_list_all",
               "SELECT * FROM ("
               "SELECT " +
                   std::string(kJobDetailColumns) +
                   " FROM jobs WHERE array_job_id = $1 AND array_index >= $2 "
                   "AND status = ANY($3::text[]) "
                   "UNION ALL SELECT " +
                   VirtualChildColumns() +
                   " FROM jobs p CROSS JOIN LATERAL generate_series($2, p.array_size - 1) AS "
                   "c(idx) WHERE p.job_id = $1 AND " +
                   std::string(kNoRow) + ") t ORDER BY array_index LIMIT $4");
  conn.prepare("array_row_statuses",
               "SELECT array_index, status FROM jobs WHERE array_job_id = $1");
  conn.prepare("array_virtual_status", "SELECT " + std::string(kVirtualChildStatus) +
                                           ", p.array_size" +
                                           " FROM jobs p WHERE p.job_id = $1 AND p.array_size > 0 "
                                           "AND p.array_index IS NULL");
  conn.prepare("array_stop_waiting",
               "UPDATE jobs SET status = 'FAILED', status_reason = $2, stopped_at = $3, "
               "is_cancelled = NOT $4, is_terminated = $4, version = version + 1 "
               "WHERE array_job_id = $1 AND status IN ('SUBMITTED', 'PENDING', 'RUNNABLE')");
  conn.prepare("array_terminate_running",
               "UPDATE jobs SET is_terminated = true, status_reason = $2, version = version + 1 "
               "WHERE array_job_id = $1 AND status IN ('STARTING', 'RUNNING')");
}

void MaterializeChildren(pqxx::work& txn, const std::vector<std::string>& ids) {
  ChildRefs refs = SplitChildren(ids);
  if (refs.parents.empty()) return;
  ExecBatch(txn,
            "SELECT 1 FROM jobs WHERE job_id = ANY($1::text[]) AND array_size > 0 "
            "ORDER BY job_id FOR SHARE",
            ArrayLiteral(refs.distinct_parents));
  ExecBatch(txn, MaterializeSql(), ArrayLiteral(refs.parents), ArrayLiteral(refs.indexes));
}

std::vector<JobDetail> VirtualChildren(pqxx::work& txn, const std::vector<std::string>& ids) {
  ChildRefs refs = SplitChildren(ids);
  std::vector<JobDetail> out;
  if (refs.parents.empty()) return out;
  for (const auto& row : ExecBatch(txn, VirtualChildrenSql(), ArrayLiteral(refs.parents),
                                   ArrayLiteral(refs.indexes))) {
    out.push_back(JobFromRow(row));
  }
  return out;
}

std::vector<std::pair<std::string, JobStatus::Value>> VirtualChildStatuses(
    pqxx::work& txn, const std::vector<std::string>& ids) {
  ChildRefs refs = SplitChildren(ids);
  std::vector<std::pair<std::string, JobStatus::Value>> out;
  if (refs.parents.empty()) return out;
  for (const auto& row : ExecBatch(txn, VirtualChildStatusesSql(), ArrayLiteral(refs.parents),
                                   ArrayLiteral(refs.indexes))) {
    out.emplace_back(row[0].c_str(), JobStatusFromText(row[1].c_str()));
  }
  return out;
}

std::vector<JobStatus::Value> ChildStatuses(pqxx::work& txn, const std::string& parent_id) {
  auto parent = txn.exec_prepared("array_virtual_status", parent_id);
  if (parent.empty()) return {};
  std::vector<JobStatus::Value> out(parent[0][1].as<int>(),
                                    JobStatusFromText(parent[0][0].c_str()));
  for (const auto& row : txn.exec_prepared("array_row_statuses", parent_id)) {
    const int index = row[0].as<int>();
    if (index >= 0 && index < static_cast<int>(out.size())) {
      out[index] = JobStatusFromText(row[1].c_str());
    }
  }
  return out;
}

Page<batch::v1::JobSummary> ListArrayChildren(pqxx::work& txn, const JobQuery& query, int limit) {
  int start = 0;
  if (!query.next_token.empty()) {
    start = static_cast<int>(PageTokenInt(DecodePageToken(kListing, query.next_token, 1)[0]));
  }
  std::vector<std::string> statuses;
  for (auto status : query.statuses.empty() ? api::AllJobStatuses() : query.statuses) {
    statuses.push_back(JobStatusText(status));
  }
  // The parent's word covers every index without a row; read them only when it is asked for.
  bool virtual_listed = false;
  auto virtual_status = txn.exec_prepared("array_virtual_status", query.array_job_id);
  if (!virtual_status.empty()) {
    const std::string status = virtual_status[0][0].c_str();
    virtual_listed = std::find(statuses.begin(), statuses.end(), status) != statuses.end();
  }
  auto rows = txn.exec_prepared(virtual_listed ? "array_list_all" : "array_list_rows",
                                query.array_job_id, start, ArrayLiteral(statuses), limit + 1);
  Page<batch::v1::JobSummary> page;
  for (const auto& row : rows) {
    if (static_cast<int>(page.items.size()) == limit) {
      page.next_token = EncodePageToken(kListing, {std::to_string(row["array_index"].as<int>())});
      break;
    }
    page.items.push_back(JobSummaryFromRow(row));
  }
  return page;
}

void StopArrayChildren(pqxx::work& txn, const JobDetail& parent, int64_t now_ms) {
  const bool terminate = parent.is_terminated();
  txn.exec_prepared("array_stop_waiting", parent.job_id(), parent.status_reason(), now_ms,
                    terminate);
  if (terminate) {
    txn.exec_prepared("array_terminate_running", parent.job_id(), parent.status_reason());
  }
}

}  // namespace batchd::store::internal
