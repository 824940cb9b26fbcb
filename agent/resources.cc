#include "agent/resources.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <sstream>
#include <thread>

#include "api/text.h"

namespace batchd::agent {
namespace {

std::string ReadFile(const std::string& path) { return api::ReadTextFile(path).value_or(""); }

std::optional<int64_t> ParseInt(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string RunAndRead(const char* command) {
  std::string out;
  FILE* pipe = popen(command, "r");
  if (pipe == nullptr) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  pclose(pipe);
  return out;
}

bool OnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && access((dir + "/" + program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

}  // namespace

std::optional<int64_t> ParseMemTotalKiB(const std::string& meminfo) {
  std::istringstream in(meminfo);
  std::string key;
  int64_t value = 0;
  std::string unit;
  while (in >> key >> value >> unit) {
    if (key == "MemTotal:") return value;
  }
  return std::nullopt;
}

std::optional<int> ParseCpuMax(const std::string& cpu_max) {
  std::istringstream in(cpu_max);
  std::string quota;
  int64_t period = 0;
  if (!(in >> quota >> period) || quota == "max" || period <= 0) return std::nullopt;
  auto q = ParseInt(quota);
  if (!q || *q <= 0) return std::nullopt;
  return static_cast<int>((*q + period - 1) / period);
}

std::optional<int64_t> ParseMemoryLimitMiB(const std::string& text) {
  auto v = ParseInt(text);
  // cgroup v1 reports "no limit" as a number near INT64_MAX rounded to the page size.
  if (!v || *v <= 0 || *v >= (int64_t{1} << 60)) return std::nullopt;
  return *v / (1024 * 1024);
}

int CountNvidiaGpus(const std::string& listing) {
  int count = 0;
  std::istringstream in(listing);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("GPU ", 0) == 0) ++count;
  }
  return count;
}

MachineResources DetectResources() {
  MachineResources r;
  r.vcpus = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (auto quota = ParseCpuMax(ReadFile("/sys/fs/cgroup/cpu.max")))
    r.vcpus = std::min(r.vcpus, *quota);
  if (auto kib = ParseMemTotalKiB(ReadFile("/proc/meminfo"))) r.memory_mib = *kib / 1024;
  for (const char* limit :
       {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    if (auto mib = ParseMemoryLimitMiB(ReadFile(limit)))
      r.memory_mib = std::min(r.memory_mib, *mib);
  }
  if (OnPath("nvidia-smi")) r.gpus = CountNvidiaGpus(RunAndRead("nvidia-smi -L 2>/dev/null"));
  return r;
}

}  // namespace batchd::agent
