// The agent side of the event loop: streams opening and closing, their reports, and leases.
#include <spdlog/spdlog.h>

#include <set>
#include <utility>

#include "api/job_states.h"
#include "dispatch/dispatcher.h"

namespace batchd::dispatch {

using batch::v1::AgentMessage;
using batch::v1::AttemptState;
using batch::v1::AttemptStatus;
using batch::v1::NodeState;
using batch::v1::SchedulerMessage;

namespace {

// Answers a hello exactly once: from the loop, or, when the loop stopped and dropped the work,
// with a refusal as the work goes away, so that the stream still ends.
class HelloAnswer {
 public:
  explicit HelloAnswer(std::function<void(const std::string&)> done) : done_(std::move(done)) {}
  HelloAnswer(const HelloAnswer&) = delete;
  HelloAnswer& operator=(const HelloAnswer&) = delete;
  ~HelloAnswer() {
    if (done_) done_("batchd is shutting down");
  }
  void operator()(const std::string& refusal) { std::exchange(done_, nullptr)(refusal); }

 private:
  std::function<void(const std::string&)> done_;
};

}  // namespace

void Dispatcher::AgentConnected(std::shared_ptr<service::AgentLink> link,
                                const batch::v1::Hello& hello,
                                std::function<void(const std::string& refusal)> done) {
  auto answer = std::make_shared<HelloAnswer>(std::move(done));
  Post([this, link, hello, answer] {
    std::string refusal;
    try {
      refusal = OnHello(link, hello);
    } catch (const std::exception& e) {
      spdlog::error("cannot take node {} in: {}", hello.node_id(), e.what());
      refusal = "batchd cannot take the node in now (see its log)";
    }
    (*answer)(refusal);
  });
}

void Dispatcher::AgentMessageReceived(const service::AgentLink* link, AgentMessage message) {
  Post([this, link, message = std::move(message)] { OnMessage(link, message); });
}

void Dispatcher::AgentDisconnected(const service::AgentLink* link) {
  Post([this, link] { OnGone(link); });
}

std::string Dispatcher::OnHello(std::shared_ptr<service::AgentLink> link,
                                const batch::v1::Hello& hello) {
  if (compute_environments_.count(hello.compute_environment()) == 0) LoadResources();
  if (compute_environments_.count(hello.compute_environment()) == 0) {
    return "hello.computeEnvironment: compute environment \"" + hello.compute_environment() +
           "\" does not exist";
  }
  const int64_t now = clock_.NowMillis();
  NodeEntry& node = cluster_.UpsertNode(hello.node_id());
  cluster_.SetLink(node, link);
  node.last_seen_ms = now;
  node.total = {static_cast<double>(hello.resources().vcpus()), hello.resources().memory_mib(),
                hello.resources().gpus(), hello.resources().container_runtimes_size() > 0};
  auto& d = node.detail;
  if (d.registered_at() == 0 || d.state() == NodeState::LOST ||
      d.state() == NodeState::TERMINATED) {
    d.set_registered_at(now);
  }
  if (d.state() == NodeState::LAUNCHING) {
    AddEvent(hello.compute_environment(), hello.node_id(),
             "node " + hello.node_id() + " registered " +
                 std::to_string(now - node.launched_at_ms) + " ms after its launch");
  }
  d.set_compute_environment(hello.compute_environment());
  d.set_state(NodeState::READY);
  d.set_status_reason("");
  *d.mutable_labels() = hello.resources().labels();
  d.set_hostname(hello.hostname());
  d.set_agent_version(hello.agent_version());
  *d.mutable_container_runtimes() = hello.resources().container_runtimes();
  d.set_last_heartbeat_at(now);

  // Attempts the agent has that are not live here were ended already (its node was lost, or
  // a newer attempt replaced them): the agent kills and forgets them, so none runs twice.
  const std::set<std::string> agent_has(hello.running_attempt_ids().begin(),
                                        hello.running_attempt_ids().end());
  SchedulerMessage welcome;
  auto* w = welcome.mutable_welcome();
  w->set_node_id(hello.node_id());
  w->set_lease_seconds(options_.node_lease_seconds);
  w->set_heartbeat_seconds(options_.heartbeat_seconds);
  w->set_accepts_batches(true);
  for (const std::string& id : agent_has) {
    if (node.attempts.count(id) == 0) w->add_attempts_to_kill(id);
  }
  link->Send(std::move(welcome));

  // Attempts stored as on this node that the agent does not have never reached it (or its
  // work dir was lost): retried without using up an attempt.
  for (const std::string& id : std::set<std::string>(node.attempts)) {
    const ActiveAttempt* attempt = cluster_.FindAttempt(id);
    if (attempt == nullptr || !attempt->committed || agent_has.count(id) > 0) continue;
    batch_.Add(InfrastructureFailure(attempt->job_id, id,
                                     "the agent on node " + hello.node_id() +
                                         " does not have this attempt (it never arrived, or the "
                                         "agent lost its work directory)",
                                     now));
  }
  for (const std::string& id : node.attempts) {
    const ActiveAttempt* attempt = cluster_.FindAttempt(id);
    if (attempt != nullptr && !attempt->kill_reason.empty()) SendKill(*attempt);
  }
  MarkNodeChanged(node);
  placement_due_ = true;
  spdlog::info("node {} connected (compute environment {}, {} vCPU, {} MiB, {} GPU)",
               hello.node_id(), hello.compute_environment(), hello.resources().vcpus(),
               hello.resources().memory_mib(), hello.resources().gpus());
  return "";
}

void Dispatcher::OnMessage(const service::AgentLink* link, const AgentMessage& message) {
  NodeEntry* node = cluster_.NodeOfLink(link);
  if (node == nullptr) return;  // a replaced stream
  const int64_t now = clock_.NowMillis();
  node->last_seen_ms = now;
  node->detail.set_last_heartbeat_at(now);
  if (!message.has_batch()) return OnNodeMessage(*node, message);
  for (const AgentMessage& inner : message.batch().messages()) {
    // Looked up again for each: one message (a goodbye, a reclaim) may end the node's link.
    node = cluster_.NodeOfLink(link);
    if (node == nullptr) return;
    if (inner.has_batch()) {
      spdlog::warn("node {} nested a batch of messages in another; ignored",
                   node->detail.node_id());
      continue;
    }
    OnNodeMessage(*node, inner);
  }
}

void Dispatcher::OnNodeMessage(NodeEntry& node, const AgentMessage& message) {
  switch (message.body_case()) {
    case AgentMessage::kHeartbeat:
    case AgentMessage::kHello:
    case AgentMessage::kBatch:  // unpacked by OnMessage
    case AgentMessage::BODY_NOT_SET:
      break;
    case AgentMessage::kAttemptStatus:
      OnAttemptStatus(node, message.attempt_status());
      break;
    case AgentMessage::kLogChunk: {
      const auto& chunk = message.log_chunk();
      store::LogRecord log;
      log.attempt_id = chunk.attempt_id();
      if (const ActiveAttempt* attempt = cluster_.FindAttempt(chunk.attempt_id())) {
        log.job_id = attempt->job_id;
      }
      log.stream = chunk.stream();
      log.offset = static_cast<int64_t>(chunk.sequence());
      log.at = chunk.at();
      log.data = chunk.data();
      log.truncated = chunk.truncated();
      batch_.AddLog(std::move(log));
      break;
    }
    case AgentMessage::kDraining:
      node.detail.set_state(NodeState::DRAINING);
      if (!node.removing) node.detail.set_status_reason("the agent is draining");
      MarkNodeChanged(node);
      spdlog::info("node {} is draining", node.detail.node_id());
      break;
    case AgentMessage::kReclaimed:
      Reclaim(node, message.reclaimed().reason(), false);
      break;
    case AgentMessage::kGoodbye:
      LoseAttemptsOf(node, "node " + node.detail.node_id() + " left with the attempt running");
      node.detail.set_state(NodeState::TERMINATED);
      // A node being scaled in keeps the reason it is removed for.
      if (!node.removing) node.detail.set_status_reason("the agent left");
      MarkNodeChanged(node);
      spdlog::info("node {} left", node.detail.node_id());
      break;
  }
}

void Dispatcher::OnAttemptStatus(NodeEntry& node, const AttemptStatus& status) {
  const ActiveAttempt* attempt = cluster_.FindAttempt(status.attempt_id());
  const bool final_state =
      status.state() == AttemptState::EXITED || status.state() == AttemptState::LAUNCH_FAILED;
  if (attempt == nullptr || attempt->node_id != node.detail.node_id()) {
    // Not a live attempt of this node: ended already (the node was lost meanwhile) or never
    // placed here. Whatever runs is stopped; a final report is acknowledged and forgotten.
    SchedulerMessage reply;
    if (final_state) {
      reply.mutable_ack()->add_attempt_ids(status.attempt_id());
    } else {
      reply.mutable_kill()->set_attempt_id(status.attempt_id());
      reply.mutable_kill()->set_reason("the attempt is no longer current on this node");
      reply.mutable_kill()->set_grace_seconds(0);
    }
    if (node.link) node.link->Send(std::move(reply));
    return;
  }
  JobOp op;
  op.job_id = attempt->job_id;
  op.attempt_id = status.attempt_id();
  op.node_id = node.detail.node_id();
  op.status = status;
  switch (status.state()) {
    case AttemptState::RUNNING:
      op.kind = JobOp::Kind::kRunning;
      break;
    case AttemptState::EXITED:
    case AttemptState::LAUNCH_FAILED:
      op.kind = JobOp::Kind::kFinish;
      op.ack_to_agent = true;
      break;
    case AttemptState::ATTEMPT_STATE_UNSPECIFIED:
    case AttemptState::LAUNCHING:
    case batch::v1::AttemptState_Value_AttemptState_Value_INT_MIN_SENTINEL_DO_NOT_USE_:
    case batch::v1::AttemptState_Value_AttemptState_Value_INT_MAX_SENTINEL_DO_NOT_USE_:
      return;
  }
  batch_.Add(std::move(op));
}

void Dispatcher::OnGone(const service::AgentLink* link) {
  NodeEntry* node = cluster_.NodeOfLink(link);
  cluster_.DropLink(link);
  if (node == nullptr || node->link != nullptr) return;
  if (node->detail.state() == NodeState::READY || node->detail.state() == NodeState::DRAINING) {
    node->detail.set_status_reason("disconnected; lost if it does not return within " +
                                   std::to_string(options_.node_lease_seconds) + " s");
    MarkNodeChanged(*node);
  }
}

void Dispatcher::CheckLeases() {
  const int64_t now = clock_.NowMillis();
  const int64_t lease_ms = int64_t{options_.node_lease_seconds} * 1000;
  for (auto& [id, node] : cluster_.nodes()) {
    const auto state = node.detail.state();
    // A node being launched has its boot timeout instead (see Autoscale).
    if (state == NodeState::LOST || state == NodeState::TERMINATED ||
        state == NodeState::LAUNCHING) {
      continue;
    }
    if (now - node.last_seen_ms <= lease_ms) continue;
    const std::string reason = "node lost: no word from node " + id + " for " +
                               std::to_string((now - node.last_seen_ms) / 1000) + " s (lease " +
                               std::to_string(options_.node_lease_seconds) + " s)";
    spdlog::warn("{}", reason);
    LoseAttemptsOf(node, reason);
    node.detail.set_state(NodeState::LOST);
    node.detail.set_status_reason(reason);
    if (node.link) cluster_.SetLink(node, nullptr);
    MarkNodeChanged(node);
    // A machine that went silent may still exist (and cost): its provider takes it back.
    ReleaseManagedNode(node, "remove node " + id + ": it was lost");
  }
}

void Dispatcher::LoseAttemptsOf(NodeEntry& node, const std::string& reason) {
  const int64_t now = clock_.NowMillis();
  for (const std::string& id : node.attempts) {
    const ActiveAttempt* attempt = cluster_.FindAttempt(id);
    if (attempt == nullptr) continue;
    batch_.Add(InfrastructureFailure(attempt->job_id, id, reason, now));
  }
}

void Dispatcher::Reclaim(NodeEntry& node, const std::string& why, bool kill) {
  const std::string reason = "node " + node.detail.node_id() + " was reclaimed: " + why;
  if (kill) {
    for (const std::string& id : node.attempts) {
      ActiveAttempt* attempt = cluster_.FindAttempt(id);
      if (attempt == nullptr) continue;
      attempt->kill_reason = reason;
      SendKill(*attempt);
    }
  }
  LoseAttemptsOf(node, reason);
  if (node.detail.state() == NodeState::READY) node.detail.set_state(NodeState::DRAINING);
  node.detail.set_status_reason(reason);
  AddEvent(node.detail.compute_environment(), node.detail.node_id(), reason);
  MarkNodeChanged(node);
  ReleaseManagedNode(node, "remove node " + node.detail.node_id() + ": it was reclaimed");
}

void Dispatcher::SendKill(const ActiveAttempt& attempt) {
  if (!attempt.committed) return;  // the launch goes out after commit; AfterCommit kills it
  NodeEntry* node = cluster_.FindNode(attempt.node_id);
  if (node == nullptr || node->link == nullptr) return;  // sent again when the node returns
  SchedulerMessage kill;
  kill.mutable_kill()->set_attempt_id(attempt.attempt_id);
  kill.mutable_kill()->set_reason(attempt.kill_reason);
  kill.mutable_kill()->set_grace_seconds(options_.settings.kill_grace_seconds);
  SendTo(*node, std::move(kill));
}

void Dispatcher::MarkNodeChanged(const NodeEntry& node) {
  batch::v1::NodeDetail detail = node.detail;
  *detail.mutable_total() = ToNodeResources(node.total);
  nodes_to_store_[detail.node_id()] = std::move(detail);
}

}  // namespace batchd::dispatch
