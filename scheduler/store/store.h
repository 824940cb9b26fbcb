#pragma once
// All SQL of batchd lives behind this class. Every mutation runs in one transaction; callers'
// rules (pure functions that may throw api::ApiError) run inside that transaction on the
// current row, so a check and the write it guards cannot be split by another writer.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "batch/v1/batch_service.pb.h"
#include "batch/v1/types.pb.h"

namespace batchd::store {

class ConnectionPool;

template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_token;  // empty on the last page
};

struct JobQuery {
  std::string queue{};  // empty = every queue
  std::string array_job_id{};
  std::vector<batch::v1::JobStatus::Value> statuses{};  // empty = every status
  std::string name_prefix{};                 // case-insensitive prefix match on the job name
  std::string name_exact{};                  // case-insensitive exact match (when set)
  std::string definition_name{};             // match jobs of this definition name...
  std::optional<int> definition_revision{};  // ...and revision, when set
  bool definition_is_prefix = false;
  std::optional<int64_t> created_before{};  // epoch ms, exclusive
  std::optional<int64_t> created_after{};   // epoch ms, exclusive
  int max_results = 100;
  std::string next_token{};
};

// A piece of an attempt's output, as an agent shipped it.
struct LogRecord {
  std::string attempt_id{};
  std::string job_id{};
  std::string stream{};  // stdout | stderr
  int64_t offset = 0;    // byte offset of `data` in its stream
  int64_t at = 0;        // epoch ms
  std::string data{};
  bool truncated = false;  // the stream was cut after this piece
};

struct LogPage {
  std::vector<LogRecord> records;  // in the order they were stored, overlaps already removed
  std::string next_token;          // always set: pass back to get only what came after
  bool truncated = false;          // a stored piece of this attempt is marked truncated
};

// A job to insert. `detail` is complete (id, arn, status, createdAt, ...).
struct NewJob {
  batch::v1::JobDetail detail;
  std::string request_fingerprint;  // for clientToken idempotency
  // An array parent's: the status its children have until they get rows of their own
  // (PENDING or RUNNABLE).
  batch::v1::JobStatus::Value children_status = batch::v1::JobStatus::JOB_STATUS_UNSPECIFIED;
};

class Store {
 public:
  // Connects with `connections` pooled connections (the scheduler loop, two grouped submit
  // writers and readers share them) and applies pending migrations.
  Store(const std::string& database_url, int connections = 8);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  int SchemaVersion();
  // For stores of other resources that share the connections (WorkflowStore).
  ConnectionPool& pool() { return *pool_; }

  // ---- compute environments
  void CreateComputeEnvironment(const batch::v1::ComputeEnvironmentDetail& ce);  // ALREADY_EXISTS
  std::optional<batch::v1::ComputeEnvironmentDetail> GetComputeEnvironment(const std::string& name);
  // `names` empty = all, in name order. Unknown names are left out (as AWS does).
  Page<batch::v1::ComputeEnvironmentDetail> DescribeComputeEnvironments(
      const std::vector<std::string>& names, int max_results, const std::string& next_token);
  // Reads the row, applies `mutate` (which may throw), writes it back with version + 1.
  // NOT_FOUND when missing. Concurrent writers are resolved by the version column.
  batch::v1::ComputeEnvironmentDetail UpdateComputeEnvironment(
      const std::string& name,
      const std::function<void(batch::v1::ComputeEnvironmentDetail&)>& mutate);
  // `check` sees the row and the names of queues that use it, and throws to refuse.
  void DeleteComputeEnvironment(
      const std::string& name,
      const std::function<void(const batch::v1::ComputeEnvironmentDetail&,
                               const std::vector<std::string>& queues)>& check);

