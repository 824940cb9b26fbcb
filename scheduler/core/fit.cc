#include "core/fit.h"

#include <cmath>
#include <cstdio>

#include "core/placement.h"

namespace batchd::core {

bool Fits(const Resources& need, const Resources& free) { return FitsIn(need, free); }

std::string VcpuText(double vcpus) {
  const double rounded = std::round(vcpus * 1000) / 1000;
  char buf[64];
  if (rounded == std::floor(rounded)) {
    std::snprintf(buf, sizeof buf, "%.0f", rounded);
    return buf;
  }
  std::snprintf(buf, sizeof buf, "%.3f", rounded);
  std::string text = buf;
  while (text.back() == '0') text.pop_back();
  return text;
}

std::string ResourcesText(const Resources& r) {
  std::string text = VcpuText(r.vcpus) + " vCPU, " + std::to_string(r.memory_mib) + " MiB";
  if (r.gpus != 0) text += ", " + std::to_string(r.gpus) + " GPU";
  if (r.container) text += ", a container runtime";
  return text;
}

}  // namespace batchd::core
