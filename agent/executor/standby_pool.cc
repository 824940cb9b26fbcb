// ProcessExecutor: the standby job processes (standby.h), on the executor's thread.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>

#include "agent/executor/process_executor.h"

namespace batchd::agent {
namespace {
// Two: while one replaces the standby just used (its join holds cgroup_mutex for a grace
// period), the next job of a slow stream finds the other one ready.
constexpr size_t kStandbys = 2;
// A standby is made once no job runs and none started for this long: it is for the next job
// of an idle agent. Under load, cgroup moves follow each other too closely to wait for a
// grace period, and a plain vfork is far cheaper than a fork and an exec from its copy of
// the agent (standbys made under load halved the turnover of trivial jobs).
constexpr auto kStandbyAfterQuiet = std::chrono::milliseconds(2);
constexpr auto kStandbyRetry = std::chrono::seconds(1);

// Unique among the executors of this process and, by the pid, those of earlier runs whose
// cgroups could not be removed yet.
std::string NextStandbyName() {
  static std::atomic<uint64_t> count{0};
  return "standby-" + std::to_string(::getpid()) + "-" + std::to_string(++count);
}
}  // namespace

std::optional<JobCgroup> ProcessExecutor::TakeCgroup(const std::string& attempt_id,
                                                     const CgroupLimits& limits) {
  while (!standbys_.empty()) {
    Standby standby = std::move(standbys_.front());
    standbys_.pop_front();
    // The oldest has almost always joined; if not, it is first in line for cgroup_mutex,
    // ahead of any cgroup made here now.
    if (std::string why; !AwaitStandby(standby.process, &why)) {
      spdlog::debug("process executor: standby {} unusable: {}", standby.cgroup.name(), why);
      RemoveCgroup(standby.cgroup);
      next_standby_try_ = Clock::now() + kStandbyRetry;
      continue;
    }
    try {
      cgroups_.ApplyLimits(standby.cgroup, limits);
    } catch (...) {
      DiscardStandby(standby.process);
      RemoveCgroup(standby.cgroup);
      throw;
    }
    taken_standby_ = standby.process;
    return std::move(standby.cgroup);
  }
  while (std::optional<JobCgroup> spare = TakeSpareCgroup()) {
    try {
      cgroups_.ApplyLimits(*spare, limits);
      return spare;
    } catch (const std::exception& e) {
      spdlog::debug("process executor: spare cgroup {} unusable: {}", spare->name(), e.what());
      RemoveCgroup(*spare);
    }
  }
  return cgroups_.Create(attempt_id, limits);
}

SpawnResult ProcessExecutor::SpawnJob(const SpawnRequest& request) {
  if (taken_standby_) {
    StandbyProcess standby = *taken_standby_;
    taken_standby_.reset();
    if (std::optional<SpawnResult> result = LaunchOnStandby(standby, request)) return *result;
  }
  return SpawnProcess(request);
}

std::optional<ProcessExecutor::Clock::time_point> ProcessExecutor::StandbyDueAt() const {
  if (standbys_.size() >= kStandbys || !running_.empty() ||
      cgroups_.version() == CgroupVersion::kNone) {
    return std::nullopt;
  }
  {
    std::lock_guard lock(mu_);
    if (!recovered_ || stopping_) return std::nullopt;
  }
  return std::max(last_launch_ + kStandbyAfterQuiet, next_standby_try_);
}

void ProcessExecutor::MakeStandby() {
  {
    std::lock_guard lock(mu_);
    if (!commands_.empty()) return;  // a launch waits: it goes first
  }
  // A spare cgroup spares the standby making one; it keeps the name it has.
  std::optional<JobCgroup> spare = TakeSpareCgroup();
  JobCgroup cgroup = spare ? std::move(*spare) : cgroups_.Named(NextStandbyName());
  std::vector<std::string> dirs_to_make;
  if (!spare) {
    for (const auto& dir : cgroup.dirs()) dirs_to_make.push_back(dir.string());
  }
  std::optional<StandbyProcess> process = StartStandby(dirs_to_make, cgroup.ProcsFiles());
  if (!process) {
    if (spare) spare_cgroups_.push_front(std::move(cgroup));
    next_standby_try_ = Clock::now() + kStandbyRetry;
    return;
  }
  standbys_.push_back(Standby{*process, std::move(cgroup)});
}

void ProcessExecutor::DropStandbys() {
  if (taken_standby_) DiscardStandby(*taken_standby_);
  taken_standby_.reset();
  for (Standby& standby : standbys_) {
    DiscardStandby(standby.process);
    RemoveCgroup(standby.cgroup);
  }
  standbys_.clear();
}

}  // namespace batchd::agent
