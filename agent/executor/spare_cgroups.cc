// ProcessExecutor: ended attempts' cgroups kept for the next attempts, on the executor's
// thread.
#include "agent/executor/process_executor.h"

namespace batchd::agent {
namespace {
// More than the attempts that end between two starts on a busy agent.
constexpr size_t kSpareCgroups = 16;
// An agent with nothing to run for this long keeps its standbys' cgroups and no others.
constexpr auto kSpareCgroupsIdle = std::chrono::seconds(1);
}  // namespace

void ProcessExecutor::ReuseOrRemoveCgroup(JobCgroup cgroup, bool emptied) {
  bool recovered;
  {
    std::lock_guard lock(mu_);
    recovered = recovered_;  // Recover's sweep would remove the spares
  }
  if (emptied && recovered && spare_cgroups_.size() < kSpareCgroups && cgroup.ResetForReuse()) {
    spare_cgroups_.push_back(std::move(cgroup));
    return;
  }
  RemoveCgroup(cgroup);
}

std::optional<JobCgroup> ProcessExecutor::TakeSpareCgroup() {
  if (spare_cgroups_.empty()) return std::nullopt;
  JobCgroup spare = std::move(spare_cgroups_.front());
  spare_cgroups_.pop_front();
  return spare;
}

std::optional<ProcessExecutor::Clock::time_point> ProcessExecutor::SpareCgroupsDropAt() const {
  if (spare_cgroups_.empty() || !running_.empty()) return std::nullopt;
  return last_launch_ + kSpareCgroupsIdle;
}

void ProcessExecutor::DropSpareCgroups() {
  for (const JobCgroup& cgroup : spare_cgroups_) RemoveCgroup(cgroup);
  spare_cgroups_.clear();
}

}  // namespace batchd::agent
