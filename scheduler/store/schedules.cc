// Schedules: the resource, and each firing written with its jobs and its run records in one
// transaction, guarded by the schedule's stored next time and the runs' primary key.
#include <pqxx/result>
#include <pqxx/row>

#include "api/api_error.h"
#include "api/names.h"
#include "api/text.h"
#include "store/connection_pool.h"
#include "store/jobs_insert.h"
#include "store/page_token.h"
#include "store/row_codec.h"
#include "store/statements.h"
#include "store/store.h"
#include "store/transaction.h"
#include "store/workflow_rows.h"

namespace batchd::store {
namespace {

using batch::v1::ScheduleDetail;
using batch::v1::ScheduleRun;

constexpr std::string_view kListing = "schedules";

std::optional<int64_t> NextOf(const ScheduleDetail& s) {
  if (s.next_run_at() == 0) return std::nullopt;
  return s.next_run_at();
}

// What the detail column holds: the schedule as given.
std::string Spec(ScheduleDetail s) {
  s.clear_next_run_at();
  s.clear_recent_runs();
  return s.SerializeAsString();
}

ScheduleDetail FromRow(const pqxx::row& row) {
  ScheduleDetail s;
  internal::FromBytea(row["detail"], &s, "schedule");
  s.set_next_run_at(row["next_run_at"].as<int64_t>(0));
  s.set_created_at(row["created_at"].as<int64_t>());
  return s;
}

void ReadRun(const pqxx::row& row, ScheduleRun* run) {
  run->set_scheduled_at(row["scheduled_at"].as<int64_t>());
  run->set_outcome(row["outcome"].c_str());
  run->set_status_reason(row["reason"].c_str());
  run->set_recorded_at(row["recorded_at"].as<int64_t>());
  if (!row["job_id"].is_null()) run->set_job_id(row["job_id"].c_str());
  if (!row["status"].is_null()) run->set_status(internal::JobStatusFromText(row["status"].c_str()));
  if (!row["execution_arn"].is_null()) run->set_execution_arn(row["execution_arn"].c_str());
  if (!row["execution_status"].is_null()) {
    run->set_execution_status(internal::EnumFromText<batch::v1::ExecutionStatus>(
        row["execution_status"].c_str(), "execution status"));
  }
}

// The latest `runs` runs of each schedule, and its latest fired run.
void AddRuns(pqxx::work& txn, std::vector<ScheduleDetail>& schedules, int runs) {
  if (schedules.empty()) return;
  std::vector<std::string> names;
  for (const auto& s : schedules) names.push_back(s.schedule_name());
  std::map<std::string, ScheduleDetail*> by_name;
  for (auto& s : schedules) by_name[s.schedule_name()] = &s;
  if (runs > 0) {
    for (const auto& row :
         txn.exec_prepared("schedule_runs_latest", internal::ArrayLiteral(names), runs)) {
      ReadRun(row, by_name[row["schedule"].c_str()]->add_recent_runs());
    }
  }
  for (const auto& row : txn.exec_prepared("schedule_runs_fired", internal::ArrayLiteral(names))) {
    ReadRun(row, by_name[row["schedule"].c_str()]->mutable_last_fired());
  }
}

}  // namespace

void internal::PrepareScheduleStatements(pqxx::connection& conn) {
  conn.prepare("schedules_insert",
               "INSERT INTO schedules (name, detail, next_run_at, created_at, updated_at) "
               "VALUES ($1, $2, $3, $4, $4) ON CONFLICT (name) DO NOTHING");
  conn.prepare("schedules_get_for_update",
               "SELECT name, detail, next_run_at, created_at, version FROM schedules "
               "WHERE name = $1 FOR UPDATE");
  conn.prepare("schedules_put",
               "UPDATE schedules SET detail = $2, next_run_at = $3, updated_at = $4, "
               "version = version + 1 WHERE name = $1");
  conn.prepare("schedules_set_next",
               "UPDATE schedules SET next_run_at = $2, updated_at = $3, version = version + 1 "
               "WHERE name = $1");
  conn.prepare("schedules_delete", "DELETE FROM schedules WHERE name = $1");
  conn.prepare("schedules_page",
               "SELECT name, detail, next_run_at, created_at FROM schedules "
               "WHERE (cardinality($1::text[]) = 0 OR name = ANY($1::text[])) AND name > $2 "
               "ORDER BY name LIMIT $3");
  conn.prepare("schedule_runs_latest",
               "SELECT r.schedule, r.scheduled_at, r.outcome, r.reason, r.job_id, r.recorded_at, "
               "j.status, r.execution_arn, e.status AS execution_status "
               "FROM (SELECT *, row_number() OVER (PARTITION BY schedule "
               "ORDER BY scheduled_at DESC) AS n FROM schedule_runs "
               "WHERE schedule = ANY($1::text[])) r LEFT JOIN jobs j ON j.job_id = r.job_id "
               "LEFT JOIN executions e ON e.arn = r.execution_arn "
               "WHERE r.n <= $2 ORDER BY r.schedule, r.scheduled_at DESC");
  conn.prepare("schedule_runs_fired",
               "SELECT DISTINCT ON (r.schedule) r.schedule, r.scheduled_at, r.outcome, r.reason, "
               "r.job_id, r.recorded_at, j.status, r.execution_arn, "
               "e.status AS execution_status FROM schedule_runs r "
               "LEFT JOIN jobs j ON j.job_id = r.job_id "
               "LEFT JOIN executions e ON e.arn = r.execution_arn "
               "WHERE r.schedule = ANY($1::text[]) AND r.outcome = 'FIRED' "
               "ORDER BY r.schedule, r.scheduled_at DESC");
  conn.prepare("schedule_runs_insert",
               "INSERT INTO schedule_runs (schedule, scheduled_at, outcome, reason, job_id, "
               "recorded_at, execution_arn) VALUES ($1, $2, $3, $4, $5, $6, $7)");
  conn.prepare("schedules_exists", "SELECT 1 FROM schedules WHERE name = $1 FOR KEY SHARE");
  // Keeps the newest `$2` runs and every run whose job or execution has not ended.
  conn.prepare("schedule_runs_trim",
               "DELETE FROM schedule_runs r WHERE r.schedule = $1 AND r.scheduled_at < "
               "(SELECT scheduled_at FROM schedule_runs WHERE schedule = $1 "
               "ORDER BY scheduled_at DESC OFFSET $2 - 1 LIMIT 1) "
               "AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.job_id = r.job_id "
               "AND j.status NOT IN ('SUCCEEDED', 'FAILED')) "
               "AND NOT EXISTS (SELECT 1 FROM executions e WHERE e.arn = r.execution_arn "
               "AND e.status = 'RUNNING')");
}

void Store::CreateSchedule(const ScheduleDetail& schedule) {
  const std::string& name = schedule.schedule_name();
  internal::InTransaction(*pool_, "schedule \"" + name + "\"", [&](pqxx::work& txn) {
    auto result = txn.exec_prepared("schedules_insert", name, pqxx::binarystring(Spec(schedule)),
                                    NextOf(schedule), schedule.created_at());
    if (result.affected_rows() == 0) {
      api::ThrowAlreadyExists("schedule \"" + name + "\" already exists");
    }
  });
}

ScheduleDetail Store::UpdateSchedule(const std::string& name,
                                     const std::function<void(ScheduleDetail&)>& mutate) {
  const std::string what = "schedule \"" + name + "\"";
  return internal::InTransaction(*pool_, what, [&](pqxx::work& txn) {
    auto rows = txn.exec_prepared("schedules_get_for_update", name);
    if (rows.empty()) api::ThrowNotFound(what + " not found");
    ScheduleDetail s = FromRow(rows[0]);
    mutate(s);
    if (s.schedule_name() != name) api::ThrowInvalid("scheduleName", "cannot be changed");
    txn.exec_prepared("schedules_put", name, pqxx::binarystring(Spec(s)), NextOf(s),
                      api::EpochMillisNow());
    return s;
  });
}

void Store::DeleteSchedule(const std::string& name) {
  const std::string what = "schedule \"" + name + "\"";
  internal::InTransaction(*pool_, what, [&](pqxx::work& txn) {
    if (txn.exec_prepared("schedules_delete", name).affected_rows() == 0) {
      api::ThrowNotFound(what + " not found");
    }
  });
}

Page<ScheduleDetail> Store::DescribeSchedules(const std::vector<std::string>& names,
                                              int max_results, const std::string& next_token,
                                              int runs) {
  std::string after;
  if (!next_token.empty()) after = internal::DecodePageToken(kListing, next_token, 1)[0];
  const int limit = internal::PageSize(max_results);
  return internal::InTransaction(*pool_, "schedules", [&](pqxx::work& txn) {
    Page<ScheduleDetail> page;
    for (const auto& row :
         txn.exec_prepared("schedules_page", internal::ArrayLiteral(names), after, limit + 1)) {
      if (static_cast<int>(page.items.size()) == limit) {
        page.next_token = internal::EncodePageToken(kListing, {page.items.back().schedule_name()});
        break;
      }
      page.items.push_back(FromRow(row));
    }
    AddRuns(txn, page.items, runs);
    return page;
  });
}

bool Store::FireSchedule(const std::string& name, std::optional<int64_t> expected_next,
                         const std::vector<ScheduleFiring>& runs, std::optional<int64_t> next,
                         int runs_to_keep) {
  const std::string what = "schedule \"" + name + "\"";
  return internal::InTransaction(*pool_, what, [&](pqxx::work& txn) {
    auto rows = txn.exec_prepared("schedules_get_for_update", name);
    if (rows.empty()) return false;
    const std::optional<int64_t> stored =
        rows[0]["next_run_at"].is_null()
            ? std::nullopt
            : std::optional<int64_t>(rows[0]["next_run_at"].as<int64_t>());
    if (stored != expected_next) return false;  // changed, or fired by someone else
    std::vector<NewJob> jobs;
    for (const auto& run : runs) {
      if (run.job) jobs.push_back(*run.job);
    }
    auto written = internal::InsertNewJobs(txn, jobs);
    const int64_t now = api::EpochMillisNow();
    size_t k = 0;
    for (const auto& run : runs) {
      std::optional<std::string> job_id;
      if (run.job) job_id = written[k++].job_id();
      txn.exec_prepared("schedule_runs_insert", name, run.scheduled_at, run.outcome, run.reason,
                        job_id, now, internal::NullIfEmpty(run.execution_arn));
    }
    txn.exec_prepared("schedules_set_next", name, next, now);
    if (runs_to_keep > 0) txn.exec_prepared("schedule_runs_trim", name, runs_to_keep);
    return true;
  });
}

bool Store::AddScheduleRun(const std::string& name, const ScheduleFiring& run, int runs_to_keep) {
  const std::string what = "schedule \"" + name + "\"";
  if (run.job) {
    throw api::ApiError(api::ErrorCode::kInternal,
                        what + ": AddScheduleRun records runs without jobs only");
  }
  return internal::InTransaction(*pool_, what, [&](pqxx::work& txn) {
    // Held to the commit: a delete of the schedule waits for its run rather than failing it.
    if (txn.exec_prepared("schedules_exists", name).empty()) return false;
    txn.exec_prepared("schedule_runs_insert", name, run.scheduled_at, run.outcome, run.reason,
                      std::optional<std::string>(), api::EpochMillisNow(),
                      internal::NullIfEmpty(run.execution_arn));
    if (runs_to_keep > 0) txn.exec_prepared("schedule_runs_trim", name, runs_to_keep);
    return true;
  });
}

}  // namespace batchd::store
