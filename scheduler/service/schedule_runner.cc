#include "service/schedule_runner.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "api/api_error.h"
#include "api/job_states.h"
#include "api/states_names.h"
#include "core/cron.h"
#include "core/schedule_plan.h"
#include "service/control_plane.h"

namespace batchd::service {
namespace {

using batch::v1::ScheduleDetail;

// Schedules are read again at least this often, so a change made by another batchd on the
// same database is seen.
constexpr int64_t kRescanMs = 30'000;
// After a store failure, the next try.
constexpr int64_t kRetryMs = 1'000;

// Errors that another try may not meet: the run is retried rather than recorded as skipped.
bool Transient(const api::ApiError& e) {
  return e.code() == api::ErrorCode::kUnavailable || e.code() == api::ErrorCode::kInternal;
}

bool Ended(batch::v1::ExecutionStatus::Value status) {
  using batch::v1::ExecutionStatus;
  switch (status) {
    case ExecutionStatus::RUNNING:
    case ExecutionStatus::PENDING_REDRIVE:
      return false;
    case ExecutionStatus::SUCCEEDED:
    case ExecutionStatus::FAILED:
    case ExecutionStatus::TIMED_OUT:
    case ExecutionStatus::ABORTED:
    // Gone with its state machine: nothing runs.
    case ExecutionStatus::EXECUTION_STATUS_UNSPECIFIED:
    case batch::v1::ExecutionStatus_Value_ExecutionStatus_Value_INT_MIN_SENTINEL_DO_NOT_USE_:
    case batch::v1::ExecutionStatus_Value_ExecutionStatus_Value_INT_MAX_SENTINEL_DO_NOT_USE_:
      return true;
  }
  return true;
}

}  // namespace

batch::v1::SubmitJobRequest ScheduleRunner::JobRequest(const ScheduleDetail& s,
                                                       int64_t scheduled_at) {
  batch::v1::SubmitJobRequest r;
  r.set_job_name(s.job_name().empty() ? s.schedule_name() : s.job_name());
  r.set_job_queue(s.job_queue());
  r.set_job_definition(s.job_definition());
  *r.mutable_container_overrides() = s.container_overrides();
  *r.mutable_parameters() = s.parameters();
  *r.mutable_tags() = s.tags();
  (*r.mutable_tags())["batchd:schedule"] = s.schedule_name();
  (*r.mutable_tags())["batchd:scheduledAt"] = std::to_string(scheduled_at);
  // The same run can only ever be one job, even outside the schedule's own guard.
  r.set_client_token("sched-" + std::to_string(std::hash<std::string>{}(s.schedule_name())) + "-" +
                     std::to_string(scheduled_at));
  return r;
}

ScheduleRunner::ScheduleRunner(store::Store& store, const core::Clock& clock, ControlPlane& plane)
    : store_(store), clock_(clock), plane_(plane) {}

ScheduleRunner::~ScheduleRunner() { Stop(); }

void ScheduleRunner::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void ScheduleRunner::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ScheduleRunner::Changed() {
  {
    std::lock_guard lock(mu_);
    changed_ = true;
  }
  cv_.notify_all();
}

void ScheduleRunner::Loop() {
  for (;;) {
    int64_t next = 0;
    try {
      next = RunDue();
    } catch (const std::exception& e) {
      spdlog::error("schedules: {} (retrying in 1 s)", e.what());
      next = clock_.NowMillis() + kRetryMs;
    }
    std::unique_lock lock(mu_);
    const int64_t now = clock_.NowMillis();
    int64_t wake = now + kRescanMs;
    if (next > 0) wake = std::min(wake, next);
    cv_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(0, wake - now)),
                 [&] { return stopping_ || changed_; });
    if (stopping_) return;
    changed_ = false;
  }
}

int64_t ScheduleRunner::RunDue() {
  int64_t earliest = 0;
  std::string token;
  do {
    auto page = store_.DescribeSchedules({}, 100, token, 0);
    for (const ScheduleDetail& s : page.items) {
      if (s.suspended() || s.next_run_at() == 0) continue;
      const int64_t now = clock_.NowMillis();
      int64_t next = s.next_run_at();
      if (next <= now) {
        try {
          Fire(s, now);
          next = 0;  // read again next round
          earliest = now;
        } catch (const std::exception& e) {
          // One schedule failing must not hold back the others.
          spdlog::error("schedule {}: {} (retrying in 1 s)", s.schedule_name(), e.what());
          next = now + kRetryMs;
        }
      }
      if (next > 0 && (earliest == 0 || next < earliest)) earliest = next;
    }
    token = page.next_token;
  } while (!token.empty());
  return earliest;
}

