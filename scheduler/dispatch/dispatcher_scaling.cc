// Managed compute environments: the autoscaler's plan carried out through the providers.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>

#include "core/autoscale.h"
#include "dispatch/dispatcher.h"

namespace batchd::dispatch {

using batch::v1::CEStatus;
using batch::v1::CEType;
using batch::v1::ComputeEnvironmentDetail;
using batch::v1::CRAllocationStrategy;
using batch::v1::CRType;
using batch::v1::NodeState;

namespace {

// After the n-th provider failure in a row, no new node for min(5 s * 2^(n-1), 5 min).
int64_t BackoffMs(int failures) {
  const int64_t ms = int64_t{5000} << std::min(failures - 1, 6);
  return std::min<int64_t>(ms, 300'000);
}

core::AllocationStrategy StrategyOf(CRAllocationStrategy::Value value) {
  switch (value) {
    case CRAllocationStrategy::BEST_FIT_PROGRESSIVE:
      return core::AllocationStrategy::kBestFitProgressive;
    case CRAllocationStrategy::SPOT_CAPACITY_OPTIMIZED:
    case CRAllocationStrategy::SPOT_PRICE_CAPACITY_OPTIMIZED:
      return core::AllocationStrategy::kSpotCapacityOptimized;
    case CRAllocationStrategy::BEST_FIT:
    case CRAllocationStrategy::CR_ALLOCATION_STRATEGY_UNSPECIFIED:
    case batch::v1::
        CRAllocationStrategy_Value_CRAllocationStrategy_Value_INT_MIN_SENTINEL_DO_NOT_USE_:
    case batch::v1::
        CRAllocationStrategy_Value_CRAllocationStrategy_Value_INT_MAX_SENTINEL_DO_NOT_USE_:
      return core::AllocationStrategy::kBestFit;
  }
  return core::AllocationStrategy::kBestFit;
}

std::string NewNodeId(const std::string& ce) {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(random()));
  return ce + "-" + suffix;
}

}  // namespace

void Dispatcher::Autoscale(const core::ClusterView& view) {
  const int64_t now = clock_.NowMillis();
  std::map<std::string, core::ScalingCe> environments;
  for (const auto& [name, ce] : compute_environments_) {
    if (ce.type() != CEType::MANAGED) continue;
    const auto& cr = ce.compute_resources();
    core::ScalingCe& s = environments[name];
    s.name = name;
    s.enabled = ce.state() == batch::v1::CEState::ENABLED;
    s.deleting = ce.status() == CEStatus::DELETING;
    s.minv_cpus = cr.minv_cpus();
    s.maxv_cpus = cr.maxv_cpus();
    s.strategy = StrategyOf(cr.allocation_strategy());
    s.shapes = core::AllowedShapes(cr);
    s.scale_down_delay_ms = int64_t{cr.scale_down_delay_seconds()} * 1000;
    s.boot_timeout_ms = int64_t{cr.node_boot_timeout_seconds()} * 1000;
    s.create_not_before_ms = scaling_[name].create_not_before_ms;
  }
  if (environments.empty()) return;
  for (auto& [id, node] : cluster_.nodes()) {
    auto ce = environments.find(node.detail.compute_environment());
    if (ce == environments.end() || node.removing) continue;
    core::ScalingNode n;
    switch (node.detail.state()) {
      case NodeState::LAUNCHING:
        n.state = core::ScalingNode::State::kLaunching;
        break;
      case NodeState::READY:
        n.state = core::ScalingNode::State::kReady;
        break;
      case NodeState::DRAINING:
        n.state = core::ScalingNode::State::kDraining;
        break;
      case NodeState::LOST:
      case NodeState::TERMINATED:
      case NodeState::NODE_STATE_UNSPECIFIED:
      case batch::v1::NodeState_Value_NodeState_Value_INT_MIN_SENTINEL_DO_NOT_USE_:
      case batch::v1::NodeState_Value_NodeState_Value_INT_MAX_SENTINEL_DO_NOT_USE_:
        continue;
    }
    if (!node.attempts.empty()) {
      node.idle_since_ms = 0;
    } else if (node.idle_since_ms == 0) {
      node.idle_since_ms = now;
    }
    n.node_id = id;
    n.shape = node.detail.shape();
    n.total = node.total;
    n.used = node.used;
    n.busy = !node.attempts.empty();
    n.idle_since_ms = node.idle_since_ms;
    n.launched_at_ms = node.launched_at_ms;
    ce->second.nodes.push_back(std::move(n));
  }

  for (const core::ScalingPlan& plan : core::PlanScaling(view, waiting_, environments, now)) {
    const ComputeEnvironmentDetail& ce = compute_environments_.at(plan.compute_environment);
    CeScaling& scaling = scaling_[plan.compute_environment];
    if (plan.hold != scaling.hold) {
      if (!plan.held_back.empty()) AddEvent(plan.compute_environment, "", plan.held_back);
      scaling.hold = plan.hold;
    }
    scaling.held_back = plan.held_back;
    if (plan.desired_vcpus != scaling.desired_vcpus) {
      scaling.desired_vcpus = plan.desired_vcpus;
      scaling.store = true;
    }
    for (const core::NodeRemoval& removal : plan.removals) {
      NodeEntry* node = cluster_.FindNode(removal.node_id);
      if (node == nullptr) continue;
      if (removal.boot_failed) {
        ProviderFailed(plan.compute_environment, "node " + removal.node_id, removal.reason);
      }
      RemoveNode(*node, ce, removal);
    }
    if (!plan.creates.empty()) AddEvent(plan.compute_environment, "", plan.create_reason);
    for (const core::NodeCreate& create : plan.creates) {
      CreateNode(ce, create, plan.create_reason);
    }
  }
}

void Dispatcher::CreateNode(const ComputeEnvironmentDetail& ce, const core::NodeCreate& create,
                            const std::string& reason) {
  const int64_t now = clock_.NowMillis();
  const std::string& ce_name = ce.compute_environment_name();
  const std::string node_id = NewNodeId(ce_name);
  const auto& cr = ce.compute_resources();
  NodeEntry& node = cluster_.UpsertNode(node_id);
  node.total = create.shape.resources;
  node.launched_at_ms = now;
  node.last_seen_ms = now;
  auto& d = node.detail;
  d.set_compute_environment(ce_name);
  d.set_state(NodeState::LAUNCHING);
  d.set_status_reason(reason);
  d.set_provider(cr.provider().type());
  d.set_shape(create.shape.name);
  d.set_capacity_type(cr.type() == CRType::SPOT ? CRType::SPOT : CRType::EC2);
  MarkNodeChanged(node);

  providers::NodeRequest request;
  request.node_id = node_id;
  request.compute_environment = ce_name;
  request.shape = create.shape;
  request.spot = cr.type() == CRType::SPOT;
  provisioner_->Create(
      ce, std::move(request),
      [this, node_id, ce_name](const std::string& error, const std::string& id) {
        Post([this, node_id, ce_name, error, id] { OnNodeCreated(ce_name, node_id, error, id); });
      });
}

void Dispatcher::OnNodeCreated(const std::string& ce, const std::string& node_id,
                               const std::string& error, const std::string& provider_id) {
  NodeEntry* node = cluster_.FindNode(node_id);
  if (!error.empty()) {
    ProviderFailed(ce, "creating node " + node_id, error);
    if (node != nullptr) {
      node->detail.set_state(NodeState::TERMINATED);
      node->detail.set_status_reason("the provider could not create it: " + error);
      MarkNodeChanged(*node);
    }
    return;
  }
  ProviderSucceeded(ce);
  if (node == nullptr || provider_id == node_id) return;
  // The provider chose the id: the node is known by it from now on.
  NodeEntry renamed = *node;
  renamed.detail.set_node_id(provider_id);
  node->detail.set_state(NodeState::TERMINATED);
  node->detail.set_status_reason("the provider named this node " + provider_id);
  MarkNodeChanged(*node);
  NodeEntry& entry = cluster_.UpsertNode(provider_id);
  entry = std::move(renamed);
  MarkNodeChanged(entry);
}

void Dispatcher::RemoveNode(NodeEntry& node, const ComputeEnvironmentDetail& ce,
                            const core::NodeRemoval& removal) {
  AddEvent(node.detail.compute_environment(), node.detail.node_id(), removal.reason);
  node.removing = true;
  // No placement from here on: the node is leaving.
  if (node.detail.state() == NodeState::READY) node.detail.set_state(NodeState::DRAINING);
  node.detail.set_status_reason(removal.reason);
  MarkNodeChanged(node);
  const std::string node_id = node.detail.node_id();
  const std::string ce_name = ce.compute_environment_name();
  provisioner_->Delete(
      ce, node_id, [this, node_id, ce_name](const std::string& error, const std::string&) {
        Post([this, node_id, ce_name, error] {
          NodeEntry* n = cluster_.FindNode(node_id);
          if (!error.empty()) {
            ProviderFailed(ce_name, "deleting node " + node_id, error);
            if (n == nullptr) return;
            // Still there, as far as anyone knows: it is scaled in again later.
            n->removing = false;
            if (n->detail.state() == NodeState::DRAINING && n->link != nullptr) {
              n->detail.set_state(NodeState::READY);
            }
            n->detail.set_status_reason("the provider could not delete it: " + error);
            MarkNodeChanged(*n);
            return;
          }
          ProviderSucceeded(ce_name);
          if (n == nullptr) return;
          n->detail.set_state(NodeState::TERMINATED);
          MarkNodeChanged(*n);
        });
      });
}

std::vector<std::string> Dispatcher::ScalingDetails(const std::string& queue) {
  std::vector<std::string> lines;
  for (const auto& q : queues_) {
    if (q.job_queue_name() != queue) continue;
    for (const auto& order : q.compute_environment_order()) {
      const std::string& ce = order.compute_environment();
      int launching = 0;
      for (const auto& [id, node] : cluster_.nodes()) {
        launching +=
            node.detail.compute_environment() == ce && node.detail.state() == NodeState::LAUNCHING;
      }
      if (launching > 0) {
        lines.push_back(ce + ": " + std::to_string(launching) +
                        (launching == 1 ? " node" : " nodes") + " launching");
      }
      auto it = scaling_.find(ce);
      if (it != scaling_.end() && !it->second.held_back.empty()) {
        lines.push_back(ce + ": " + it->second.held_back);
      }
    }
  }
  return lines;
}

void Dispatcher::ReleaseManagedNode(NodeEntry& node, const std::string& reason) {
  if (provisioner_ == nullptr || node.removing || node.detail.provider().empty()) return;
  auto ce = compute_environments_.find(node.detail.compute_environment());
  if (ce == compute_environments_.end()) return;
  RemoveNode(node, ce->second, {node.detail.node_id(), reason, false});
}

void Dispatcher::ProviderFailed(const std::string& ce, const std::string& what,
                                const std::string& error) {
  CeScaling& scaling = scaling_[ce];
  ++scaling.failures;
  const int64_t backoff = BackoffMs(scaling.failures);
  scaling.create_not_before_ms = clock_.NowMillis() + backoff;
  const std::string message = what + " failed (" + std::to_string(scaling.failures) +
                              " in a row; no new node for " + std::to_string(backoff / 1000) +
                              " s): " + error;
  spdlog::warn("{}: {}", ce, message);
  AddEvent(ce, "", message);
  scaling.status_reason = "the node provider failed: " + error;
  scaling.store = true;
}

void Dispatcher::ProviderSucceeded(const std::string& ce) {
  CeScaling& scaling = scaling_[ce];
  scaling.failures = 0;
  if (!scaling.status_reason.empty()) {
    scaling.status_reason.clear();
    scaling.store = true;
  }
}

void Dispatcher::AddEvent(const std::string& ce, const std::string& node_id,
                          const std::string& message) {
  spdlog::info("{}: {}", ce, message);
  batch::v1::EventDetail& event = events_to_store_.emplace_back();
  event.set_at(clock_.NowMillis());
  event.set_compute_environment(ce);
  event.set_node_id(node_id);
  event.set_message(message);
}

void Dispatcher::StoreScaling() {
  try {
    store_.AddEvents(events_to_store_);
    events_to_store_.clear();
  } catch (const std::exception& e) {
    spdlog::error("scheduler: cannot store {} events: {}", events_to_store_.size(), e.what());
  }
  for (auto& [name, scaling] : scaling_) {
    if (!scaling.store) continue;
    auto it = compute_environments_.find(name);
    if (it == compute_environments_.end()) {
      scaling.store = false;
      continue;
    }
    try {
      it->second = store_.UpdateComputeEnvironment(name, [&](ComputeEnvironmentDetail& ce) {
        auto* cr = ce.mutable_compute_resources();
        if (scaling.desired_vcpus >= 0) {
          // Nodes left from before maxvCpus was lowered are reported within the bounds.
          cr->set_desiredv_cpus(
              std::clamp(scaling.desired_vcpus, cr->minv_cpus(), cr->maxv_cpus()));
        }
        ce.set_status_reason(scaling.status_reason);
      });
      scaling.store = false;
    } catch (const std::exception& e) {
      // Deleted meanwhile, or the store is down: the next change writes it again.
      spdlog::warn("scheduler: cannot record the scaling of {}: {}", name, e.what());
      scaling.store = false;
    }
  }
}

}  // namespace batchd::dispatch
