// The scheduler's event loop: loading the live jobs on start and writing many jobs'
// transitions (with the logs that came with them) in one transaction.
#include <array>

#include "api/api_error.h"
#include "store/array_children.h"
#include "store/connection_pool.h"
#include "store/job_logs.h"
#include "store/row_codec.h"
#include "store/statements.h"
#include "store/store.h"
#include "store/transaction.h"

namespace batchd::store {
namespace {

using batch::v1::JobDetail;
using internal::ArrayLiteral;

// The order the scheduler takes in its RUNNABLE jobs: its queues' order.
constexpr char kLoadOrder[] = "ORDER BY scheduling_priority DESC, created_at, job_id";

constexpr int kUpdateColumns = 8;

// The columns UpdateJob writes, for every changed row at once. The rows are locked by the
// SELECT ... FOR UPDATE before it, so no version check is needed.
constexpr char kUpdateJobs[] = R"sql(
UPDATE jobs AS j SET status = u.status, status_reason = u.status_reason,
  started_at = u.started_at, stopped_at = u.stopped_at, is_cancelled = u.is_cancelled,
  is_terminated = u.is_terminated, attempts = u.attempts, version = j.version + 1
FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::boolean[],
  $7::boolean[], $8::bytea[])
  AS u(job_id, status, status_reason, started_at, stopped_at, is_cancelled, is_terminated,
    attempts)
WHERE j.job_id = u.job_id
)sql";

std::optional<std::string> OptionalNumber(int64_t n) {
  if (n == 0) return std::nullopt;
  return std::to_string(n);
}

void WriteBack(pqxx::work& txn, const std::vector<JobDetail>& changed) {
  std::array<std::vector<std::optional<std::string>>, kUpdateColumns> c;
  for (auto& column : c) column.reserve(changed.size());
  for (const auto& job : changed) {
    int k = 0;
    c[k++].push_back(job.job_id());
    c[k++].push_back(internal::JobStatusText(job.status()));
    c[k++].push_back(job.status_reason());
    c[k++].push_back(OptionalNumber(job.started_at()));
    c[k++].push_back(OptionalNumber(job.stopped_at()));
    c[k++].push_back(job.is_cancelled() ? "t" : "f");
    c[k++].push_back(job.is_terminated() ? "t" : "f");
    c[k++].push_back(internal::ByteaText(internal::AttemptsBytes(job)));
  }
  auto result = txn.exec_prepared("jobs_update_batch", ArrayLiteral(c[0]), ArrayLiteral(c[1]),
                                  ArrayLiteral(c[2]), ArrayLiteral(c[3]), ArrayLiteral(c[4]),
                                  ArrayLiteral(c[5]), ArrayLiteral(c[6]), ArrayLiteral(c[7]));
  if (result.affected_rows() != changed.size()) {
    throw api::ApiError(api::ErrorCode::kInternal,
                        "updated " + std::to_string(result.affected_rows()) + " of " +
                            std::to_string(changed.size()) + " locked jobs");
  }
}

// Locked in id order: two batches sharing jobs wait for each other instead of deadlocking.
const std::string& LockJobsSql() {
  static const std::string sql = "SELECT " + std::string(internal::kJobDetailColumns) +
                                 " FROM jobs WHERE job_id = ANY($1::text[]) "
                                 "ORDER BY job_id FOR UPDATE";
  return sql;
}

}  // namespace

// The dispatcher locks and writes a few jobs many times a second, and planning those two
// statements for each batch cost PostgreSQL more than running them (custom plans: a prepared
// statement with an array never earns a generic one). They keep one generic plan each; made
// with sequential scans and hash and merge joins off, that plan probes the primary key
// whatever size the table had when it was made. Left to itself, PostgreSQL plans a scan of a
// table that is empty then, and keeps scanning as it grows until an ANALYZE replans (see
// batch_statement.h). LOCAL: the settings end with the transaction.
const char internal::kPrimaryKeyPlans[] =
    "SET LOCAL plan_cache_mode = force_generic_plan; SET LOCAL enable_seqscan = off; "
    "SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off";

void internal::PrepareDispatchStatements(pqxx::connection& conn) {
  // One snapshot for every status, so a job moving between two of them is seen once.
  conn.prepare("jobs_load", "SELECT " + std::string(kJobDetailColumns) +
                                " FROM jobs WHERE status = ANY($1::text[]) " + kLoadOrder);
  conn.prepare("jobs_lock_batch", LockJobsSql());
  conn.prepare("jobs_update_batch", kUpdateJobs);
}

std::vector<JobDetail> Store::LoadJobs(const std::vector<batch::v1::JobStatus::Value>& statuses) {
  if (statuses.empty()) return {};
  std::vector<std::string> texts;
  texts.reserve(statuses.size());
  for (auto status : statuses) texts.push_back(internal::JobStatusText(status));
  return internal::InTransaction(*pool_, "jobs", [&](pqxx::work& txn) {
    auto rows = txn.exec_prepared("jobs_load", ArrayLiteral(texts));
    std::vector<JobDetail> jobs;
    jobs.reserve(rows.size());
    for (const auto& row : rows) jobs.push_back(internal::JobFromRow(row));
    return jobs;
  });
}

void Store::ForEachJob(const std::vector<batch::v1::JobStatus::Value>& statuses,
                       const std::function<void(const JobDetail&)>& each) {
  if (statuses.empty()) return;
  std::vector<std::string> texts;
  for (auto status : statuses) texts.push_back(internal::JobStatusText(status));
  internal::InTransaction(*pool_, "jobs", [&](pqxx::work& txn) {
    txn.exec("DECLARE jobs_load_cursor NO SCROLL CURSOR FOR SELECT " +
             std::string(internal::kJobDetailColumns) + " FROM jobs WHERE status = ANY(" +
             txn.quote(ArrayLiteral(texts)) + "::text[]) " + kLoadOrder);
    for (;;) {
      const pqxx::result rows = txn.exec("FETCH 10000 FROM jobs_load_cursor");
      if (rows.empty()) break;
      for (const auto& row : rows) each(internal::JobFromRow(row));
    }
  });
}

std::vector<JobDetail> Store::UpdateJobs(const std::vector<std::string>& ids,
                                         const std::function<bool(JobDetail&)>& mutate,
                                         const std::vector<LogRecord>& logs) {
  if (ids.empty() && logs.empty()) return {};
  internal::CheckLogRecords(logs);
  const std::string id_array = ArrayLiteral(ids);
  return internal::InTransaction(*pool_, "jobs", [&](pqxx::work& txn) {
    std::vector<JobDetail> changed;
    if (!ids.empty()) {
      txn.exec(internal::kPrimaryKeyPlans);
      internal::MaterializeChildren(txn, ids);
      auto rows = txn.exec_prepared("jobs_lock_batch", id_array);
      changed.reserve(rows.size());
      for (const auto& row : rows) {
        JobDetail job = internal::JobFromRow(row);
        const std::string id = job.job_id();
        if (!mutate(job)) continue;
        if (job.job_id() != id) api::ThrowInvalid("jobId", "cannot be changed");
        changed.push_back(std::move(job));
      }
      if (!changed.empty()) WriteBack(txn, changed);
    }
    internal::InsertLogs(txn, logs);
    return changed;
  });
}

}  // namespace batchd::store
