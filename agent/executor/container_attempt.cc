// ProcessExecutor: attempts whose job has an image. The attempt's process is the runtime's
// `run`, attached, so its exit status is the container's and the process machinery (reaping,
// timeouts, recovery by pid) serves containers unchanged; what differs is here: the command
// line, stopping through the runtime, telling a failed pull from a job's exit, removal.
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "agent/executor/launch_error.h"
#include "agent/executor/process_executor.h"
#include "agent/executor/run_tool.h"
#include "api/text.h"

namespace batchd::agent {
namespace {

using batch::v1::AttemptState;
using batch::v1::AttemptStatus;
using batch::v1::LaunchAttempt;

constexpr auto kInspectTimeout = std::chrono::seconds(30);
constexpr auto kCleanupTimeout = std::chrono::seconds(60);
constexpr size_t kErrorTail = 8192;
constexpr auto kRestopInterval = std::chrono::milliseconds(200);
constexpr char kOomReason[] = "OutOfMemoryError: Container killed due to memory usage";

void WriteSecretFile(const std::filesystem::path& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    const int error = errno;
    if (fd >= 0) ::close(fd);
    throw LaunchError("writing " + path.string() + ": " + std::system_category().message(error),
                      true);
  }
  ::close(fd);
}

std::string Tail(const std::filesystem::path& path, size_t bytes) {
  const std::string text = api::ReadTextFile(path).value_or("");
  return text.size() <= bytes ? text : text.substr(text.size() - bytes);
}

}  // namespace

SpawnRequest ProcessExecutor::PrepareContainer(const LaunchAttempt& launch,
                                               const AttemptFiles& files,
                                               std::vector<int>* fds_to_close) {
  if (!options_.container_runtime) {
    throw LaunchError(CannotStart("the job has image " + launch.container().image() +
                                  " but this node has no container runtime (podman or docker)"),
                      true);
  }
  const ContainerRuntime& runtime = *options_.container_runtime;
  ContainerRunPlan plan;
  plan.name = ContainerName(launch.attempt_id());
  plan.env_file = files.path() / "container.env";
  plan.work_dir = options_.work_dir;
  plan.mounts =
      ResolveContainerMounts(launch.container(), files.path(), options_.allowed_mount_roots);
  plan.default_ulimits = container_ulimits_;
  WriteSecretFile(plan.env_file, ContainerEnvFile(launch));

  SpawnRequest request;
  request.argv = ContainerRunCommand(runtime, launch, plan);
  request.executable = runtime.path;
  // The runtime is the agent's tool, not the job: it gets the agent's environment (its
  // storage and configuration settings); the job's own comes from the env file.
  for (char** entry = environ; *entry != nullptr; ++entry) request.environment.push_back(*entry);
  ChildPlan& child = request.plan;
  child.working_dir = files.path().string();
  OpenStdio(files, &child, fds_to_close);
  return request;
}

void ProcessExecutor::StopContainer(Running& running, int grace_seconds) {
  // Not a signal to the runtime's `run`: podman's exits on SIGTERM with status 0 and leaves
  // the container running.
  running.stop_grace_seconds = grace_seconds;
  running.restop_at.reset();
  running.stop_pid = StartTool(options_.container_runtime->Command(
      {"stop", "-t", std::to_string(grace_seconds), ContainerName(running.launch.attempt_id())}));
}

void ProcessExecutor::CheckContainerStop(Running& running, Clock::time_point now) {
  if (running.stop_pid > 0) {
    int status = 0;
    const pid_t waited = ::waitpid(running.stop_pid, &status, WNOHANG);
    if (waited == 0) return;
    running.stop_pid = -1;
    // Before the container exists (just launched, or its image still being pulled) a stop
    // finds nothing: it is tried again until the run ends or the SIGKILL backstop comes.
    if (waited < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      running.restop_at = now + kRestopInterval;
    }
  }
  if (running.restop_at && now >= *running.restop_at && !running.sigkill_sent) {
    StopContainer(running, running.stop_grace_seconds);
  }
}

bool ProcessExecutor::ContainerStopsPending() const {
  for (const auto& [id, running] : running_) {
    if (running.stop_pid > 0 || running.restop_at) return true;
  }
  return false;
}

