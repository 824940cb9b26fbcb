// Reading jobs (DescribeJobs, ListJobs) and the read-mutate-write of one job (UpdateJob).
#include <cstdio>
#include <mutex>
#include <optional>
#include <pqxx/prepared_statement>
#include <unordered_map>

#include "api/api_error.h"
#include "api/array_jobs.h"
#include "api/job_states.h"
#include "store/array_children.h"
#include "store/batch_statement.h"
#include "store/connection_pool.h"
#include "store/page_token.h"
#include "store/row_codec.h"
#include "store/store.h"
#include "store/transaction.h"

namespace batchd::store {
namespace {

using batch::v1::JobDetail;
using batch::v1::JobStatus;
using batch::v1::JobSummary;

constexpr std::string_view kListing = "jobs";

// Builds a statement's text and its parameters together, so each value gets the right $n.
class Params {
 public:
  std::string Add(std::string value, std::string_view type) {
    values_.push_back(std::move(value));
    return "$" + std::to_string(values_.size()) + "::" + std::string(type);
  }
  const std::vector<std::string>& values() const { return values_; }

 private:
  std::vector<std::string> values_;
};

std::string Conditions(const JobQuery& q, Params& p) {
  // Array children are listed only by their array (ListArrayChildren).
  std::string where = "array_job_id IS NULL";
  if (!q.queue.empty()) where += " AND job_queue = " + p.Add(q.queue, "text");
  if (!q.name_exact.empty()) {
    where += " AND lower(job_name) = lower(" + p.Add(q.name_exact, "text") + ")";
  } else if (!q.name_prefix.empty()) {
    where +=
        " AND lower(job_name) LIKE " + p.Add(internal::LikePrefixPattern(q.name_prefix), "text");
  }
  if (!q.definition_name.empty()) {
    if (q.definition_is_prefix) {
      where += " AND lower(job_definition_name) LIKE " +
               p.Add(internal::LikePrefixPattern(q.definition_name), "text");
    } else {
      where += " AND job_definition_name = " + p.Add(q.definition_name, "text");
    }
    if (q.definition_revision) {
      where +=
          " AND job_definition_revision = " + p.Add(std::to_string(*q.definition_revision), "int");
    }
  }
  if (q.created_before) {
    where += " AND created_at < " + p.Add(std::to_string(*q.created_before), "bigint");
  }
  if (q.created_after) {
    where += " AND created_at > " + p.Add(std::to_string(*q.created_after), "bigint");
  }
  if (!q.next_token.empty()) {
    auto key = internal::DecodePageToken(kListing, q.next_token, 2);
    where += " AND (created_at, job_id) < (" +
             p.Add(std::to_string(internal::PageTokenInt(key[0])), "bigint") + ", " +
             p.Add(key[1], "text") + ")";
  }
  return where;
}

// One index range scan per status (each index is ordered by created_at within a status),
// merged; a single `status = ANY(...)` would have to sort every matching row. A listing of
// every status does the same over all of them: no index serves it alone (migration 6).
std::string ListSql(const JobQuery& q, Params& p, int limit) {
  const std::string where = Conditions(q, p);
  const std::string order = " ORDER BY created_at DESC, job_id DESC LIMIT " + std::to_string(limit);
  const std::string select = "SELECT " + std::string(internal::kJobSummaryColumns) + " FROM jobs";
  const std::vector<JobStatus::Value> statuses =
      q.statuses.empty() ? api::AllJobStatuses() : q.statuses;
  std::string sql = "SELECT * FROM (";
  for (size_t i = 0; i < statuses.size(); ++i) {
    if (i > 0) sql += " UNION ALL ";
    sql += "(" + select + " WHERE " + where +
           " AND status = " + p.Add(internal::JobStatusText(statuses[i]), "text") + order + ")";
  }
  return sql + ") AS t" + order;
}

// Listings are prepared by their text, so a client polling the same listing is planned a few
// times per connection rather than on every call: planning the per-status union took 0.85 of
// the 1.0 ms a two-row page cost (bench --statements, turnover). PostgreSQL still plans the
// first calls for their values and keeps a generic plan only where it costs no more. Texts
// differ by filters, statuses and page size; past kMaxListings of them (a client trying every
// page size, say) the others are sent unprepared, as are texts whose names collide.
constexpr size_t kMaxListings = 256;

std::optional<std::string> ListingStatementName(const std::string& sql) {
  static std::mutex mu;
  static auto* const texts = new std::unordered_map<std::string, std::string>;  // name -> text
  char name[32];
  std::snprintf(name, sizeof name, "jobs_list_%016zx", std::hash<std::string>{}(sql));
  std::lock_guard lock(mu);
  if (auto it = texts->find(name); it != texts->end()) {
    if (it->second != sql) return std::nullopt;
    return it->first;
  }
  if (texts->size() >= kMaxListings) return std::nullopt;
  texts->emplace(name, sql);
  return name;
}

void FillArrayStatus(pqxx::work& txn, std::unordered_map<std::string, JobDetail>& jobs) {
  std::vector<std::string> parents;
  for (auto& [id, job] : jobs) {
    if (job.array_properties().size() > 0 && !job.array_properties().has_index()) {
      parents.push_back(id);
      auto* summary = job.mutable_array_properties()->mutable_status_summary();
      for (auto status : api::AllJobStatuses()) (*summary)[internal::JobStatusText(status)] = 0;
    }
  }
  if (parents.empty()) return;
  // Counts of the children's rows, and (count -1) the status of those without one.
  std::unordered_map<std::string, std::string> virtual_status;
  std::unordered_map<std::string, int> with_rows;
  static const std::string array_status =
      "SELECT array_job_id, status, count(*) FROM jobs "
      "WHERE array_job_id = ANY($1::text[]) GROUP BY array_job_id, status "
      "UNION ALL SELECT p.job_id, " +
      std::string(internal::kVirtualChildStatus) +
      ", -1 FROM jobs p WHERE p.job_id = ANY($1::text[])";
  for (const auto& row : internal::ExecBatch(txn, array_status, internal::ArrayLiteral(parents))) {
    const std::string parent = row[0].c_str();
    const int count = row[2].as<int>();
    if (count < 0) {
      virtual_status[parent] = row[1].c_str();
      continue;
    }
    (*jobs[parent].mutable_array_properties()->mutable_status_summary())[row[1].c_str()] = count;
    with_rows[parent] += count;
  }
  for (const auto& [parent, status] : virtual_status) {
    auto& array = *jobs[parent].mutable_array_properties();
    (*array.mutable_status_summary())[status] += array.size() - with_rows[parent];
  }
}

}  // namespace

std::vector<JobDetail> Store::DescribeJobs(const std::vector<std::string>& ids) {
  if (ids.empty()) return {};
  return internal::InTransaction(*pool_, "jobs", [&](pqxx::work& txn) {
    std::unordered_map<std::string, JobDetail> found;
    static const std::string describe = "SELECT " + std::string(internal::kJobDetailColumns) +
                                        " FROM jobs WHERE job_id = ANY($1::text[])";
    for (const auto& row : internal::ExecBatch(txn, describe, internal::ArrayLiteral(ids))) {
      found.emplace(row["job_id"].c_str(), internal::JobFromRow(row));
    }
    for (auto& child : internal::VirtualChildren(txn, ids)) {
      std::string id = child.job_id();
      found.emplace(std::move(id), std::move(child));
    }
    FillArrayStatus(txn, found);
    std::vector<JobDetail> jobs;
    for (const auto& id : ids) {
      auto it = found.find(id);
      if (it == found.end()) continue;
      jobs.push_back(std::move(it->second));
      found.erase(it);  // a repeated id is described once
    }
    return jobs;
  });
}

Page<JobSummary> Store::ListJobs(const JobQuery& query) {
  const int limit = internal::PageSize(query.max_results);
  if (!query.array_job_id.empty()) {
    return internal::InTransaction(*pool_, "jobs", [&](pqxx::work& txn) {
      return internal::ListArrayChildren(txn, query, limit);
    });
  }
  Params params;
  const std::string sql = ListSql(query, params, limit + 1);
  const std::optional<std::string> statement = ListingStatementName(sql);
  // One statement: no BEGIN and COMMIT round trips.
  return internal::InTransaction<pqxx::nontransaction>(*pool_, "jobs", [&](auto& txn) {
    const auto values = pqxx::prepare::make_dynamic_params(params.values());
    pqxx::result rows;
    if (statement) {
      txn.conn().prepare(*statement, sql);  // once per connection; then a lookup
      rows = txn.exec_prepared(*statement, values);
    } else {
      rows = txn.exec_params(sql, values);
    }
    Page<JobSummary> page;
    for (const auto& row : rows) {
      if (static_cast<int>(page.items.size()) == limit) {
        const auto& last = page.items.back();
        page.next_token =
            internal::EncodePageToken(kListing, {std::to_string(last.created_at()), last.job_id()});
        break;
      }
      page.items.push_back(internal::JobSummaryFromRow(row));
    }
    return page;
  });
}

namespace {
JobDetail UpdateJobWith(
    ConnectionPool& pool, const std::string& job_id, const std::function<void(JobDetail&)>& mutate,
    const std::function<void(pqxx::work&, const JobDetail&, const JobDetail&)>& also) {
  const std::string what = "job \"" + job_id + "\"";
  return internal::InTransaction(pool, what, [&](pqxx::work& txn) {
    internal::MaterializeChildren(txn, {job_id});
    auto rows = txn.exec_prepared("jobs_get_for_update", job_id);
    if (rows.empty()) api::ThrowNotFound(what + " not found");
    const auto version = rows[0]["version"].as<int64_t>();
    JobDetail job = internal::JobFromRow(rows[0]);
    const JobDetail before = job;
    mutate(job);
    if (job.job_id() != job_id) api::ThrowInvalid("jobId", "cannot be changed");
    auto result = txn.exec_prepared(
        "jobs_put", job_id, version, internal::JobStatusText(job.status()), job.status_reason(),
        internal::NullIfZero(job.started_at()), internal::NullIfZero(job.stopped_at()),
        job.is_cancelled(), job.is_terminated(), pqxx::binarystring(internal::AttemptsBytes(job)));
    if (result.affected_rows() == 0) throw internal::LostRace{};
    if (also) also(txn, before, job);
    return job;
  });
}
}  // namespace

JobDetail Store::UpdateJob(const std::string& job_id,
                           const std::function<void(JobDetail&)>& mutate) {
  return UpdateJobWith(*pool_, job_id, mutate, nullptr);
}

JobDetail Store::StopJob(const std::string& job_id, const std::function<void(JobDetail&)>& mutate,
                         int64_t now_ms) {
  return UpdateJobWith(*pool_, job_id, mutate,
                       [&](pqxx::work& txn, const JobDetail& before, const JobDetail& after) {
                         const bool stopped = (after.is_cancelled() && !before.is_cancelled()) ||
                                              (after.is_terminated() && !before.is_terminated());
                         if (api::IsArrayParent(after) && stopped)
                           internal::StopArrayChildren(txn, after, now_ms);
                       });
}

std::map<std::string, JobStatus::Value> Store::JobStatuses(const std::vector<std::string>& ids) {
  std::map<std::string, JobStatus::Value> out;
  if (ids.empty()) return out;
  return internal::InTransaction(*pool_, "jobs", [&](pqxx::work& txn) {
    out.clear();
    for (const auto& row :
         internal::ExecBatch(txn, "SELECT job_id, status FROM jobs WHERE job_id = ANY($1::text[])",
                             internal::ArrayLiteral(ids))) {
      out[row[0].c_str()] = internal::JobStatusFromText(row[1].c_str());
    }
    for (auto& [id, status] : internal::VirtualChildStatuses(txn, ids)) out[id] = status;
    return out;
  });
}

std::vector<JobStatus::Value> Store::ArrayChildStatuses(const std::string& parent_id) {
  return internal::InTransaction(
      *pool_, "jobs", [&](pqxx::work& txn) { return internal::ChildStatuses(txn, parent_id); });
}

void Store::ReleaseArrays(const std::vector<std::pair<std::string, JobStatus::Value>>& parents) {
  if (parents.empty()) return;
  std::vector<std::string> ids;
  std::vector<std::string> statuses;
  for (const auto& [id, status] : parents) {
    ids.push_back(id);
    statuses.push_back(internal::JobStatusText(status));
  }
  internal::InTransaction(*pool_, "jobs", [&](pqxx::work& txn) {
    internal::ExecBatch(txn,
                        "UPDATE jobs SET children_status = u.status, status_reason = '', "
                        "version = version + 1 "
                        "FROM unnest($1::text[], $2::text[]) AS u(job_id, status) "
                        "WHERE jobs.job_id = u.job_id AND jobs.status = 'PENDING' "
                        "AND NOT jobs.is_cancelled AND NOT jobs.is_terminated",
                        internal::ArrayLiteral(ids), internal::ArrayLiteral(statuses));
    return 0;
  });
}

}  // namespace batchd::store
