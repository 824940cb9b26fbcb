#pragma once
// Whether a job could ever run in its queue, whatever runs now: the nodes each compute
// environment could have come from its shapes and maxvCpus (managed) or from the nodes it
// has had (unmanaged). Disabled environments count: they may be enabled again.
#include <optional>
#include <string>
#include <vector>

#include "core/placement.h"

namespace batchd::core {

QueueReach ReachOf(const ClusterView& cluster, const QueueView& queue);
bool CouldEverFit(const QueueReach& reach, const Resources& need);

// What the explanation shows as the largest node `ce` could have: its largest shape (managed)
// or the largest node it has had (unmanaged); nothing when unknown.
std::optional<Resources> LargestPossibleNode(const ClusterView& cluster, const CeView& ce);

// With numbers: "needs 64 vCPU, 1024 MiB; no compute environment of queue q can ever fit it:
// ce-a's largest node has 4 vCPU, 7900 MiB".
std::string InfeasibleReason(const ClusterView& cluster, const QueueView& queue,
                             const Resources& need);

}  // namespace batchd::core
