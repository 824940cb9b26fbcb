// Job submission: many jobs per transaction, written with one multi-row INSERT per chunk.
#include <array>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "api/api_error.h"
#include "api/array_jobs.h"
#include "api/names.h"
#include "api/text.h"
#include "store/array_children.h"
#include "store/connection_pool.h"
#include "store/jobs_insert.h"
#include "store/row_codec.h"
#include "store/statements.h"
#include "store/store.h"
#include "store/transaction.h"

namespace batchd::store {
namespace {

using batch::v1::JobDetail;
using batch::v1::SubmitJobResponse;
using internal::ArrayLiteral;

// Rows per INSERT: large enough to amortise the round trip, small enough to bound the size of
// one statement's parameters (a few MB).
constexpr size_t kChunkRows = 1000;
constexpr int kInsertColumns = 23;

// unnest() turns one array per column into rows, so one prepared statement inserts any count.
constexpr char kInsertJobs[] = R"sql(
INSERT INTO jobs (job_id, job_name, job_queue, job_definition, job_definition_name,
  job_definition_revision, status, status_reason, scheduling_priority, share_identifier,
  created_at, started_at, stopped_at, is_cancelled, is_terminated, array_job_id, array_index,
  array_size, client_token, request_fingerprint, spec, attempts, children_status)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[],
  $7::text[], $8::text[], $9::int[], $10::text[], $11::bigint[], $12::bigint[], $13::bigint[],
  $14::boolean[], $15::boolean[], $16::text[], $17::int[], $18::int[], $19::text[], $20::text[],
  $21::bytea[], $22::bytea[], $23::text[])
ON CONFLICT (client_token) DO NOTHING
RETURNING job_id
)sql";

// A job ready to be written: derived columns computed before the transaction starts.
struct PendingJob {
  const NewJob* input;
  std::string queue;
  api::DefinitionRef definition;
  std::string spec;  // serialized JobDetail without attempts
  int64_t created_at;
};

std::optional<std::string> Text(const std::string& s) { return s; }
std::optional<std::string> Number(int64_t n) { return std::to_string(n); }
std::optional<std::string> Bool(bool b) { return b ? "t" : "f"; }
std::optional<std::string> OptionalNumber(int64_t n) {
  if (n == 0) return std::nullopt;
  return std::to_string(n);
}

PendingJob Prepare(const NewJob& job, int64_t now) {
  const JobDetail& d = job.detail;
  PendingJob p{&job, api::NameFromRef("jobQueue", d.job_queue(), api::kJobQueueKind),
               api::ParseDefinitionRef("jobDefinition", d.job_definition()), "",
               d.created_at() != 0 ? d.created_at() : now};
  JobDetail spec = d;
  spec.clear_attempts();
  spec.set_created_at(p.created_at);
  p.spec = spec.SerializeAsString();
  return p;
}

