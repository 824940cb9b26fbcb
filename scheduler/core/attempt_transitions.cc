#include "core/attempt_transitions.h"

#include <cmath>

#include "api/job_states.h"
#include "core/job_spec.h"

namespace batchd::core {
namespace {

using batch::v1::AttemptDetail;
using batch::v1::AttemptState;
using batch::v1::AttemptStatus;
using batch::v1::JobDetail;
using batch::v1::JobStatus;

AttemptDetail* MutableCurrentAttempt(JobDetail& job) {
  if (job.status() != JobStatus::STARTING && job.status() != JobStatus::RUNNING) return nullptr;
  if (job.attempts_size() == 0) return nullptr;
  AttemptDetail* last = job.mutable_attempts(job.attempts_size() - 1);
  return last->stopped_at() == 0 ? last : nullptr;
}

bool IsCurrent(JobDetail& job, const std::string& attempt_id) {
  const AttemptDetail* current = MutableCurrentAttempt(job);
  return current != nullptr && current->attempt_id() == attempt_id;
}

void MoveTo(JobDetail& job, JobStatus::Value to) {
  api::CheckTransition(job.status(), to);
  job.set_status(to);
}

std::string DescribeEnd(const AttemptStatus& status) {
  if (!status.reason().empty()) return status.reason();
  if (status.has_signal()) return "killed by signal " + std::to_string(status.signal());
  if (status.has_exit_code()) return "exited with code " + std::to_string(status.exit_code());
  return "ended without an exit status";
}

}  // namespace

const AttemptDetail* CurrentAttempt(const JobDetail& job) {
  return MutableCurrentAttempt(const_cast<JobDetail&>(job));
}

bool StartAttempt(JobDetail& job, const std::string& attempt_id, const std::string& node_id,
                  const std::string& compute_environment, const DispatchSettings& settings,
                  batch::v1::LaunchAttempt* launch) {
  if (job.status() != JobStatus::RUNNABLE || job.is_cancelled() || job.is_terminated()) {
    return false;
  }
  MoveTo(job, JobStatus::STARTING);
  job.set_status_reason("");
  AttemptDetail* attempt = job.add_attempts();
  attempt->set_attempt_id(attempt_id);
  attempt->set_node_id(node_id);
  attempt->set_attempt_number(job.attempts_size());

  const Resources need = EffectiveResources(job.container());
  launch->Clear();
  launch->set_attempt_id(attempt_id);
  launch->set_job_id(job.job_id());
  launch->set_job_name(job.job_name());
  launch->set_attempt_number(attempt->attempt_number());
  launch->set_job_queue(job.job_queue());
  launch->set_compute_environment(compute_environment);
  *launch->mutable_container() = job.container();
  launch->set_vcpus(static_cast<int32_t>(std::ceil(need.vcpus)));
  launch->set_memory_mib(need.memory_mib);
  launch->set_gpus(need.gpus);
  launch->set_timeout_seconds(job.timeout().attempt_duration_seconds());
  if (job.array_properties().has_index()) {
    launch->set_array_index(job.array_properties().index());
    launch->set_array_size(job.array_properties().size());
  }
  launch->set_log_limit_bytes(settings.log_limit_bytes);
  launch->set_kill_grace_seconds(settings.kill_grace_seconds);
  return true;
}

bool MarkRunning(JobDetail& job, const AttemptStatus& status) {
  if (job.status() != JobStatus::STARTING || !IsCurrent(job, status.attempt_id())) return false;
  MoveTo(job, JobStatus::RUNNING);
  const int64_t started = status.started_at() != 0 ? status.started_at() : status.at();
  MutableCurrentAttempt(job)->set_started_at(started);
  job.set_started_at(started);
  return true;
}

FinishOutcome FinishAttempt(JobDetail& job, const AttemptStatus& status,
                            const DispatchSettings& settings, int64_t now_ms) {
  FinishOutcome out;
  if (!IsCurrent(job, status.attempt_id())) return out;
  // The RUNNING report may have been lost with a broken stream; the process did start.
  if (job.status() == JobStatus::STARTING && status.state() == AttemptState::EXITED) {
    MarkRunning(job, status);
  }
  const int64_t stopped = status.at() != 0 ? status.at() : now_ms;
  AttemptDetail* attempt = MutableCurrentAttempt(job);
  if (status.has_exit_code()) attempt->mutable_container()->set_exit_code(status.exit_code());
  if (status.has_signal()) attempt->set_signal(status.signal());
  attempt->mutable_container()->set_reason(status.reason());
  attempt->set_status_reason(DescribeEnd(status));
  attempt->set_cpu_time_ms(status.cpu_time_ms());
  attempt->set_peak_memory_bytes(status.peak_memory_bytes());
  attempt->set_infrastructure_failure(status.infrastructure());
  attempt->set_stopped_at(stopped);

  int counted = 0;
  int infrastructure = 0;
  for (int i = 0; i + 1 < job.attempts_size(); ++i) {
    (job.attempts(i).infrastructure_failure() ? infrastructure : counted)++;
  }
  AttemptOutcome outcome;
  if (status.has_exit_code()) outcome.exit_code = status.exit_code();
  if (status.has_signal()) outcome.signal = status.signal();
  outcome.reason = status.reason();
  outcome.status_reason = attempt->status_reason();
  outcome.infrastructure = status.infrastructure();
  outcome.timed_out = status.timed_out();
  outcome.cancelled = job.is_terminated();
  if (status.state() == AttemptState::LAUNCH_FAILED && !status.has_exit_code()) {
    outcome.exit_code.reset();
  }
  out.decision = DecideAfterAttempt(job.retry_strategy(), outcome, counted, infrastructure,
                                    settings.max_infrastructure_retries);
  switch (out.decision.action) {
    case RetryDecision::Action::kSucceed:
      MoveTo(job, JobStatus::SUCCEEDED);
      job.set_status_reason("");
      job.set_stopped_at(stopped);
      break;
    case RetryDecision::Action::kRetry:
      MoveTo(job, JobStatus::RUNNABLE);
      job.set_status_reason("retrying: attempt " + std::to_string(attempt->attempt_number()) + " " +
                            attempt->status_reason());
      break;
    case RetryDecision::Action::kFail:
      MoveTo(job, JobStatus::FAILED);
      // A terminated job keeps the reason its terminator gave.
      if (!job.is_terminated()) job.set_status_reason(out.decision.reason);
      job.set_stopped_at(stopped);
      break;
  }
  out.applied = true;
  return out;
}

bool FailUnplaceable(JobDetail& job, const std::string& reason, int64_t now_ms) {
  if (job.status() != JobStatus::RUNNABLE) return false;
  MoveTo(job, JobStatus::FAILED);
  job.set_status_reason(reason);
  job.set_stopped_at(now_ms);
  return true;
}

}  // namespace batchd::core
