// Jobs that wait on other jobs, and array jobs, as the event loop follows them: a job that
// ends decides its dependents at once; an array's children wait and run as jobs of their own
// and end their parent when the last of them ends.
#include <spdlog/spdlog.h>

#include <utility>

#include "api/array_jobs.h"
#include "api/job_states.h"
#include "core/dependencies.h"
#include "core/job_spec.h"
#include "dispatch/dispatcher.h"

namespace batchd::dispatch {

using batch::v1::JobDetail;
using batch::v1::JobStatus;

namespace {

std::vector<core::Dependency> ToDependencies(
    const google::protobuf::RepeatedPtrField<batch::v1::JobDependency>& deps, bool whole_job) {
  std::vector<core::Dependency> out;
  for (const auto& d : deps) {
    if (!whole_job || api::IsWholeJobDependency(d)) out.push_back({d.job_id(), d.condition()});
  }
  return out;
}

}  // namespace

bool Dispatcher::IsLive(const std::string& job_id) {
  if (waiting_.Find(job_id) != nullptr || graph_.IsWaiting(job_id) || arrays_.count(job_id) > 0 ||
      cluster_.AttemptOfJob(job_id) != nullptr) {
    return true;
  }
  return false;
}

std::unordered_map<std::string, JobStatus::Value> Dispatcher::StatusesOf(
    const std::vector<std::string>& ids) {
  std::unordered_map<std::string, JobStatus::Value> out;
  std::vector<std::string> ask;
  for (const auto& id : ids) {
    if (out.count(id) > 0) continue;
    if (auto e = ending_.find(id); e != ending_.end()) {
      out[id] = e->second;
      continue;
    }
    if (auto child = api::SplitArrayChildId(id)) {
      auto run = arrays_.find(child->first);
      if (run != arrays_.end() && child->second < static_cast<int>(run->second.ended.size())) {
        const uint8_t ended = run->second.ended[child->second];
        out[id] = ended == 0   ? JobStatus::RUNNABLE
                  : ended == 1 ? JobStatus::SUCCEEDED
                               : JobStatus::FAILED;
        continue;
      }
    }
    if (IsLive(id)) {
      out[id] = JobStatus::RUNNABLE;
      continue;
    }
    ask.push_back(id);
  }
  if (!ask.empty()) {
    for (const auto& [id, status] : store_.JobStatuses(ask)) out[id] = status;
  }
  return out;
}

void Dispatcher::Follow(const std::string& job_id, const std::vector<core::Dependency>& deps,
                        const std::unordered_map<std::string, JobStatus::Value>& statuses,
                        std::vector<core::DependencyOutcome>& decided) {
  std::vector<core::Dependency> unmet;
  for (const auto& d : deps) {
    auto it = statuses.find(d.job_id);
    // Not found: not visible yet, so certainly not ended.
    const JobStatus::Value status = it == statuses.end() ? JobStatus::PENDING : it->second;
    if (!api::IsTerminal(status)) {
      unmet.push_back(d);
      continue;
    }
    if (!core::SatisfiesCondition(d.condition, status)) {
      decided.push_back(
          {job_id, JobStatus::FAILED, core::BrokenDependencyReason(d.job_id, d.condition, status)});
      return;
    }
  }
  if (unmet.empty()) {
    decided.push_back({job_id, JobStatus::RUNNABLE, ""});
  } else {
    graph_.AddWaiting(job_id, std::move(unmet));
  }
}

void Dispatcher::TrackPending(const std::vector<JobDetail>& jobs, bool from_submit) {
  std::vector<std::string> ids;
  for (const JobDetail& job : jobs) {
    if (api::IsArrayChild(job) || job.status() != JobStatus::PENDING) continue;
    if (api::IsArrayParent(job) && arrays_.count(job.job_id()) == 0) {
      ArrayRun run;
      run.parent = job;
      run.parent.mutable_array_properties()->clear_status_summary();
      run.need = core::EffectiveResources(job.container());
      run.ended.assign(job.array_properties().size(), 0);
      // Submitted with its dependencies met: the store holds its children as released.
      run.stored_released = from_submit && job.status_reason().empty();
      arrays_.emplace(job.job_id(), std::move(run));
    }
    for (const auto& d : ToDependencies(job.depends_on(), true)) ids.push_back(d.job_id);
  }
  if (!from_submit) {
    // After a restart: children that have ended are known by their rows.
    for (const JobDetail& job : jobs) {
      if (!api::IsArrayParent(job) || job.status() != JobStatus::PENDING) continue;
      auto children = store_.ArrayChildStatuses(job.job_id());
      for (size_t k = 0; k < children.size(); ++k) {
        if (api::IsTerminal(children[k])) {
          EndChild(job.job_id(), static_cast<int>(k), children[k]);
        }
      }
    }
  }
  const auto statuses = StatusesOf(ids);
  std::vector<core::DependencyOutcome> decided;
  for (const JobDetail& job : jobs) {
    if (api::IsArrayChild(job) || job.status() != JobStatus::PENDING) continue;
    if (api::IsArrayParent(job) && (job.is_cancelled() || job.is_terminated())) {
      StopArray(job);
      continue;
    }
    Follow(job.job_id(), ToDependencies(job.depends_on(), true), statuses, decided);
  }
  ApplyOutcomes(std::move(decided));
}

void Dispatcher::LeavePending(const std::string& job_id, JobStatus::Value to,
                              const std::string& reason) {
  JobOp op;
  op.kind = JobOp::Kind::kLeavePending;
  op.job_id = job_id;
  op.to = to;
  op.reason = reason;
  batch_.Add(std::move(op));
}

void Dispatcher::ApplyOutcomes(std::vector<core::DependencyOutcome> outcomes) {
  // Grows while it runs: a failure decides the jobs that wait on the one that failed.
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const core::DependencyOutcome o = outcomes[i];
    auto more = [&](std::vector<core::DependencyOutcome> next) {
      for (auto& n : next) outcomes.push_back(std::move(n));
    };
    auto array = arrays_.find(o.job_id);
    if (array != arrays_.end()) {
      ArrayRun& run = array->second;
      if (o.status == JobStatus::RUNNABLE) {
        ReleaseArray(o.job_id);
        continue;
      }
      // The array fails before any child ran: each child ends with it, and whatever waits on
      // one of them.
      run.done = true;
      ending_[o.job_id] = JobStatus::FAILED;
      LeavePending(o.job_id, JobStatus::FAILED, o.reason);
      for (size_t k = 0; k < run.ended.size(); ++k) {
        if (run.ended[k] != 0) continue;
        run.ended[k] = 2;
        ++run.ended_count;
        ++run.failed;
        more(graph_.Finished(api::ArrayChildId(o.job_id, static_cast<int>(k)), JobStatus::FAILED));
      }
      continue;
    }
    if (o.status == JobStatus::RUNNABLE) {
      LeavePending(o.job_id, JobStatus::RUNNABLE, "");
      continue;
    }
    ending_[o.job_id] = JobStatus::FAILED;
    LeavePending(o.job_id, JobStatus::FAILED, o.reason);
    more(graph_.Finished(o.job_id, JobStatus::FAILED));
    if (auto child = api::SplitArrayChildId(o.job_id)) {
      EndChild(child->first, child->second, JobStatus::FAILED);
    }
  }
}