std::string ScheduleRunner::RunningTarget(const ScheduleDetail& s) {
  const auto& run = s.last_fired();
  if (!run.execution_arn().empty()) return Ended(run.execution_status()) ? "" : run.execution_arn();
  if (run.job_id().empty() || api::IsTerminal(run.status())) return "";
  return run.job_id();
}

std::string ScheduleRunner::StartExecution(const ScheduleDetail& s, int64_t scheduled_at) {
  if (workflows_ == nullptr) {
    api::ThrowFailedPrecondition("this batchd does not run workflows");
  }
  const api::StateMachineRef ref = api::ParseStateMachineRef("stateMachine", s.state_machine());
  const std::string name = core::ScheduledExecutionName(s.schedule_name(), scheduled_at);
  const std::string input = s.execution_input().empty() ? "{}" : s.execution_input();
  try {
    // Still running with the same input, it is answered as started now.
    return workflows_->StartExecution(ref.name, ref.revision, name, input).execution_arn();
  } catch (const api::ApiError& e) {
    // The name is the run's own, so the execution is this run's, started by an earlier try
    // that did not get to record it (it ended since, or its input was changed meanwhile).
    if (e.code() != api::ErrorCode::kAlreadyExists) throw;
    return api::ExecutionArn(ref.name, name);
  }
}

void ScheduleRunner::FindStarted(const ScheduleDetail& s, store::Store::ScheduleFiring& firing) {
  if (executions_ == nullptr) return;
  const api::StateMachineRef ref = api::ParseStateMachineRef("stateMachine", s.state_machine());
  const std::string arn = api::ExecutionArn(
      ref.name, core::ScheduledExecutionName(s.schedule_name(), firing.scheduled_at));
  if (!executions_->GetExecution(arn)) return;
  firing.outcome = "FIRED";
  firing.reason = "started by an earlier try of this run, before batchd stopped";
  firing.execution_arn = arn;
}

void ScheduleRunner::EndPrevious(const ScheduleDetail& s, const std::string& running,
                                 int64_t scheduled_at) {
  const std::string why = "replaced by the run of schedule " + s.schedule_name() + " due at " +
                          std::to_string(scheduled_at);
  // The latest fired run says what it started: the schedule's target may have changed since.
  if (s.last_fired().execution_arn().empty()) {
    batch::v1::TerminateJobRequest stop;
    stop.set_job_id(running);
    stop.set_reason(why);
    plane_.TerminateJob(stop);
    return;
  }
  if (workflows_ == nullptr) api::ThrowFailedPrecondition("this batchd does not run workflows");
  workflows_->StopExecution(running, "batchd.ScheduleReplaced", why);
}

void ScheduleRunner::FireExecution(const ScheduleDetail& s, int64_t scheduled_at,
                                   store::Store::ScheduleFiring& firing) {
  try {
    firing.execution_arn = StartExecution(s, scheduled_at);
  } catch (const api::ApiError& e) {
    // The state machine went away (or is going): the run is recorded, not retried forever.
    if (Transient(e)) throw;
    firing.outcome = "SKIPPED";
    firing.reason = std::string("could not start: ") + e.what();
  }
}