void InsertChunk(pqxx::work& txn, const std::vector<PendingJob>& jobs,
                 const std::vector<size_t>& chunk, std::unordered_set<std::string>& inserted) {
  std::array<std::vector<std::optional<std::string>>, kInsertColumns> c;
  for (auto& column : c) column.reserve(chunk.size());
  for (size_t i : chunk) {
    const PendingJob& p = jobs[i];
    const JobDetail& d = p.input->detail;
    int k = 0;
    c[k++].push_back(Text(d.job_id()));
    c[k++].push_back(Text(d.job_name()));
    c[k++].push_back(Text(p.queue));
    c[k++].push_back(Text(d.job_definition()));
    c[k++].push_back(Text(p.definition.name));
    c[k++].push_back(p.definition.revision ? Number(*p.definition.revision) : std::nullopt);
    c[k++].push_back(Text(internal::JobStatusText(d.status())));
    c[k++].push_back(Text(d.status_reason()));
    c[k++].push_back(Number(d.scheduling_priority()));
    c[k++].push_back(Text(d.share_identifier()));
    c[k++].push_back(Number(p.created_at));
    c[k++].push_back(OptionalNumber(d.started_at()));
    c[k++].push_back(OptionalNumber(d.stopped_at()));
    c[k++].push_back(Bool(d.is_cancelled()));
    c[k++].push_back(Bool(d.is_terminated()));
    c[k++].push_back(std::nullopt);  // array_job_id: children are not submitted
    c[k++].push_back(std::nullopt);
    c[k++].push_back(Number(d.array_properties().size()));
    c[k++].push_back(d.client_token().empty() ? std::nullopt : Text(d.client_token()));
    c[k++].push_back(Text(p.input->request_fingerprint));
    c[k++].push_back(internal::ByteaText(p.spec));
    c[k++].push_back(internal::ByteaText(internal::AttemptsBytes(d)));
    c[k++].push_back(p.input->children_status == batch::v1::JobStatus::JOB_STATUS_UNSPECIFIED
                         ? std::nullopt
                         : Text(internal::JobStatusText(p.input->children_status)));
  }
  auto rows = txn.exec_prepared(
      "jobs_insert", ArrayLiteral(c[0]), ArrayLiteral(c[1]), ArrayLiteral(c[2]), ArrayLiteral(c[3]),
      ArrayLiteral(c[4]), ArrayLiteral(c[5]), ArrayLiteral(c[6]), ArrayLiteral(c[7]),
      ArrayLiteral(c[8]), ArrayLiteral(c[9]), ArrayLiteral(c[10]), ArrayLiteral(c[11]),
      ArrayLiteral(c[12]), ArrayLiteral(c[13]), ArrayLiteral(c[14]), ArrayLiteral(c[15]),
      ArrayLiteral(c[16]), ArrayLiteral(c[17]), ArrayLiteral(c[18]), ArrayLiteral(c[19]),
      ArrayLiteral(c[20]), ArrayLiteral(c[21]), ArrayLiteral(c[22]));
  for (const auto& row : rows) inserted.insert(row[0].c_str());
}

void InsertAll(pqxx::work& txn, const std::vector<PendingJob>& jobs,
               const std::vector<size_t>& which, std::unordered_set<std::string>& inserted) {
  for (size_t start = 0; start < which.size(); start += kChunkRows) {
    std::vector<size_t> chunk(which.begin() + start,
                              which.begin() + std::min(which.size(), start + kChunkRows));
    InsertChunk(txn, jobs, chunk, inserted);
  }
}

// FOR SHARE: a queue cannot be disabled or deleted until these jobs are committed.
void LockQueues(pqxx::work& txn, const std::vector<PendingJob>& jobs) {
  std::vector<std::string> names;
  std::unordered_set<std::string> seen;
  for (const auto& p : jobs) {
    if (seen.insert(p.queue).second) names.push_back(p.queue);
  }
  std::unordered_map<std::string, std::string> states;
  for (const auto& row : txn.exec_prepared("jobs_lock_queues", ArrayLiteral(names))) {
    states[row[0].c_str()] = row[1].c_str();
  }
  for (const auto& name : names) {
    auto it = states.find(name);
    if (it == states.end()) api::ThrowNotFound("job queue \"" + name + "\" not found");
    if (it->second != "ENABLED") {
      api::ThrowFailedPrecondition("job queue \"" + name + "\" is " + it->second +
                                   ": it accepts no new jobs");
    }
  }
}

SubmitJobResponse Response(const std::string& id, const std::string& name) {
  SubmitJobResponse response;
  response.set_job_arn(api::MakeArn(api::kJobKind, id));
  response.set_job_name(name);
  response.set_job_id(id);
  return response;
}

struct StoredToken {
  std::string job_id;
  std::string job_name;
  std::string fingerprint;
};

}  // namespace

