#pragma once
// Builds the cluster a placement test describes, one queue, environment and node at a time.
#include <optional>
#include <string>
#include <vector>

#include "core/placement.h"

namespace batchd::core {

inline Resources R(double vcpus, int64_t memory_mib, int gpus = 0) {
  return {vcpus, memory_mib, gpus};
}

inline WaitingJob Job(const std::string& id, const std::string& queue, Resources need,
                      int64_t created_at = 0, int priority = 0) {
  return {id, queue, priority, created_at, need};
}

class ClusterViewBuilder {
 public:
  ClusterViewBuilder& Queue(const std::string& name, int priority, std::vector<std::string> ces,
                            bool enabled = true) {
    view_.queues.push_back({name, priority, enabled, std::move(ces)});
    return *this;
  }
  ClusterViewBuilder& Unmanaged(const std::string& name, bool enabled = true) {
    CeView& ce = view_.compute_environments[name];
    ce.name = name;
    ce.enabled = enabled;
    return *this;
  }
  ClusterViewBuilder& Managed(const std::string& name, int maxv_cpus, std::vector<Resources> shapes,
                              bool enabled = true) {
    CeView& ce = view_.compute_environments[name];
    ce.name = name;
    ce.enabled = enabled;
    ce.managed = true;
    ce.maxv_cpus = maxv_cpus;
    ce.shapes = std::move(shapes);
    return *this;
  }
  ClusterViewBuilder& LargestKnown(const std::string& ce, Resources node) {
    view_.compute_environments[ce].largest_known_node = node;
    return *this;
  }
  // Like the scheduler's view: an unmanaged environment remembers its largest node.
  ClusterViewBuilder& Node(const std::string& id, const std::string& ce, Resources total,
                           Resources used = {}, bool schedulable = true) {
    view_.nodes[id] = {id, ce, schedulable, total, used};
    auto& largest = view_.compute_environments[ce].largest_known_node;
    if (!largest || total.vcpus > largest->vcpus) largest = total;
    return *this;
  }
  ClusterView& view() { return view_; }
  operator const ClusterView&() const { return view_; }

 private:
  ClusterView view_;
};

}  // namespace batchd::core
