#include "core/feasibility.h"

#include <algorithm>
#include <unordered_set>

#include "core/fit.h"

namespace batchd::core {
namespace {

std::optional<Resources> Larger(const std::optional<Resources>& a, const Resources& b) {
  if (!a || MoreFree(b, *a)) return b;
  return a;
}

std::optional<Resources> LargestShape(const CeView& ce) {
  std::optional<Resources> largest;
  for (const Resources& shape : ce.shapes) largest = Larger(largest, shape);
  return largest;
}

// Keeps only sizes no other size covers, so a pass checks a handful, not every node.
std::vector<Resources> Frontier(std::vector<Resources> sizes) {
  std::sort(sizes.begin(), sizes.end(), MoreFree);
  std::vector<Resources> kept;
  for (const Resources& size : sizes) {
    const bool covered =
        std::any_of(kept.begin(), kept.end(), [&](const Resources& k) { return AtLeast(k, size); });
    if (!covered) kept.push_back(size);
  }
  return kept;
}

}  // namespace

QueueReach ReachOf(const ClusterView& cluster, const QueueView& queue) {
  QueueReach reach;
  std::vector<Resources> sizes;
  std::unordered_set<std::string> known;
  for (const std::string& name : queue.compute_environments) {
    auto it = cluster.compute_environments.find(name);
    if (it == cluster.compute_environments.end()) continue;
    const CeView& ce = it->second;
    known.insert(name);
    if (ce.managed) {
      for (const Resources& shape : ce.shapes) {
        sizes.push_back({std::min<double>(shape.vcpus, ce.maxv_cpus), shape.memory_mib, shape.gpus,
                         shape.container});
      }
    } else if (ce.largest_known_node) {
      sizes.push_back(*ce.largest_known_node);
    }
  }
  // Nodes that exist can take the job even when no shape or record says so any more.
  std::unordered_set<std::string> with_nodes;
  for (const auto& [id, node] : cluster.nodes) {
    if (!known.contains(node.compute_environment)) continue;
    sizes.push_back(node.total);
    with_nodes.insert(node.compute_environment);
  }
  for (const std::string& name : known) {
    const CeView& ce = cluster.compute_environments.at(name);
    if (!ce.managed && !ce.largest_known_node && !with_nodes.contains(name)) {
      reach.unbounded = true;
    }
  }
  // A queue without any environment may get one; nothing can be said yet.
  if (known.empty()) reach.unbounded = true;
  // A container runtime can be installed on a node at any time: lacking one makes an image
  // job wait (ExplainWaiting says why), never fail as infeasible.
  for (Resources& size : sizes) size.container = true;
  reach.largest = Frontier(std::move(sizes));
  return reach;
}

bool CouldEverFit(const QueueReach& reach, const Resources& need) {
  if (reach.unbounded) return true;
  return std::any_of(reach.largest.begin(), reach.largest.end(),
                     [&](const Resources& size) { return Fits(need, size); });
}

std::optional<Resources> LargestPossibleNode(const ClusterView& cluster, const CeView& ce) {
  if (ce.managed) return LargestShape(ce);
  std::optional<Resources> largest = ce.largest_known_node;
  for (const auto& [id, node] : cluster.nodes) {
    if (node.compute_environment == ce.name) largest = Larger(largest, node.total);
  }
  return largest;
}

std::string InfeasibleReason(const ClusterView& cluster, const QueueView& queue,
                             const Resources& need) {
  std::vector<std::string> limits;
  for (const std::string& name : queue.compute_environments) {
    auto it = cluster.compute_environments.find(name);
    if (it == cluster.compute_environments.end()) continue;
    const CeView& ce = it->second;
    if (ce.managed) {
      std::vector<std::string> parts;
      if (need.vcpus > ce.maxv_cpus + kVcpuEpsilon) {
        parts.push_back(name + "'s maxvCpus is " + std::to_string(ce.maxv_cpus));
      }
      const bool shape_fits = std::any_of(ce.shapes.begin(), ce.shapes.end(),
                                          [&](const Resources& s) { return Fits(need, s); });
      if (!shape_fits) {
        const std::optional<Resources> shape = LargestShape(ce);
        parts.push_back(shape ? name + "'s largest node shape has " + ResourcesText(*shape)
                              : name + " has no node shapes");
      }
      std::string text;
      for (const std::string& part : parts) text += (text.empty() ? "" : " and ") + part;
      if (!text.empty()) limits.push_back(text);
    } else if (std::optional<Resources> node = LargestPossibleNode(cluster, ce)) {
      limits.push_back(name + "'s largest node has " + ResourcesText(*node));
    }
  }
  std::string reason = "needs " + ResourcesText(need) + "; no compute environment of queue " +
                       queue.name + " can ever fit it";
  for (size_t i = 0; i < limits.size(); ++i) reason += (i == 0 ? ": " : "; ") + limits[i];
  return reason;
}

}  // namespace batchd::core
