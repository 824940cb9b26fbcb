#include "agent/cgroup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <csignal>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace batchd::agent {
namespace {

namespace fs = std::filesystem;

// cgroupfs files are small and change under us: read them whole each time.
std::optional<std::string> ReadText(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// 0 or the errno of the failed open/write.
int WriteText(const fs::path& path, std::string_view text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  const ssize_t n = ::write(fd, text.data(), text.size());
  const int error = n < 0 ? errno : 0;
  ::close(fd);
  return error;
}

void WriteOrThrow(const fs::path& path, std::string_view text) {
  if (const int error = WriteText(path, text); error != 0) {
    throw std::runtime_error("writing \"" + std::string(text) + "\" to " + path.string() + ": " +
                             std::system_category().message(error));
  }
}

std::optional<int64_t> ParseWhole(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<int64_t> ReadNumber(const fs::path& path) {
  const std::optional<std::string> text = ReadText(path);
  return text ? ParseWhole(*text) : std::nullopt;
}

bool MakeDirs(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  return !ec && fs::is_directory(dir);
}

bool HasWord(const std::string& text, const std::string& word) {
  std::istringstream words(text);
  for (std::string w; words >> w;) {
    if (w == word) return true;
  }
  return false;
}

// Enables controllers for the children of `dir`; returns those that could not be.
std::vector<std::string> EnableControllers(const fs::path& dir,
                                           const std::vector<std::string>& controllers) {
  std::vector<std::string> failed;
  const std::string enabled = ReadText(dir / "cgroup.subtree_control").value_or("");
  for (const auto& controller : controllers) {
    if (HasWord(enabled, controller)) continue;
    if (WriteText(dir / "cgroup.subtree_control", "+" + controller) != 0) {
      failed.push_back(controller);
    }
  }
  return failed;
}

}  // namespace

std::vector<std::string> JobCgroup::ProcsFiles() const {
  std::vector<std::string> files;
  for (const auto& dir : dirs_) files.push_back((dir / "cgroup.procs").string());
  return files;
}

std::vector<pid_t> JobCgroup::Pids() const {
  std::set<pid_t> pids;
  for (const auto& dir : dirs_) {
    std::istringstream in(ReadText(dir / "cgroup.procs").value_or(""));
    for (pid_t pid; in >> pid;) pids.insert(pid);
  }
  return {pids.begin(), pids.end()};
}

CgroupUsage JobCgroup::Usage() const {
  CgroupUsage usage;
  for (const auto& dir : dirs_) {
    switch (version_) {
      case CgroupVersion::kV2: {
        if (auto peak = ReadNumber(dir / "memory.peak")) usage.peak_memory_bytes = *peak;
        const std::string events = ReadText(dir / "memory.events").value_or("");
        usage.oom_killed = usage.oom_killed || FindKeyedValue(events, "oom_kill").value_or(0) > 0;
        const std::string stat = ReadText(dir / "cpu.stat").value_or("");
        if (auto usec = FindKeyedValue(stat, "usage_usec")) usage.cpu_time_ms = *usec / 1000;
        break;
      }
      case CgroupVersion::kV1: {
        if (auto peak = ReadNumber(dir / "memory.max_usage_in_bytes")) {
          usage.peak_memory_bytes = *peak;
        }
        const std::string control = ReadText(dir / "memory.oom_control").value_or("");
        usage.oom_killed = usage.oom_killed || FindKeyedValue(control, "oom_kill").value_or(0) > 0;
        if (auto nsec = ReadNumber(dir / "cpuacct.usage")) usage.cpu_time_ms = *nsec / 1000000;
        break;
      }
      case CgroupVersion::kNone:
        break;
    }
  }
  return usage;
}

void JobCgroup::SignalAll(int signal) const {
  for (pid_t pid : Pids()) ::kill(pid, signal);
}

bool JobCgroup::KillAndRemove() const {
  if (version_ == CgroupVersion::kV2) {
    for (const auto& dir : dirs_) WriteText(dir / "cgroup.kill", "1");  // kernel >= 5.14
  }
  // Without cgroup.kill a forking job can add processes while we kill: a few rounds.
  for (int round = 0; round < 8; ++round) {
    const std::vector<pid_t> pids = Pids();
    if (pids.empty()) break;
    for (pid_t pid : pids) ::kill(pid, SIGKILL);
  }
  bool removed = true;
  for (const auto& dir : dirs_) {
    if (::rmdir(dir.c_str()) != 0 && errno != ENOENT) removed = false;
  }
  return removed;
}

CgroupManager::CgroupManager(const std::string& mode, const std::string& parent,
                             CgroupRoots roots) {
  if (mode == "none") {
    warning_ = "cgroups are disabled (cgroups: none): jobs run without vCPU and memory limits";
    return;
  }
  if (fs::exists(roots.base / "cgroup.controllers")) {
    SetUpV2(roots.base, parent);
  } else {
    SetUpV1(roots.base, parent);
  }
  if (version_ == CgroupVersion::kNone) {
    warning_ = "no usable cgroup hierarchy (" + warning_ +
               "): jobs run without vCPU and memory limits and OOM kills are not detected";
  }
}

void CgroupManager::SetUpV2(const fs::path& root, const std::string& parent) {
  const std::string available = ReadText(root / "cgroup.controllers").value_or("");
  if (!HasWord(available, "memory")) {
    warning_ = "cgroup v2 at " + root.string() + " offers no memory controller";
    return;
  }
  std::vector<std::string> wanted = {"memory"};
  if (HasWord(available, "cpu")) wanted.push_back("cpu");

  // Every level from the root down to the parent passes the controllers on to its children.
  fs::path dir = root;
  auto enable_at = [&](const fs::path& level) {
    for (const auto& controller : EnableControllers(level, wanted)) {
      if (controller == "memory") {
        warning_ =
            "cannot enable the memory controller in " + (level / "cgroup.subtree_control").string();
        return false;
      }
    }
    return true;
  };
  if (!enable_at(dir)) return;
  for (const auto& part : fs::path(parent)) {
    dir /= part;
    if (!MakeDirs(dir)) {
      warning_ = "cannot create " + dir.string();
      return;
    }
    if (!enable_at(dir)) return;
  }
  Hierarchy hierarchy;
  hierarchy.parent_dir = dir;
  hierarchy.memory = true;
  hierarchy.cpu = HasWord(ReadText(dir / "cgroup.subtree_control").value_or(""), "cpu");
  hierarchies_.push_back(hierarchy);
  version_ = CgroupVersion::kV2;
  if (!hierarchy.cpu) warning_ = "cgroup v2: no cpu controller, vCPU limits are not enforced";
}

void CgroupManager::SetUpV1(const fs::path& base, const std::string& parent) {
  std::set<fs::path> mounts;
  for (const char* controller : {"memory", "cpu", "cpuacct"}) {
    const bool is_memory = std::string(controller) == "memory";
    std::error_code ec;
    const fs::path mount = fs::canonical(base / controller, ec);
    if (ec || !fs::exists(mount / "cgroup.procs")) {
      if (is_memory) {
        warning_ = "no cgroup v1 memory hierarchy at " + (base / controller).string();
        return;
      }
      continue;
    }
    if (!mounts.insert(mount).second) continue;  // cpu and cpuacct mounted together
    Hierarchy hierarchy;
    hierarchy.parent_dir = mount / parent;
    hierarchy.memory = fs::exists(mount / "memory.limit_in_bytes");
    hierarchy.cpu = fs::exists(mount / "cpu.cfs_quota_us");
    if (!MakeDirs(hierarchy.parent_dir)) {
      if (is_memory) {
        warning_ = "cannot create " + hierarchy.parent_dir.string();
        return;
      }
      continue;
    }
    hierarchies_.push_back(hierarchy);
  }
  version_ = CgroupVersion::kV1;
  bool cpu = false;
  for (const auto& h : hierarchies_) cpu = cpu || h.cpu;
  if (!cpu) warning_ = "cgroup v1: no writable cpu hierarchy, vCPU limits are not enforced";
}

std::optional<JobCgroup> CgroupManager::Create(const std::string& name,
                                               const CgroupLimits& limits) const {
  if (version_ == CgroupVersion::kNone) return std::nullopt;
  std::vector<fs::path> dirs;
  try {
    for (const auto& h : hierarchies_) {
      const fs::path dir = h.parent_dir / name;
      // The parent may have been removed under us (an operator's cleanup): make it again.
      int rc = ::mkdir(dir.c_str(), 0755);
      if (rc != 0 && errno == ENOENT && MakeDirs(h.parent_dir)) rc = ::mkdir(dir.c_str(), 0755);
      if (rc != 0 && errno != EEXIST) {
        throw std::runtime_error("creating cgroup " + dir.string() + ": " +
                                 std::system_category().message(errno));
      }
      dirs.push_back(dir);
    }
    ApplyLimits(JobCgroup(version_, dirs), limits);
  } catch (...) {
    JobCgroup(version_, dirs).KillAndRemove();
    throw;
  }
  return JobCgroup(version_, std::move(dirs));
}

void CgroupManager::ApplyLimits(const JobCgroup& cgroup, const CgroupLimits& limits) const {
  const auto& dirs = cgroup.dirs();
  for (size_t i = 0; i < hierarchies_.size() && i < dirs.size(); ++i) {
    const Hierarchy& h = hierarchies_[i];
    const fs::path& dir = dirs[i];
    if (version_ == CgroupVersion::kV2) {
      if (limits.memory_bytes > 0) {
        WriteOrThrow(dir / "memory.max", std::to_string(limits.memory_bytes));
        WriteText(dir / "memory.swap.max", "0");  // absent without swap accounting
      }
      // A job is killed as a whole when it runs out of memory, as a container would be.
      WriteText(dir / "memory.oom.group", "1");
      if (h.cpu && limits.vcpus > 0) WriteOrThrow(dir / "cpu.max", FormatCpuMax(limits.vcpus));
      continue;
    }
    if (h.memory && limits.memory_bytes > 0) {
      WriteOrThrow(dir / "memory.limit_in_bytes", std::to_string(limits.memory_bytes));
      // Without it a job could swap past its limit; absent when swap is not accounted.
      WriteText(dir / "memory.memsw.limit_in_bytes", std::to_string(limits.memory_bytes));
    }
    if (h.cpu && limits.vcpus > 0) {
      WriteOrThrow(dir / "cpu.cfs_period_us", "100000");
      WriteOrThrow(dir / "cpu.cfs_quota_us", std::to_string(int64_t{limits.vcpus} * 100000));
    }
  }
}

JobCgroup CgroupManager::Named(const std::string& name) const {
  std::vector<fs::path> dirs;
  for (const auto& h : hierarchies_) dirs.push_back(h.parent_dir / name);
  return JobCgroup(version_, std::move(dirs));
}

std::optional<JobCgroup> CgroupManager::Find(const std::string& name) const {
  std::vector<fs::path> dirs;
  for (const auto& h : hierarchies_) {
    if (fs::is_directory(h.parent_dir / name)) dirs.push_back(h.parent_dir / name);
  }
  if (dirs.empty()) return std::nullopt;
  return JobCgroup(version_, std::move(dirs));
}

std::vector<std::string> CgroupManager::List() const {
  std::set<std::string> names;
  for (const auto& h : hierarchies_) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(h.parent_dir, ec)) {
      if (entry.is_directory(ec)) names.insert(entry.path().filename().string());
    }
  }
  return {names.begin(), names.end()};
}