void ProcessExecutor::EndContainer(const Running& running, int wait_status, AttemptStatus* status) {
  status->set_cpu_time_ms(0);
  status->set_peak_memory_bytes(0);
  // The run exits with the container's status, except 125 (the runtime failed), 126 and 127
  // (the command could not be run) and 137 (SIGKILL: maybe the OOM killer); only these, which
  // a job may also exit with, need the container's state, and the inspect costs the
  // executor's thread some 100 ms.
  const int code = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
  if (code >= 0 && code != 125 && code != 126 && code != 127 && code != 137) return;
  const std::string name = ContainerName(running.launch.attempt_id());
  const ToolResult inspect =
      RunTool(options_.container_runtime->Command(
                  {"inspect", "--format", "{{.State.StartedAt}}|{{.State.OOMKilled}}", name}),
              kInspectTimeout);
  const std::string state = api::Trimmed(inspect.output);
  const bool started = inspect.exit_code == 0 && state.rfind("0001-01-01", 0) != 0;
  if (!started && running.reason.empty()) {
    // The runtime's own failure (pull, create, exec of the command), not the job's exit.
    const batch::v1::ContainerDetail& c = running.launch.container();
    const AttemptFiles files(options_.work_dir, running.launch.attempt_id());
    status->set_state(AttemptState::LAUNCH_FAILED);
    status->clear_exit_code();
    status->clear_signal();
    status->set_reason(DescribeRunFailure(c.image(), c.image_pull_policy(),
                                          Tail(files.stderr_file(), kErrorTail)));
    return;
  }
  // podman on cgroup v1 does not always notice the kernel's OOM kill; a SIGKILL that nobody
  // sent (the agent did not stop it) to a memory-limited container is that kill.
  const bool oom_flag = state.size() > 5 && state.substr(state.size() - 5) == "|true";
  const bool unexplained_kill =
      code == 137 && !running.terminating && running.launch.memory_mib() > 0;
  if (oom_flag || unexplained_kill) {
    status->set_oom_killed(true);
    if (running.reason.empty()) status->set_reason(kOomReason);
  }
}

void ProcessExecutor::RemoveContainer(const std::string& attempt_id) {
  if (!options_.container_runtime) return;
  StartHelper(options_.container_runtime->Command({"rm", "-f", ContainerName(attempt_id)}));
}

void ProcessExecutor::RemoveLeftoverContainers() {
  if (!options_.container_runtime) return;
  const ContainerRuntime& runtime = *options_.container_runtime;
  const ToolResult listed = RunTool(
      runtime.Command({"ps", "-a", "--filter",
                       std::string("label=") + kWorkDirLabel + "=" + options_.work_dir.string(),
                       "--format", "{{.Names}}"}),
      kCleanupTimeout);
  if (listed.exit_code != 0) {
    spdlog::warn("listing leftover containers: {}", api::Trimmed(listed.output));
    return;
  }
  std::vector<std::string> names;
  size_t begin = 0;
  const std::string& out = listed.output;
  while (begin < out.size()) {
    size_t end = out.find('\n', begin);
    if (end == std::string::npos) end = out.size();
    if (end > begin) names.push_back(out.substr(begin, end - begin));
    begin = end + 1;
  }
  if (names.empty()) return;
  // Before any launch: every container of this work dir is an earlier run's.
  std::vector<std::string> args = {"rm", "-f", "-t", "0"};
  args.insert(args.end(), names.begin(), names.end());
  const ToolResult removed = RunTool(runtime.Command(args), kCleanupTimeout);
  if (removed.exit_code != 0) {
    spdlog::warn("removing leftover containers: {}", api::Trimmed(removed.output));
  } else {
    spdlog::info("removed {} leftover container(s) of an earlier run", names.size());
  }
}

void ProcessExecutor::StartHelper(const std::vector<std::string>& argv) {
  const pid_t pid = StartTool(argv);
  if (pid > 0) {
    helpers_.push_back(pid);
  } else {
    spdlog::warn("could not start {}", argv.empty() ? "" : argv.front());
  }
}

void ProcessExecutor::ReapHelpers() {
  std::erase_if(helpers_, [](pid_t pid) {
    const pid_t waited = ::waitpid(pid, nullptr, WNOHANG);
    return waited == pid || (waited < 0 && errno == ECHILD);
  });
}

}  // namespace batchd::agent