  // ---- job queues (each computeEnvironmentOrder entry must name an existing CE: checked in
  // the same transaction, INVALID_ARGUMENT naming computeEnvironmentOrder[i].computeEnvironment)
  void CreateJobQueue(const batch::v1::JobQueueDetail& queue);  // ALREADY_EXISTS
  std::optional<batch::v1::JobQueueDetail> GetJobQueue(const std::string& name);
  Page<batch::v1::JobQueueDetail> DescribeJobQueues(const std::vector<std::string>& names,
                                                    int max_results, const std::string& next_token);
  batch::v1::JobQueueDetail UpdateJobQueue(
      const std::string& name, const std::function<void(batch::v1::JobQueueDetail&)>& mutate);
  // `check` sees the row and the number of its jobs that are not finished.
  void DeleteJobQueue(
      const std::string& name,
      const std::function<void(const batch::v1::JobQueueDetail&, int64_t unfinished_jobs)>& check);

  // ---- job definitions (revisions are immutable; only status changes)
  // Assigns the next revision of the name, ARN and createdAt; returns the stored definition.
  batch::v1::JobDefinition RegisterJobDefinition(const batch::v1::JobDefinition& def);
  // No revision = the latest ACTIVE revision.
  std::optional<batch::v1::JobDefinition> GetJobDefinition(const std::string& name,
                                                           std::optional<int> revision);
  struct DefinitionQuery {
    std::vector<std::pair<std::string, std::optional<int>>> refs;  // empty = all
    std::string name;                                              // only this name, when set
    std::string status;                                            // ACTIVE | INACTIVE, when set
    int max_results = 100;
    std::string next_token;
  };
  Page<batch::v1::JobDefinition> DescribeJobDefinitions(const DefinitionQuery& query);
  // Marks one revision INACTIVE. NOT_FOUND when missing.
  void DeregisterJobDefinition(const std::string& name, int revision);

  // ---- jobs
  // Writes all jobs in one transaction, after checking in it that their queues exist and are
  // ENABLED (else NOT_FOUND / FAILED_PRECONDITION naming the queue). A job whose clientToken
  // is already stored is not written again: its response is the stored job's, or
  // ALREADY_EXISTS if the fingerprint differs. Returns one response per input, in order.
  std::vector<batch::v1::SubmitJobResponse> InsertJobs(const std::vector<NewJob>& jobs);
  // Unknown ids are left out; order follows `ids`.
  std::vector<batch::v1::JobDetail> DescribeJobs(const std::vector<std::string>& ids);
  Page<batch::v1::JobSummary> ListJobs(const JobQuery& query);
  // Reads the job, applies `mutate` (which may throw), writes status, statusReason, timestamps,
  // isCancelled/isTerminated and attempts back. NOT_FOUND when missing.
  batch::v1::JobDetail UpdateJob(const std::string& job_id,
                                 const std::function<void(batch::v1::JobDetail&)>& mutate);

  // CancelJob and TerminateJob: UpdateJob, and when `mutate` cancels or terminates an array
  // parent, its children that have not started end with it (FAILED, the parent's reason) and
  // running ones are marked terminated, in the same transaction.
  batch::v1::JobDetail StopJob(const std::string& job_id,
                               const std::function<void(batch::v1::JobDetail&)>& mutate,
                               int64_t now_ms);

  // ---- dependencies and arrays
  // Current statuses (array children without rows as their parent says); unknown ids are
  // left out.
  std::map<std::string, batch::v1::JobStatus::Value> JobStatuses(
      const std::vector<std::string>& ids);
  // Each child's status by index; empty when `parent_id` is not an array parent.
  std::vector<batch::v1::JobStatus::Value> ArrayChildStatuses(const std::string& parent_id);
  // The arrays' own dependencies are met: their children without rows take the given status
  // (RUNNABLE, or PENDING where they wait on dependencies of their own). Parents no longer
  // PENDING, or cancelled, are left alone.
  void ReleaseArrays(
      const std::vector<std::pair<std::string, batch::v1::JobStatus::Value>>& parents);

