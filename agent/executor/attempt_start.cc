// ProcessExecutor: starting an attempt (on the executor's thread).
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "agent/executor/command.h"
#include "agent/executor/job_environment.h"
#include "agent/executor/job_user.h"
#include "agent/executor/launch_error.h"
#include "agent/executor/mounts.h"
#include "agent/executor/process_executor.h"
#include "agent/executor/process_identity.h"
#include "api/text.h"

namespace batchd::agent {
namespace {

using batch::v1::AttemptState;
using batch::v1::AttemptStatus;
using batch::v1::LaunchAttempt;

}  // namespace

void ProcessExecutor::OpenStdio(const AttemptFiles& files, ChildPlan* plan,
                                std::vector<int>* fds_to_close) {
  plan->stdin_fd = devnull_fd_;
  plan->stdout_fd = OpenAttemptOutput(files.stdout_file());
  fds_to_close->push_back(plan->stdout_fd);
  plan->stderr_fd = OpenAttemptOutput(files.stderr_file());
  fds_to_close->push_back(plan->stderr_fd);
}

SpawnRequest ProcessExecutor::Prepare(const LaunchAttempt& launch, const AttemptFiles& files,
                                      Running* running, std::vector<int>* fds_to_close) {
  const batch::v1::ContainerDetail& container = launch.container();
  if (!container.image().empty()) {
    running->container = true;
    return PrepareContainer(launch, files, fds_to_close);
  }
  SpawnRequest request;
  ChildPlan& plan = request.plan;
  plan.working_dir =
      container.working_directory().empty() ? files.path().string() : container.working_directory();

  std::string home = files.path().string();
  if (!container.user().empty()) {
    const JobUser user = ResolveJobUser(container.user());
    plan.switch_user = true;
    plan.uid = user.uid;
    plan.gid = user.gid;
    plan.groups = user.groups;
    if (!user.home.empty()) home = user.home;
  }
  request.environment = BuildJobEnvironment(launch, home);
  JobCommand command = ResolveJobCommand(container, LookupEnvironment(request.environment, "PATH"),
                                         plan.working_dir);
  request.executable = std::move(command.executable);
  request.argv = std::move(command.argv);
  plan.mounts = ResolveBindMounts(container, files.path(), options_.allowed_mount_roots);

  OpenStdio(files, &plan, fds_to_close);

  CgroupLimits limits;
  limits.vcpus = launch.vcpus();
  limits.memory_bytes = launch.memory_mib() * 1024 * 1024;
  try {
    running->cgroup = TakeCgroup(launch.attempt_id(), limits);
  } catch (const std::exception& e) {
    throw LaunchError(std::string("cgroup for the attempt: ") + e.what(), true);
  }
  if (running->cgroup) {
    plan.cgroup_procs_files = running->cgroup->ProcsFiles();
    plan.cgroup_procs_fds = running->cgroup->ProcsFds();
  }
  return request;
}

void ProcessExecutor::Start(const LaunchAttempt& launch) {
  const std::string& id = launch.attempt_id();
  AttemptStatus failed;
  failed.set_attempt_id(id);
  failed.set_state(AttemptState::LAUNCH_FAILED);
  if (!IsValidAttemptId(id)) {
    failed.set_reason("attempt id \"" + id +
                      "\" is not usable as a directory name (1-128 of A-Z a-z 0-9 . _ -)");
    failed.set_at(api::EpochMillisNow());
    Publish(failed, true);
    return;
  }

  const AttemptFiles files(options_.work_dir, id);
  Running running;
  running.launch = launch;
  std::vector<int> fds_to_close;
  try {
    try {
      attempt_dirs_.Make(files.path());
    } catch (const std::system_error& e) {
      throw LaunchError(e.what(), true);
    }
    try {
      AppendToJournal(files.journal_file(), JournalRecord::kLaunch, launch);
    } catch (const std::system_error& e) {
      throw LaunchError(e.what(), true);
    }
    const SpawnRequest request = Prepare(launch, files, &running, &fds_to_close);
    const SpawnResult spawned = SpawnJob(request);
    if (spawned.pid <= 0) throw LaunchError(spawned.error, spawned.infrastructure);
    running.pid = spawned.pid;
  } catch (const std::exception& e) {
    for (int fd : fds_to_close) ::close(fd);
    if (taken_standby_) DiscardStandby(*taken_standby_);
    taken_standby_.reset();
    if (running.cgroup) RemoveCgroup(*running.cgroup);
    const auto* launch_error = dynamic_cast<const LaunchError*>(&e);
    failed.set_reason(launch_error != nullptr
                          ? e.what()
                          : std::string("agent could not start the attempt: ") + e.what());
    failed.set_infrastructure(launch_error == nullptr || launch_error->infrastructure());
    failed.set_at(api::EpochMillisNow());
    Publish(failed, true);
    return;
  }
  for (int fd : fds_to_close) ::close(fd);

  const auto now = Clock::now();
  running.started_at_ms = api::EpochMillisNow();
  // glibc 2.36 declares pidfd_open without C linkage: the raw system call it is.
  running.pidfd = static_cast<int>(::syscall(SYS_pidfd_open, running.pid, 0));
  if (launch.timeout_seconds() > 0) {
    running.timeout_at = now + std::chrono::seconds(launch.timeout_seconds());
  }
  AttemptStatus status;
  status.set_attempt_id(id);
  status.set_state(AttemptState::RUNNING);
  status.set_at(running.started_at_ms);
  status.set_started_at(running.started_at_ms);
  const pid_t pid = running.pid;
  const int64_t started_at_ms = running.started_at_ms;
  const std::string cgroup_name = running.cgroup ? running.cgroup->name() : id;
  running_.emplace(id, std::move(running));
  // Reported before the record is written: the scheduler learns of the start a moment
  // sooner, and a crash in between is recovered the same way either way (by the cgroup).
  Publish(status, false);

  ProcessRecord record;
  record.pid = pid;
  record.start_time = ReadProcStat(pid).value_or(ProcStat{}).start_time;
  record.started_at_ms = started_at_ms;
  if (cgroup_name != id) record.cgroup = cgroup_name;
  try {
    AppendToJournal(files.journal_file(), JournalRecord::kProcess, FormatProcessRecord(record));
  } catch (const std::exception& e) {
    // The job runs; only a restart of this agent would lose track of it.
    spdlog::error("attempt {}: recording its process: {}", id, e.what());
  }
}

}  // namespace batchd::agent