void internal::PrepareJobStatements(pqxx::connection& conn) {
  conn.prepare("jobs_insert", kInsertJobs);
  conn.prepare("jobs_lock_queues",
               "SELECT name, state FROM job_queues WHERE name = ANY($1::text[]) "
               "ORDER BY name FOR SHARE");
  conn.prepare("jobs_by_tokens",
               "SELECT client_token, job_id, job_name, request_fingerprint FROM jobs "
               "WHERE client_token = ANY($1::text[])");
  conn.prepare("jobs_describe", "SELECT " + std::string(kJobDetailColumns) +
                                    " FROM jobs WHERE job_id = ANY($1::text[])");
  conn.prepare("jobs_array_status",
               "SELECT array_job_id, status, count(*) FROM jobs "
               "WHERE array_job_id = ANY($1::text[]) GROUP BY array_job_id, status "
               "UNION ALL SELECT p.job_id, " +
                   std::string(internal::kVirtualChildStatus) +
                   ", -1 FROM jobs p WHERE p.job_id = ANY($1::text[])");
  conn.prepare("jobs_statuses", "SELECT job_id, status FROM jobs WHERE job_id = ANY($1::text[])");
  conn.prepare("jobs_get_for_update", "SELECT " + std::string(kJobDetailColumns) +
                                          " FROM jobs WHERE job_id = $1 FOR UPDATE");
  conn.prepare("jobs_put",
               "UPDATE jobs SET status = $3, status_reason = $4, started_at = $5, "
               "stopped_at = $6, is_cancelled = $7, is_terminated = $8, attempts = $9, "
               "version = version + 1 WHERE job_id = $1 AND version = $2");
}

std::vector<SubmitJobResponse> internal::InsertNewJobs(pqxx::work& txn,
                                                       const std::vector<NewJob>& jobs) {
  if (jobs.empty()) return {};
  const int64_t now = api::EpochMillisNow();
  std::vector<PendingJob> pending;
  pending.reserve(jobs.size());
  std::vector<size_t> all;
  for (const auto& job : jobs) {
    if (api::IsArrayChild(job.detail)) {
      throw api::ApiError(api::ErrorCode::kInternal, "array children are not inserted");
    }
    all.push_back(pending.size());
    pending.push_back(Prepare(job, now));
  }
  LockQueues(txn, pending);
  std::unordered_set<std::string> inserted;
  InsertAll(txn, pending, all, inserted);

  // Jobs not inserted lost to a stored (or concurrently committed) clientToken.
  std::vector<std::string> tokens;
  for (const auto& job : jobs) {
    if (!inserted.count(job.detail.job_id())) tokens.push_back(job.detail.client_token());
  }
  std::map<std::string, StoredToken> stored;
  if (!tokens.empty()) {
    for (const auto& row : txn.exec_prepared("jobs_by_tokens", ArrayLiteral(tokens))) {
      stored[row[0].c_str()] = {row[1].c_str(), row[2].c_str(), row[3].c_str()};
    }
  }
  std::vector<SubmitJobResponse> responses;
  responses.reserve(jobs.size());
  for (const auto& job : jobs) {
    const auto& d = job.detail;
    if (inserted.count(d.job_id())) {
      responses.push_back(Response(d.job_id(), d.job_name()));
      continue;
    }
    auto it = stored.find(d.client_token());
    if (d.client_token().empty() || it == stored.end()) {
      throw api::ApiError(api::ErrorCode::kInternal,
                          "job " + d.job_id() + " was neither inserted nor a duplicate");
    }
    if (it->second.fingerprint != job.request_fingerprint) {
      api::ThrowAlreadyExists("clientToken \"" + d.client_token() + "\" was already used for job " +
                              it->second.job_id + " with a different request");
    }
    responses.push_back(Response(it->second.job_id, it->second.job_name));
  }
  return responses;
}

std::vector<SubmitJobResponse> Store::InsertJobs(const std::vector<NewJob>& jobs) {
  if (jobs.empty()) return {};
  return internal::InTransaction(
      *pool_, "jobs", [&](pqxx::work& txn) { return internal::InsertNewJobs(txn, jobs); });
}

}  // namespace batchd::store
