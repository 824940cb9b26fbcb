#pragma once
// The scheduler's event loop: one thread owns the waiting jobs, the nodes and the attempts on
// them. gRPC threads post work to it (submits, cancels, agent messages); each turn it places
// what it can and writes every job transition gathered since the last commit in one
// transaction, on the commit thread while the loop goes on. Only once that is stored does it
// send launches and acks, so an agent never acts on something not stored.
#include <condition_variable>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/autoscale.h"
#include "core/clock.h"
#include "core/dependency_graph.h"
#include "core/placement.h"
#include "dispatch/cluster.h"
#include "dispatch/commit_thread.h"
#include "dispatch/dispatch_options.h"
#include "dispatch/job_ops.h"
#include "dispatch/provisioner.h"
#include "service/agent_hub.h"
#include "service/scheduler_hooks.h"
#include "store/store.h"

namespace batchd::dispatch {

class Dispatcher final : public service::SchedulerHooks, public service::AgentHub {
 public:
  Dispatcher(store::Store& store, const core::Clock& clock, DispatchOptions options);
  ~Dispatcher() override;
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Rebuilds the view from the store (waiting jobs, attempts in flight, known nodes) and
  // starts the loop thread.
  void Start();
  // Stops the loop after its current turn (uncommitted work is dropped: agents report again).
  void Stop();
  // From now on managed compute environments scale through `provisioner` (which must
  // outlive Stop()).
  void SetProvisioner(Provisioner* provisioner);
  // `listener` hears of every job that ended, once its end is committed, on the loop's thread
  // (it must be quick). Set before Start().
  void SetJobEndListener(std::function<void(const std::string& job_id)> listener) {
    job_end_listener_ = std::move(listener);
  }

  // service::SchedulerHooks
  void JobsSubmitted(const std::vector<batch::v1::JobDetail>& jobs) override;
  void JobStopRequested(const batch::v1::JobDetail& job) override;
  void ResourcesChanged() override;
  std::vector<batch::v1::NodeDetail> Nodes() override;
  batch::v1::ExplainJobResponse Explain(const batch::v1::JobDetail& job) override;
  std::optional<batch::v1::NodeDetail> ReclaimNode(const std::string& node_id,
                                                   const std::string& reason) override;

  // service::AgentHub
  void AgentConnected(std::shared_ptr<service::AgentLink> link, const batch::v1::Hello& hello,
                      std::function<void(const std::string& refusal)> done) override;
  void AgentMessageReceived(const service::AgentLink* link,
                            batch::v1::AgentMessage message) override;
  void AgentDisconnected(const service::AgentLink* link) override;

 private:
  void Post(std::function<void()> work);
  template <typename T>
  T Ask(std::function<T()> question);
  void Loop();
  void Turn();

  void LoadResources();
  bool HasLiveNodes(const std::string& ce);
  void LoadState();
  core::ClusterView BuildView();
  void AddWaiting(const batch::v1::JobDetail& job);
  void PlacementPass(const std::function<const core::ClusterView&()>& view);
  void CheckLeases();
  void Autoscale(const core::ClusterView& view);
  void CreateNode(const batch::v1::ComputeEnvironmentDetail& ce, const core::NodeCreate& create,
                  const std::string& reason);
  void OnNodeCreated(const std::string& ce, const std::string& node_id, const std::string& error,
                     const std::string& provider_id);
  void RemoveNode(NodeEntry& node, const batch::v1::ComputeEnvironmentDetail& ce,
                  const core::NodeRemoval& removal);
  // Hands a managed environment's node back to its provider (reclaimed, lost); nothing for
  // an operator's own node.
  void ReleaseManagedNode(NodeEntry& node, const std::string& reason);
  void ProviderFailed(const std::string& ce, const std::string& what, const std::string& error);
  void ProviderSucceeded(const std::string& ce);
  void AddEvent(const std::string& ce, const std::string& node_id, const std::string& message);
  void StoreScaling();
  // What scaling does for the environments of `queue`, one line each, for explain.
  std::vector<std::string> ScalingDetails(const std::string& queue);
  // Stores nodes and scaling, and hands what batch_ gathered to the commit thread unless a
  // commit is running; Committed takes the outcome back on the loop thread.
  void Flush();
  void Committed(JobWriteBatch batch, std::map<std::string, batch::v1::JobDetail> committed,
                 const std::string& error);
  void AfterCommit(JobOp& op, const batch::v1::JobDetail* committed);

  // Dependencies and arrays (dispatcher_dependencies.cc).
  // PENDING jobs and array parents to follow; `from_submit`: just written as submitted, so
  // an array parent with no reason has its children released already.
  void TrackPending(const std::vector<batch::v1::JobDetail>& jobs, bool from_submit);
  // Statuses as far as they are decided: live jobs are RUNNABLE here (what matters is that
  // they have not ended); the rest come from the store.
  std::unordered_map<std::string, batch::v1::JobStatus::Value> StatusesOf(
      const std::vector<std::string>& ids);
  bool IsLive(const std::string& job_id);
  // Registers `job_id` as waiting on `deps`, or decides it now.
  void Follow(const std::string& job_id, const std::vector<core::Dependency>& deps,
              const std::unordered_map<std::string, batch::v1::JobStatus::Value>& statuses,
              std::vector<core::DependencyOutcome>& decided);
  void ApplyOutcomes(std::vector<core::DependencyOutcome> outcomes);
  // The array's own dependencies are met: its children wait for capacity, or on their own
  // dependencies.
  void ReleaseArray(const std::string& parent_id);
  void AddWaitingChild(const std::string& parent_id, int index);
  void EndChild(const std::string& parent_id, int index, batch::v1::JobStatus::Value status);
  void StopArray(const batch::v1::JobDetail& parent);
  // A job reached SUCCEEDED or FAILED (committed): its dependents and its array learn of it.
  void OnJobEnded(const std::string& job_id, batch::v1::JobStatus::Value status);
  void LeavePending(const std::string& job_id, batch::v1::JobStatus::Value to,
                    const std::string& reason);
  std::vector<std::string> DependencyDetails(const batch::v1::JobDetail& job);
  void RetryDependencyWork();

