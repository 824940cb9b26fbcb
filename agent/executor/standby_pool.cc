// ProcessExecutor: the standby job process (standby.h), on the executor's thread.
#include <spdlog/spdlog.h>

#include "agent/executor/process_executor.h"

namespace batchd::agent {

std::optional<JobCgroup> ProcessExecutor::TakeCgroup(const std::string& attempt_id,
                                                     const CgroupLimits& limits) {
  if (standby_) {
    Standby standby = std::move(*standby_);
    standby_.reset();
    if (standby.cgroup.Rename(attempt_id)) {
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
    // The attempt's cgroup must carry its id (Recover finds it by that): without a rename
    // there is no use in standbys.
    spdlog::debug("process executor: cgroups cannot be renamed here; jobs start without standbys");
    standbys_work_ = false;
    DiscardStandby(standby.process);
    RemoveCgroup(standby.cgroup);
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

namespace {
// A standby is made once no job started for this long. Under load, cgroup moves follow each
// other too closely to wait for a grace period, and a plain vfork is cheaper than a fork.
// Soon after a launch, though, so that it has joined its cgroup before the next job of a
// slow stream comes: a job that arrives while a standby joins waits for that grace period
// (the join holds cgroup_mutex, which renaming and creating cgroups need too).
constexpr auto kStandbyAfterQuiet = std::chrono::milliseconds(2);
constexpr auto kStandbyRetry = std::chrono::seconds(1);
}  // namespace

std::optional<ProcessExecutor::Clock::time_point> ProcessExecutor::StandbyDueAt() const {
  if (standby_ || !standbys_work_ || cgroups_.version() == CgroupVersion::kNone) {
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
    if (!commands_.empty()) return;  // a launch waits: it goes first, as a plain spawn
  }
  next_standby_try_ = Clock::now() + kStandbyRetry;
  std::optional<JobCgroup> cgroup;
  try {
    cgroup = cgroups_.Create("standby-" + std::to_string(++standby_count_), {});
  } catch (const std::exception& e) {
    spdlog::warn("process executor: no standby job process: {}", e.what());
    standbys_work_ = false;
    return;
  }
  if (!cgroup) return;
  std::optional<StandbyProcess> process = StartStandby(cgroup->ProcsFiles());
  if (!process) {
    RemoveCgroup(*cgroup);
    return;
  }
  standby_ = Standby{*process, std::move(*cgroup)};
}

void ProcessExecutor::DropStandbys() {
  if (taken_standby_) DiscardStandby(*taken_standby_);
  taken_standby_.reset();
  if (!standby_) return;
  DiscardStandby(standby_->process);
  RemoveCgroup(standby_->cgroup);
  standby_.reset();
}

}  // namespace batchd::agent
