#pragma once
// Where RUNNABLE jobs go: a pure function of the cluster as the scheduler sees it and the
// waiting jobs. Queues are visited in priority order, each queue's compute environments in
// its order, jobs by effective priority (scheduling priority plus age) then submit time;
// each job goes to the best-fitting node. A job that does not fit does not block smaller jobs
// behind it (backfill), but a job that has waited past `reserve_after_ms` reserves the node
// that would fit it soonest, so a stream of small jobs cannot starve it.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/job_spec.h"

namespace batchd::core {

bool Fits(const Resources& need, const Resources& free);

struct NodeView {
  std::string node_id;
  std::string compute_environment;
  bool schedulable = false;  // READY: not launching, draining, lost or gone
  Resources total;
  Resources used;
};

struct CeView {
  std::string name;
  bool enabled = true;
  bool managed = false;
  int maxv_cpus = 0;              // managed only
  std::vector<Resources> shapes;  // managed only: node shapes its provider can create
  // Unmanaged: the largest node ever registered (current nodes and ones seen before).
  std::optional<Resources> largest_known_node;
};

struct QueueView {
  std::string name;
  int priority = 0;
  bool enabled = true;
  std::vector<std::string> compute_environments;  // in the queue's order
};

struct ClusterView {
  std::vector<QueueView> queues;
  std::map<std::string, CeView> compute_environments;
  std::map<std::string, NodeView> nodes;  // by node id
};

struct WaitingJob {
  std::string job_id;
  std::string queue;
  int scheduling_priority = 0;
  int64_t created_at = 0;  // epoch ms
  Resources need;
};

struct PlacementOptions {
  // One point of scheduling priority per this much waiting: older jobs move ahead.
  int64_t aging_ms = 60'000;
  // A job that has waited this long and still does not fit holds a reservation.
  int64_t reserve_after_ms = 300'000;
  // At most this many jobs are examined per queue per pass, bounding a pass on huge queues.
  int max_examined_per_queue = 10'000;
};

// The RUNNABLE jobs, kept ordered per queue. Adding and removing are O(log n).
class WaitingJobs {
 public:
  WaitingJobs() = default;
  // The ordered index points into the job table, so a copy rebuilds it.
  WaitingJobs(const WaitingJobs& other);
  WaitingJobs& operator=(const WaitingJobs& other);
  WaitingJobs(WaitingJobs&&) = default;
  WaitingJobs& operator=(WaitingJobs&&) = default;

  void Add(const WaitingJob& job, const PlacementOptions& options);
  bool Remove(const std::string& job_id);
  const WaitingJob* Find(const std::string& job_id) const;
  size_t size() const;
  // Jobs of `queue`, best first.
  std::vector<const WaitingJob*> InOrder(const std::string& queue, size_t limit) const;
  // Hands `visit` the jobs of `queue`, best first, at most `limit`, until it returns false.
  // True when it saw every job of the queue.
  bool Visit(const std::string& queue, size_t limit,
             const std::function<bool(const WaitingJob&)>& visit) const;
  // Whether `a` comes before `b` in their queue's order (both waiting).
  bool Before(const WaitingJob& a, const WaitingJob& b) const;
  // How many jobs of the queue come before this one.
  size_t PositionOf(const std::string& job_id) const;
  // The ids of jobs of `queue` added since the last PassDone (some may be gone since).
  const std::vector<std::string>& AddedSincePass(const std::string& queue) const;
  void PassDone() { added_since_pass_.clear(); }

 private:
  // Aging must not re-sort the set: effective priority is scheduling_priority + waited/aging,
  // and ranking by it at any one time equals ranking by scheduling_priority * aging_ms -
  // created_at, which never changes while the job waits.
  struct Rank {
    int64_t score;
    std::string_view job_id;  // points into by_id_'s key, stable while the job is held
    bool operator<(const Rank& other) const {
      if (score != other.score) return score > other.score;
      // Shorter first: an array's children ("<parent>:<index>") go in index order.
      if (job_id.size() != other.job_id.size()) return job_id.size() < other.job_id.size();
      return job_id < other.job_id;
    }
  };
  struct Entry {
    WaitingJob job;
    int64_t score = 0;
  };
  void Insert(const WaitingJob& job, int64_t score);

  std::unordered_map<std::string, Entry> by_id_;
  std::unordered_map<std::string, std::map<Rank, const WaitingJob*>> by_queue_;
  std::unordered_map<std::string, std::vector<std::string>> added_since_pass_;
};

struct Placement {
  std::string job_id;
  std::string node_id;
};

struct Infeasible {
  std::string job_id;
  std::string reason;  // with numbers: what it needs, the largest node any CE could offer
};

struct PassResult {
  std::vector<Placement> placed;
  std::vector<Infeasible> infeasible;
  size_t examined = 0;  // jobs looked at
};

// The largest nodes a queue's compute environments could offer, none dominated by another.
struct QueueReach {
  bool unbounded = false;  // an environment whose nodes are not known yet: anything may come
  std::vector<Resources> largest;
};

// What one pass leaves for the next. A queue none of whose environments has a node that could
// take or be reserved for a job is blocked: walking it only finds jobs that can never fit, and
// for the jobs walked before, that changes only with the queue's reach. So while it stays
// blocked with the same reach, the next pass looks only at the jobs added since.
//
// A full cluster is the other such case: a walk with no room left only tells which jobs can
// never fit. Every job of a queue in `walked_reach` was looked at with that reach, so once
// the cluster is full the rest of the walk is skipped but for the jobs added since.
struct PassMemory {
  std::unordered_map<std::string, QueueReach> blocked_reach;  // by queue
  std::unordered_map<std::string, QueueReach> walked_reach;   // by queue
};

// One placement pass. Placed jobs' resources are counted as used on their nodes for the
// rest of the pass. The caller removes placed and infeasible jobs from `jobs`.
// With `memory`, blocked queues are skipped as PassMemory says; the caller then calls
// jobs.PassDone() once it has acted on the result.
PassResult PlaceJobs(const ClusterView& cluster, const WaitingJobs& jobs, int64_t now_ms,
                     const PlacementOptions& options, PassMemory* memory = nullptr);

// Why a RUNNABLE job is not placed yet, with numbers: summary and one fact per line.
struct Explanation {
  std::string summary;
  std::vector<std::string> details;
};
Explanation ExplainWaiting(const ClusterView& cluster, const WaitingJobs& jobs,
                           const std::string& job_id, int64_t now_ms,
                           const PlacementOptions& options);

}  // namespace batchd::core
