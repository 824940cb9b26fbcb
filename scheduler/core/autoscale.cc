#include "core/autoscale.h"

#include <algorithm>
#include <optional>

#include "core/fit.h"

namespace batchd::core {
namespace {

// Bounds one pass: a huge burst is met over a few passes, each a moment apart.
constexpr size_t kMaxCreatesPerPass = 256;

bool LargerFirst(const Resources& a, const Resources& b) { return CompareResources(a, b) > 0; }

std::string Seconds(int64_t ms) { return std::to_string(ms / 1000) + " s"; }

// "1 job", "7 jobs"
std::string Jobs(size_t n, const std::string& adjective = "") {
  return std::to_string(n) + " " + (adjective.empty() ? "" : adjective + " ") +
         (n == 1 ? "job" : "jobs");
}

// Room on one node, existing or planned, while jobs are packed into it.
struct Bin {
  Resources free;
  bool absorbed = false;  // some waiting job is counted on it
};

// Puts `need` in the bin it leaves least room in; false when none has room for it.
bool PackBestFit(std::vector<Bin>& bins, const Resources& need) {
  Bin* best = nullptr;
  for (Bin& bin : bins) {
    if (!FitsIn(need, bin.free)) continue;
    if (best == nullptr || LessLeftover(Minus(bin.free, need), Minus(best->free, need))) {
      best = &bin;
    }
  }
  if (best == nullptr) return false;
  best->free = Minus(best->free, need);
  best->absorbed = true;
  return true;
}

// Which of `waiting` (largest first) one new node of `shape` would take.
std::vector<size_t> PackNewNode(const Resources& shape, const std::vector<Resources>& waiting) {
  std::vector<size_t> taken;
  Resources free = shape;
  for (size_t i = 0; i < waiting.size(); ++i) {
    if (!FitsIn(waiting[i], free)) continue;
    free = Minus(free, waiting[i]);
    taken.push_back(i);
  }
  return taken;
}

// `waiting` less the jobs at `taken` (ascending), in order.
std::vector<Resources> Without(std::vector<Resources> waiting, const std::vector<size_t>& taken) {
  size_t next = 0, kept = 0;
  for (size_t i = 0; i < waiting.size(); ++i) {
    if (next < taken.size() && taken[next] == i) {
      ++next;
      continue;
    }
    waiting[kept++] = waiting[i];
  }
  waiting.resize(kept);
  return waiting;
}

double PackedVcpus(const std::vector<size_t>& taken, const std::vector<Resources>& waiting) {
  double sum = 0;
  for (size_t i : taken) sum += waiting[i].vcpus;
  return sum;
}

// A new node and the waiting jobs (indices into them) it would take.
struct NewNode {
  const NodeShapeSpec* shape = nullptr;
  std::vector<size_t> taken;
};

// The next new node, whose first job is waiting.front(); nullopt when no shape that fits it
// stays within `room` vCPUs (`capped`) or none fits it at all.
std::optional<NewNode> PickShape(const ScalingCe& ce, const std::vector<Resources>& waiting,
                                 double room, bool* capped) {
  std::vector<const NodeShapeSpec*> fitting;
  for (const auto& shape : ce.shapes) {
    if (FitsIn(waiting.front(), shape.resources)) fitting.push_back(&shape);
  }
  *capped = false;
  if (fitting.empty()) return std::nullopt;
  switch (ce.strategy) {
    case AllocationStrategy::kBestFit:
      // The smallest shape that fits, or wait: best fit never trades the shape for the cap.
      if (fitting.front()->resources.vcpus > room + kVcpuEpsilon) {
        *capped = true;
        return std::nullopt;
      }
      return NewNode{fitting.front(), PackNewNode(fitting.front()->resources, waiting)};
    case AllocationStrategy::kBestFitProgressive:
    case AllocationStrategy::kSpotCapacityOptimized: {
      // Whichever shape the waiting jobs fill best; larger ones as the queue grows, smaller
      // ones when only they stay under maxvCpus.
      std::optional<NewNode> best;
      double best_use = 0, best_packed = 0;
      for (const NodeShapeSpec* shape : fitting) {
        if (shape->resources.vcpus > room + kVcpuEpsilon) continue;
        std::vector<size_t> taken = PackNewNode(shape->resources, waiting);
        const double packed = PackedVcpus(taken, waiting);
        const double use = packed / std::max(shape->resources.vcpus, kVcpuEpsilon);
        // Better use wins; on a tie the shape that takes more jobs, then the smaller one.
        const bool better = !best || use > best_use + 1e-9 ||
                            (use > best_use - 1e-9 && packed > best_packed + kVcpuEpsilon);
        if (better) {
          best = NewNode{shape, std::move(taken)};
          best_use = use;
          best_packed = packed;
        }
      }
      if (!best) *capped = true;
      return best;
    }
  }
  return std::nullopt;
}

// "2×c4, 1×c8"
std::string ShapeCounts(const std::vector<NodeCreate>& creates) {
  std::vector<std::pair<std::string, int>> counts;
  for (const auto& create : creates) {
    auto it = std::find_if(counts.begin(), counts.end(),
                           [&](const auto& c) { return c.first == create.shape.name; });
    if (it == counts.end()) {
      counts.emplace_back(create.shape.name, 1);
    } else {
      ++it->second;
    }
  }
  std::string out;
  for (const auto& [name, n] : counts) {
    out += (out.empty() ? "" : ", ") + std::to_string(n) + "×" + name;
  }
  return out;
}

bool ShapeCouldFit(const ScalingCe& ce, const Resources& need) {
  return std::any_of(ce.shapes.begin(), ce.shapes.end(), [&](const NodeShapeSpec& shape) {
    return FitsIn(need, shape.resources) && shape.resources.vcpus <= ce.maxv_cpus + kVcpuEpsilon;
  });
}

// The waiting jobs each managed environment is to make room for.
std::map<std::string, std::vector<Resources>> Demand(
    const ClusterView& cluster, const WaitingJobs& jobs,
    const std::map<std::string, ScalingCe>& environments, size_t max_jobs_per_queue) {
  std::map<std::string, std::vector<Resources>> demand;
  for (const QueueView& queue : cluster.queues) {
    if (!queue.enabled) continue;
    for (const WaitingJob* job : jobs.InOrder(queue.name, max_jobs_per_queue)) {
      for (const std::string& name : queue.compute_environments) {
        auto view = cluster.compute_environments.find(name);
        if (view == cluster.compute_environments.end() || !view->second.enabled) continue;
        auto managed = environments.find(name);
        if (managed != environments.end()) {
          if (managed->second.deleting || !ShapeCouldFit(managed->second, job->need)) continue;
          demand[name].push_back(job->need);
          break;
        }
        // An unmanaged environment that could take it: the job waits there, not here.
        const auto& largest = view->second.largest_known_node;
        if (largest && FitsIn(job->need, *largest)) break;
      }
    }
  }
  return demand;
}

ScalingPlan PlanOne(const ScalingCe& ce, std::vector<Resources> waiting, int64_t now_ms) {
  ScalingPlan plan;
  plan.compute_environment = ce.name;
  double vcpus = 0;  // of the nodes it keeps, new ones included as they are planned
  std::vector<Bin> bins;
  std::vector<const ScalingNode*> idle;
  std::vector<size_t> idle_bin;
  for (const ScalingNode& node : ce.nodes) {
    switch (node.state) {
      case ScalingNode::State::kLaunching:
        if (now_ms - node.launched_at_ms >= ce.boot_timeout_ms) {
          plan.removals.push_back({node.node_id,
                                   "node " + node.node_id + " did not register within " +
                                       Seconds(ce.boot_timeout_ms) + " of its launch",
                                   true});
          continue;
        }
        bins.push_back({node.total, false});
        break;
      case ScalingNode::State::kReady:
        bins.push_back({Minus(node.total, node.used), false});
        if (!node.busy) {
          idle.push_back(&node);
          idle_bin.push_back(bins.size() - 1);
        }
        break;
      case ScalingNode::State::kDraining:
        break;
    }
    vcpus += node.total.vcpus;
  }

  std::sort(waiting.begin(), waiting.end(), LargerFirst);
  std::vector<Resources> left;
  for (const Resources& need : waiting) {
    if (!PackBestFit(bins, need)) left.push_back(need);
  }

  const bool may_create = ce.enabled && !ce.deleting;
  const bool backing_off = now_ms < ce.create_not_before_ms;
  if (may_create && !left.empty()) {
    if (backing_off) {
      plan.hold = ScalingPlan::Hold::kProviderBackoff;
      plan.held_back = Jobs(left.size()) + (left.size() == 1 ? " waits" : " wait") +
                       ": the provider failed; next try in " +
                       Seconds(ce.create_not_before_ms - now_ms + 999);
    } else {
      size_t jobs_placed = 0;
      double vcpus_placed = 0;
      while (!left.empty() && plan.creates.size() < kMaxCreatesPerPass) {
        bool capped = false;
        auto node = PickShape(ce, left, ce.maxv_cpus - vcpus, &capped);
        if (!node) {
          if (capped) {
            plan.hold = ScalingPlan::Hold::kAtMaxvCpus;
            double need = 0;
            for (const auto& r : left) need += r.vcpus;
            plan.held_back = Jobs(left.size()) + " needing " + VcpuText(need) + " vCPU " +
                             (left.size() == 1 ? "waits" : "wait") + ": " + ce.name +
                             " is at maxvCpus " + std::to_string(ce.maxv_cpus);
            break;
          }
          left.erase(left.begin());  // fits no shape: placement reports it as infeasible
          continue;
        }
        jobs_placed += node->taken.size();
        vcpus_placed += PackedVcpus(node->taken, left);
        left = Without(std::move(left), node->taken);
        vcpus += node->shape->resources.vcpus;
        plan.creates.push_back({*node->shape});
      }
      if (!plan.creates.empty()) {
        plan.create_reason = "scale out " + ce.name + " by " + ShapeCounts(plan.creates) + " for " +
                             Jobs(jobs_placed, "RUNNABLE") + " needing " + VcpuText(vcpus_placed) +
                             " vCPU";
      }
    }
  }

  if (may_create && !backing_off && !ce.shapes.empty() && vcpus < ce.minv_cpus) {
    const NodeShapeSpec& smallest = ce.shapes.front();
    const size_t before = plan.creates.size();
    while (vcpus < ce.minv_cpus &&
           vcpus + smallest.resources.vcpus <= ce.maxv_cpus + kVcpuEpsilon &&
           plan.creates.size() < kMaxCreatesPerPass) {
      plan.creates.push_back({smallest});
      vcpus += smallest.resources.vcpus;
    }
    if (plan.creates.size() > before) {
      std::vector<NodeCreate> added(plan.creates.begin() + before, plan.creates.end());
      plan.create_reason +=
          (plan.create_reason.empty() ? "scale out " + ce.name + " by " : "; and by ") +
          ShapeCounts(added) + " to keep minvCpus " + std::to_string(ce.minv_cpus);
    }
  }

  // Longest idle first; a node some waiting job is counted on stays.
  std::vector<size_t> order(idle.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return idle[a]->idle_since_ms < idle[b]->idle_since_ms; });
  for (size_t i : order) {
    const ScalingNode& node = *idle[i];
    if (bins[idle_bin[i]].absorbed) continue;
    if (ce.deleting) {
      plan.removals.push_back(
          {node.node_id, "remove node " + node.node_id + ": " + ce.name + " is being deleted"});
      vcpus -= node.total.vcpus;
      continue;
    }
    const int64_t idle_ms = now_ms - node.idle_since_ms;
    if (idle_ms < ce.scale_down_delay_ms) continue;
    if (vcpus - node.total.vcpus < ce.minv_cpus - kVcpuEpsilon) continue;
    plan.removals.push_back({node.node_id, "remove node " + node.node_id + ": idle " +
                                               Seconds(idle_ms) + " (scale-down delay " +
                                               Seconds(ce.scale_down_delay_ms) + ")"});
    vcpus -= node.total.vcpus;
  }
  plan.desired_vcpus = static_cast<int>(vcpus + 0.5);
  return plan;
}

}  // namespace

