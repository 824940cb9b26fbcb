// Job submission: many jobs per transaction, written with one multi-row INSERT per chunk.
#include <algorithm>
#include <array>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "api/api_error.h"
#include "api/array_jobs.h"
#include "api/names.h"
#include "api/text.h"
#include "store/array_children.h"
#include "store/batch_statement.h"
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

constexpr int kInsertColumns = 23;

// The jobs an insert skipped: their ids, or their clientTokens' earlier jobs.
constexpr char kStoredByIdsOrTokens[] =
    "SELECT job_id, client_token, job_name, request_fingerprint FROM jobs "
    "WHERE job_id = ANY($1::text[]) OR client_token = ANY($2::text[])";

// One statement per chunk: its queues locked FOR SHARE (none can be disabled or deleted
// until the jobs are committed) and the rows inserted only if every queue exists and is
// ENABLED; it answers the queues' states (kind 'q') and the ids inserted (kind 'j').
// unnest() turns one array per column into rows, so one prepared statement inserts any
// count. A conflict on any key inserts nothing: a reused clientToken, or this very job
// written by an earlier try whose outcome was unknown (its id is unique).
constexpr char kInsertJobs[] = R"sql(
WITH queues AS (
  SELECT name, state FROM job_queues WHERE name = ANY($24::text[]) ORDER BY name FOR SHARE
), inserted AS (
  INSERT INTO jobs (job_id, job_name, job_queue, job_definition, job_definition_name,
    job_definition_revision, status, status_reason, scheduling_priority, share_identifier,
    created_at, started_at, stopped_at, is_cancelled, is_terminated, array_job_id, array_index,
    array_size, client_token, request_fingerprint, spec, attempts, children_status)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[],
    $7::text[], $8::text[], $9::int[], $10::text[], $11::bigint[], $12::bigint[], $13::bigint[],
    $14::boolean[], $15::boolean[], $16::text[], $17::int[], $18::int[], $19::text[], $20::text[],
    $21::bytea[], $22::bytea[], $23::text[])
  WHERE (SELECT count(*) FROM queues WHERE state = 'ENABLED') = cardinality($24::text[])
  ON CONFLICT DO NOTHING
  RETURNING job_id
)
SELECT 'q', name, state FROM queues
UNION ALL SELECT 'j', job_id, '' FROM inserted
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

// Throws unless every one of `names` is among `states` and ENABLED.
void CheckQueues(const std::vector<std::string>& names,
                 const std::unordered_map<std::string, std::string>& states) {
  for (const auto& name : names) {
    auto it = states.find(name);
    if (it == states.end()) api::ThrowNotFound("job queue \"" + name + "\" not found");
    if (it->second != "ENABLED") {
      api::ThrowFailedPrecondition("job queue \"" + name + "\" is " + it->second +
                                   ": it accepts no new jobs");
    }
  }
}

void InsertChunk(pqxx::transaction_base& txn, const std::vector<PendingJob>& jobs, size_t begin,
                 size_t end, std::unordered_set<std::string>& inserted) {
  std::vector<std::string> queues;
  std::unordered_set<std::string> seen;
  for (size_t i = begin; i < end; ++i) {
    if (seen.insert(jobs[i].queue).second) queues.push_back(jobs[i].queue);
  }
  std::array<std::vector<std::optional<std::string>>, kInsertColumns> c;
  for (auto& column : c) column.reserve(end - begin);
  for (size_t i = begin; i < end; ++i) {
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
      ArrayLiteral(c[20]), ArrayLiteral(c[21]), ArrayLiteral(c[22]), ArrayLiteral(queues));
  std::unordered_map<std::string, std::string> states;
  for (const auto& row : rows) {
    if (*row[0].c_str() == 'q') {
      states[row[1].c_str()] = row[2].c_str();
    } else {
      inserted.insert(row[1].c_str());
    }
  }
  CheckQueues(queues, states);
}

SubmitJobResponse Response(const std::string& id, const std::string& name) {
  SubmitJobResponse response;
  response.set_job_arn(api::MakeArn(api::kJobKind, id));
  response.set_job_name(name);
  response.set_job_id(id);
  return response;
}

struct StoredJob {
  std::string job_id;
  std::string job_name;
  std::string fingerprint;
};

}  // namespace

void internal::PrepareJobStatements(pqxx::connection& conn) {
  conn.prepare("jobs_insert", kInsertJobs);
  conn.prepare("jobs_get_for_update", "SELECT " + std::string(kJobDetailColumns) +
                                          " FROM jobs WHERE job_id = $1 FOR UPDATE");
  conn.prepare("jobs_put",
               "UPDATE jobs SET status = $3, status_reason = $4, started_at = $5, "
               "stopped_at = $6, is_cancelled = $7, is_terminated = $8, attempts = $9, "
               "version = version + 1 WHERE job_id = $1 AND version = $2");
}

std::vector<SubmitJobResponse> internal::InsertNewJobs(pqxx::transaction_base& txn,
                                                       const std::vector<NewJob>& jobs) {
  if (jobs.empty()) return {};
  const int64_t now = api::EpochMillisNow();
  std::vector<PendingJob> pending;
  pending.reserve(jobs.size());
  for (const auto& job : jobs) {
    if (api::IsArrayChild(job.detail)) {
      throw api::ApiError(api::ErrorCode::kInternal, "array children are not inserted");
    }
    pending.push_back(Prepare(job, now));
  }
  std::unordered_set<std::string> inserted;
  for (size_t begin = 0; begin < pending.size(); begin += kInsertChunkRows) {
    InsertChunk(txn, pending, begin, std::min(pending.size(), begin + kInsertChunkRows), inserted);
  }

  // Jobs not inserted lost to a stored (or concurrently committed) clientToken, or were
  // inserted by an earlier try of this same call.
  std::vector<std::string> ids, tokens;
  for (const auto& job : jobs) {
    if (inserted.count(job.detail.job_id())) continue;
    ids.push_back(job.detail.job_id());
    if (!job.detail.client_token().empty()) tokens.push_back(job.detail.client_token());
  }
  std::unordered_set<std::string> stored_ids;
  std::map<std::string, StoredJob> stored;  // by clientToken
  if (!ids.empty()) {
    for (const auto& row :
         internal::ExecBatch(txn, kStoredByIdsOrTokens, ArrayLiteral(ids), ArrayLiteral(tokens))) {
      stored_ids.insert(row[0].c_str());
      if (!row[1].is_null()) {
        stored[row[1].c_str()] = {row[0].c_str(), row[2].c_str(), row[3].c_str()};
      }
    }
  }
  std::vector<SubmitJobResponse> responses;
  responses.reserve(jobs.size());
  for (const auto& job : jobs) {
    const auto& d = job.detail;
    if (inserted.count(d.job_id()) || stored_ids.count(d.job_id())) {
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
  const auto insert = [&](pqxx::transaction_base& txn) {
    return internal::InsertNewJobs(txn, jobs);
  };
  // One chunk is one statement, atomic by itself: no BEGIN and COMMIT round trips, which
  // were half of a single submit's time in the database. Not with a clientToken: a reused
  // one fails the whole call after the statement, and by then the rest would be committed.
  const bool tokens = std::any_of(jobs.begin(), jobs.end(), [](const NewJob& job) {
    return !job.detail.client_token().empty();
  });
  if (jobs.size() <= internal::kInsertChunkRows && !tokens) {
    return internal::InTransaction<pqxx::nontransaction>(*pool_, "jobs", insert);
  }
  return internal::InTransaction(*pool_, "jobs", insert);
}

}  // namespace batchd::store
