#pragma once
// Arithmetic and orderings on Resources shared by placement and its explanation, so both
// judge "fits", "best fit" and "most free" the same way. Inline: the best-fit scan over every
// node for every job is the hot loop of a placement pass.
#include <string>

#include "core/job_spec.h"

namespace batchd::core {

// vCPU amounts are fractional; sums of them must not lose a fit to rounding.
inline constexpr double kVcpuEpsilon = 1e-9;

// Fits() of placement.h, inline for the scan.
inline bool FitsIn(const Resources& need, const Resources& free) {
  return need.vcpus <= free.vcpus + kVcpuEpsilon && need.memory_mib <= free.memory_mib &&
         need.gpus <= free.gpus && (free.container || !need.container);
}

// A capability is not used up: what is left of a node with a container runtime still has one.
inline Resources Minus(const Resources& a, const Resources& b) {
  return {a.vcpus - b.vcpus, a.memory_mib - b.memory_mib, a.gpus - b.gpus, a.container};
}

// Some room in every dimension a job always asks for (vCPU and memory).
inline bool HasRoom(const Resources& free) {
  return free.vcpus > kVcpuEpsilon && free.memory_mib > 0;
}

// `need` asks for at least as much as `other` in every dimension.
inline bool AtLeast(const Resources& need, const Resources& other) {
  return need.vcpus >= other.vcpus - kVcpuEpsilon && need.memory_mib >= other.memory_mib &&
         need.gpus >= other.gpus && (need.container || !other.container);
}

// vCPU first (amounts within kVcpuEpsilon are equal), then memory, then GPUs: -1, 0 or 1.
inline int CompareResources(const Resources& a, const Resources& b) {
  if (a.vcpus < b.vcpus - kVcpuEpsilon) return -1;
  if (a.vcpus > b.vcpus + kVcpuEpsilon) return 1;
  if (a.memory_mib != b.memory_mib) return a.memory_mib < b.memory_mib ? -1 : 1;
  if (a.gpus != b.gpus) return a.gpus < b.gpus ? -1 : 1;
  if (a.container != b.container) return a.container ? 1 : -1;
  return 0;
}

// Of two leftovers (or of two free rooms before placing the same job), the tighter fit.
inline bool LessLeftover(const Resources& a, const Resources& b) {
  return CompareResources(a, b) < 0;
}

// Of two free rooms, the one with more room.
inline bool MoreFree(const Resources& a, const Resources& b) { return CompareResources(a, b) > 0; }

// "2 vCPU, 4096 MiB" with ", 1 GPU" when there are GPUs and ", a container runtime" when it
// needs or offers one.
std::string ResourcesText(const Resources& r);
std::string VcpuText(double vcpus);

}  // namespace batchd::core
