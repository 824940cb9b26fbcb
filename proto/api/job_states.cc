#include "api/job_states.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "api/api_error.h"

namespace batchd::api {

using batch::v1::JobStatus;

const std::vector<JobTransition>& JobTransitionTable() {
  static const std::vector<JobTransition> table = {
      {JobStatus::SUBMITTED, JobStatus::PENDING, "dependencies outstanding"},
      {JobStatus::SUBMITTED, JobStatus::RUNNABLE, "no dependencies outstanding"},
      {JobStatus::SUBMITTED, JobStatus::FAILED, "cancelled, terminated or a dependency failed"},
      {JobStatus::PENDING, JobStatus::RUNNABLE, "dependencies satisfied"},
      {JobStatus::PENDING, JobStatus::FAILED, "cancelled, terminated or a dependency failed"},
      {JobStatus::PENDING, JobStatus::SUCCEEDED, "array parent: every child succeeded"},
      {JobStatus::RUNNABLE, JobStatus::STARTING, "placed on a node"},
      {JobStatus::RUNNABLE, JobStatus::FAILED, "cancelled, terminated or infeasible"},
      {JobStatus::STARTING, JobStatus::RUNNING, "process or container started"},
      {JobStatus::STARTING, JobStatus::RUNNABLE, "launch failed or node lost; retried"},
      {JobStatus::STARTING, JobStatus::FAILED, "launch failed, no attempts left, or terminated"},
      {JobStatus::RUNNING, JobStatus::SUCCEEDED, "exited with code 0"},
      {JobStatus::RUNNING, JobStatus::RUNNABLE, "attempt failed or node lost; retried"},
      {JobStatus::RUNNING, JobStatus::FAILED, "attempt failed for good, timeout or terminated"},
  };
  return table;
}

bool IsLegalTransition(JobStatus::Value from, JobStatus::Value to) {
  const auto& table = JobTransitionTable();
  return std::any_of(table.begin(), table.end(),
                     [&](const JobTransition& t) { return t.from == from && t.to == to; });
}

void CheckTransition(JobStatus::Value from, JobStatus::Value to) {
  if (!IsLegalTransition(from, to)) {
    ThrowFailedPrecondition("a job cannot move from " + std::string(JobStatusName(from)) + " to " +
                            std::string(JobStatusName(to)));
  }
}

bool IsTerminal(JobStatus::Value status) {
  switch (status) {
    case JobStatus::SUCCEEDED:
    case JobStatus::FAILED:
      return true;
    case JobStatus::JOB_STATUS_UNSPECIFIED:
    case JobStatus::SUBMITTED:
    case JobStatus::PENDING:
    case JobStatus::RUNNABLE:
    case JobStatus::STARTING:
    case JobStatus::RUNNING:
      return false;
    case batch::v1::JobStatus_Value_JobStatus_Value_INT_MIN_SENTINEL_DO_NOT_USE_:
    case batch::v1::JobStatus_Value_JobStatus_Value_INT_MAX_SENTINEL_DO_NOT_USE_:
      return false;
  }
  return false;
}

bool IsBeforeStart(JobStatus::Value status) {
  switch (status) {
    case JobStatus::SUBMITTED:
    case JobStatus::PENDING:
    case JobStatus::RUNNABLE:
      return true;
    case JobStatus::JOB_STATUS_UNSPECIFIED:
    case JobStatus::STARTING:
    case JobStatus::RUNNING:
    case JobStatus::SUCCEEDED:
    case JobStatus::FAILED:
      return false;
    case batch::v1::JobStatus_Value_JobStatus_Value_INT_MIN_SENTINEL_DO_NOT_USE_:
    case batch::v1::JobStatus_Value_JobStatus_Value_INT_MAX_SENTINEL_DO_NOT_USE_:
      return false;
  }
  return false;
}

std::string_view JobStatusName(JobStatus::Value status) { return JobStatus::Value_Name(status); }

JobStatus::Value ParseJobStatus(std::string_view field, std::string_view text) {
  std::string upper(text);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  JobStatus::Value value;
  if (!JobStatus::Value_Parse(upper, &value) || value == JobStatus::JOB_STATUS_UNSPECIFIED) {
    ThrowInvalid(field,
                 "must be one of SUBMITTED, PENDING, RUNNABLE, STARTING, RUNNING, SUCCEEDED, "
                 "FAILED (got \"" +
                     std::string(text) + "\")");
  }
  return value;
}

const std::vector<JobStatus::Value>& AllJobStatuses() {
  static const std::vector<JobStatus::Value> all = {
      JobStatus::SUBMITTED, JobStatus::PENDING,   JobStatus::RUNNABLE, JobStatus::STARTING,
      JobStatus::RUNNING,   JobStatus::SUCCEEDED, JobStatus::FAILED};
  return all;
}

bool IsFinalAttemptState(batch::v1::AttemptState::Value state) {
  using batch::v1::AttemptState;
  switch (state) {
    case AttemptState::EXITED:
    case AttemptState::LAUNCH_FAILED:
      return true;
    case AttemptState::ATTEMPT_STATE_UNSPECIFIED:
    case AttemptState::LAUNCHING:
    case AttemptState::RUNNING:
    case batch::v1::AttemptState_Value_AttemptState_Value_INT_MIN_SENTINEL_DO_NOT_USE_:
    case batch::v1::AttemptState_Value_AttemptState_Value_INT_MAX_SENTINEL_DO_NOT_USE_:
      return false;
  }
  return false;
}

}  // namespace batchd::api
