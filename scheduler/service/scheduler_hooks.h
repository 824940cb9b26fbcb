#pragma once
// What the control plane tells the scheduler's event loop after a commit, and asks of its
// live view. The loop implements it; without one (tests of the control plane alone) the
// control plane only reads and writes the store.
#include <optional>
#include <string>
#include <vector>

#include "batch/v1/batch_service.pb.h"

namespace batchd::service {

class SchedulerHooks {
 public:
  virtual ~SchedulerHooks() = default;
  // New jobs are committed (any status; the loop takes the RUNNABLE ones).
  virtual void JobsSubmitted(const std::vector<batch::v1::JobDetail>& jobs) = 0;
  // A cancel or terminate is committed: drop the job if it waits, kill its attempt if it runs.
  virtual void JobStopRequested(const batch::v1::JobDetail& job) = 0;
  // Compute environments or queues changed: reload them.
  virtual void ResourcesChanged() = 0;
  // The live nodes, as the loop sees them now.
  virtual std::vector<batch::v1::NodeDetail> Nodes() = 0;
  // Why the job is where it is, from the live view (called for any status).
  virtual batch::v1::ExplainJobResponse Explain(const batch::v1::JobDetail& job) = 0;
  // The node's machine is being taken away; nullopt when the node is not known.
  virtual std::optional<batch::v1::NodeDetail> ReclaimNode(const std::string& node_id,
                                                           const std::string& reason) = 0;
};

}  // namespace batchd::service
