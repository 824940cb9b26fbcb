#include "core/dependency_graph.h"

#include <algorithm>
#include <deque>

#include "api/job_states.h"

namespace batchd::core {

using batch::v1::DependencyCondition;
using batch::v1::JobStatus;

bool SatisfiesCondition(DependencyCondition::Value condition, JobStatus::Value status) {
  switch (condition) {
    case DependencyCondition::DEPENDENCY_CONDITION_UNSPECIFIED:
    case DependencyCondition::afterok:
      return status == JobStatus::SUCCEEDED;
    case DependencyCondition::afterany:
      return api::IsTerminal(status);
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

std::string BrokenDependencyReason(const std::string& dependency,
                                   DependencyCondition::Value condition, JobStatus::Value status) {
  const std::string head = "Dependent Job failed: dependency " + dependency;
  if (status == JobStatus::FAILED) return head + " failed";
  // Only afternotok refuses a success.
  return head + " succeeded; " + DependencyCondition::Value_Name(condition) + " needs it to fail";
}

std::string WaitingReason(const std::vector<Dependency>& unmet) {
  std::string reason = "waiting for " + std::to_string(unmet.size()) + " dependenc" +
                       (unmet.size() == 1 ? "y: " : "ies: ");
  for (size_t i = 0; i < unmet.size() && i < 5; ++i) {
    reason += (i ? ", " : "") + unmet[i].job_id;
  }
  if (unmet.size() > 5) reason += ", ...";
  return reason;
}

void DependencyGraph::AddWaiting(const std::string& job_id, std::vector<Dependency> unmet) {
  for (const auto& d : unmet) dependents_[d.job_id].push_back({job_id, d.condition});
  waiting_[job_id] = std::move(unmet);
}

std::vector<DependencyOutcome> DependencyGraph::Finished(const std::string& job_id,
                                                         JobStatus::Value status) {
  std::vector<DependencyOutcome> out;
  // Breadth first with an explicit queue: a chain of any length costs no stack.
  std::deque<std::pair<std::string, JobStatus::Value>> finished;
  finished.emplace_back(job_id, status);
  while (!finished.empty()) {
    auto [id, how] = std::move(finished.front());
    finished.pop_front();
    waiting_.erase(id);
    auto node = dependents_.extract(id);
    if (node.empty()) continue;
    for (const Edge& edge : node.mapped()) {
      auto it = waiting_.find(edge.dependent);
      if (it == waiting_.end()) continue;
      auto& unmet = it->second;
      auto dep = std::find_if(unmet.begin(), unmet.end(),
                              [&](const Dependency& d) { return d.job_id == id; });
      if (dep == unmet.end()) continue;  // an edge left from an earlier registration
      if (!SatisfiesCondition(edge.condition, how)) {
        out.push_back(
            {edge.dependent, JobStatus::FAILED, BrokenDependencyReason(id, edge.condition, how)});
        waiting_.erase(it);
        finished.emplace_back(edge.dependent, JobStatus::FAILED);
        continue;
      }
      unmet.erase(dep);
      if (unmet.empty()) {
        out.push_back({edge.dependent, JobStatus::RUNNABLE, ""});
        waiting_.erase(it);
      }
    }
  }
  return out;
}

void DependencyGraph::Forget(const std::string& job_id) { waiting_.erase(job_id); }

const std::vector<Dependency>* DependencyGraph::UnmetOf(const std::string& job_id) const {
  auto it = waiting_.find(job_id);
  return it == waiting_.end() ? nullptr : &it->second;
}

}  // namespace batchd::core
