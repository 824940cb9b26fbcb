#include "core/dependencies.h"

#include "api/job_states.h"
#include "core/dependency_graph.h"

namespace batchd::core {

using batch::v1::JobStatus;

InitialState DecideInitialState(const std::vector<DependencyState>& dependencies) {
  std::vector<Dependency> waiting;
  for (const auto& d : dependencies) {
    if (!api::IsTerminal(d.status)) {
      waiting.push_back({d.job_id, d.condition});
      continue;
    }
    if (!SatisfiesCondition(d.condition, d.status)) {
      return {JobStatus::FAILED, BrokenDependencyReason(d.job_id, d.condition, d.status)};
    }
  }
  if (waiting.empty()) return {JobStatus::RUNNABLE, ""};
  return {JobStatus::PENDING, WaitingReason(waiting)};
}

bool LeavePending(batch::v1::JobDetail& job, JobStatus::Value to, const std::string& reason,
                  int64_t now_ms) {
  if (job.status() != JobStatus::PENDING) return false;
  api::CheckTransition(job.status(), to);
  job.set_status(to);
  job.set_status_reason(reason);
  if (api::IsTerminal(to)) job.set_stopped_at(now_ms);
  return true;
}

}  // namespace batchd::core
