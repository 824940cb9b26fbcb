#pragma once
// Runs attempts on this machine: a job with an image as a container (the runtime's `run`
// process stands for it: its output, exit code and signals are the job's), others as plain
// processes. Each attempt lives in <work_dir>/attempts/<attempt_id>/:
//   journal     records appended by the agent (attempt_dir.h): the LaunchAttempt before
//               anything starts; the attempt's process once it runs (pid and start time, its
//               own process group, and its cgroup's name when that is not the attempt id, a
//               standby's); the AttemptStatus once it ended
//   stdout, stderr   the job's output, appended by the job itself
// so a restarted agent finds every attempt of its previous run (Recover) and the files are
// the on-disk buffer for whatever was not yet reported.
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/executor/container_runtime.h"
#include "batch/v1/agent_service.pb.h"

namespace batchd::agent {

struct ExecutorOptions {
  std::filesystem::path work_dir;
  // Between SIGTERM and SIGKILL when an attempt times out or is killed without a grace.
  int default_kill_grace_seconds = 10;
  // cgroups for vCPU and memory limits: "auto" uses v2 or v1 when writable, "none" disables.
  std::string cgroups = "auto";
  // Host paths jobs may bind-mount (volumes); empty = only paths inside the attempt dir.
  std::vector<std::filesystem::path> allowed_mount_roots;
  // What jobs with an image run with; without one they fail to launch (batchd sends them only
  // to nodes that advertise a runtime).
  std::optional<ContainerRuntime> container_runtime;
};

class Executor {
 public:
  // Called from the executor's own thread whenever an attempt changes state: RUNNING once
  // its process started; EXITED (exit code or signal, cpu time, peak memory, oom_killed,
  // timed_out) or LAUNCH_FAILED (reason) when it is over. The journal has it first.
  using StatusCallback = std::function<void(const batch::v1::AttemptStatus&)>;

  virtual ~Executor() = default;
  // Starts the attempt; returns at once. A second Launch of a known attempt id is ignored.
  virtual void Launch(const batch::v1::LaunchAttempt& attempt) = 0;
  // SIGTERM to the attempt's process group, SIGKILL after `grace_seconds` (a container: the
  // runtime's stop with that grace, then its removal); `reason` becomes the attempt's reason.
  // Unknown or finished attempts are ignored.
  virtual void Kill(const std::string& attempt_id, const std::string& reason,
                    int grace_seconds) = 0;
  // Attempts found in the work dir that belong to an earlier run of the agent: a finished
  // one reports its stored result; one still running is killed (its process group) and
  // reported EXITED with infrastructure = true and reason "agent restarted while the attempt
  // ran"; one with no trace of its process likewise. Containers labelled with this work dir
  // are all removed. Call once, before Launch.
  virtual std::vector<batch::v1::AttemptStatus> Recover() = 0;
  // Attempts not yet forgotten: running ones and finished ones.
  virtual std::vector<std::string> KnownAttempts() const = 0;
  // The last status of an attempt (RUNNING or its result).
  virtual std::optional<batch::v1::AttemptStatus> LastStatus(
      const std::string& attempt_id) const = 0;
  // batchd recorded the attempt: remove its directory. Running attempts are not forgotten.
  virtual void Forget(const std::string& attempt_id) = 0;
  virtual size_t RunningCount() const = 0;
  // Directory of an attempt (where stdout/stderr are).
  virtual std::filesystem::path AttemptDir(const std::string& attempt_id) const = 0;
};

std::unique_ptr<Executor> MakeProcessExecutor(const ExecutorOptions& options,
                                              Executor::StatusCallback on_status);

}  // namespace batchd::agent
