#include "dispatch/dispatcher.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <optional>

#include "api/array_jobs.h"
#include "api/job_states.h"

namespace batchd::dispatch {

using batch::v1::JobDetail;
using batch::v1::JobStatus;

namespace {
// Leases are checked, and aging and reservations re-evaluated, this often.
constexpr int64_t kHousekeepingMs = 500;
// Between two scaling decisions, at least this long, and at least ten times as long as the
// last one took: a busy scheduler does not spend itself recomputing them for every submit.
constexpr int64_t kAutoscaleMinGapMs = 2;
constexpr int64_t kAutoscaleCostFactor = 10;
}  // namespace

Dispatcher::Dispatcher(store::Store& store, const core::Clock& clock, DispatchOptions options)
    : store_(store), clock_(clock), options_(std::move(options)) {}

Dispatcher::~Dispatcher() { Stop(); }

void Dispatcher::Start() {
  LoadResources();
  LoadState();
  thread_ = std::thread([this] { Loop(); });
}

void Dispatcher::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  // A commit still running ends, and its launches are not sent: as after a crash, the next
  // batchd finds those attempts stored, and the agent's hello, which lacks them, has them
  // retried.
  committer_.Stop();
}

void Dispatcher::SetProvisioner(Provisioner* provisioner) {
  Post([this, provisioner] {
    provisioner_ = provisioner;
    next_autoscale_ms_ = 0;
    placement_due_ = true;
  });
}

void Dispatcher::Post(std::function<void()> work) {
  std::lock_guard lock(mu_);
  // Dropped after Stop: a waiting Ask then sees a broken promise instead of hanging.
  if (stopping_) return;
  inbox_.push_back(std::move(work));
  cv_.notify_one();
}

void Dispatcher::Loop() {
  for (;;) {
    std::vector<std::function<void()>> work;
    {
      std::unique_lock lock(mu_);
      const int64_t now = clock_.NowMillis();
      int64_t wake = next_lease_check_ms_;
      // (While a commit runs, its end comes as work.)
      const bool to_commit = !batch_.empty() && !commit_running_;
      if (to_commit && retry_flush_at_ms_ > 0) wake = std::min(wake, retry_flush_at_ms_);
      // Work a commit left behind (a finished job's dependents, jobs to place) goes on at once.
      if (to_commit && retry_flush_at_ms_ == 0) wake = now;
      if (autoscale_due_ && provisioner_ != nullptr) {
        wake = std::min(wake, next_autoscale_ms_);
      }
      std::chrono::steady_clock::duration wait =
          std::chrono::milliseconds(std::max<int64_t>(0, wake - now));
      // To the microsecond: a pass that took 0.3 ms is due 0.3 ms later, not a tick later.
      if (placement_due_) {
        wait = std::min(wait, std::max(std::chrono::steady_clock::duration::zero(),
                                       next_placement_at_ - std::chrono::steady_clock::now()));
      }
      cv_.wait_for(lock, wait, [&] { return stopping_ || !inbox_.empty(); });
      if (stopping_) break;
      work.swap(inbox_);
    }
    for (auto& item : work) item();
    try {
      Turn();
    } catch (const std::exception& e) {
      spdlog::error("scheduler: {}", e.what());
    }
  }
  // Whoever still waits for an answer gets one: the promises break with the queued work.
  // Dropped outside the lock: a dropped hello answers as it goes (see HelloAnswer).
  std::vector<std::function<void()>> dropped;
  std::lock_guard lock(mu_);
  dropped.swap(inbox_);
}

void Dispatcher::Turn() {
  const int64_t now = clock_.NowMillis();
  const bool housekeeping = now >= next_lease_check_ms_;
  if (housekeeping) {
    CheckLeases();
    RetryDependencyWork();
    placement_due_ = placement_due_ || waiting_.size() > 0;
    next_lease_check_ms_ = now + kHousekeepingMs;
  }
  // Built once per turn for both passes. Scaling reads only its queues and environments,
  // which placing jobs does not change.
  std::optional<core::ClusterView> view;
  const auto current_view = [&]() -> const core::ClusterView& {
    if (!view) view = BuildView();
    return *view;
  };
  // With many nodes a pass costs milliseconds, mostly building its view of them, and a busy
  // loop would otherwise run one for every finished job: the next pass waits as long as
  // this one took, so a loop under load places many jobs per pass. A cheap pass (a few
  // nodes, an idle scheduler) delays nothing.
  if (placement_due_ && std::chrono::steady_clock::now() >= next_placement_at_) {
    const auto started = std::chrono::steady_clock::now();
    PlacementPass(current_view);
    const auto finished = std::chrono::steady_clock::now();
    next_placement_at_ = finished + (finished - started);
  }
  // Jobs left waiting reach the provider at once, or at most kAutoscaleMinGapMs after the
  // last decision; otherwise scaling is reconsidered with the housekeeping.
  autoscale_due_ = autoscale_due_ || housekeeping || waiting_.size() > 0;
  if (provisioner_ != nullptr && autoscale_due_ && now >= next_autoscale_ms_) {
    autoscale_due_ = false;
    const auto started = std::chrono::steady_clock::now();
    Autoscale(current_view());
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - started)
                          .count();
    next_autoscale_ms_ = now + std::max(kAutoscaleMinGapMs, took * kAutoscaleCostFactor);
  }
  if (retry_flush_at_ms_ == 0 || now >= retry_flush_at_ms_) Flush();
}

