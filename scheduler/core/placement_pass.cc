#include "core/placement_pass.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <iterator>
#include <limits>

#include "core/fit.h"

namespace batchd::core {
namespace {

// Bounds the memory of needs that fit nowhere; beyond it a CE is simply scanned again.
constexpr size_t kMaxRememberedFailures = 64;

// Ranking costs about as much as a few scans, so a pass that places one job does not pay it.
constexpr int kScansBeforeRanking = 4;

const std::vector<int> kNoNodes;

}  // namespace

PassState::PassState(const ClusterView& cluster) : cluster_(cluster) {
  for (const auto& [name, ce] : cluster.compute_environments) ces_[name].view = &ce;
  nodes_.reserve(cluster.nodes.size());
  where_.assign(cluster.nodes.size(), {});
  room_.assign(cluster.nodes.size(), false);
  for (const auto& [id, view] : cluster.nodes) {
    const int index = static_cast<int>(nodes_.size());
    Node& node = nodes_.emplace_back();
    node.view = &view;
    node.free = Minus(view.total, view.used);
    auto it = ces_.find(view.compute_environment);
    if (it == ces_.end()) continue;
    Ce& ce = it->second;
    node.usable = view.schedulable && ce.view->enabled;
    where_[index] = {&ce, static_cast<int>(ce.slots.size())};
    ce.nodes.push_back(index);
    ce.slots.push_back({node.free, node.usable, index});
    SetRoom(index, node.usable && core::HasRoom(node.free));
  }
}

const std::vector<int>& PassState::NodesOf(const std::string& ce) const {
  auto it = ces_.find(ce);
  return it == ces_.end() ? kNoNodes : it->second.nodes;
}

void PassState::SetRoom(int node, bool room) {
  if (room_[node] == room) return;
  room_[node] = room;
  const int delta = room ? 1 : -1;
  rooms_ += delta;
  where_[node].ce->rooms += delta;
}

PassState::QueuePlan& PassState::PlanFor(const QueueView& queue) {
  auto it = plans_.find(queue.name);
  if (it != plans_.end()) return it->second;
  QueuePlan& plan = plans_[queue.name];
  plan.reach = ReachOf(cluster_, queue);
  for (const std::string& name : queue.compute_environments) {
    auto ce = ces_.find(name);
    if (ce != ces_.end()) plan.ces.push_back(&ce->second);
  }
  return plan;
}

bool PassState::Ce::Ranked::operator<(const Ranked& other) const {
  // Exact, so the set has a strict order; the search widens to kVcpuEpsilon itself.
  if (free.vcpus != other.free.vcpus) return free.vcpus < other.free.vcpus;
  if (free.memory_mib != other.free.memory_mib) return free.memory_mib < other.free.memory_mib;
  if (free.gpus != other.free.gpus) return free.gpus < other.free.gpus;
  if (free.container != other.free.container) return other.free.container;
  return slot < other.slot;
}

int PassState::BestFit(QueuePlan& plan, const Resources& need) {
  for (Ce* ce : plan.ces) {
    if (!ce->view->enabled || ce->rooms == 0) continue;
    if (std::any_of(ce->failed.begin(), ce->failed.end(),
                    [&](const Resources& f) { return AtLeast(need, f); })) {
      continue;
    }
    if (!ce->ranked && ++ce->scans > kScansBeforeRanking) Rank(*ce);
    const int slot = ce->ranked ? SearchForBestFit(*ce, need) : ScanForBestFit(*ce, need);
    if (slot >= 0) return ce->slots[slot].node;
    if (ce->failed.size() < kMaxRememberedFailures) ce->failed.push_back(need);
  }
  return -1;
}

int PassState::ScanForBestFit(const Ce& ce, const Resources& need) {
  // Leftover after placing is free minus the same need for every node, so the tightest
  // fit is the node with least free room: vCPU first, then memory, then GPUs.
  int best = -1;
  for (int i = 0; i < static_cast<int>(ce.slots.size()); ++i) {
    const Ce::Slot& slot = ce.slots[i];
    if (!slot.open || !FitsIn(need, slot.free)) continue;
    // Slots are in node id order, so a tie keeps the lowest id.
    if (best < 0 || LessLeftover(slot.free, ce.slots[best].free)) best = i;
  }
  return best;
}

void PassState::Rank(Ce& ce) {
  ce.ranked = true;
  for (int i = 0; i < static_cast<int>(ce.slots.size()); ++i) {
    if (ce.slots[i].open) ce.ranking.insert(ce.ranking.end(), {ce.slots[i].free, i});
  }
}

int PassState::SearchForBestFit(const Ce& ce, const Resources& need) {
  // The same answer as the scan. Everything ranked below `need`'s vCPU cannot fit; of the
  // rest, the first that fits has the least vCPU, and among those within kVcpuEpsilon of it
  // (equal to CompareResources) the least by the scan's order wins.
  constexpr int64_t kLeast = std::numeric_limits<int64_t>::min();
  auto it = ce.ranking.lower_bound({{need.vcpus - kVcpuEpsilon, kLeast, INT_MIN, false}, -1});
  while (it != ce.ranking.end() && !FitsIn(need, it->free)) {
    // Too little memory: skip the rest of this vCPU amount's nodes with too little.
    const bool short_of_memory = it->free.memory_mib < need.memory_mib;
    it = short_of_memory
             ? ce.ranking.lower_bound({{it->free.vcpus, need.memory_mib, INT_MIN, false}, -1})
             : std::next(it);
  }
  if (it == ce.ranking.end()) return -1;
  // Ranked after it with the same vCPU means no less free room, so only vCPU amounts above it
  // and within kVcpuEpsilon are left to compare.
  auto best = it;
  const double above = std::nextafter(best->free.vcpus, std::numeric_limits<double>::infinity());
  for (it = ce.ranking.lower_bound({{above, kLeast, INT_MIN, false}, -1});
       it != ce.ranking.end() && it->free.vcpus <= best->free.vcpus + kVcpuEpsilon; ++it) {
    if (!FitsIn(need, it->free)) continue;
    const int order = CompareResources(it->free, best->free);
    if (order < 0 || (order == 0 && it->slot < best->slot)) best = it;
  }
  return best->slot;
}

void PassState::Place(int node, const Resources& need) {
  Node& n = nodes_[node];
  n.free = Minus(n.free, need);
  const Where& where = where_[node];
  Ce& ce = *where.ce;
  if (ce.ranked && ce.slots[where.slot].open) {
    // Moved, not erased and inserted: no allocation per placement.
    auto ranked = ce.ranking.extract({ce.slots[where.slot].free, where.slot});
    ranked.value().free = n.free;
    ce.ranking.insert(std::move(ranked));
  }
  ce.slots[where.slot].free = n.free;
  SetRoom(node, n.usable && n.reserved_by.empty() && core::HasRoom(n.free));
}

int PassState::ReservationFor(const QueuePlan& plan, const Resources& need) const {
  for (const Ce* ce : plan.ces) {
    if (!ce->view->enabled) continue;
    int best = -1;
    for (int index : ce->nodes) {
      const Node& node = nodes_[index];
      if (!node.usable || !node.reserved_by.empty() || !FitsIn(need, node.view->total)) continue;
      if (best < 0 || MoreFree(node.free, nodes_[best].free)) best = index;
    }
    if (best >= 0) return best;
  }
  return -1;
}

void PassState::Reserve(int node, const std::string& job_id) {
  nodes_[node].reserved_by = job_id;
  const Where& where = where_[node];
  Ce& ce = *where.ce;
  if (ce.ranked && ce.slots[where.slot].open) {
    ce.ranking.erase({ce.slots[where.slot].free, where.slot});
  }
  ce.slots[where.slot].open = false;
  SetRoom(node, false);
}

bool PassState::Blocked(const QueuePlan& plan) const {
  for (const Ce* ce : plan.ces) {
    if (!ce->view->enabled) continue;
    if (ce->rooms > 0) return false;
    for (int index : ce->nodes) {
      if (nodes_[index].usable && nodes_[index].reserved_by.empty()) return false;
    }
  }
  return true;
}

namespace {

bool SameReach(const QueueReach& reach, const QueueReach& seen) {
  if (reach.unbounded != seen.unbounded || reach.largest.size() != seen.largest.size()) {
    return false;
  }
  for (size_t i = 0; i < seen.largest.size(); ++i) {
    const Resources& a = reach.largest[i];
    const Resources& b = seen.largest[i];
    if (a.vcpus != b.vcpus || a.memory_mib != b.memory_mib || a.gpus != b.gpus) return false;
  }
  return true;
}

// Whether the walk of a blocked queue can be skipped; remembers its reach when it cannot.
bool SkipBlocked(const PassState& state, const PassState::QueuePlan& plan, const std::string& queue,
                 PassMemory& memory) {
  if (!state.Blocked(plan)) {
    memory.blocked_reach.erase(queue);
    return false;
  }
  auto it = memory.blocked_reach.find(queue);
  if (it != memory.blocked_reach.end() && SameReach(plan.reach, it->second)) return true;
  memory.blocked_reach[queue] = plan.reach;
  return false;
}

}  // namespace

std::vector<const QueueView*> VisitOrder(const ClusterView& cluster) {
  std::vector<const QueueView*> order;
  for (const QueueView& queue : cluster.queues) {
    if (queue.enabled) order.push_back(&queue);
  }
  std::sort(order.begin(), order.end(), [](const QueueView* a, const QueueView* b) {
    if (a->priority != b->priority) return a->priority > b->priority;
    return a->name < b->name;
  });
  return order;
}

bool RunPass(PassState& state, const ClusterView& cluster, const WaitingJobs& jobs, int64_t now_ms,
             const PlacementOptions& options, const std::string& stop_before, PassResult& result,
             PassMemory* memory) {
  const size_t limit = static_cast<size_t>(std::max(options.max_examined_per_queue, 0));
  const auto check_feasible = [&](const PassState::QueuePlan& plan, const QueueView& queue,
                                  const WaitingJob& job) {
    ++result.examined;
    if (!state.Infeasible(plan, job.need)) return true;
    result.infeasible.push_back({job.job_id, InfeasibleReason(cluster, queue, job.need)});
    return false;
  };
  // The jobs added since the last pass, from `from` on in the queue's order (all if null).
  const auto check_added = [&](const PassState::QueuePlan& plan, const QueueView& queue,
                               const WaitingJob* from) {
    for (const std::string& id : jobs.AddedSincePass(queue.name)) {
      const WaitingJob* job = jobs.Find(id);
      if (job == nullptr || job->queue != queue.name) continue;
      if (from == nullptr || !jobs.Before(*job, *from)) check_feasible(plan, queue, *job);
    }
  };
  // Queues not visited (disabled) lose theirs: jobs added meanwhile are no longer "since".
  std::unordered_map<std::string, QueueReach> walked_now;
  const auto seen_with_reach = [&](const QueueView& queue, const PassState::QueuePlan& plan) {
    if (memory == nullptr) return false;
    auto it = memory->walked_reach.find(queue.name);
    return it != memory->walked_reach.end() && SameReach(plan.reach, it->second);
  };
  for (const QueueView* queue : VisitOrder(cluster)) {
    PassState::QueuePlan& plan = state.PlanFor(*queue);
    if (memory != nullptr && SkipBlocked(state, plan, queue->name, *memory)) {
      if (seen_with_reach(*queue, plan)) walked_now[queue->name] = plan.reach;
      check_added(plan, *queue, nullptr);
      continue;
    }
    const bool seen = stop_before.empty() && seen_with_reach(*queue, plan);
    bool reached = false;
    const WaitingJob* cut_at = nullptr;  // the first job the walk left to an earlier one
    const bool whole = jobs.Visit(queue->name, limit, [&](const WaitingJob& job) {
      if (job.job_id == stop_before) {
        reached = true;
        return false;
      }
      if (seen && !state.HasRoom()) {
        cut_at = &job;
        return false;
      }
      if (!check_feasible(plan, *queue, job)) return true;
      // A full cluster places nothing, but a first walk goes on: telling which jobs can
      // never run costs only a check of a few sizes each.
      if (!state.HasRoom()) return true;
      if (const int node = state.BestFit(plan, job.need); node >= 0) {
        state.Place(node, job.need);
        result.placed.push_back({job.job_id, state.nodes()[node].view->node_id});
        return true;
      }
      if (now_ms - job.created_at < options.reserve_after_ms) return true;
      if (const int node = state.ReservationFor(plan, job.need); node >= 0) {
        state.Reserve(node, job.job_id);
      }
      return true;
    });
    if (reached) return true;
    if (cut_at != nullptr) check_added(plan, *queue, cut_at);
    // A walk cut by the limit left jobs unseen.
    if (whole || cut_at != nullptr) walked_now[queue->name] = plan.reach;
  }
  if (memory != nullptr) memory->walked_reach = std::move(walked_now);
  return false;
}

}  // namespace batchd::core
