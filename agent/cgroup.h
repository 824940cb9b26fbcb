#pragma once
// Per-attempt cgroups: the vCPU and memory limits, the peak memory and OOM kills an attempt
// had, and a reliable list of its processes (setsid or double-forked ones included) to kill.
// cgroup v2 when /sys/fs/cgroup is the unified hierarchy with memory (and cpu) available,
// else v1 (separate memory, cpu, cpuacct hierarchies), else none.
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace batchd::agent {

enum class CgroupVersion { kNone, kV1, kV2 };

struct CgroupLimits {
  int vcpus = 0;             // 0: no CPU limit
  int64_t memory_bytes = 0;  // 0: no memory limit
};

struct CgroupUsage {
  std::optional<int64_t> peak_memory_bytes;
  // Where the peak is not known: what it cannot have exceeded, since all of the job's pages
  // were charged to the cgroup.
  std::optional<int64_t> peak_memory_ceiling;
  std::optional<int64_t> cpu_time_ms;  // every process that ran in it, waited for or not
  bool oom_killed = false;
};

// The controllers a cgroup directory has files of (v2: its one directory has them all).
struct CgroupControllers {
  bool memory = false;
  bool cpu = false;      // the CPU limit
  bool cpuacct = false;  // the CPU time used
};

// One attempt's cgroup: a directory of the unified hierarchy (v2) or one per v1 hierarchy.
// Made by CgroupManager.
class JobCgroup {
 public:
  const std::vector<std::filesystem::path>& dirs() const { return dirs_; }
  // A process joins by writing "0" into each of these (the child does it before exec).
  std::vector<std::string> ProcsFiles() const;
  // The same files, kept open for writing (O_CLOEXEC), so that a child joins with writes
  // alone; -1 where one could not be opened (the child opens ProcsFiles()[i] then).
  std::vector<int> ProcsFds() const;
  std::vector<pid_t> Pids() const;
  CgroupUsage Usage() const;
  // Sends `signal` to every process in it; returns how many there were.
  size_t SignalAll(int signal) const;
  // SIGKILLs what is left and removes the directories. False while some remain (killed
  // processes still exiting): call again a little later.
  bool KillAndRemove() const;
  // The name it was created under (its directories' own name).
  std::string name() const { return dirs_.empty() ? "" : dirs_.front().filename().string(); }
  // Readies an ended attempt's cgroup, which SignalAll found empty, for the next attempt (v1
  // only): peak memory and CPU time start again from what is still charged. False where it
  // must be removed instead: v2, an OOM kill on record (v1 cannot reset that count) or more
  // than kReusableChargeBytes still charged. What is charged is left out of the next
  // attempt's peak; it is page cache (files the job read or wrote first), and a machine with
  // its page cache dropped leaves a trivial job's shell and libc there: 1.4 MiB.
  bool ResetForReuse();
  static constexpr int64_t kReusableChargeBytes = 4 << 20;
  // Descriptors all JobCgroups of a process keep at most (of their directories and the files
  // they read and write): 512, or half the process's RLIMIT_NOFILE where that is lower. Past
  // it, files are opened by their whole path, so that an agent running many jobs keeps
  // descriptors for their own files.
  static int MaxKeptDescriptors();

 private:
  friend class CgroupManager;
  JobCgroup(CgroupVersion version, std::vector<std::filesystem::path> dirs,
            std::vector<CgroupControllers> controllers);

  // Descriptors of dirs_ (O_PATH) and of the files read and written, each opened when first
  // used and shared by copies: a reused cgroup's files are then read again at offset 0, not
  // opened. A walk through cgroupfs cannot stay in RCU mode, and opening a cgroup file cost
  // 5 us where reading it again costs 0.7; an attempt reads and writes a dozen.
  struct Handles {
    struct File {
      const char* name;  // a literal: the callers' names are
      int flags;         // O_RDONLY or O_WRONLY
      int fd;
    };
    explicit Handles(size_t n) : dirs(n, -1), procs(n, -1), files(n) {}
    Handles(const Handles&) = delete;
    Handles& operator=(const Handles&) = delete;
    ~Handles();
    std::vector<int> dirs;
    std::vector<int> procs;  // cgroup.procs, for writing
    std::vector<std::vector<File>> files;
  };
  int DirFd(size_t i) const;
  // The kept descriptor of dirs_[i]'s `name` opened with `flags`; -1 where none can be kept.
  int FileFd(size_t i, const char* name, int flags) const;
  // op(dir fd, name) for the file `name` of dirs_[i]: at its kept descriptor, or where none
  // could be kept, op(AT_FDCWD, its whole path).
  template <typename Op>
  auto At(size_t i, const char* name, Op op) const;
  std::optional<std::string> Read(size_t i, const char* name) const;
  std::optional<int64_t> ReadNumber(size_t i, const char* name) const;
  int Write(size_t i, const char* name, std::string_view text) const;  // 0 or the errno
  void WriteOrThrow(size_t i, const char* name, std::string_view text) const;

  CgroupVersion version_;
  std::vector<std::filesystem::path> dirs_;
  // Of dirs_[i]: only its own files are read and written (each try at another's costs a
  // path walk through cgroupfs, for every attempt).
  std::vector<CgroupControllers> controllers_;
  CgroupLimits limits_;           // in force; a fresh cgroup has none
  int64_t charged_at_reuse_ = 0;  // v1 memory: left by earlier attempts, not this one's
  std::shared_ptr<Handles> handles_;
};

// Where the hierarchies are mounted (tests may point elsewhere).
struct CgroupRoots {
  std::filesystem::path base = "/sys/fs/cgroup";
};

class CgroupManager {
 public:
  // `mode` is "auto" or "none"; `parent` the directory (relative to each hierarchy's root)
  // under which attempt cgroups are created, made here if missing.
  CgroupManager(const std::string& mode, const std::string& parent, CgroupRoots roots = {});

  CgroupVersion version() const { return version_; }
  // Why the manager runs without cgroups (empty when it has them), and what works only in
  // part (e.g. no cpu controller): for one warning at startup.
  const std::string& warning() const { return warning_; }

  // Creates `<parent>/<name>` with the limits; nullopt when cgroups are off. Throws
  // std::runtime_error naming the file that could not be written.
  std::optional<JobCgroup> Create(const std::string& name, const CgroupLimits& limits) const;
  // Sets the limits of a cgroup made by Create or reused, writing only those that change.
  void ApplyLimits(JobCgroup& cgroup, const CgroupLimits& limits) const;
  // The cgroup Create(name) would make, without making it (a standby makes its own).
  JobCgroup Named(const std::string& name) const;
  // The cgroup `name` left by an earlier run, if any of its directories exists.
  std::optional<JobCgroup> Find(const std::string& name) const;
  // Names of all attempt cgroups now under the parent.
  std::vector<std::string> List() const;
  // Removes the parent directory when no attempt cgroup is left in it (clean shutdown).
  void RemoveParent() const;

 private:
  struct Hierarchy {
    std::filesystem::path parent_dir;  // <mount>/<parent>
    CgroupControllers controllers;
  };
  // The cgroup `name` of each hierarchy, or of those where it exists.
  JobCgroup Make(const std::string& name, bool existing_only) const;
  void SetUpV2(const std::filesystem::path& root, const std::string& parent);
  void SetUpV1(const std::filesystem::path& base, const std::string& parent);

  CgroupVersion version_ = CgroupVersion::kNone;
  std::vector<Hierarchy> hierarchies_;  // v2: one; v1: memory first
  std::string warning_;
};

// "batchd/<work dir name>-<hash of its path>": stable across restarts of one agent, distinct
// for two agents on one machine.
std::string CgroupParentName(const std::filesystem::path& work_dir);

// The number after `key` in "key value" lines (memory.events, memory.oom_control, cpu.stat).
std::optional<int64_t> FindKeyedValue(std::string_view text, std::string_view key);
// cgroup v2 cpu.max for a limit of `vcpus` whole CPUs.
std::string FormatCpuMax(int vcpus);

}  // namespace batchd::agent