// ---------------------------------------------------------------- hooks from the control plane

void Dispatcher::JobsSubmitted(const std::vector<JobDetail>& jobs) {
  std::vector<JobDetail> runnable;
  std::vector<JobDetail> pending;
  for (const JobDetail& job : jobs) {
    if (job.status() == JobStatus::RUNNABLE) runnable.push_back(job);
    if (job.status() == JobStatus::PENDING) pending.push_back(job);
  }
  if (runnable.empty() && pending.empty()) return;
  Post([this, runnable = std::move(runnable), pending = std::move(pending)] {
    for (const JobDetail& job : runnable) AddWaiting(job);
    if (pending.empty()) return;
    try {
      TrackPending(pending, true);
    } catch (const std::exception& e) {
      spdlog::error("scheduler: cannot follow {} jobs' dependencies (retrying): {}", pending.size(),
                    e.what());
      for (const JobDetail& job : pending) to_track_.push_back(job);
    }
  });
}

void Dispatcher::JobStopRequested(const JobDetail& job) {
  Post([this, job] {
    if (api::IsArrayParent(job)) {
      StopArray(job);
      return;
    }
    const std::string& id = job.job_id();
    waiting_.Remove(id);
    graph_.Forget(id);
    if (ActiveAttempt* attempt = cluster_.AttemptOfJob(id)) {
      attempt->kill_reason = job.status_reason().empty() ? "terminated" : job.status_reason();
      SendKill(*attempt);
      return;
    }
    if (api::IsTerminal(job.status())) OnJobEnded(id, job.status());
  });
}

void Dispatcher::ResourcesChanged() {
  Post([this] {
    LoadResources();
    placement_due_ = true;
  });
}

std::vector<batch::v1::NodeDetail> Dispatcher::Nodes() {
  return Ask<std::vector<batch::v1::NodeDetail>>([this] { return cluster_.Describe(); });
}

std::optional<batch::v1::NodeDetail> Dispatcher::ReclaimNode(const std::string& node_id,
                                                             const std::string& reason) {
  return Ask<std::optional<batch::v1::NodeDetail>>(
      [this, node_id, reason]() -> std::optional<batch::v1::NodeDetail> {
        NodeEntry* node = cluster_.FindNode(node_id);
        if (node == nullptr) return std::nullopt;
        const auto state = node->detail.state();
        if (state != batch::v1::NodeState::TERMINATED && !node->removing) {
          Reclaim(*node, reason, true);
        }
        batch::v1::NodeDetail detail = node->detail;
        *detail.mutable_total() = ToNodeResources(node->total);
        return detail;
      });
}

batch::v1::ExplainJobResponse Dispatcher::Explain(const JobDetail& job) {
  return Ask<batch::v1::ExplainJobResponse>([this, job] {
    batch::v1::ExplainJobResponse out;
    out.set_job_id(job.job_id());
    out.set_status(job.status());
    if (waiting_.Find(job.job_id()) != nullptr) {
      core::Explanation why = core::ExplainWaiting(BuildView(), waiting_, job.job_id(),
                                                   clock_.NowMillis(), options_.placement);
      out.set_summary(why.summary);
      for (auto& line : why.details) out.add_details(line);
      for (auto& line : ScalingDetails(job.job_queue())) out.add_details(line);
      return out;
    }
    if (const ActiveAttempt* attempt = cluster_.AttemptOfJob(job.job_id())) {
      out.set_summary((attempt->committed ? "on node " : "being placed on node ") +
                      attempt->node_id + " (attempt " + attempt->attempt_id + ")");
      if (!attempt->kill_reason.empty()) {
        out.add_details("stopping: " + attempt->kill_reason);
      }
      const NodeEntry* node = cluster_.FindNode(attempt->node_id);
      if (node != nullptr && node->link == nullptr) {
        out.add_details("node " + attempt->node_id +
                        " is not connected; it is declared lost when its lease of " +
                        std::to_string(options_.node_lease_seconds) + " s runs out");
      }
      return out;
    }
    if (auto details = DependencyDetails(job); !details.empty()) {
      out.set_summary(details.front());
      for (size_t i = 1; i < details.size(); ++i) out.add_details(details[i]);
      return out;
    }
    if (job.status() == JobStatus::RUNNABLE) {
      out.set_summary("waiting for the scheduler to take it in");
    } else if (job.status() == JobStatus::PENDING) {
      out.set_summary("waiting on dependencies");
    } else {
      out.set_summary(std::string(api::JobStatusName(job.status())));
    }
    return out;
  });
}

}  // namespace batchd::dispatch
