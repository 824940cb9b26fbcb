#pragma once
#include <cstdint>

#include "core/attempt_transitions.h"
#include "core/placement.h"

namespace batchd::dispatch {

struct DispatchOptions {
  // A node silent for this long is LOST and its attempts are retried elsewhere.
  int node_lease_seconds = 30;
  int heartbeat_seconds = 5;
  // Jobs no compute environment of their queue can ever fit: fail them (as AWS's blocked-queue
  // action does) or leave them RUNNABLE with the reason in `batchctl explain`.
  bool fail_unplaceable_jobs = true;
  core::DispatchSettings settings;
  core::PlacementOptions placement;
};

}  // namespace batchd::dispatch
