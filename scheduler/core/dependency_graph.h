#pragma once
// The jobs that wait on others (PENDING), indexed by what they wait on, so that a job
// finishing decides its dependents at once: they become RUNNABLE when nothing is left
// unmet, or FAILED when the way it finished breaks their condition, and a failure runs on
// down the chain and across fan-outs in the same call.
#include <string>
#include <unordered_map>
#include <vector>

#include "batch/v1/types.pb.h"

namespace batchd::core {

struct Dependency {
  std::string job_id;
  batch::v1::DependencyCondition::Value condition;  // unspecified = afterok
};

struct DependencyOutcome {
  std::string job_id;
  batch::v1::JobStatus::Value status;  // RUNNABLE or FAILED
  std::string reason;                  // for FAILED
};

// Whether a dependency that finished with `status` lets its dependent run under `condition`.
bool SatisfiesCondition(batch::v1::DependencyCondition::Value condition,
                        batch::v1::JobStatus::Value status);
// Why a dependent fails when `dependency` finished with `status` against `condition`.
std::string BrokenDependencyReason(const std::string& dependency,
                                   batch::v1::DependencyCondition::Value condition,
                                   batch::v1::JobStatus::Value status);
// "waiting for 2 dependencies: a, b" (at most five ids named).
std::string WaitingReason(const std::vector<Dependency>& unmet);

class DependencyGraph {
 public:
  // `job_id` waits on `unmet` (not finished yet; at least one).
  void AddWaiting(const std::string& job_id, std::vector<Dependency> unmet);
  // `job_id` finished with `status` (SUCCEEDED or FAILED). Returns the dependents decided by
  // it, each after the one that decided it; a dependent that fails counts as finished in turn.
  // A job that itself still waited stops waiting.
  std::vector<DependencyOutcome> Finished(const std::string& job_id,
                                          batch::v1::JobStatus::Value status);
  // Stops tracking a waiting job without deciding anything (its own dependents stay).
  void Forget(const std::string& job_id);

  bool IsWaiting(const std::string& job_id) const { return waiting_.count(job_id) > 0; }
  // What `job_id` still waits on, or nullptr when it does not wait.
  const std::vector<Dependency>* UnmetOf(const std::string& job_id) const;
  size_t size() const { return waiting_.size(); }

 private:
  struct Edge {
    std::string dependent;
    batch::v1::DependencyCondition::Value condition;
  };
  std::unordered_map<std::string, std::vector<Dependency>> waiting_;
  // Dependency id -> who waits on it. Entries of jobs that stopped waiting are skipped when
  // the dependency finishes.
  std::unordered_map<std::string, std::vector<Edge>> dependents_;
};

}  // namespace batchd::core