  // ---- dispatch: the scheduler's event loop
  // Jobs with one of `statuses`, for rebuilding the scheduler's view on start (RUNNABLE ones
  // in queue order: scheduling priority descending, then created_at).
  std::vector<batch::v1::JobDetail> LoadJobs(
      const std::vector<batch::v1::JobStatus::Value>& statuses);
  // The same jobs in the same order, handed to `each` a page at a time through a cursor, so
  // that a million queued jobs never sit in memory as rows and messages at once. Should the
  // read be retried, `each` sees jobs again from the first.
  void ForEachJob(const std::vector<batch::v1::JobStatus::Value>& statuses,
                  const std::function<void(const batch::v1::JobDetail&)>& each);
  // One transaction: locks the existing jobs among `ids` (FOR UPDATE, in id order so two
  // callers cannot deadlock), calls `mutate` on each (it returns whether it changed the job
  // and may not throw for one job without failing all), writes the changed ones back as
  // UpdateJob does (one statement for all), and stores `logs` (a piece whose
  // (attempt, stream, offset) is already stored is skipped). Returns the changed jobs.
  // `mutate` runs again on freshly read jobs if the transaction has to be retried.
  std::vector<batch::v1::JobDetail> UpdateJobs(
      const std::vector<std::string>& ids, const std::function<bool(batch::v1::JobDetail&)>& mutate,
      const std::vector<LogRecord>& logs = {});
  // Up to `max_bytes` of an attempt's logs after `next_token` ("" = from the start).
  LogPage ReadLogs(const std::string& attempt_id, const std::string& next_token, int max_bytes);

  // ---- nodes (written when a node registers or changes state, not on every heartbeat)
  void UpsertNodes(const std::vector<batch::v1::NodeDetail>& nodes);
  std::vector<batch::v1::NodeDetail> LoadNodes();

  // ---- schedules (next_run_at is the store's column; recent_runs come from schedule_runs)
  void CreateSchedule(const batch::v1::ScheduleDetail& schedule);  // ALREADY_EXISTS
  // Reads, applies `mutate` (which may throw), writes back (next_run_at included). NOT_FOUND.
  batch::v1::ScheduleDetail UpdateSchedule(
      const std::string& name, const std::function<void(batch::v1::ScheduleDetail&)>& mutate);
  void DeleteSchedule(const std::string& name);  // NOT_FOUND; its runs go with it
  // `names` empty = all, by name; each with its latest `runs` runs, newest first, and the
  // status of each run's job or execution.
  Page<batch::v1::ScheduleDetail> DescribeSchedules(const std::vector<std::string>& names,
                                                    int max_results, const std::string& next_token,
                                                    int runs);
  struct ScheduleFiring {
    int64_t scheduled_at = 0;
    std::string outcome;  // FIRED | SKIPPED | MISSED
    std::string reason;
    std::optional<NewJob> job;  // for FIRED
    // For FIRED, instead of `job`: the execution the run started. Executions are committed by
    // the workflow loop, so the run only names one already started.
    std::string execution_arn;
  };
  // One transaction: when the schedule's stored next time is still `expected_next`, writes
  // each run (with its job), sets the next time to `next` and keeps the latest
  // `runs_to_keep` runs (and those whose job has not ended). False, with nothing written,
  // when the schedule is gone or its next time moved (changed, or fired by someone else). A
  // run recorded twice violates the runs' primary key and fails the whole transaction.
  bool FireSchedule(const std::string& name, std::optional<int64_t> expected_next,
                    const std::vector<ScheduleFiring>& runs, std::optional<int64_t> next,
                    int runs_to_keep);
  // Records one run without a job (a trigger's execution, already started) whatever the
  // schedule's next time, and trims as FireSchedule does. False when the schedule is gone.
  bool AddScheduleRun(const std::string& name, const ScheduleFiring& run, int runs_to_keep);

  // ---- events (scaling decisions and provider failures, per compute environment)
  void AddEvents(const std::vector<batch::v1::EventDetail>& events);  // seq is assigned
  // Newest first.
  Page<batch::v1::EventDetail> ListEvents(const std::string& compute_environment, int max_results,
                                          const std::string& next_token);

 private:
  std::unique_ptr<ConnectionPool> pool_;
};

}  // namespace batchd::store
