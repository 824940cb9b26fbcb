#pragma once
// Whether a newly submitted job waits on its dependencies, may run, or has already failed
// because a dependency ended the wrong way.
#include <string>
#include <vector>

#include "batch/v1/types.pb.h"

namespace batchd::core {

struct DependencyState {
  std::string job_id;
  batch::v1::DependencyCondition::Value condition;  // unspecified = afterok
  batch::v1::JobStatus::Value status;
};

struct InitialState {
  batch::v1::JobStatus::Value status;
  std::string reason;
};

InitialState DecideInitialState(const std::vector<DependencyState>& dependencies);

// PENDING -> `to`: RUNNABLE when its dependencies are met, FAILED when one broke its condition,
// and for an array parent SUCCEEDED or FAILED once its children have ended. False (nothing
// changed) when the job is no longer PENDING.
bool LeavePending(batch::v1::JobDetail& job, batch::v1::JobStatus::Value to,
                  const std::string& reason, int64_t now_ms);

}  // namespace batchd::core
