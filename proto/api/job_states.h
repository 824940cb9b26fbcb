#pragma once
// The job state table: the only place that says which status moves are legal.
#include <string_view>
#include <vector>

#include "batch/v1/agent_service.pb.h"
#include "batch/v1/types.pb.h"

namespace batchd::api {

using JobStatus = batch::v1::JobStatus::Value;

struct JobTransition {
  JobStatus from;
  JobStatus to;
  std::string_view trigger;
};

const std::vector<JobTransition>& JobTransitionTable();
bool IsLegalTransition(JobStatus from, JobStatus to);
// Throws FAILED_PRECONDITION naming both statuses when the move is not in the table.
void CheckTransition(JobStatus from, JobStatus to);

bool IsTerminal(JobStatus status);
// SUBMITTED, PENDING, RUNNABLE: the job holds no node yet, so it can be cancelled.
bool IsBeforeStart(JobStatus status);
std::string_view JobStatusName(JobStatus status);
// Parses "RUNNABLE" (any case); throws INVALID_ARGUMENT naming `field`.
JobStatus ParseJobStatus(std::string_view field, std::string_view text);
const std::vector<JobStatus>& AllJobStatuses();

// EXITED or LAUNCH_FAILED: an agent reports nothing more about the attempt.
bool IsFinalAttemptState(batch::v1::AttemptState::Value state);

}  // namespace batchd::api
