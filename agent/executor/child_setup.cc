#include "agent/executor/child_setup.h"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <system_error>

#include "agent/executor/launch_error.h"

namespace batchd::agent {
namespace {

bool Fail(ChildFailure* failure, ChildStep step, int index = 0) {
  failure->step = step;
  failure->index = index;
  failure->error = errno;
  return false;
}

// The agent may ignore or block signals (SIGPIPE, for one); a job starts from the defaults.
void ResetSignals() {
  struct sigaction action {};
  action.sa_handler = SIG_DFL;
  sigemptyset(&action.sa_mask);
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &action, nullptr);
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

bool JoinCgroup(const ChildPlan& plan, ChildFailure* failure) {
  for (size_t i = 0; i < plan.cgroup_procs_files.size(); ++i) {
    const bool open = i < plan.cgroup_procs_fds.size() && plan.cgroup_procs_fds[i] >= 0;
    const int fd = open ? plan.cgroup_procs_fds[i]
                        : ::open(plan.cgroup_procs_files[i].c_str(), O_WRONLY | O_CLOEXEC);
    // "0" moves the writing process itself.
    if (fd < 0 || ::write(fd, "0", 1) != 1) {
      return Fail(failure, ChildStep::kJoinCgroup, static_cast<int>(i));
    }
    if (!open) ::close(fd);
  }
  return true;
}

bool MountVolumes(const ChildPlan& plan, ChildFailure* failure) {
  if (plan.mounts.empty()) return true;
  if (::unshare(CLONE_NEWNS) != 0) return Fail(failure, ChildStep::kUnshareMounts);
  // Mounts made here must not reach the host; the host's later mounts may still reach us.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0) {
    return Fail(failure, ChildStep::kMountPropagation);
  }
  for (size_t i = 0; i < plan.mounts.size(); ++i) {
    const BindMount& m = plan.mounts[i];
    const int index = static_cast<int>(i);
    if (::mount(m.source.c_str(), m.target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) {
      return Fail(failure, ChildStep::kBindMount, index);
    }
    if (!m.read_only) continue;
    struct mount_attr attr {};
    attr.attr_set = MOUNT_ATTR_RDONLY;
    if (::mount_setattr(AT_FDCWD, m.target.c_str(), AT_RECURSIVE, &attr, sizeof attr) == 0) {
      continue;
    }
    // Before Linux 5.12: only the top mount becomes read-only.
    if (errno != ENOSYS || ::mount(nullptr, m.target.c_str(), nullptr,
                                   MS_REMOUNT | MS_BIND | MS_RDONLY | m.kept_flags, nullptr) != 0) {
      return Fail(failure, ChildStep::kReadOnlyMount, index);
    }
  }
  return true;
}

// Through copies above 2 first: an agent started with its own stdio closed may hold the
// job's files at 0-2 already, and dup2 onto itself would keep their close-on-exec flag.
bool RedirectStdio(const ChildPlan& plan, ChildFailure* failure) {
  const int in = ::fcntl(plan.stdin_fd, F_DUPFD_CLOEXEC, 3);
  const int out = ::fcntl(plan.stdout_fd, F_DUPFD_CLOEXEC, 3);
  const int err = ::fcntl(plan.stderr_fd, F_DUPFD_CLOEXEC, 3);
  if (in < 0 || out < 0 || err < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 ||
      ::dup2(err, 2) < 0) {
    return Fail(failure, ChildStep::kStdio);
  }
  return true;
}

// Raw system calls: glibc's wrappers coordinate all threads of the process, and the forked
// child has only one.
bool SwitchUser(const ChildPlan& plan, ChildFailure* failure) {
  if (!plan.switch_user) return true;
  if (::syscall(SYS_setgroups, plan.groups.size(), plan.groups.data()) != 0) {
    return Fail(failure, ChildStep::kSetGroups);
  }
  if (::syscall(SYS_setresgid, plan.gid, plan.gid, plan.gid) != 0) {
    return Fail(failure, ChildStep::kSetGid);
  }
  if (::syscall(SYS_setresuid, plan.uid, plan.uid, plan.uid) != 0) {
    return Fail(failure, ChildStep::kSetUid);
  }
  return true;
}

}  // namespace

bool PrepareChild(const ChildPlan& plan, ChildFailure* failure) noexcept {
  if (::setsid() < 0) return Fail(failure, ChildStep::kSetsid);
  ResetSignals();
  ::umask(022);
  if (!JoinCgroup(plan, failure) || !MountVolumes(plan, failure) || !RedirectStdio(plan, failure)) {
    return false;
  }
  // Before giving up root, so a directory only root may enter still works as a cwd.
  if (::chdir(plan.working_dir.c_str()) != 0) return Fail(failure, ChildStep::kWorkingDir);
  if (!SwitchUser(plan, failure)) return false;
  // No descriptor of the agent (sockets, other jobs' files) survives into the job.
  ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
  return true;
}

std::string DescribeChildFailure(const ChildPlan& plan, const ChildFailure& failure,
                                 bool* infrastructure) {
  const std::string error = std::system_category().message(failure.error);
  const auto mount = [&]() -> const BindMount& {
    static const BindMount kNone;
    const size_t i = static_cast<size_t>(failure.index);
    return i < plan.mounts.size() ? plan.mounts[i] : kNone;
  };
  *infrastructure = false;
  switch (failure.step) {
    case ChildStep::kSetsid:
      *infrastructure = true;
      return "setsid for the job's process failed: " + error;
    case ChildStep::kJoinCgroup: {
      *infrastructure = true;
      const size_t i = static_cast<size_t>(failure.index);
      return "joining the attempt's cgroup " +
             (i < plan.cgroup_procs_files.size() ? plan.cgroup_procs_files[i] : std::string()) +
             " failed: " + error;
    }
    case ChildStep::kUnshareMounts:
      return CannotStart(
          "the job mounts volumes, which needs a private mount namespace, and this agent "
          "cannot create one (unshare(CLONE_NEWNS): " +
          error + "; run the agent as root or drop the job's mount points)");
    case ChildStep::kMountPropagation:
      *infrastructure = true;
      return "making / a slave mount in the job's namespace failed: " + error;
    case ChildStep::kBindMount:
      return CannotStart("bind mount " + mount().source + " -> " + mount().target +
                         " failed: " + error);
    case ChildStep::kReadOnlyMount:
      return CannotStart("making the bind mount at " + mount().target +
                         " read-only failed: " + error);
    case ChildStep::kStdio:
      *infrastructure = true;
      return "redirecting the job's stdio failed: " + error;
    case ChildStep::kWorkingDir:
      return CannotStart("working directory " + plan.working_dir + ": " + error);
    case ChildStep::kSetGroups:
    case ChildStep::kSetGid:
    case ChildStep::kSetUid:
      return CannotStart("switching to uid " + std::to_string(plan.uid) + " gid " +
                         std::to_string(plan.gid) + " failed: " + error);
  }
  *infrastructure = true;
  return "the job's process failed to start: " + error;
}

}  // namespace batchd::agent
