#pragma once
// The working state of one placement pass. PlaceJobs runs a whole pass over it; ExplainWaiting
// runs the same pass up to the job in question, so an explanation tells what a pass would do.
#include <cstdint>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/feasibility.h"
#include "core/placement.h"

namespace batchd::core {

class PassState {
 public:
  struct Node {
    const NodeView* view = nullptr;
    Resources free;
    bool usable = false;      // schedulable and in a known, enabled environment
    std::string reserved_by;  // the job holding it for the rest of the pass
  };

  explicit PassState(const ClusterView& cluster);

  // Indexes into nodes() of an environment's nodes in node id order; empty when unknown.
  const std::vector<int>& NodesOf(const std::string& ce) const;
  const std::vector<Node>& nodes() const { return nodes_; }

  // Whether any usable, unreserved node has room left; once none has, no job can be placed.
  bool HasRoom() const { return rooms_ > 0; }

  struct Ce {
    // A copy of a node's free room laid out for the best-fit scan, the hot loop of a pass.
    struct Slot {
      Resources free;
      bool open = false;  // usable and not reserved
      int node = -1;
    };
    // An open slot's place in the order of free room: (vCPU, memory, GPUs, runtime, slot).
    struct Ranked {
      Resources free;
      int slot = -1;
      bool operator<(const Ranked& other) const;
    };
    const CeView* view = nullptr;
    std::vector<int> nodes;
    std::vector<Slot> slots;  // one per node, in the same order
    int rooms = 0;
    // With thousands of nodes, scanning every one for each job placed was most of a pass. Once
    // a pass has scanned an environment a few times, its open slots are ranked instead, and
    // the tightest fit is a search.
    int scans = 0;
    bool ranked = false;
    std::set<Ranked> ranking;
    // Needs that fit no node here; free room only shrinks during a pass, so anything at least
    // as large will not fit either.
    std::vector<Resources> failed;
  };

  // What a pass looks up once per queue rather than once per job.
  struct QueuePlan {
    QueueReach reach;
    std::vector<Ce*> ces;  // known environments in the queue's order
  };
  QueuePlan& PlanFor(const QueueView& queue);

  bool Infeasible(const QueuePlan& plan, const Resources& need) const {
    return !CouldEverFit(plan.reach, need);
  }

  // The tightest usable, unreserved node that fits `need` in the first of the queue's enabled
  // environments that has one; -1 when none.
  int BestFit(QueuePlan& plan, const Resources& need);
  int BestFit(const QueueView& queue, const Resources& need) {
    return BestFit(PlanFor(queue), need);
  }
  void Place(int node, const Resources& need);

  // The node an old job that fits nowhere would hold: in the first enabled environment of
  // its queue with an unreserved node large enough in total, the one with most free; -1 when
  // none.
  int ReservationFor(const QueuePlan& plan, const Resources& need) const;
  int ReservationFor(const QueueView& queue, const Resources& need) {
    return ReservationFor(PlanFor(queue), need);
  }
  void Reserve(int node, const std::string& job_id);
  // No enabled environment of the queue has a usable, unreserved node: no job of it can be
  // placed or hold a reservation in this pass.
  bool Blocked(const QueuePlan& plan) const;

 private:
  void SetRoom(int node, bool room);
  static int ScanForBestFit(const Ce& ce, const Resources& need);
  static int SearchForBestFit(const Ce& ce, const Resources& need);
  static void Rank(Ce& ce);

  struct Where {
    Ce* ce = nullptr;  // null for a node of an unknown environment
    int slot = -1;
  };

  const ClusterView& cluster_;
  std::vector<Node> nodes_;
  std::vector<Where> where_;  // by node index
  std::vector<bool> room_;
  std::unordered_map<std::string, Ce> ces_;
  std::unordered_map<std::string, QueuePlan> plans_;  // by queue, filled on first use
  int rooms_ = 0;
};

// Enabled queues in the order a pass visits them: priority descending, then name.
std::vector<const QueueView*> VisitOrder(const ClusterView& cluster);

// Runs a pass over `state`, filling `result`. When `stop_before` names a job, stops as its
// turn comes (before anything is done for it) and returns true.
// With `memory`, skips blocked queues, and a walk's rest once the cluster is full, as
// PassMemory says.
bool RunPass(PassState& state, const ClusterView& cluster, const WaitingJobs& jobs, int64_t now_ms,
             const PlacementOptions& options, const std::string& stop_before, PassResult& result,
             PassMemory* memory = nullptr);

}  // namespace batchd::core
