#pragma once
// What a worker machine can offer jobs: detected from the machine, the agent's own cgroup
// limits (an agent in a container must not advertise the host), and nvidia-smi.
#include <cstdint>
#include <optional>
#include <string>

namespace batchd::agent {

struct MachineResources {
  int vcpus = 0;
  int64_t memory_mib = 0;
  int gpus = 0;
};

MachineResources DetectResources();

// Parsers for the files the detection reads, exposed for tests.
std::optional<int64_t> ParseMemTotalKiB(const std::string& meminfo);
// cgroup v2 "cpu.max" ("max 100000" or "200000 100000") → whole vCPUs, rounded up.
std::optional<int> ParseCpuMax(const std::string& cpu_max);
// A memory limit file (v2 memory.max or v1 memory.limit_in_bytes) → MiB; none when unlimited.
std::optional<int64_t> ParseMemoryLimitMiB(const std::string& text);
// `nvidia-smi -L` output → number of GPUs listed.
int CountNvidiaGpus(const std::string& listing);

}  // namespace batchd::agent