std::vector<NodeShapeSpec> AllowedShapes(const batch::v1::ComputeResource& resources) {
  std::vector<NodeShapeSpec> shapes;
  for (const auto& shape : resources.node_shapes()) {
    shapes.push_back(
        {shape.name(),
         {static_cast<double>(shape.vcpus()), shape.memory_mib(), shape.gpus(), true}});
  }
  if (shapes.empty()) shapes.push_back({"default", {kDefaultVcpus, kDefaultMemoryMiB, 0}});
  const auto& types = resources.instance_types();
  const bool any = types.empty() || std::find(types.begin(), types.end(), "optimal") != types.end();
  if (!any) {
    std::erase_if(shapes, [&](const NodeShapeSpec& shape) {
      return std::find(types.begin(), types.end(), shape.name) == types.end();
    });
  }
  std::sort(shapes.begin(), shapes.end(), [](const NodeShapeSpec& a, const NodeShapeSpec& b) {
    const int c = CompareResources(a.resources, b.resources);
    return c != 0 ? c < 0 : a.name < b.name;
  });
  return shapes;
}

std::vector<ScalingPlan> PlanScaling(const ClusterView& cluster, const WaitingJobs& jobs,
                                     const std::map<std::string, ScalingCe>& environments,
                                     int64_t now_ms, size_t max_jobs_per_queue) {
  auto demand = Demand(cluster, jobs, environments, max_jobs_per_queue);
  std::vector<ScalingPlan> plans;
  for (const auto& [name, ce] : environments) {
    plans.push_back(PlanOne(ce, std::move(demand[name]), now_ms));
  }
  return plans;
}

}  // namespace batchd::core