  std::string OnHello(std::shared_ptr<service::AgentLink> link, const batch::v1::Hello& hello);
  void OnMessage(const service::AgentLink* link, const batch::v1::AgentMessage& message);
  // One message (not a batch) of the agent on `node`.
  void OnNodeMessage(NodeEntry& node, const batch::v1::AgentMessage& message);
  void OnAttemptStatus(NodeEntry& node, const batch::v1::AttemptStatus& status);
  void OnGone(const service::AgentLink* link);
  void LoseAttemptsOf(NodeEntry& node, const std::string& reason);
  // The node's machine is going away: its attempts end (killed first when `kill`, i.e. when
  // the agent does not know yet) and are retried elsewhere for free; the node goes back to
  // its provider.
  void Reclaim(NodeEntry& node, const std::string& reason, bool kill);
  void SendKill(const ActiveAttempt& attempt);
  // Sends now, or while held_ is set (after a commit) gathers by node for SendHeld.
  void SendTo(NodeEntry& node, batch::v1::SchedulerMessage message);
  void SendHeld();
  void MarkNodeChanged(const NodeEntry& node);

  store::Store& store_;
  const core::Clock& clock_;
  const DispatchOptions options_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::function<void()>> inbox_;
  bool stopping_ = false;
  std::thread thread_;

  // Owned by the loop thread.
  std::vector<batch::v1::JobQueueDetail> queues_;
  std::map<std::string, batch::v1::ComputeEnvironmentDetail> compute_environments_;
  core::WaitingJobs waiting_;
  core::PassMemory pass_memory_;
  Cluster cluster_;
  JobWriteBatch batch_;
  std::map<std::string, batch::v1::NodeDetail> nodes_to_store_;
  bool placement_due_ = true;
  // A pass waits until then: as long again as the last one took (see Turn).
  std::chrono::steady_clock::time_point next_placement_at_{};
  int64_t next_lease_check_ms_ = 0;
  int64_t retry_flush_at_ms_ = 0;
  bool commit_running_ = false;
  // Set while a commit's launches, kills and acknowledgements go out: by node id.
  std::optional<std::map<std::string, std::vector<batch::v1::SchedulerMessage>>> held_;

  // Scaling managed environments (loop thread).
  struct CeScaling {
    int failures = 0;  // provider failures in a row
    int64_t create_not_before_ms = 0;
    // Why jobs wait, as last reported: an event when that changes, not when its numbers do.
    core::ScalingPlan::Hold hold = core::ScalingPlan::Hold::kNone;
    std::string held_back;      // the latest plan's words for it, for explain
    int desired_vcpus = -1;     // as last stored in the environment (-1: not yet)
    std::string status_reason;  // the provider's last failure, until it succeeds again
    bool store = false;         // desired_vcpus or status_reason to be written
  };
  Provisioner* provisioner_ = nullptr;
  std::map<std::string, CeScaling> scaling_;
  int64_t next_autoscale_ms_ = 0;
  bool autoscale_due_ = false;
  std::vector<batch::v1::EventDetail> events_to_store_;

  // Dependencies and arrays (loop thread).
  core::DependencyGraph graph_;
  // Decided FAILED but not committed yet: a dependency looked up meanwhile must not read the
  // store's stale PENDING.
  std::unordered_map<std::string, batch::v1::JobStatus::Value> ending_;
  struct ArrayRun {
    batch::v1::JobDetail parent;  // as submitted: what its children are made of
    core::Resources need;
    std::vector<uint8_t> ended;  // per child: 0 live, 1 succeeded, 2 failed
    int ended_count = 0;
    int failed = 0;
    bool released = false;         // its own dependencies are met: children wait or run
    bool stored_released = false;  // the store says so (children_status)
    std::string stop_reason;
    bool stopping = false;  // cancelled or terminated
    bool done = false;      // the parent's end is being written
  };
  std::unordered_map<std::string, ArrayRun> arrays_;
  // Arrays whose release could not be stored yet; retried with the housekeeping.
  std::vector<std::string> arrays_to_release_;
  // Submitted PENDING jobs not followed yet because the store failed; retried likewise.
  std::vector<batch::v1::JobDetail> to_track_;

  std::function<void(const std::string& job_id)> job_end_listener_;

  // Last: stopped (its commit finished) before anything it uses goes.
  CommitThread committer_;
};

// Runs `question` on the loop thread and waits for its answer (rethrowing what it threw).
template <typename T>
inline T Dispatcher::Ask(std::function<T()> question) {
  auto promise = std::make_shared<std::promise<T>>();
  std::future<T> answer = promise->get_future();
  Post([promise, question = std::move(question)] {
    try {
      promise->set_value(question());
    } catch (...) {
      promise->set_exception(std::current_exception());
    }
  });
  return answer.get();
}

}  // namespace batchd::dispatch