void Dispatcher::ReleaseArray(const std::string& parent_id) {
  auto it = arrays_.find(parent_id);
  if (it == arrays_.end()) return;
  ArrayRun& run = it->second;
  if (run.released || run.stopping || run.done) return;
  const bool per_child = api::HasPerChildDependencies(run.parent);
  if (!run.stored_released) {
    try {
      store_.ReleaseArrays({{parent_id, per_child ? JobStatus::PENDING : JobStatus::RUNNABLE}});
      run.stored_released = true;
    } catch (const std::exception& e) {
      spdlog::error("scheduler: cannot release array {} (retrying): {}", parent_id, e.what());
      arrays_to_release_.push_back(parent_id);
      return;
    }
  }
  run.released = true;
  const int size = static_cast<int>(run.ended.size());
  std::vector<int> follow;
  for (int k = 0; k < size; ++k) {
    if (run.ended[k] != 0) continue;
    const std::string child = api::ArrayChildId(parent_id, k);
    // After a restart some children already wait (RUNNABLE rows) or run.
    if (waiting_.Find(child) != nullptr || cluster_.AttemptOfJob(child) != nullptr) continue;
    if (per_child) {
      follow.push_back(k);
    } else {
      AddWaitingChild(parent_id, k);
    }
  }
  if (follow.empty()) return;
  std::vector<std::vector<core::Dependency>> deps;
  std::vector<std::string> ids;
  deps.reserve(follow.size());
  for (int k : follow) {
    deps.push_back(ToDependencies(api::ChildDependsOn(run.parent, k), false));
    for (const auto& d : deps.back()) ids.push_back(d.job_id);
  }
  const auto statuses = StatusesOf(ids);
  std::vector<core::DependencyOutcome> decided;
  for (size_t i = 0; i < follow.size(); ++i) {
    Follow(api::ArrayChildId(parent_id, follow[i]), deps[i], statuses, decided);
  }
  ApplyOutcomes(std::move(decided));
}

