#include "agent/executor/process_executor.h"

#include <fcntl.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "api/text.h"

namespace batchd::agent {
namespace {

using batch::v1::AttemptState;
using batch::v1::AttemptStatus;
using batch::v1::LaunchAttempt;

// How often cgroups whose processes are still exiting are tried again, and for how long.
constexpr auto kRemovalRetry = std::chrono::milliseconds(50);
constexpr auto kRemovalPatience = std::chrono::seconds(30);
constexpr auto kShutdownPatience = std::chrono::seconds(2);
// Where pidfds are unavailable, exits are noticed by polling this often.
constexpr auto kExitPoll = std::chrono::milliseconds(20);
// Ended attempts' directories kept for reuse: more than the attempts that end between two
// starts, even in bursts.
constexpr size_t kSpareAttemptDirs = 64;

}  // namespace

ProcessExecutor::ProcessExecutor(const ExecutorOptions& options, StatusCallback on_status)
    : options_(options),
      on_status_(std::move(on_status)),
      cgroups_(options.cgroups, CgroupParentName(options.work_dir)),
      attempt_dirs_(options.work_dir / "spare-attempts", kSpareAttemptDirs),
      container_ulimits_(DefaultContainerUlimits()) {
  if (!cgroups_.warning().empty()) spdlog::warn("process executor: {}", cgroups_.warning());
  std::filesystem::create_directories(AttemptFiles::Root(options_.work_dir));
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  devnull_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (wake_fd_ < 0 || devnull_fd_ < 0) {
    throw std::system_error(errno, std::system_category(), "process executor setup");
  }
  thread_ = std::thread([this] { Loop(); });
}

ProcessExecutor::~ProcessExecutor() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  Wake();
  thread_.join();
  DropStandbys();
  DropSpareCgroups();
  for (auto& [id, running] : running_) {
    if (running.pidfd >= 0) ::close(running.pidfd);
  }
  // Finished attempts whose last processes were still exiting: a moment more for them, so
  // that only the cgroups of jobs left running stay behind.
  const auto give_up_at = Clock::now() + kShutdownPatience;
  for (;;) {
    RetryCgroupRemovals();
    bool done;
    {
      std::lock_guard lock(mu_);
      done = removals_.empty();
    }
    if (done || Clock::now() >= give_up_at) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (running_.empty()) cgroups_.RemoveParent();
  ReapHelpers();
  ::close(wake_fd_);
  ::close(devnull_fd_);
}

void ProcessExecutor::Launch(const LaunchAttempt& attempt) {
  {
    std::lock_guard lock(mu_);
    if (records_.count(attempt.attempt_id()) > 0) return;
    Record& record = records_[attempt.attempt_id()];
    record.status.set_attempt_id(attempt.attempt_id());
    record.status.set_state(AttemptState::LAUNCHING);
    record.status.set_at(api::EpochMillisNow());
    commands_.push_back(Command{Command::Kind::kLaunch, attempt, {}, {}, 0});
  }
  Wake();
}

void ProcessExecutor::Kill(const std::string& attempt_id, const std::string& reason,
                           int grace_seconds) {
  {
    std::lock_guard lock(mu_);
    auto it = records_.find(attempt_id);
    if (it == records_.end() || it->second.finished) return;
    commands_.push_back(Command{Command::Kind::kKill, {}, attempt_id, reason, grace_seconds});
  }
  Wake();
}

std::vector<std::string> ProcessExecutor::KnownAttempts() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> ids;
  ids.reserve(records_.size());
  for (const auto& [id, record] : records_) ids.push_back(id);
  return ids;
}

std::optional<AttemptStatus> ProcessExecutor::LastStatus(const std::string& attempt_id) const {
  std::lock_guard lock(mu_);
  auto it = records_.find(attempt_id);
  if (it == records_.end()) return std::nullopt;
  return it->second.status;
}

void ProcessExecutor::Forget(const std::string& attempt_id) {
  {
    std::lock_guard lock(mu_);
    auto it = records_.find(attempt_id);
    if (it != records_.end() && !it->second.finished) return;
    if (it != records_.end()) records_.erase(it);
  }
  if (!IsValidAttemptId(attempt_id)) return;
  attempt_dirs_.Recycle(AttemptDir(attempt_id));
}

size_t ProcessExecutor::RunningCount() const {
  std::lock_guard lock(mu_);
  size_t count = 0;
  for (const auto& [id, record] : records_) count += record.finished ? 0 : 1;
  return count;
}

std::filesystem::path ProcessExecutor::AttemptDir(const std::string& attempt_id) const {
  return AttemptFiles(options_.work_dir, attempt_id).path();
}

