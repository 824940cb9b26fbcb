#include "core/placement.h"

#include "core/placement_pass.h"

namespace batchd::core {

PassResult PlaceJobs(const ClusterView& cluster, const WaitingJobs& jobs, int64_t now_ms,
                     const PlacementOptions& options, PassMemory* memory) {
  PassState state(cluster);
  PassResult result;
  RunPass(state, cluster, jobs, now_ms, options, /*stop_before=*/"", result, memory);
  return result;
}

}  // namespace batchd::core