void Dispatcher::AddWaitingChild(const std::string& parent_id, int index) {
  const ArrayRun& run = arrays_.at(parent_id);
  core::WaitingJob waiting;
  waiting.job_id = api::ArrayChildId(parent_id, index);
  waiting.queue = run.parent.job_queue();
  waiting.scheduling_priority = run.parent.scheduling_priority();
  waiting.created_at = run.parent.created_at();
  waiting.need = run.need;
  waiting_.Add(waiting, options_.placement);
  placement_due_ = true;
}

void Dispatcher::EndChild(const std::string& parent_id, int index, JobStatus::Value status) {
  auto it = arrays_.find(parent_id);
  if (it == arrays_.end()) return;
  ArrayRun& run = it->second;
  if (index < 0 || index >= static_cast<int>(run.ended.size()) || run.ended[index] != 0) return;
  const bool failed = status != JobStatus::SUCCEEDED;
  run.ended[index] = failed ? 2 : 1;
  ++run.ended_count;
  if (failed) ++run.failed;
  if (run.ended_count < static_cast<int>(run.ended.size()) || run.done) return;
  run.done = true;
  if (run.failed == 0 && !run.stopping) {
    LeavePending(parent_id, JobStatus::SUCCEEDED, "");
    return;
  }
  ending_[parent_id] = JobStatus::FAILED;
  LeavePending(parent_id, JobStatus::FAILED,
               run.stopping ? run.stop_reason
                            : std::to_string(run.failed) + " of " +
                                  std::to_string(run.ended.size()) + " children failed");
}

void Dispatcher::StopArray(const JobDetail& parent) {
  const std::string& parent_id = parent.job_id();
  auto it = arrays_.find(parent_id);
  if (it == arrays_.end()) return;
  ArrayRun& run = it->second;
  run.stopping = true;
  if (run.stop_reason.empty()) run.stop_reason = parent.status_reason();
  graph_.Forget(parent_id);
  const int size = static_cast<int>(run.ended.size());
  for (int k = 0; k < size; ++k) {
    if (run.ended[k] != 0) continue;
    const std::string child = api::ArrayChildId(parent_id, k);
    if (ActiveAttempt* attempt = cluster_.AttemptOfJob(child)) {
      // Cancelling lets started children finish; terminating stops them.
      if (parent.is_terminated() && attempt->kill_reason.empty()) {
        attempt->kill_reason =
            parent.status_reason().empty() ? "terminated" : parent.status_reason();
        SendKill(*attempt);
      }
      continue;
    }
    waiting_.Remove(child);
    graph_.Forget(child);
    OnJobEnded(child, JobStatus::FAILED);
  }
}

void Dispatcher::OnJobEnded(const std::string& job_id, JobStatus::Value status) {
  ending_.erase(job_id);
  if (job_end_listener_) job_end_listener_(job_id);
  ApplyOutcomes(graph_.Finished(job_id, status));
  if (auto child = api::SplitArrayChildId(job_id)) {
    EndChild(child->first, child->second, status);
  } else {
    arrays_.erase(job_id);
  }
}

void Dispatcher::RetryDependencyWork() {
  for (const auto& id : std::exchange(arrays_to_release_, {})) ReleaseArray(id);
  if (to_track_.empty()) return;
  auto jobs = std::exchange(to_track_, {});
  try {
    TrackPending(jobs, true);
  } catch (const std::exception& e) {
    spdlog::error("scheduler: cannot follow {} jobs' dependencies (retrying): {}", jobs.size(),
                  e.what());
    to_track_ = std::move(jobs);
  }
}

std::vector<std::string> Dispatcher::DependencyDetails(const JobDetail& job) {
  std::vector<std::string> out;
  if (const auto* unmet = graph_.UnmetOf(job.job_id())) {
    out.push_back(core::WaitingReason(*unmet));
  }
  auto it = arrays_.find(job.job_id());
  if (it != arrays_.end()) {
    const ArrayRun& run = it->second;
    const int size = static_cast<int>(run.ended.size());
    int running = 0;
    int waiting = 0;
    for (int k = 0; k < size; ++k) {
      if (run.ended[k] != 0) continue;
      const std::string child = api::ArrayChildId(job.job_id(), k);
      if (cluster_.AttemptOfJob(child) != nullptr) {
        ++running;
      } else if (waiting_.Find(child) != nullptr) {
        ++waiting;
      }
    }
    std::string line = "array of " + std::to_string(size) + ": " + std::to_string(run.ended_count) +
                       " ended (" + std::to_string(run.failed) + " failed), " +
                       std::to_string(running) + " starting or running, " +
                       std::to_string(waiting) + " waiting for capacity";
    const int pending = size - run.ended_count - running - waiting;
    if (pending > 0) {
      line +=
          ", " + std::to_string(pending) +
          (run.released ? " waiting on their dependencies" : " held by the array's dependencies");
    }
    if (run.stopping) line += "; stopping: " + run.stop_reason;
    out.push_back(line);
  }
  return out;
}

}  // namespace batchd::dispatch