void ProcessExecutor::Wake() {
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

void ProcessExecutor::Loop() {
  for (;;) {
    std::deque<Command> commands;
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      commands.swap(commands_);
    }
    for (Command& command : commands) {
      switch (command.kind) {
        case Command::Kind::kLaunch:
          Start(command.launch);
          last_launch_ = Clock::now();
          break;
        case Command::Kind::kKill: {
          auto it = running_.find(command.attempt_id);
          if (it != running_.end()) {
            BeginKill(it->second, command.reason, command.grace_seconds, false);
          }
          break;
        }
      }
    }
    RetryCgroupRemovals();
    ReapHelpers();
    CheckDeadlines(Clock::now());
    if (const auto due = StandbyDueAt(); due && Clock::now() >= *due) MakeStandby();
    if (const auto due = SpareCgroupsDropAt(); due && Clock::now() >= *due) DropSpareCgroups();

    std::vector<pollfd> fds = {{wake_fd_, POLLIN, 0}};
    std::vector<std::string> ids;
    bool poll_exits = false;
    for (const auto& [id, running] : running_) {
      if (running.pidfd < 0) {
        poll_exits = true;
        continue;
      }
      fds.push_back({running.pidfd, POLLIN, 0});
      ids.push_back(id);
    }
    int timeout_ms = -1;
    auto limit = [&](Clock::duration wait) {
      const auto ms = std::chrono::ceil<std::chrono::milliseconds>(wait).count();
      const int bounded = static_cast<int>(std::clamp<int64_t>(ms, 0, 60000));
      timeout_ms = timeout_ms < 0 ? bounded : std::min(timeout_ms, bounded);
    };
    if (auto deadline = NextDeadline()) limit(*deadline - Clock::now());
    if (poll_exits || !helpers_.empty() || ContainerStopsPending()) limit(kExitPoll);
    if (const auto due = StandbyDueAt()) limit(*due - Clock::now());
    if (const auto due = SpareCgroupsDropAt()) limit(*due - Clock::now());
    {
      std::lock_guard lock(mu_);
      if (!removals_.empty()) limit(kRemovalRetry);
    }
    if (::poll(fds.data(), fds.size(), timeout_ms) < 0 && errno != EINTR) {
      spdlog::error("process executor: poll: {}", std::system_category().message(errno));
    }
    if (fds[0].revents & POLLIN) {
      uint64_t count;
      [[maybe_unused]] ssize_t n = ::read(wake_fd_, &count, sizeof count);
    }

    std::vector<std::string> exited;
    for (size_t i = 1; i < fds.size(); ++i) {
      if (fds[i].revents != 0 && HasExited(running_.at(ids[i - 1]))) exited.push_back(ids[i - 1]);
    }
    if (poll_exits) {
      for (const auto& [id, running] : running_) {
        if (running.pidfd < 0 && HasExited(running)) exited.push_back(id);
      }
    }
    for (const auto& id : exited) Finish(id);
  }
}

void ProcessExecutor::Publish(const AttemptStatus& status, bool finished) {
  AttemptStatus published = status;
  published.set_sequence(finished ? 2 : 1);
  if (finished && IsValidAttemptId(status.attempt_id())) {
    const std::filesystem::path dir = AttemptDir(status.attempt_id());
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec)) {
      try {
        AppendToJournal(AttemptFiles(dir).journal_file(), JournalRecord::kResult, published);
      } catch (const std::exception& e) {
        spdlog::error("attempt {}: writing its result: {}", status.attempt_id(), e.what());
      }
    }
  }
  {
    std::lock_guard lock(mu_);
    Record& record = records_[status.attempt_id()];
    record.status = published;
    record.finished = finished;
  }
  if (!on_status_) return;
  try {
    on_status_(published);
  } catch (const std::exception& e) {
    spdlog::error("attempt {}: status callback failed: {}", status.attempt_id(), e.what());
  }
}

void ProcessExecutor::RemoveCgroup(const JobCgroup& cgroup) {
  if (cgroup.KillAndRemove()) return;
  std::lock_guard lock(mu_);
  removals_.push_back(PendingRemoval{cgroup, Clock::now() + kRemovalPatience});
}

void ProcessExecutor::RetryCgroupRemovals() {
  std::vector<PendingRemoval> pending;
  {
    std::lock_guard lock(mu_);
    pending.swap(removals_);
  }
  if (pending.empty()) return;
  std::vector<PendingRemoval> left;
  const auto now = Clock::now();
  for (auto& removal : pending) {
    if (removal.cgroup.KillAndRemove()) continue;
    if (now < removal.give_up_at) {
      left.push_back(std::move(removal));
    } else {
      spdlog::warn("cgroup {} still has processes; left in place",
                   removal.cgroup.dirs().front().string());
    }
  }
  std::lock_guard lock(mu_);
  removals_.insert(removals_.end(), left.begin(), left.end());
}

std::unique_ptr<Executor> MakeProcessExecutor(const ExecutorOptions& options,
                                              Executor::StatusCallback on_status) {
  return std::make_unique<ProcessExecutor>(options, std::move(on_status));
}

}  // namespace batchd::agent