void ScheduleRunner::Fire(const ScheduleDetail& s, int64_t now) {
  const auto cron = core::CronSchedule::Parse(s.schedule_expression());
  const auto* zone = core::FindTimeZone(s.time_zone());
  const std::string running = RunningTarget(s);
  const core::FiringPlan plan = core::PlanFirings(s, cron, zone, s.next_run_at(), now, running);
  std::vector<store::Store::ScheduleFiring> runs;
  for (const auto& run : plan.runs) {
    store::Store::ScheduleFiring firing;
    firing.scheduled_at = run.scheduled_at;
    firing.outcome = std::string(core::OutcomeName(run.outcome));
    firing.reason = run.reason;
    if (run.outcome == core::ScheduleRunPlan::Outcome::kFire && !s.state_machine().empty()) {
      // Started before the previous one is stopped, as a job is prepared before: a run that
      // cannot start leaves the previous one going.
      FireExecution(s, run.scheduled_at, firing);
      if (!firing.execution_arn.empty() && run.replace_previous && !running.empty()) {
        try {
          EndPrevious(s, running, run.scheduled_at);
        } catch (const api::ApiError& e) {
          // The new run has started whatever happened to the previous one; only an error that
          // another try may not meet repeats the firing (which finds its execution started).
          if (Transient(e)) throw;
          spdlog::warn("schedule {}: could not stop {}: {}", s.schedule_name(), running, e.what());
        }
      }
    } else if (!s.state_machine().empty()) {
      FindStarted(s, firing);
    } else if (run.outcome == core::ScheduleRunPlan::Outcome::kFire) {
      try {
        batch::v1::SubmitJobsRequest req;
        *req.add_jobs() = JobRequest(s, run.scheduled_at);
        firing.job = plane_.PrepareJobs(req).front();
        if (run.replace_previous && !running.empty()) EndPrevious(s, running, run.scheduled_at);
      } catch (const api::ApiError& e) {
        // The queue or definition went away: the run is recorded, not retried forever.
        firing.job.reset();
        firing.outcome = "SKIPPED";
        firing.reason = std::string("could not submit: ") + e.what();
      }
    }
    runs.push_back(std::move(firing));
  }
  const int keep = s.runs_to_keep() > 0 ? s.runs_to_keep() : 20;
  bool stored = false;
  try {
    stored = store_.FireSchedule(s.schedule_name(), s.next_run_at(), runs, plan.next_run_at, keep);
  } catch (const api::ApiError& e) {
    // The database failing is retried; a refused job (its queue disabled or deleted since) is
    // recorded and the schedule moves on, rather than retrying the same time forever.
    if (e.code() == api::ErrorCode::kUnavailable || e.code() == api::ErrorCode::kInternal) throw;
    for (auto& run : runs) {
      if (!run.job) continue;
      run.job.reset();
      run.outcome = "SKIPPED";
      run.reason = std::string("could not submit: ") + e.what();
    }
    stored = store_.FireSchedule(s.schedule_name(), s.next_run_at(), runs, plan.next_run_at, keep);
  }
  if (!stored) return;  // changed or fired meanwhile: read again
  std::vector<store::NewJob> jobs;
  std::vector<batch::v1::SubmitJobResponse> written;
  for (const auto& run : runs) {
    if (!run.job) continue;
    jobs.push_back(*run.job);
    auto& w = written.emplace_back();
    w.set_job_id(run.job->detail.job_id());
  }
  plane_.JobsWritten(jobs, written);
  for (const auto& run : runs) {
    spdlog::info("schedule {}: {} at {}{}{}{}{}", s.schedule_name(), run.outcome, run.scheduled_at,
                 run.execution_arn.empty() ? "" : " ", run.execution_arn,
                 run.reason.empty() ? "" : ": ", run.reason);
  }
}

std::string ScheduleRunner::Trigger(const ScheduleDetail& s) {
  const int64_t now = clock_.NowMillis();
  const int keep = s.runs_to_keep() > 0 ? s.runs_to_keep() : 20;
  if (!s.state_machine().empty()) {
    store::Store::ScheduleFiring firing;
    firing.scheduled_at = now;
    firing.outcome = "FIRED";
    firing.reason = "triggered by hand";
    firing.execution_arn = StartExecution(s, now);
    // Recorded whatever the schedule's next time is now: the execution has started.
    if (!store_.AddScheduleRun(s.schedule_name(), firing, keep)) {
      api::ThrowNotFound("schedule \"" + s.schedule_name() + "\" was deleted meanwhile; " +
                         firing.execution_arn + " started");
    }
    return firing.execution_arn;
  }
  batch::v1::SubmitJobsRequest req;
  *req.add_jobs() = JobRequest(s, now);
  store::Store::ScheduleFiring firing;
  firing.scheduled_at = now;
  firing.outcome = "FIRED";
  firing.reason = "triggered by hand";
  firing.job = plane_.PrepareJobs(req).front();
  const std::optional<int64_t> next =
      s.next_run_at() == 0 ? std::nullopt : std::optional<int64_t>(s.next_run_at());
  if (!store_.FireSchedule(s.schedule_name(), next, {firing}, next, keep)) {
    throw api::ApiError(api::ErrorCode::kAborted,
                        "schedule \"" + s.schedule_name() + "\" changed meanwhile; try again");
  }
  batch::v1::SubmitJobResponse w;
  w.set_job_id(firing.job->detail.job_id());
  plane_.JobsWritten({*firing.job}, {w});
  return firing.job->detail.job_id();
}

}  // namespace batchd::service
