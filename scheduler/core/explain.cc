#include <algorithm>
#include <cstdio>
#include <optional>

#include "core/feasibility.h"
#include "core/fit.h"
#include "core/placement.h"
#include "core/placement_pass.h"

namespace batchd::core {
namespace {

std::string Count(size_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string Seconds(int64_t ms) { return std::to_string(ms / 1000) + " s"; }

std::string Joined(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

// The schedulable node of `ce` with most free room, ignoring reservations (and, for a job
// with an image, nodes without a runtime); -1 when none.
int MostFree(const PassState& state, const std::string& ce, bool needs_runtime = false) {
  int best = -1;
  for (int index : state.NodesOf(ce)) {
    const PassState::Node& node = state.nodes()[index];
    if (!node.view->schedulable || (needs_runtime && !node.view->total.container)) continue;
    if (best < 0 || MoreFree(node.free, state.nodes()[best].free)) best = index;
  }
  return best;
}

std::string DescribeCe(const ClusterView& cluster, const PassState& state, const CeView& ce) {
  std::string line = ce.name + ": " + (ce.enabled ? "ENABLED" : "DISABLED") + ", " +
                     (ce.managed ? "managed" : "unmanaged");
  const std::vector<int>& nodes = state.NodesOf(ce.name);
  const auto schedulable = std::count_if(nodes.begin(), nodes.end(), [&](int index) {
    return state.nodes()[index].view->schedulable;
  });
  line += ", " + std::to_string(schedulable) + " of " + Count(nodes.size(), "node", "nodes") +
          " schedulable";
  if (const int best = MostFree(state, ce.name); best >= 0) {
    const PassState::Node& node = state.nodes()[best];
    line += "; largest free node " + node.view->node_id + " offers " + ResourcesText(node.free);
  }
  const std::optional<Resources> largest = LargestPossibleNode(cluster, ce);
  line += "; largest possible node " + (largest ? ResourcesText(*largest) : "unknown");
  if (ce.managed) line += " (maxvCpus " + std::to_string(ce.maxv_cpus) + ")";
  return line;
}

// For a job with an image: the summary when no schedulable node of `ces` has a runtime.
std::optional<std::string> NoContainerRuntime(const PassState& state,
                                              const std::vector<std::string>& ces) {
  size_t schedulable = 0;
  for (const std::string& name : ces) {
    for (int index : state.NodesOf(name)) {
      const PassState::Node& node = state.nodes()[index];
      if (!node.view->schedulable) continue;
      if (node.view->total.container) return std::nullopt;
      ++schedulable;
    }
  }
  return "needs a container runtime (podman or docker) for its image; none of the " +
         Count(schedulable, "schedulable node", "schedulable nodes") + " in " + Joined(ces) +
         " has one";
}

// The job's own facts: what it asks for, how long it waited, where it stands in its queue.
void DescribeJob(const WaitingJob& job, const WaitingJobs& jobs, int64_t now_ms,
                 const PlacementOptions& options, std::vector<std::string>& details) {
  details.push_back("requests " + ResourcesText(job.need));
  const int64_t waited = std::max<int64_t>(now_ms - job.created_at, 0);
  const int64_t aging_ms = std::max<int64_t>(options.aging_ms, 1);
  char priority[64];
  std::snprintf(priority, sizeof priority, "%.2f",
                job.scheduling_priority + static_cast<double>(waited) / aging_ms);
  details.push_back("waiting " + Seconds(waited) + " since submission; effective priority " +
                    priority + " (schedulingPriority " + std::to_string(job.scheduling_priority) +
                    ", plus 1 per " + Seconds(aging_ms) + " waited)");
  details.push_back(Count(jobs.PositionOf(job.job_id), "job", "jobs") + " ahead of it in queue " +
                    job.queue);
}

}  // namespace

Explanation ExplainWaiting(const ClusterView& cluster, const WaitingJobs& jobs,
                           const std::string& job_id, int64_t now_ms,
                           const PlacementOptions& options) {
  Explanation out;
  std::vector<std::string>& details = out.details;
  const WaitingJob* job = jobs.Find(job_id);
  if (job == nullptr) {
    out.summary = "job " + job_id + " is not waiting for placement";
    return out;
  }
  const Resources& need = job->need;
  DescribeJob(*job, jobs, now_ms, options, details);

  auto queue_it = std::find_if(cluster.queues.begin(), cluster.queues.end(),
                               [&](const QueueView& q) { return q.name == job->queue; });
  if (queue_it == cluster.queues.end()) {
    out.summary = "queue " + job->queue + " does not exist";
    return out;
  }
  const QueueView& queue = *queue_it;
  details.push_back(
      "queue " + queue.name + ": " + (queue.enabled ? "ENABLED" : "DISABLED") + ", priority " +
      std::to_string(queue.priority) + ", compute environments: " +
      (queue.compute_environments.empty() ? "none" : Joined(queue.compute_environments)));

  // What the cluster offers right now, before any pass places anything.
  const PassState current(cluster);
  std::vector<std::string> enabled, enabled_without_nodes, enabled_without_schedulable;
  std::string free_ce;
  int free_node = -1;
  for (const std::string& name : queue.compute_environments) {
    auto it = cluster.compute_environments.find(name);
    if (it == cluster.compute_environments.end()) {
      details.push_back(name + ": does not exist");
      continue;
    }
    const CeView& ce = it->second;
    details.push_back(DescribeCe(cluster, current, ce));
    const std::vector<int>& nodes = current.NodesOf(name);
    if (nodes.empty()) details.push_back("no nodes registered in " + name);
    if (!ce.enabled) continue;
    enabled.push_back(name);
    if (nodes.empty()) {
      enabled_without_nodes.push_back(name);
      continue;
    }
    if (MostFree(current, name) < 0) {
      enabled_without_schedulable.push_back(name);
      continue;
    }
    const int best = MostFree(current, name, need.container);
    if (best < 0) continue;
    if (free_node < 0 || MoreFree(current.nodes()[best].free, current.nodes()[free_node].free)) {
      free_node = best;
      free_ce = name;
    }
  }

  if (!queue.enabled) {
    out.summary = "queue " + queue.name + " is DISABLED";
    return out;
  }
  if (queue.compute_environments.empty()) {
    out.summary = "queue " + queue.name + " has no compute environments";
    return out;
  }
  if (!CouldEverFit(ReachOf(cluster, queue), need)) {
    out.summary = InfeasibleReason(cluster, queue, need);
    return out;
  }
  if (enabled.empty()) {
    out.summary = "no compute environment of queue " + queue.name + " is ENABLED";
    return out;
  }
  if (enabled_without_nodes.size() == enabled.size()) {
    out.summary = "no nodes registered in " + Joined(enabled_without_nodes);
    return out;
  }
  if (enabled_without_schedulable.size() + enabled_without_nodes.size() == enabled.size()) {
    out.summary = "no schedulable nodes in " + Joined(enabled_without_schedulable) +
                  " (nodes are launching, draining or lost)";
    return out;
  }
  if (need.container) {
    if (std::optional<std::string> none = NoContainerRuntime(current, enabled)) {
      out.summary = *none;
      return out;
    }
  }
  const std::string largest_free = "largest free node in " + free_ce + " offers " +
                                   ResourcesText(current.nodes()[free_node].free);

  // Run a pass up to this job's turn: what jobs ahead take and hold is what stops it.
  PassState pass(cluster);
  PassResult before;
  const bool reached = RunPass(pass, cluster, jobs, now_ms, options, job_id, before);
  if (!reached) {
    const size_t ahead = jobs.PositionOf(job_id);
    out.summary = Count(ahead, "job", "jobs") + " ahead of it in queue " + queue.name +
                  "; a placement pass examines only the first " +
                  std::to_string(options.max_examined_per_queue);
    return out;
  }
  if (!before.placed.empty()) {
    details.push_back("a placement pass places " + Count(before.placed.size(), "job", "jobs") +
                      " before its turn");
  }
  std::string blocking_reservation;
  for (const std::string& name : enabled) {
    for (int index : pass.NodesOf(name)) {
      const PassState::Node& node = pass.nodes()[index];
      if (node.reserved_by.empty()) continue;
      const WaitingJob* holder = jobs.Find(node.reserved_by);
      const std::string waited =
          holder ? ", which has waited " + Seconds(now_ms - holder->created_at) : "";
      details.push_back("node " + node.view->node_id + " in " + name + " is reserved for job " +
                        node.reserved_by + waited +
                        (holder ? " and needs " + ResourcesText(holder->need) : ""));
      if (node.usable && Fits(need, node.free) && blocking_reservation.empty()) {
        blocking_reservation = "node " + node.view->node_id +
                               " would fit it but is reserved for job " + node.reserved_by + waited;
      }
    }
  }

  if (const int node = pass.BestFit(queue, need); node >= 0) {
    out.summary =
        "waiting for a placement pass: fits on node " + pass.nodes()[node].view->node_id + " now";
    return out;
  }
  if (now_ms - job->created_at >= options.reserve_after_ms) {
    const int held = pass.ReservationFor(queue, need);
    details.push_back("it has waited at least " + Seconds(options.reserve_after_ms) +
                      (held >= 0
                           ? ": a pass holds node " + pass.nodes()[held].view->node_id +
                                 " for it so that smaller jobs do not take the room it waits for"
                           : ", but no node of its queue is large enough to hold for it"));
  }
  if (!blocking_reservation.empty()) {
    out.summary = blocking_reservation;
    return out;
  }
  const bool fits_before_others = PassState(cluster).BestFit(queue, need) >= 0;
  if (fits_before_others) {
    out.summary = before.placed.empty()
                      ? "waiting for capacity: the nodes it fits on are reserved for older jobs"
                      : "waiting for capacity: the free room it fits in goes to " +
                            Count(before.placed.size(), "job", "jobs") + " placed ahead of it";
    return out;
  }
  out.summary = "waiting for capacity: needs " + ResourcesText(need) + "; " + largest_free;
  return out;
}

}  // namespace batchd::core