void CgroupManager::RemoveParent() const {
  // Only our own level: "batchd" above it is shared with other agents of this machine.
  for (const auto& h : hierarchies_) ::rmdir(h.parent_dir.c_str());
}

std::string CgroupParentName(const fs::path& work_dir) {
  std::error_code ec;
  fs::path absolute = fs::weakly_canonical(fs::absolute(work_dir, ec), ec);
  if (ec) absolute = work_dir;
  std::string base;
  for (char c : absolute.filename().string()) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '_' || c == '.';
    base.push_back(plain ? c : '_');
  }
  if (base.empty() || base == "." || base == "..") base = "agent";
  uint32_t hash = 2166136261u;  // FNV-1a: stable across runs and builds, unlike std::hash
  for (unsigned char c : absolute.string()) {
    hash ^= c;
    hash *= 16777619u;
  }
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", hash);
  return "batchd/" + base + "-" + hex;
}

std::optional<int64_t> FindKeyedValue(std::string_view text, std::string_view key) {
  while (!text.empty()) {
    const size_t end = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == ' ') {
      return ParseWhole(line.substr(key.size() + 1));
    }
  }
  return std::nullopt;
}

std::string FormatCpuMax(int vcpus) { return std::to_string(int64_t{vcpus} * 100000) + " 100000"; }

}  // namespace batchd::agent
