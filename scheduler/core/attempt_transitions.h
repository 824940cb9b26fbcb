#pragma once
// How a job's stored record changes when the scheduler places it, when its agent reports on
// the attempt, and when its node is lost. Each function checks the fencing (the attempt must
// be the job's current one) and the state table, changes `job` and says whether it did, so
// the caller can run it inside the transaction that locked the row.
#include <cstdint>
#include <string>

#include "batch/v1/agent_service.pb.h"
#include "batch/v1/types.pb.h"
#include "core/retry.h"

namespace batchd::core {

struct DispatchSettings {
  int kill_grace_seconds = 10;
  int64_t log_limit_bytes = 1 << 20;  // per stream
  int max_infrastructure_retries = 5;
};

// The attempt in flight (STARTING or RUNNING), or nullptr.
const batch::v1::AttemptDetail* CurrentAttempt(const batch::v1::JobDetail& job);

// RUNNABLE -> STARTING with a new attempt on `node_id`; fills `launch` for the agent.
// False when the job is no longer RUNNABLE (cancelled meanwhile).
bool StartAttempt(batch::v1::JobDetail& job, const std::string& attempt_id,
                  const std::string& node_id, const std::string& compute_environment,
                  const DispatchSettings& settings, batch::v1::LaunchAttempt* launch);

// STARTING -> RUNNING. False when `attempt_id` is not the job's current attempt or it already
// runs.
bool MarkRunning(batch::v1::JobDetail& job, const batch::v1::AttemptStatus& status);

struct FinishOutcome {
  bool applied = false;  // false: stale (not the current attempt); nothing changed
  RetryDecision decision;
};

// The current attempt ended (EXITED or LAUNCH_FAILED, or lost with `status.infrastructure`):
// records it on the attempt and moves the job to SUCCEEDED, RUNNABLE (retry) or FAILED per
// its retry strategy. A terminated job is never retried.
FinishOutcome FinishAttempt(batch::v1::JobDetail& job, const batch::v1::AttemptStatus& status,
                            const DispatchSettings& settings, int64_t now_ms);

// RUNNABLE -> FAILED because no compute environment can ever fit it.
bool FailUnplaceable(batch::v1::JobDetail& job, const std::string& reason, int64_t now_ms);

}  // namespace batchd::core
