#include "agent/cgroup.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstring>
#include <set>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace batchd::agent {
namespace {

namespace fs = std::filesystem;

// cgroupfs files are small and change under us: read them whole each time. Plain system
// calls, not an ifstream: several are read at the end of every attempt.
std::optional<std::string> ReadTextAt(int dir, const char* name) {
  const int fd = ::openat(dir, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      if (n < 0) return std::nullopt;
      return text;
    }
    text.append(buffer, static_cast<size_t>(n));
  }
}

std::optional<std::string> ReadText(const fs::path& path) {
  return ReadTextAt(AT_FDCWD, path.c_str());
}

// 0 or the errno of the failed open/write.
int WriteTextAt(int dir, const char* name, std::string_view text) {
  const int fd = ::openat(dir, name, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  const ssize_t n = ::write(fd, text.data(), text.size());
  const int error = n < 0 ? errno : 0;
  ::close(fd);
  return error;
}

int WriteText(const fs::path& path, std::string_view text) {
  return WriteTextAt(AT_FDCWD, path.c_str(), text);
}

std::optional<int64_t> ParseWhole(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
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

std::atomic<int> kept_fds{0};  // of all JobCgroups: at most MaxKeptDescriptors()

// `fd` opened by `open` (-1 on failure), unless the bound is reached.
template <typename Open>
void Keep(int& fd, Open open) {
  if (fd >= 0 || kept_fds.load(std::memory_order_relaxed) >= JobCgroup::MaxKeptDescriptors()) {
    return;
  }
  fd = open();
  if (fd >= 0) kept_fds.fetch_add(1, std::memory_order_relaxed);
}

// A kept file's contents, read again from the start (cgroupfs makes them anew at offset 0).
// A read that did not fill the buffer had all of it: a cgroup file's text is made whole.
std::optional<std::string> ReadAgain(int fd) {
  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::pread(fd, buffer, sizeof buffer, static_cast<off_t>(text.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    text.append(buffer, static_cast<size_t>(n));
    if (static_cast<size_t>(n) < sizeof buffer) return text;
  }
}

}  // namespace

JobCgroup::JobCgroup(CgroupVersion version, std::vector<fs::path> dirs,
                     std::vector<CgroupControllers> controllers)
    : version_(version),
      dirs_(std::move(dirs)),
      controllers_(std::move(controllers)),
      handles_(std::make_shared<Handles>(dirs_.size())) {}

JobCgroup::Handles::~Handles() {
  const auto drop = [](int fd) {
    if (fd < 0) return;
    ::close(fd);
    kept_fds.fetch_sub(1, std::memory_order_relaxed);
  };
  for (const std::vector<int>* fds : {&dirs, &procs}) {
    for (int fd : *fds) drop(fd);
  }
  for (const std::vector<File>& kept : files) {
    for (const File& file : kept) drop(file.fd);
  }
}

int JobCgroup::MaxKeptDescriptors() {
  static const int bound = [] {
    struct rlimit limit {};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
    return static_cast<int>(std::min<rlim_t>(512, limit.rlim_cur / 2));
  }();
  return bound;
}

int JobCgroup::FileFd(size_t i, const char* name, int flags) const {
  std::vector<Handles::File>& kept = handles_->files[i];
  for (const Handles::File& file : kept) {
    if (file.flags == flags && std::strcmp(file.name, name) == 0) return file.fd;
  }
  const int dir = DirFd(i);
  if (dir < 0) return -1;
  int fd = -1;
  Keep(fd, [&] { return ::openat(dir, name, flags | O_CLOEXEC); });
  // A file that does not open is not tried again (absent: memory.swap.max without swap).
  kept.push_back(Handles::File{name, flags, fd});
  return fd;
}

int JobCgroup::DirFd(size_t i) const {
  int& fd = handles_->dirs[i];
  Keep(fd, [&] { return ::open(dirs_[i].c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC); });
  return fd;
}

template <typename Op>
auto JobCgroup::At(size_t i, const char* name, Op op) const {
  if (const int dir = DirFd(i); dir >= 0) return op(dir, name);
  return op(AT_FDCWD, (dirs_[i] / name).c_str());
}

std::optional<std::string> JobCgroup::Read(size_t i, const char* name) const {
  if (const int fd = FileFd(i, name, O_RDONLY); fd >= 0) return ReadAgain(fd);
  return At(i, name, ReadTextAt);
}

std::optional<int64_t> JobCgroup::ReadNumber(size_t i, const char* name) const {
  const std::optional<std::string> text = Read(i, name);
  return text ? ParseWhole(*text) : std::nullopt;
}

int JobCgroup::Write(size_t i, const char* name, std::string_view text) const {
  if (const int fd = FileFd(i, name, O_WRONLY); fd >= 0) {
    return ::write(fd, text.data(), text.size()) < 0 ? errno : 0;
  }
  return At(i, name, [&](int dir, const char* file) { return WriteTextAt(dir, file, text); });
}

void JobCgroup::WriteOrThrow(size_t i, const char* name, std::string_view text) const {
  if (const int error = Write(i, name, text); error != 0) {
    throw std::runtime_error("writing \"" + std::string(text) + "\" to " +
                             (dirs_[i] / name).string() + ": " +
                             std::system_category().message(error));
  }
}

std::vector<int> JobCgroup::ProcsFds() const {
  std::vector<int> fds;
  for (size_t i = 0; i < dirs_.size(); ++i) {
    int& fd = handles_->procs[i];
    Keep(fd, [&] {
      return At(i, "cgroup.procs", [](int dir, const char* file) {
        return ::openat(dir, file, O_WRONLY | O_CLOEXEC);
      });
    });
    fds.push_back(fd);
  }
  return fds;
}

std::vector<std::string> JobCgroup::ProcsFiles() const {
  std::vector<std::string> files;
  for (const auto& dir : dirs_) files.push_back((dir / "cgroup.procs").string());
  return files;
}

std::vector<pid_t> JobCgroup::Pids() const {
  std::set<pid_t> pids;
  for (size_t i = 0; i < dirs_.size(); ++i) {
    // Opened anew each time: v1 keeps an open file's list of pids for a second.
    std::istringstream in(At(i, "cgroup.procs", ReadTextAt).value_or(""));
    for (pid_t pid; in >> pid;) pids.insert(pid);
  }
  return {pids.begin(), pids.end()};
}

CgroupUsage JobCgroup::Usage() const {
  CgroupUsage usage;
  for (size_t i = 0; i < dirs_.size(); ++i) {
    const CgroupControllers& has = controllers_[i];
    switch (version_) {
      case CgroupVersion::kV2: {
        if (auto peak = ReadNumber(i, "memory.peak")) usage.peak_memory_bytes = *peak;
        const std::string events = Read(i, "memory.events").value_or("");
        usage.oom_killed = usage.oom_killed || FindKeyedValue(events, "oom_kill").value_or(0) > 0;
        const std::string stat = Read(i, "cpu.stat").value_or("");
        if (auto usec = FindKeyedValue(stat, "usage_usec")) usage.cpu_time_ms = *usec / 1000;
        break;
      }
      case CgroupVersion::kV1: {
        if (has.memory) {
          // Without what the cgroup held from an earlier attempt. Where the count never rose
          // above that, the job's own peak is not known here: the machine reclaimed some of
          // it, or the kernel had charged the job's first pages in advance (a batch of 64 per
          // CPU). The caller then has the leader's, which counts the agent it was forked from.
          const std::optional<int64_t> peak = ReadNumber(i, "memory.max_usage_in_bytes");
          if (peak && *peak > charged_at_reuse_) {
            usage.peak_memory_bytes = *peak - charged_at_reuse_;
          } else if (peak) {
            usage.peak_memory_ceiling = *peak;
          }
          const std::string control = Read(i, "memory.oom_control").value_or("");
          usage.oom_killed =
              usage.oom_killed || FindKeyedValue(control, "oom_kill").value_or(0) > 0;
        }
        if (has.cpuacct) {
          if (auto nsec = ReadNumber(i, "cpuacct.usage")) usage.cpu_time_ms = *nsec / 1000000;
        }
        break;
      }
      case CgroupVersion::kNone:
        break;
    }
  }
  return usage;
}

size_t JobCgroup::SignalAll(int signal) const {
  const std::vector<pid_t> pids = Pids();
  for (pid_t pid : pids) ::kill(pid, signal);
  return pids.size();
}

bool JobCgroup::KillAndRemove() const {
  if (version_ == CgroupVersion::kV2) {
    for (size_t i = 0; i < dirs_.size(); ++i) Write(i, "cgroup.kill", "1");  // kernel >= 5.14
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

bool JobCgroup::ResetForReuse() {
  if (version_ != CgroupVersion::kV1) return false;
  for (size_t i = 0; i < dirs_.size(); ++i) {
    if (controllers_[i].memory) {
      // Read again: a process left behind may have been OOM-killed after Usage was read.
      const std::string control = Read(i, "memory.oom_control").value_or("");
      if (FindKeyedValue(control, "oom_kill").value_or(1) != 0) return false;
      // Page cache stays charged: what the job read or wrote first. A reclaim would drop it
      // (memory.force_empty), but also evict what the next job reads again from disk.
      const std::optional<int64_t> charged = ReadNumber(i, "memory.usage_in_bytes");
      if (!charged || *charged > kReusableChargeBytes) return false;
      // The maximum starts again from what is charged now.
      if (Write(i, "memory.max_usage_in_bytes", "0") != 0) return false;
      charged_at_reuse_ = *charged;
    }
    if (controllers_[i].cpuacct && Write(i, "cpuacct.usage", "0") != 0) return false;
  }
  return true;
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
  hierarchy.controllers.memory = true;
  hierarchy.controllers.cpu = HasWord(ReadText(dir / "cgroup.subtree_control").value_or(""), "cpu");
  hierarchy.controllers.cpuacct = true;  // cpu.stat is always there
  hierarchies_.push_back(hierarchy);
  version_ = CgroupVersion::kV2;
  if (!hierarchy.controllers.cpu) {
    warning_ = "cgroup v2: no cpu controller, vCPU limits are not enforced";
  }
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
    hierarchy.controllers.memory = fs::exists(mount / "memory.limit_in_bytes");
    hierarchy.controllers.cpu = fs::exists(mount / "cpu.cfs_quota_us");
    hierarchy.controllers.cpuacct = fs::exists(mount / "cpuacct.usage");
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
  for (const auto& h : hierarchies_) cpu = cpu || h.controllers.cpu;
  if (!cpu) warning_ = "cgroup v1: no writable cpu hierarchy, vCPU limits are not enforced";
}

std::optional<JobCgroup> CgroupManager::Create(const std::string& name,
                                               const CgroupLimits& limits) const {
  if (version_ == CgroupVersion::kNone) return std::nullopt;
  std::vector<fs::path> dirs;
  std::vector<CgroupControllers> controllers;
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
      controllers.push_back(h.controllers);
    }
  } catch (...) {
    JobCgroup(version_, dirs, controllers).KillAndRemove();
    throw;
  }
  JobCgroup cgroup(version_, std::move(dirs), std::move(controllers));
  try {
    ApplyLimits(cgroup, limits);
  } catch (...) {
    cgroup.KillAndRemove();
    throw;
  }
  return cgroup;
}

void CgroupManager::ApplyLimits(JobCgroup& cgroup, const CgroupLimits& limits) const {
  const CgroupLimits before = cgroup.limits_;
  for (size_t i = 0; i < cgroup.dirs_.size(); ++i) {
    const CgroupControllers& has = cgroup.controllers_[i];
    if (version_ == CgroupVersion::kV2) {  // never reused: `before` is always none
      if (limits.memory_bytes > 0) {
        cgroup.WriteOrThrow(i, "memory.max", std::to_string(limits.memory_bytes));
        cgroup.Write(i, "memory.swap.max", "0");  // absent without swap accounting
      }
      // A job is killed as a whole when it runs out of memory, as a container would be.
      cgroup.Write(i, "memory.oom.group", "1");
      if (has.cpu && limits.vcpus > 0) {
        cgroup.WriteOrThrow(i, "cpu.max", FormatCpuMax(limits.vcpus));
      }
      continue;
    }
    if (has.memory && limits.memory_bytes != before.memory_bytes) {
      const std::string value =
          limits.memory_bytes > 0 ? std::to_string(limits.memory_bytes) : std::string("-1");
      // memory+swap may never be below memory: raised first when the limit grows. Without it
      // a job could swap past its limit; absent when swap is not accounted.
      const bool grows = limits.memory_bytes == 0 ||
                         (before.memory_bytes > 0 && limits.memory_bytes > before.memory_bytes);
      if (grows) cgroup.Write(i, "memory.memsw.limit_in_bytes", value);
      cgroup.WriteOrThrow(i, "memory.limit_in_bytes", value);
      if (!grows) cgroup.Write(i, "memory.memsw.limit_in_bytes", value);
    }
    if (has.cpu && limits.vcpus != before.vcpus) {
      if (limits.vcpus > 0 && before.vcpus == 0) {
        cgroup.WriteOrThrow(i, "cpu.cfs_period_us", "100000");
      }
      cgroup.WriteOrThrow(i, "cpu.cfs_quota_us",
                          limits.vcpus > 0 ? std::to_string(int64_t{limits.vcpus} * 100000) : "-1");
    }
  }
  cgroup.limits_ = limits;
}

JobCgroup CgroupManager::Make(const std::string& name, bool existing_only) const {
  std::vector<fs::path> dirs;
  std::vector<CgroupControllers> controllers;
  for (const auto& h : hierarchies_) {
    const fs::path dir = h.parent_dir / name;
    if (existing_only && !fs::is_directory(dir)) continue;
    dirs.push_back(dir);
    controllers.push_back(h.controllers);
  }
  return JobCgroup(version_, std::move(dirs), std::move(controllers));
}

JobCgroup CgroupManager::Named(const std::string& name) const { return Make(name, false); }

std::optional<JobCgroup> CgroupManager::Find(const std::string& name) const {
  JobCgroup cgroup = Make(name, true);
  if (cgroup.dirs().empty()) return std::nullopt;
  return cgroup;
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
