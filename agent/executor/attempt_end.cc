// ProcessExecutor: ending attempts (on the executor's thread): timeouts, kills, reaping.
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <limits>

#include "agent/executor/process_executor.h"
#include "api/text.h"

namespace batchd::agent {
namespace {

using batch::v1::AttemptState;
using batch::v1::AttemptStatus;

constexpr char kOomReason[] = "OutOfMemoryError: Container killed due to memory usage";
constexpr auto kContainerStopBackstop = std::chrono::seconds(15);

int64_t CpuMs(const rusage& usage) {
  const auto ms = [](const timeval& tv) {
    return static_cast<int64_t>(tv.tv_sec) * 1000 + tv.tv_usec / 1000;
  };
  return ms(usage.ru_utime) + ms(usage.ru_stime);
}

}  // namespace

void ProcessExecutor::Signal(const Running& running, int signal) const {
  ::kill(-running.pid, signal);
  // Processes that left the job's group (setsid) are still in its cgroup.
  if (running.cgroup) running.cgroup->SignalAll(signal);
}

void ProcessExecutor::BeginKill(Running& running, const std::string& reason, int grace_seconds,
                                bool timed_out) {
  if (grace_seconds <= 0) grace_seconds = options_.default_kill_grace_seconds;
  const auto sigkill_at = Clock::now() + std::chrono::seconds(grace_seconds);
  if (running.terminating) {
    if (sigkill_at < running.sigkill_at) running.sigkill_at = sigkill_at;
    return;
  }
  running.terminating = true;
  running.reason = reason;
  running.timed_out = timed_out;
  running.sigkill_at = sigkill_at;
  if (running.container) {
    // The runtime sends SIGKILL itself after the grace; ours is the backstop for a runtime
    // that hangs.
    running.sigkill_at = sigkill_at + kContainerStopBackstop;
    StopContainer(running, grace_seconds);
    return;
  }
  Signal(running, SIGTERM);
}

void ProcessExecutor::CheckDeadlines(Clock::time_point now) {
  for (auto& [id, running] : running_) {
    if (running.container && running.terminating) CheckContainerStop(running, now);
    if (!running.terminating && running.timeout_at && now >= *running.timeout_at) {
      const int timeout = running.launch.timeout_seconds();
      BeginKill(running,
                "Job attempt duration exceeded timeout (" + std::to_string(timeout) + " s)",
                running.launch.kill_grace_seconds(), true);
    }
    if (running.sigkill_at && !running.sigkill_sent && now >= *running.sigkill_at) {
      running.sigkill_sent = true;
      Signal(running, SIGKILL);
      if (running.container) RemoveContainer(id);
    }
  }
}

std::optional<ProcessExecutor::Clock::time_point> ProcessExecutor::NextDeadline() const {
  std::optional<Clock::time_point> next;
  auto consider = [&](const std::optional<Clock::time_point>& at) {
    if (at && (!next || *at < *next)) next = at;
  };
  for (const auto& [id, running] : running_) {
    if (!running.terminating) consider(running.timeout_at);
    if (!running.sigkill_sent) consider(running.sigkill_at);
  }
  return next;
}

bool ProcessExecutor::HasExited(const Running& running) const {
  siginfo_t info{};
  if (::waitid(P_PID, running.pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0) return true;
  return info.si_pid == running.pid;
}

void ProcessExecutor::Finish(const std::string& attempt_id) {
  auto it = running_.find(attempt_id);
  if (it == running_.end()) return;
  Running& running = it->second;
  // The leader is a zombie until waited for, so its group id cannot be reused yet: whatever
  // is left of the job (background children) dies with it.
  ::kill(-running.pid, SIGKILL);
  CgroupUsage usage;
  bool emptied = false;  // no process was left: the cgroup stays empty
  if (running.cgroup) {
    usage = running.cgroup->Usage();
    emptied = running.cgroup->SignalAll(SIGKILL) == 0;
  }
  int wait_status = 0;
  rusage resources{};
  pid_t waited;
  while ((waited = ::wait4(running.pid, &wait_status, 0, &resources)) < 0 && errno == EINTR) {
  }

  AttemptStatus status;
  status.set_attempt_id(attempt_id);
  status.set_state(AttemptState::EXITED);
  status.set_at(api::EpochMillisNow());
  status.set_started_at(running.started_at_ms);
  if (waited == running.pid && WIFEXITED(wait_status)) {
    status.set_exit_code(WEXITSTATUS(wait_status));
  } else if (waited == running.pid && WIFSIGNALED(wait_status)) {
    status.set_signal(WTERMSIG(wait_status));
  } else {
    status.set_reason("the job's exit status was lost");
    status.set_infrastructure(true);
  }
  status.set_cpu_time_ms(std::max(CpuMs(resources), usage.cpu_time_ms.value_or(0)));
  status.set_peak_memory_bytes(usage.peak_memory_bytes.value_or(
      std::min<int64_t>(resources.ru_maxrss * 1024,
                        usage.peak_memory_ceiling.value_or(std::numeric_limits<int64_t>::max()))));
  status.set_oom_killed(usage.oom_killed);
  status.set_timed_out(running.timed_out);
  if (!running.reason.empty()) {
    status.set_reason(running.reason);
  } else if (usage.oom_killed) {
    status.set_reason(kOomReason);
  }

  if (running.container) EndContainer(running, wait_status, &status);
  if (running.pidfd >= 0) ::close(running.pidfd);
  if (running.stop_pid > 0) helpers_.push_back(running.stop_pid);
  const bool container = running.container;
  std::optional<JobCgroup> cgroup = std::move(running.cgroup);
  running_.erase(it);
  Publish(status, true);
  if (cgroup) ReuseOrRemoveCgroup(std::move(*cgroup), emptied);
  if (container) RemoveContainer(attempt_id);
}

}  // namespace batchd::agent
