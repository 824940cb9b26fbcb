// Job queues, and the queue -> compute environment links that say which queues use an
// environment.
#include <set>

#include <pqxx/except>

#include "api/api_error.h"
#include "api/names.h"
#include "api/text.h"
#include "store/connection_pool.h"
#include "store/page_token.h"
#include "store/row_codec.h"
#include "store/statements.h"
#include "store/store.h"
#include "store/transaction.h"

namespace batchd::store {
namespace {

using batch::v1::JobQueueDetail;
using internal::FromBytea;
using internal::InTransaction;
using internal::ToBytea;

constexpr std::string_view kListing = "job-queues";

std::string What(const std::string& name) { return "job queue \"" + name + "\""; }

std::string StateText(const JobQueueDetail& queue) {
  return batch::v1::JQState::Value_Name(queue.state());
}

// Checks that every environment of the queue exists, locking each (FOR KEY SHARE) so none
// can be deleted before this transaction commits, then rewrites the queue's links.
void WriteEnvironmentLinks(pqxx::work& txn, const JobQueueDetail& queue) {
  std::vector<std::string> names;
  std::vector<std::string> orders;
  std::set<std::string> seen;
  for (int i = 0; i < queue.compute_environment_order_size(); ++i) {
    const auto& entry = queue.compute_environment_order(i);
    const std::string field =
        "computeEnvironmentOrder[" + std::to_string(i) + "].computeEnvironment";
    std::string name =
        api::NameFromRef(field, entry.compute_environment(), api::kComputeEnvironmentKind);
    auto found =
        txn.exec_params("SELECT 1 FROM compute_environments WHERE name = $1 FOR KEY SHARE", name);
    if (found.empty()) {
      api::ThrowInvalid(field, "compute environment \"" + name + "\" does not exist");
    }
    if (!seen.insert(name).second) continue;
    names.push_back(name);
    orders.push_back(std::to_string(entry.order()));
  }
  txn.exec_params("DELETE FROM job_queue_compute_environments WHERE queue = $1",
                  queue.job_queue_name());
  if (names.empty()) return;
  txn.exec_params(
      "INSERT INTO job_queue_compute_environments (queue, compute_environment, ce_order) "
      "SELECT $1, ce, ord FROM unnest($2::text[], $3::int[]) AS t (ce, ord)",
      queue.job_queue_name(), internal::ArrayLiteral(names), internal::ArrayLiteral(orders));
}

}  // namespace

void internal::PrepareQueueStatements(pqxx::connection& conn) {
  conn.prepare("queues_get", "SELECT detail FROM job_queues WHERE name = $1");
}

void Store::CreateJobQueue(const JobQueueDetail& input) {
  JobQueueDetail queue = input;
  if (queue.created_at() == 0) queue.set_created_at(api::EpochMillisNow());
  if (queue.updated_at() == 0) queue.set_updated_at(queue.created_at());
  const std::string& name = queue.job_queue_name();
  InTransaction(*pool_, What(name), [&](pqxx::work& txn) {
    auto result = txn.exec_params(
        "INSERT INTO job_queues (name, state, priority, detail, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING",
        name, StateText(queue), queue.priority(), ToBytea(queue), queue.created_at(),
        queue.updated_at());
    if (result.affected_rows() == 0) api::ThrowAlreadyExists(What(name) + " already exists");
    WriteEnvironmentLinks(txn, queue);
  });
}

std::optional<JobQueueDetail> Store::GetJobQueue(const std::string& name) {
  // One statement, prepared: ListJobs asks this before every listing of a queue.
  return InTransaction<pqxx::nontransaction>(*pool_, What(name),
                                             [&](auto& txn) -> std::optional<JobQueueDetail> {
                                               auto rows = txn.exec_prepared("queues_get", name);
                                               if (rows.empty()) return std::nullopt;
                                               JobQueueDetail queue;
                                               FromBytea(rows[0][0], &queue, What(name));
                                               return queue;
                                             });
}

Page<JobQueueDetail> Store::DescribeJobQueues(const std::vector<std::string>& names,
                                              int max_results, const std::string& next_token) {
  const int limit = internal::PageSize(max_results);
  std::string after;
  if (!next_token.empty()) after = internal::DecodePageToken(kListing, next_token, 1)[0];
  return InTransaction(*pool_, "job queues", [&](pqxx::work& txn) {
    auto rows = txn.exec_params(
        "SELECT name, detail FROM job_queues "
        "WHERE ($1::boolean OR name = ANY($2::text[])) AND name > $3 "
        "ORDER BY name LIMIT $4",
        names.empty(), internal::ArrayLiteral(names), after, limit + 1);
    Page<JobQueueDetail> page;
    for (const auto& row : rows) {
      if (static_cast<int>(page.items.size()) == limit) {
        page.next_token = internal::EncodePageToken(kListing, {page.items.back().job_queue_name()});
        break;
      }
      FromBytea(row["detail"], &page.items.emplace_back(), What(row["name"].c_str()));
    }
    return page;
  });
}

JobQueueDetail Store::UpdateJobQueue(const std::string& name,
                                     const std::function<void(JobQueueDetail&)>& mutate) {
  return InTransaction(*pool_, What(name), [&](pqxx::work& txn) {
    auto rows = txn.exec_params("SELECT version, detail FROM job_queues WHERE name = $1", name);
    if (rows.empty()) api::ThrowNotFound(What(name) + " not found");
    const auto version = rows[0]["version"].as<int64_t>();
    JobQueueDetail queue;
    FromBytea(rows[0]["detail"], &queue, What(name));
    const int64_t updated_before = queue.updated_at();
    mutate(queue);
    if (queue.job_queue_name() != name) api::ThrowInvalid("jobQueueName", "cannot be changed");
    if (queue.updated_at() == updated_before) queue.set_updated_at(api::EpochMillisNow());
    auto result = txn.exec_params(
        "UPDATE job_queues SET state = $2, priority = $3, detail = $4, updated_at = $5, "
        "version = version + 1 WHERE name = $1 AND version = $6",
        name, StateText(queue), queue.priority(), ToBytea(queue), queue.updated_at(), version);
    if (result.affected_rows() == 0) throw internal::LostRace{};
    WriteEnvironmentLinks(txn, queue);
    return queue;
  });
}

void Store::DeleteJobQueue(
    const std::string& name,
    const std::function<void(const JobQueueDetail&, int64_t unfinished_jobs)>& check) {
  InTransaction(*pool_, What(name), [&](pqxx::work& txn) {
    // FOR UPDATE waits for submissions holding the queue FOR SHARE, so their jobs are counted.
    auto rows = txn.exec_params("SELECT detail FROM job_queues WHERE name = $1 FOR UPDATE", name);
    if (rows.empty()) api::ThrowNotFound(What(name) + " not found");
    JobQueueDetail queue;
    FromBytea(rows[0]["detail"], &queue, What(name));
    auto unfinished =
        txn.exec_params1(
               "SELECT count(*) FROM jobs WHERE job_queue = $1 "
               "AND status IN ('SUBMITTED', 'PENDING', 'RUNNABLE', 'STARTING', 'RUNNING')",
               name)[0]
            .as<int64_t>();
    check(queue, unfinished);
    txn.exec_params("DELETE FROM job_queues WHERE name = $1", name);
  });
}

}  // namespace batchd::store
