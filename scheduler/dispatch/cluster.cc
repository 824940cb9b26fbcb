#include "dispatch/cluster.h"

#include <algorithm>

namespace batchd::dispatch {

using batch::v1::NodeState;

core::Resources Plus(const core::Resources& a, const core::Resources& b) {
  return {a.vcpus + b.vcpus, a.memory_mib + b.memory_mib, a.gpus + b.gpus, a.container};
}

core::Resources Minus(const core::Resources& a, const core::Resources& b) {
  // Clamped: a node re-registering with fewer resources must not go negative.
  return {std::max(0.0, a.vcpus - b.vcpus), std::max<int64_t>(0, a.memory_mib - b.memory_mib),
          std::max(0, a.gpus - b.gpus), a.container};
}

batch::v1::NodeResources ToNodeResources(const core::Resources& r) {
  batch::v1::NodeResources out;
  out.set_vcpus(static_cast<int32_t>(r.vcpus + 0.999));
  out.set_memory_mib(r.memory_mib);
  out.set_gpus(r.gpus);
  return out;
}

NodeEntry* Cluster::FindNode(const std::string& node_id) {
  auto it = nodes_.find(node_id);
  return it == nodes_.end() ? nullptr : &it->second;
}

NodeEntry& Cluster::UpsertNode(const std::string& node_id) {
  NodeEntry& node = nodes_[node_id];
  node.detail.set_node_id(node_id);
  return node;
}

NodeEntry* Cluster::NodeOfLink(const service::AgentLink* link) {
  auto it = node_of_link_.find(link);
  return it == node_of_link_.end() ? nullptr : FindNode(it->second);
}

void Cluster::SetLink(NodeEntry& node, std::shared_ptr<service::AgentLink> link) {
  if (node.link && node.link != link) {
    node_of_link_.erase(node.link.get());
    node.link->Close();
  }
  node.link = std::move(link);
  if (node.link) node_of_link_[node.link.get()] = node.detail.node_id();
}

void Cluster::DropLink(const service::AgentLink* link) {
  NodeEntry* node = NodeOfLink(link);
  node_of_link_.erase(link);
  if (node != nullptr && node->link.get() == link) node->link.reset();
}

ActiveAttempt* Cluster::FindAttempt(const std::string& attempt_id) {
  auto it = attempts_.find(attempt_id);
  return it == attempts_.end() ? nullptr : &it->second;
}

ActiveAttempt* Cluster::AttemptOfJob(const std::string& job_id) {
  auto it = attempt_of_job_.find(job_id);
  return it == attempt_of_job_.end() ? nullptr : FindAttempt(it->second);
}

ActiveAttempt& Cluster::AddAttempt(ActiveAttempt attempt) {
  NodeEntry& node = UpsertNode(attempt.node_id);
  node.used = Plus(node.used, attempt.need);
  node.attempts.insert(attempt.attempt_id);
  attempt_of_job_[attempt.job_id] = attempt.attempt_id;
  std::string id = attempt.attempt_id;
  return attempts_[id] = std::move(attempt);
}

void Cluster::RemoveAttempt(const std::string& attempt_id) {
  auto it = attempts_.find(attempt_id);
  if (it == attempts_.end()) return;
  if (NodeEntry* node = FindNode(it->second.node_id)) {
    node->used = Minus(node->used, it->second.need);
    node->attempts.erase(attempt_id);
  }
  auto job = attempt_of_job_.find(it->second.job_id);
  if (job != attempt_of_job_.end() && job->second == attempt_id) attempt_of_job_.erase(job);
  attempts_.erase(it);
}

bool Cluster::Schedulable(const NodeEntry& node) {
  return node.link != nullptr && node.detail.state() == NodeState::READY;
}

std::vector<batch::v1::NodeDetail> Cluster::Describe() const {
  std::vector<batch::v1::NodeDetail> out;
  out.reserve(nodes_.size());
  for (const auto& [id, node] : nodes_) {
    batch::v1::NodeDetail detail = node.detail;
    *detail.mutable_total() = ToNodeResources(node.total);
    *detail.mutable_used() = ToNodeResources(node.used);
    detail.clear_attempt_ids();
    for (const std::string& attempt : node.attempts) detail.add_attempt_ids(attempt);
    out.push_back(std::move(detail));
  }
  return out;
}

}  // namespace batchd::dispatch
