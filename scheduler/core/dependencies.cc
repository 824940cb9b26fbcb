#include "core/dependencies.h"

#include "api/job_states.h"

namespace batchd::core {

using batch::v1::DependencyCondition;
using batch::v1::JobStatus;

namespace {

// Whether a finished dependency lets the dependent run under `condition`.
bool Satisfies(DependencyCondition::Value condition, JobStatus::Value status) {
  switch (condition) {
    case DependencyCondition::DEPENDENCY_CONDITION_UNSPECIFIED:
    case DependencyCondition::afterok:
      return status == JobStatus::SUCCEEDED;
    case DependencyCondition::afterany:
      return true;
    case DependencyCondition::afternotok:
      return status == JobStatus::FAILED;
    case batch::v1::
        DependencyCondition_Value_DependencyCondition_Value_INT_MIN_SENTINEL_DO_NOT_USE_:
    case batch::v1::
        DependencyCondition_Value_DependencyCondition_Value_INT_MAX_SENTINEL_DO_NOT_USE_:
      return false;
  }
  return false;
}

}  // namespace

InitialState DecideInitialState(const std::vector<DependencyState>& dependencies) {
  std::vector<std::string> waiting;
  for (const auto& d : dependencies) {
    if (!api::IsTerminal(d.status)) {
      waiting.push_back(d.job_id);
      continue;
    }
    if (!Satisfies(d.condition, d.status)) {
      return {JobStatus::FAILED, "Dependent Job failed: dependency " + d.job_id + " is " +
                                     std::string(api::JobStatusName(d.status))};
    }
  }
  if (waiting.empty()) return {JobStatus::RUNNABLE, ""};
  std::string reason = "waiting for " + std::to_string(waiting.size()) + " dependenc" +
                       (waiting.size() == 1 ? "y: " : "ies: ");
  for (size_t i = 0; i < waiting.size() && i < 5; ++i) reason += (i ? ", " : "") + waiting[i];
  if (waiting.size() > 5) reason += ", ...";
  return {JobStatus::PENDING, reason};
}

}  // namespace batchd::core
