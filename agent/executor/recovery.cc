// ProcessExecutor::Recover: what an earlier run of the agent left in the work dir.
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "agent/executor/process_executor.h"
#include "agent/executor/process_identity.h"
#include "api/job_states.h"
#include "api/text.h"

namespace batchd::agent {
namespace {

using batch::v1::AttemptState;
using batch::v1::AttemptStatus;

constexpr char kRestartReason[] = "agent restarted while the attempt ran";

bool IsFinished(const AttemptStatus& status) { return api::IsFinalAttemptState(status.state()); }

// Kills the recorded process's group, but only if the pid still names that process: after
// a reboot or a long outage the number may belong to a stranger.
void KillRecordedProcess(const ProcessRecord& record) {
  const std::optional<ProcStat> stat = ReadProcStat(record.pid);
  if (!stat || stat->start_time != record.start_time) return;
  ::kill(-record.pid, SIGKILL);
  // Only when the agent restarted within one process (an executor replaced) is the job
  // still our child; then it must be reaped here or it stays a zombie.
  if (stat->ppid == ::getpid()) {
    while (::waitpid(record.pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
}

}  // namespace

std::vector<AttemptStatus> ProcessExecutor::Recover() {
  std::vector<AttemptStatus> recovered;
  const std::filesystem::path root = AttemptFiles::Root(options_.work_dir);
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(root, ec)) {
    const std::string id = entry.path().filename().string();
    if (!entry.is_directory(ec) || !IsValidAttemptId(id)) continue;
    {
      std::lock_guard lock(mu_);
      if (records_.count(id) > 0) continue;
    }
    const AttemptFiles files(entry.path());
    const JournalContents journal = ReadJournal(files.journal_file());
    AttemptStatus status;
    if (journal.result && status.ParseFromString(*journal.result) && status.attempt_id() == id &&
        IsFinished(status)) {
      std::lock_guard lock(mu_);
      records_[id] = Record{status, true};
      recovered.push_back(status);
      continue;
    }

    status.Clear();
    status.set_attempt_id(id);
    status.set_state(AttemptState::EXITED);
    status.set_infrastructure(true);
    status.set_reason(kRestartReason);
    // A job that started on a standby kept the standby's cgroup; one whose record was not
    // written yet is in a cgroup that the sweep below ends.
    std::string cgroup_name = id;
    if (journal.process) {
      if (const auto record = ParseProcessRecord(*journal.process)) {
        status.set_started_at(record->started_at_ms);
        KillRecordedProcess(*record);
        if (!record->cgroup.empty()) cgroup_name = record->cgroup;
      }
    }
    if (const std::optional<JobCgroup> cgroup = cgroups_.Find(cgroup_name)) {
      const CgroupUsage usage = cgroup->Usage();
      status.set_peak_memory_bytes(usage.peak_memory_bytes.value_or(0));
      status.set_cpu_time_ms(usage.cpu_time_ms.value_or(0));
      status.set_oom_killed(usage.oom_killed);
      RemoveCgroup(*cgroup);
    }
    status.set_at(api::EpochMillisNow());
    status.set_sequence(2);
    try {
      AppendToJournal(files.journal_file(), JournalRecord::kResult, status);
    } catch (const std::exception& e) {
      spdlog::error("attempt {}: writing its result: {}", id, e.what());
    }
    {
      std::lock_guard lock(mu_);
      records_[id] = Record{status, true};
    }
    recovered.push_back(status);
  }

  // cgroups of attempts whose directory is gone (forgotten, but the agent died first).
  for (const auto& name : cgroups_.List()) {
    {
      std::lock_guard lock(mu_);
      auto it = records_.find(name);
      if (it != records_.end() && !it->second.finished) continue;
    }
    if (const std::optional<JobCgroup> cgroup = cgroups_.Find(name)) RemoveCgroup(*cgroup);
  }
  RemoveLeftoverContainers();
  {
    std::lock_guard lock(mu_);
    recovered_ = true;
  }
  Wake();
  return recovered;
}

}  // namespace batchd::agent
