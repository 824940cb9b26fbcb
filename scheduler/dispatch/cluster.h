#pragma once
// The scheduler's live view of nodes and the attempts on them, owned by the event loop thread.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "batch/v1/agent_service.pb.h"
#include "batch/v1/batch_service.pb.h"
#include "core/job_spec.h"
#include "core/placement.h"
#include "service/agent_hub.h"

namespace batchd::dispatch {

struct NodeEntry {
  batch::v1::NodeDetail detail;  // id, CE, state, total, labels, hostname, ...
  core::Resources total;
  core::Resources used;
  std::set<std::string> attempts;
  std::shared_ptr<service::AgentLink> link;  // null while no stream is open
  int64_t last_seen_ms = 0;
  // Managed nodes: when the provider was asked for it, since when it has had no attempt,
  // and whether it is being removed.
  int64_t launched_at_ms = 0;
  int64_t idle_since_ms = 0;
  bool removing = false;
};

struct ActiveAttempt {
  std::string attempt_id;
  std::string job_id;
  std::string node_id;
  core::Resources need;
  bool committed = false;   // STARTING is stored (the launch went, or goes, out)
  std::string kill_reason;  // set once a terminate asked to stop it
};

class Cluster {
 public:
  NodeEntry* FindNode(const std::string& node_id);
  NodeEntry& UpsertNode(const std::string& node_id);
  NodeEntry* NodeOfLink(const service::AgentLink* link);
  void SetLink(NodeEntry& node, std::shared_ptr<service::AgentLink> link);
  void DropLink(const service::AgentLink* link);

  ActiveAttempt* FindAttempt(const std::string& attempt_id);
  ActiveAttempt* AttemptOfJob(const std::string& job_id);
  // Counts the attempt's resources on its node (creating a placeholder node when unknown).
  ActiveAttempt& AddAttempt(ActiveAttempt attempt);
  void RemoveAttempt(const std::string& attempt_id);

  std::map<std::string, NodeEntry>& nodes() { return nodes_; }
  // Schedulable: has a stream, READY (not draining, lost or gone).
  static bool Schedulable(const NodeEntry& node);
  std::vector<batch::v1::NodeDetail> Describe() const;

 private:
  std::map<std::string, NodeEntry> nodes_;
  std::unordered_map<const service::AgentLink*, std::string> node_of_link_;
  std::unordered_map<std::string, ActiveAttempt> attempts_;
  std::unordered_map<std::string, std::string> attempt_of_job_;
};

core::Resources Plus(const core::Resources& a, const core::Resources& b);
core::Resources Minus(const core::Resources& a, const core::Resources& b);
batch::v1::NodeResources ToNodeResources(const core::Resources& r);

}  // namespace batchd::dispatch
