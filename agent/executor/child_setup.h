#pragma once
// What the job's process does between fork and exec. The agent is multi-threaded, so the
// forked child may only make system calls (no allocation, no locks, no /etc/passwd): all of
// it is prepared here in the agent first, and failures travel back as plain numbers.
#include <sys/types.h>

#include <string>
#include <vector>

#include "agent/executor/mounts.h"

namespace batchd::agent {

struct ChildPlan {
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
  std::vector<std::string> cgroup_procs_files;
  std::vector<int> cgroup_procs_fds;  // those files open for writing; -1: opened here
  std::vector<BindMount> mounts;      // none: the job stays in the agent's mount namespace
  std::string working_dir;
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
};

enum class ChildStep : int {
  kSetsid = 1,
  kJoinCgroup,
  kUnshareMounts,
  kMountPropagation,
  kBindMount,
  kReadOnlyMount,
  kStdio,
  kWorkingDir,
  kSetGroups,
  kSetGid,
  kSetUid,
};

// Sent over a pipe from the child; `index` picks the cgroup file or mount of the step.
struct ChildFailure {
  ChildStep step = ChildStep::kSetsid;
  int index = 0;
  int error = 0;
};

// In the child: its own session and process group, default signal handling, the attempt's
// cgroup, a private mount namespace with the job's bind mounts, stdio, working directory,
// user. False (and `failure` set) when a step failed; the child must then _exit.
bool PrepareChild(const ChildPlan& plan, ChildFailure* failure) noexcept;

// The reason an attempt gets for `failure`: the job's fault (bad working directory, mounts
// without privileges) or, for `infrastructure`, the machine's.
std::string DescribeChildFailure(const ChildPlan& plan, const ChildFailure& failure,
                                 bool* infrastructure);

}  // namespace batchd::agent
