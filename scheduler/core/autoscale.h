#pragma once
// How many nodes each managed compute environment should have: a pure function of the
// RUNNABLE jobs, the nodes there are and the clock. Each waiting job is counted in the first
// enabled compute environment of its queue's order that could ever fit it; the jobs are
// packed (largest first) into the room of the nodes there are and of the nodes already being
// launched, and what is left asks for new nodes of the shapes the allocation strategy picks,
// never past maxvCpus. Idle nodes go after the scale-down delay, down to minvCpus, never one
// that runs a job or is being handed one. Every decision carries its reason.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "batch/v1/types.pb.h"
#include "core/placement.h"

namespace batchd::core {

struct NodeShapeSpec {
  std::string name;
  Resources resources;
};

// The shapes a managed environment may create: its nodeShapes (the local provider's single
// default shape when none are given), narrowed to its instanceTypes unless those are empty or
// "optimal". Ordered smallest first.
std::vector<NodeShapeSpec> AllowedShapes(const batch::v1::ComputeResource& resources);

enum class AllocationStrategy { kBestFit, kBestFitProgressive, kSpotCapacityOptimized };

struct ScalingNode {
  enum class State { kLaunching, kReady, kDraining };
  std::string node_id;
  State state = State::kReady;
  std::string shape;
  Resources total;
  Resources used;
  bool busy = false;           // runs an attempt or is being handed one
  int64_t idle_since_ms = 0;   // kReady and not busy: since when
  int64_t launched_at_ms = 0;  // kLaunching: when the provider was asked for it
};

struct ScalingCe {
  std::string name;
  bool enabled = true;
  bool deleting = false;  // its nodes go as soon as they are idle, minvCpus or not
  int minv_cpus = 0;
  int maxv_cpus = 0;
  AllocationStrategy strategy = AllocationStrategy::kBestFit;
  std::vector<NodeShapeSpec> shapes;  // AllowedShapes()
  int64_t scale_down_delay_ms = 300'000;
  int64_t boot_timeout_ms = 300'000;
  // After provider failures nothing is created before this time (0: no backoff).
  int64_t create_not_before_ms = 0;
  std::vector<ScalingNode> nodes;  // lost and terminated nodes left out
};

struct NodeCreate {
  NodeShapeSpec shape;
};

struct NodeRemoval {
  std::string node_id;
  std::string reason;
  bool boot_failed = false;  // it never registered: counts as a provider failure
};

struct ScalingPlan {
  std::string compute_environment;
  std::vector<NodeCreate> creates;
  std::string create_reason;  // one line for all of `creates`
  std::vector<NodeRemoval> removals;
  int desired_vcpus = 0;
  // Why demand is left waiting (maxvCpus reached, provider backing off): empty when none.
  // `hold` says which, for telling a new situation from the same one with other numbers.
  enum class Hold { kNone, kAtMaxvCpus, kProviderBackoff };
  Hold hold = Hold::kNone;
  std::string held_back;
};

// One plan per managed environment in `environments` (by name), in name order. At most
// `max_jobs_per_queue` jobs of each queue are counted, as a placement pass examines: a
// deeper backlog asks for more nodes on the next pass, once these are placed.
std::vector<ScalingPlan> PlanScaling(const ClusterView& cluster, const WaitingJobs& jobs,
                                     const std::map<std::string, ScalingCe>& environments,
                                     int64_t now_ms, size_t max_jobs_per_queue = 10'000);

}  // namespace batchd::core
