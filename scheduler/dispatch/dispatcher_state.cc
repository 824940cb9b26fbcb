// The event loop's view: loading it, placing jobs, and writing what changed.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <utility>

#include "api/array_jobs.h"
#include "api/job_states.h"
#include "api/names.h"
#include "core/job_spec.h"
#include "dispatch/dispatcher.h"

namespace batchd::dispatch {

using batch::v1::CEState;
using batch::v1::CEType;
using batch::v1::JobDetail;
using batch::v1::JobStatus;
using batch::v1::JQState;
using batch::v1::NodeState;
using batch::v1::SchedulerMessage;

namespace {
// After the store failed, the next try waits this long.
constexpr int64_t kFlushRetryMs = 1000;
}  // namespace

void Dispatcher::LoadResources() {
  std::vector<batch::v1::JobQueueDetail> queues;
  std::string token;
  do {
    auto page = store_.DescribeJobQueues({}, 100, token);
    for (auto& q : page.items) queues.push_back(std::move(q));
    token = page.next_token;
  } while (!token.empty());
  std::map<std::string, batch::v1::ComputeEnvironmentDetail> ces;
  do {
    auto page = store_.DescribeComputeEnvironments({}, 100, token);
    for (auto& ce : page.items) {
      std::string name = ce.compute_environment_name();
      ces.emplace(std::move(name), std::move(ce));
    }
    token = page.next_token;
  } while (!token.empty());
  // A deleted managed environment lives on here, DELETING, while nodes of it are left: they
  // go back to its provider as soon as they are idle.
  for (auto& [name, ce] : compute_environments_) {
    if (ces.count(name) > 0 || ce.type() != CEType::MANAGED || !HasLiveNodes(name)) continue;
    ce.set_status(batch::v1::CEStatus::DELETING);
    ce.set_state(CEState::DISABLED);
    ces.emplace(name, std::move(ce));
  }
  queues_ = std::move(queues);
  compute_environments_ = std::move(ces);
}

bool Dispatcher::HasLiveNodes(const std::string& ce) {
  for (const auto& [id, node] : cluster_.nodes()) {
    const auto state = node.detail.state();
    if (node.detail.compute_environment() == ce && state != NodeState::TERMINATED &&
        !(state == NodeState::LOST && node.detail.provider().empty())) {
      return true;
    }
  }
  return false;
}

void Dispatcher::LoadState() {
  const int64_t now = clock_.NowMillis();
  for (auto& detail : store_.LoadNodes()) {
    NodeEntry& node = cluster_.UpsertNode(detail.node_id());
    node.total = {static_cast<double>(detail.total().vcpus()), detail.total().memory_mib(),
                  detail.total().gpus(), detail.container_runtimes_size() > 0};
    node.detail = std::move(detail);
    // Every node gets a full lease to come back after a restart of batchd, and one being
    // launched a full boot timeout to register.
    node.last_seen_ms = now;
    node.launched_at_ms = now;
  }
  store_.ForEachJob({JobStatus::RUNNABLE}, [this](const JobDetail& job) { AddWaiting(job); });
  for (const JobDetail& job : store_.LoadJobs({JobStatus::STARTING, JobStatus::RUNNING})) {
    const batch::v1::AttemptDetail* current = core::CurrentAttempt(job);
    if (current == nullptr) continue;
    ActiveAttempt attempt;
    attempt.attempt_id = current->attempt_id();
    attempt.job_id = job.job_id();
    attempt.node_id = current->node_id();
    attempt.need = core::EffectiveResources(job.container());
    attempt.committed = true;
    if (job.is_terminated()) {
      attempt.kill_reason = job.status_reason().empty() ? "terminated" : job.status_reason();
    }
    const bool known = cluster_.FindNode(attempt.node_id) != nullptr;
    NodeEntry& node = cluster_.nodes()[attempt.node_id];
    if (!known) {
      node.detail.set_node_id(attempt.node_id);
      node.detail.set_state(NodeState::READY);
      node.last_seen_ms = now;
    }
    cluster_.AddAttempt(std::move(attempt));
  }
  TrackPending(store_.LoadJobs({JobStatus::PENDING}), false);
  spdlog::info("scheduler: {} jobs waiting, {} on dependencies, {} arrays, {} nodes known",
               waiting_.size(), graph_.size(), arrays_.size(), cluster_.nodes().size());
}

core::ClusterView Dispatcher::BuildView() {
  core::ClusterView view;
  for (const auto& q : queues_) {
    core::QueueView qv;
    qv.name = q.job_queue_name();
    qv.priority = q.priority();
    qv.enabled = q.state() == JQState::ENABLED;
    std::vector<std::pair<int, std::string>> order;
    for (const auto& o : q.compute_environment_order()) {
      order.emplace_back(o.order(),
                         api::NameFromRef("computeEnvironmentOrder", o.compute_environment(),
                                          api::kComputeEnvironmentKind));
    }
    std::sort(order.begin(), order.end());
    for (auto& [_, name] : order) qv.compute_environments.push_back(name);
    view.queues.push_back(std::move(qv));
  }
  for (const auto& [name, ce] : compute_environments_) {
    core::CeView cv;
    cv.name = name;
    cv.enabled = ce.state() == CEState::ENABLED;
    cv.managed = ce.type() == CEType::MANAGED;
    cv.maxv_cpus = ce.compute_resources().maxv_cpus();
    for (const auto& shape : ce.compute_resources().node_shapes()) {
      // Whether a node to come will have a container runtime is known only once its agent
      // says so: a shape is taken to have one, so image jobs wait rather than fail.
      cv.shapes.push_back(
          {static_cast<double>(shape.vcpus()), shape.memory_mib(), shape.gpus(), true});
    }
    view.compute_environments.emplace(name, std::move(cv));
  }
  for (auto& [id, node] : cluster_.nodes()) {
    auto ce = view.compute_environments.find(node.detail.compute_environment());
    if (ce == view.compute_environments.end()) continue;
    auto& largest = ce->second.largest_known_node;
    if (!largest || node.total.vcpus > largest->vcpus ||
        (node.total.vcpus == largest->vcpus && node.total.memory_mib > largest->memory_mib)) {
      largest = node.total;
    }
    core::NodeView nv;
    nv.node_id = id;
    nv.compute_environment = node.detail.compute_environment();
    nv.schedulable = Cluster::Schedulable(node);
    nv.total = node.total;
    nv.used = node.used;
    view.nodes.emplace(id, std::move(nv));
  }
  return view;
}

void Dispatcher::AddWaiting(const JobDetail& job) {
  core::WaitingJob waiting;
  waiting.job_id = job.job_id();
  waiting.queue = job.job_queue();
  waiting.scheduling_priority = job.scheduling_priority();
  waiting.created_at = job.created_at();
  waiting.need = core::EffectiveResources(job.container());
  waiting_.Add(waiting, options_.placement);
  placement_due_ = true;
}

void Dispatcher::PlacementPass(const std::function<const core::ClusterView&()>& view) {
  placement_due_ = false;
  if (waiting_.size() == 0) {
    waiting_.PassDone();
    return;
  }
  core::PassResult result =
      core::PlaceJobs(view(), waiting_, clock_.NowMillis(), options_.placement, &pass_memory_);
  waiting_.PassDone();
  for (const core::Placement& placement : result.placed) {
    const core::WaitingJob* job = waiting_.Find(placement.job_id);
    NodeEntry* node = cluster_.FindNode(placement.node_id);
    if (job == nullptr || node == nullptr) continue;
    ActiveAttempt attempt;
    attempt.attempt_id = api::NewUuid();
    attempt.job_id = job->job_id;
    attempt.node_id = placement.node_id;
    attempt.need = job->need;
    JobOp op;
    op.kind = JobOp::Kind::kStart;
    op.job_id = job->job_id;
    op.attempt_id = attempt.attempt_id;
    op.node_id = placement.node_id;
    op.compute_environment = node->detail.compute_environment();
    cluster_.AddAttempt(std::move(attempt));
    waiting_.Remove(op.job_id);
    batch_.Add(std::move(op));
  }
  if (!options_.fail_unplaceable_jobs) return;
  for (const core::Infeasible& infeasible : result.infeasible) {
    JobOp op;
    op.kind = JobOp::Kind::kUnplaceable;
    op.job_id = infeasible.job_id;
    op.reason = infeasible.reason;
    waiting_.Remove(op.job_id);
    batch_.Add(std::move(op));
  }
}

void Dispatcher::Flush() {
  StoreScaling();
  if (!nodes_to_store_.empty()) {
    std::vector<batch::v1::NodeDetail> nodes;
    for (auto& [id, detail] : nodes_to_store_) nodes.push_back(detail);
    try {
      store_.UpsertNodes(nodes);
      nodes_to_store_.clear();
    } catch (const std::exception& e) {
      spdlog::error("scheduler: cannot store nodes: {}", e.what());
    }
  }
  if (batch_.empty() || commit_running_) return;
  commit_running_ = true;
  auto batch = std::make_shared<JobWriteBatch>(std::exchange(batch_, {}));
  committer_.Run([this, batch, now = clock_.NowMillis()] {
    std::map<std::string, JobDetail> committed;
    std::string error;
    try {
      committed = batch->Commit(store_, options_.settings, now);
    } catch (const std::exception& e) {
      error = e.what();
      if (error.empty()) error = "unknown error";
    }
    Post([this, batch, committed = std::move(committed), error]() mutable {
      Committed(std::move(*batch), std::move(committed), error);
    });
  });
}

void Dispatcher::Committed(JobWriteBatch batch, std::map<std::string, JobDetail> committed,
                           const std::string& error) {
  commit_running_ = false;
  if (!error.empty()) {
    // Everything stays gathered, in front of what came since, and is tried again; nothing
    // was launched or acknowledged.
    batch_.Prepend(std::move(batch));
    spdlog::error("scheduler: cannot store {} job changes (retrying in 1 s): {}", batch_.size(),
                  error);
    retry_flush_at_ms_ = clock_.NowMillis() + kFlushRetryMs;
    return;
  }
  retry_flush_at_ms_ = 0;
  // What this commit lets out for one node goes as one write (see AgentLink::Send).
  held_.emplace();
  struct SendHeld {
    Dispatcher& dispatcher;
    ~SendHeld() { dispatcher.SendHeld(); }
  } send_held{*this};
  std::map<std::string, std::vector<std::string>> acks;  // by node
  for (JobOp& op : batch.TakeCommitted()) {
    auto it = committed.find(op.job_id);
    AfterCommit(op, it == committed.end() ? nullptr : &it->second);
    if (op.ack_to_agent) acks[op.node_id].push_back(op.attempt_id);
  }
  for (auto& [node_id, ids] : acks) {
    NodeEntry* node = cluster_.FindNode(node_id);
    if (node == nullptr || node->link == nullptr) continue;
    SchedulerMessage ack;
    for (auto& id : ids) ack.mutable_ack()->add_attempt_ids(id);
    SendTo(*node, std::move(ack));
  }
}

void Dispatcher::SendTo(NodeEntry& node, SchedulerMessage message) {
  if (node.link == nullptr) return;
  if (held_) {
    (*held_)[node.detail.node_id()].push_back(std::move(message));
  } else {
    node.link->Send(std::move(message));
  }
}

void Dispatcher::SendHeld() {
  if (!held_) return;
  auto held = std::move(*held_);
  held_.reset();
  for (auto& [node_id, messages] : held) {
    NodeEntry* node = cluster_.FindNode(node_id);
    if (node != nullptr && node->link != nullptr) node->link->Send(std::move(messages));
  }
}

void Dispatcher::AfterCommit(JobOp& op, const JobDetail* committed) {
  switch (op.kind) {
    case JobOp::Kind::kStart: {
      ActiveAttempt* attempt = cluster_.FindAttempt(op.attempt_id);
      if (!op.applied || attempt == nullptr) {
        cluster_.RemoveAttempt(op.attempt_id);
        placement_due_ = true;
        // A child of an array being stopped: its row ended with the parent.
        auto child = api::SplitArrayChildId(op.job_id);
        if (!op.applied && child) {
          auto run = arrays_.find(child->first);
          if (run != arrays_.end() && run->second.stopping) {
            OnJobEnded(op.job_id, JobStatus::FAILED);
          }
        }
        return;
      }
      attempt->committed = true;
      NodeEntry* node = cluster_.FindNode(op.node_id);
      if (node != nullptr && node->link != nullptr) {
        SchedulerMessage launch;
        *launch.mutable_launch() = std::move(op.launch);
        SendTo(*node, std::move(launch));
      }
      if (committed != nullptr && committed->is_terminated()) {
        attempt->kill_reason = committed->status_reason();
        SendKill(*attempt);
      }
      return;
    }
    case JobOp::Kind::kRunning:
      return;
    case JobOp::Kind::kFinish:
      // Applied or stale, the attempt is over: the view lets go of it either way.
      if (cluster_.FindAttempt(op.attempt_id) != nullptr) {
        cluster_.RemoveAttempt(op.attempt_id);
        placement_due_ = true;
      }
      if (op.applied && committed != nullptr && committed->status() == JobStatus::RUNNABLE) {
        AddWaiting(*committed);
      }
      if (op.applied && committed != nullptr && api::IsTerminal(committed->status())) {
        OnJobEnded(op.job_id, committed->status());
      }
      return;
    case JobOp::Kind::kUnplaceable:
      if (op.applied) OnJobEnded(op.job_id, JobStatus::FAILED);
      return;
    case JobOp::Kind::kLeavePending:
      if (!op.applied || committed == nullptr) {
        // No longer PENDING: cancelled meanwhile, which the cancel's own hook reports.
        ending_.erase(op.job_id);
        return;
      }
      if (committed->status() == JobStatus::RUNNABLE) {
        AddWaiting(*committed);
      } else {
        OnJobEnded(op.job_id, committed->status());
      }
      return;
  }
}

}  // namespace batchd::dispatch
