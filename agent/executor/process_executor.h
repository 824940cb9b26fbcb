#pragma once
// The process executor: jobs run as processes of this machine, an image job as the container
// runtime's `run` process (container_attempt.cc; see executor.h).
//
// One thread (Loop) does all the work on attempts: it starts them, watches their processes
// (a pidfd each, polled together with a wake-up eventfd), sends the timeout and kill
// signals, reaps, reports and cleans up. Public calls only queue commands for it, so Launch
// returns at once and callbacks always come from that thread.
#include <sys/resource.h>
#include <sys/types.h>

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "agent/cgroup.h"
#include "agent/executor/attempt_dir.h"
#include "agent/executor/attempt_dir_pool.h"
#include "agent/executor/container_run.h"
#include "agent/executor/executor.h"
#include "agent/executor/spawn.h"
#include "agent/executor/standby.h"

namespace batchd::agent {

class ProcessExecutor final : public Executor {
 public:
  ProcessExecutor(const ExecutorOptions& options, StatusCallback on_status);
  // Stops the executor's thread and leaves running jobs alone, as a crashed agent would: a
  // new executor's Recover() ends them.
  ~ProcessExecutor() override;

  void Launch(const batch::v1::LaunchAttempt& attempt) override;
  void Kill(const std::string& attempt_id, const std::string& reason, int grace_seconds) override;
  std::vector<batch::v1::AttemptStatus> Recover() override;
  std::vector<std::string> KnownAttempts() const override;
  std::optional<batch::v1::AttemptStatus> LastStatus(const std::string& attempt_id) const override;
  void Forget(const std::string& attempt_id) override;
  size_t RunningCount() const override;
  std::filesystem::path AttemptDir(const std::string& attempt_id) const override;

 private:
  using Clock = std::chrono::steady_clock;

  struct Command {
    enum class Kind { kLaunch, kKill } kind;
    batch::v1::LaunchAttempt launch;
    std::string attempt_id;
    std::string reason;
    int grace_seconds = 0;
  };

  struct Record {
    batch::v1::AttemptStatus status;
    bool finished = false;
  };

  // An attempt whose process runs (or exited and is not yet reaped). Loop thread only.
  struct Running {
    batch::v1::LaunchAttempt launch;
    pid_t pid = -1;
    int pidfd = -1;  // -1 where pidfd_open is unavailable: polled with waitid instead
    int64_t started_at_ms = 0;
    std::optional<JobCgroup> cgroup;
    std::optional<Clock::time_point> timeout_at;
    std::optional<Clock::time_point> sigkill_at;
    bool terminating = false;  // SIGTERM sent
    bool sigkill_sent = false;
    bool timed_out = false;
    std::string reason;
    bool container = false;  // the process is the runtime's `run` for the job's container
    pid_t stop_pid = -1;     // the runtime's `stop` under way
    int stop_grace_seconds = 0;
    std::optional<Clock::time_point> restop_at;  // a stop that found no container yet
  };

  // A standby job process in its own cgroup, made while the loop is idle (standby.h).
  struct Standby {
    StandbyProcess process;
    JobCgroup cgroup;
  };

  struct PendingRemoval {
    JobCgroup cgroup;
    Clock::time_point give_up_at;
  };

  void Loop();
  void Start(const batch::v1::LaunchAttempt& launch);
  SpawnRequest Prepare(const batch::v1::LaunchAttempt& launch, const AttemptFiles& files,
                       Running* running, std::vector<int>* fds_to_close);
  // The job's stdin (/dev/null) and its stdout/stderr files, to be closed once it started.
  void OpenStdio(const AttemptFiles& files, ChildPlan* plan, std::vector<int>* fds_to_close);
  SpawnRequest PrepareContainer(const batch::v1::LaunchAttempt& launch, const AttemptFiles& files,
                                std::vector<int>* fds_to_close);
  void StopContainer(Running& running, int grace_seconds);
  void CheckContainerStop(Running& running, Clock::time_point now);
  bool ContainerStopsPending() const;
  void EndContainer(const Running& running, int wait_status, batch::v1::AttemptStatus* status);
  void RemoveContainer(const std::string& attempt_id);
  void RemoveLeftoverContainers();
  void StartHelper(const std::vector<std::string>& argv);
  void ReapHelpers();
  void BeginKill(Running& running, const std::string& reason, int grace_seconds, bool timed_out);
  void Signal(const Running& running, int signal) const;
  void CheckDeadlines(Clock::time_point now);
  std::optional<Clock::time_point> NextDeadline() const;
  bool HasExited(const Running& running) const;
  void Finish(const std::string& attempt_id);
  void Publish(const batch::v1::AttemptStatus& status, bool finished);
  void RemoveCgroup(const JobCgroup& cgroup);
  void RetryCgroupRemovals();
  void Wake();
  // standby_pool.cc
  std::optional<JobCgroup> TakeCgroup(const std::string& attempt_id, const CgroupLimits& limits);
  SpawnResult SpawnJob(const SpawnRequest& request);
  // When the next standby should be made; nullopt while none is wanted.
  std::optional<Clock::time_point> StandbyDueAt() const;
  void MakeStandby();
  void DropStandbys();
  // spare_cgroups.cc: an ended attempt's cgroup is kept for the next attempt or standby
  // where it can be (JobCgroup::ResetForReuse); `emptied`: no process was left in it.
  void ReuseOrRemoveCgroup(JobCgroup cgroup, bool emptied);
  std::optional<JobCgroup> TakeSpareCgroup();
  // When the spares left should go (the agent idle for a while); nullopt while none should.
  std::optional<Clock::time_point> SpareCgroupsDropAt() const;
  void DropSpareCgroups();

  const ExecutorOptions options_;
  const StatusCallback on_status_;
  const CgroupManager cgroups_;
  AttemptDirPool attempt_dirs_;
  int wake_fd_ = -1;
  int devnull_fd_ = -1;

  mutable std::mutex mu_;
  std::map<std::string, Record> records_;
  std::deque<Command> commands_;
  std::vector<PendingRemoval> removals_;
  bool stopping_ = false;
  // Standbys are made only once Recover ran: its sweep of unknown cgroups would end them.
  bool recovered_ = false;

  std::vector<RunLimit> container_ulimits_;
  std::map<std::string, Running> running_;  // the loop thread's alone
  std::vector<pid_t> helpers_;              // runtime stop/rm calls to reap; loop thread only
  // The loop thread's alone too: the standbys waiting, oldest first, and the one taken for
  // the attempt being started.
  std::deque<Standby> standbys_;
  std::optional<StandbyProcess> taken_standby_;
  // Ended attempts' emptied cgroups, oldest first: making and removing three v1 directories
  // per attempt was a tenth of a busy agent's time.
  std::deque<JobCgroup> spare_cgroups_;
  Clock::time_point last_launch_{};
  Clock::time_point next_standby_try_{};
  std::thread thread_;
};

}  // namespace batchd::agent
