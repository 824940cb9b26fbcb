#include "agent/executor/container_run.h"

#include <sys/resource.h>

#include <algorithm>
#include <set>
#include <tuple>

#include "agent/executor/job_environment.h"
#include "agent/executor/launch_error.h"

namespace batchd::agent {
namespace {

void Add(std::vector<std::string>& argv, const std::string& option, const std::string& value) {
  argv.push_back(option + "=" + value);
}

std::string MountOption(const BindMount& mount) {
  // The long form: a comma in a path is the only thing it cannot carry, and canonical host
  // paths with commas are refused before this.
  std::string text = "type=bind,source=" + mount.source + ",destination=" + mount.target;
  if (mount.read_only) text += ",readonly=true";
  return text;
}

bool IsPullFailure(const std::string& message) {
  for (const char* word : {"image not known", "pull", "manifest unknown", "repository",
                           "unable to find image", "no such image", "reference", "registry"}) {
    if (message.find(word) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

std::vector<RunLimit> DefaultContainerUlimits() {
  // Runtimes default to limits (podman: nofile 1048576) above what an agent without
  // CAP_SYS_RESOURCE may grant, which fails every start; the agent's own hard limits do not.
  // nproc is capped lower still: runc (podman 4.3, cgroup v1) was seen refusing 65536 where the
  // agent's hard limit was 96363, and 32768 threads are plenty for one job.
  std::vector<RunLimit> limits;
  for (const auto& [name, resource, cap] :
       {std::tuple{"nofile", RLIMIT_NOFILE, rlim_t{1} << 20}, {"nproc", RLIMIT_NPROC, 32768}}) {
    rlimit limit{};
    if (::getrlimit(resource, &limit) != 0) continue;
    const auto hard = static_cast<int64_t>(std::min<rlim_t>(limit.rlim_max, cap));
    limits.push_back({name, hard, hard});
  }
  return limits;
}

std::string ContainerName(const std::string& attempt_id) { return "batchd-" + attempt_id; }

std::string PullValue(const std::string& image_pull_policy) {
  if (image_pull_policy == "Always") return "always";
  if (image_pull_policy == "Never") return "never";
  return "missing";
}

std::vector<std::string> ContainerRunCommand(const ContainerRuntime& runtime,
                                             const batch::v1::LaunchAttempt& attempt,
                                             const ContainerRunPlan& plan) {
  const batch::v1::ContainerDetail& c = attempt.container();
  std::vector<std::string> argv = runtime.Command({"run"});
  Add(argv, "--name", plan.name);
  Add(argv, "--label", std::string(kAttemptLabel) + "=" + attempt.attempt_id());
  Add(argv, "--label", std::string(kWorkDirLabel) + "=" + plan.work_dir.string());
  Add(argv, "--pull", PullValue(c.image_pull_policy()));
  Add(argv, "--env-file", plan.env_file.string());
  // The job's output goes straight to the attempt's files, with no copy kept by the runtime.
  if (runtime.is_podman()) Add(argv, "--log-driver", "passthrough");
  if (attempt.vcpus() > 0) Add(argv, "--cpus", std::to_string(attempt.vcpus()));
  if (attempt.memory_mib() > 0) {
    const std::string memory = std::to_string(attempt.memory_mib()) + "m";
    Add(argv, "--memory", memory);
    // As in AWS Batch: the memory limit is the limit, no swap beyond it.
    Add(argv, "--memory-swap", memory);
  }
  if (attempt.gpus() > 0) {
    if (runtime.is_podman()) {
      Add(argv, "--device", "nvidia.com/gpu=all");  // CDI: the host's nvidia-ctk spec
    } else {
      Add(argv, "--gpus", std::to_string(attempt.gpus()));
    }
  }
  if (!c.user().empty()) Add(argv, "--user", c.user());
  if (c.privileged()) argv.push_back("--privileged");
  if (c.readonly_root_filesystem()) argv.push_back("--read-only");
  if (!c.working_directory().empty()) Add(argv, "--workdir", c.working_directory());
  if (!c.network_mode().empty()) Add(argv, "--network", c.network_mode());
  const auto& linux = c.linux_parameters();
  if (linux.init_process_enabled()) argv.push_back("--init");
  if (linux.shared_memory_size() > 0) {
    Add(argv, "--shm-size", std::to_string(linux.shared_memory_size()) + "m");
  }
  for (const auto& tmpfs : linux.tmpfs()) {
    Add(argv, "--tmpfs",
        tmpfs.container_path() +
            (tmpfs.size() > 0 ? ":size=" + std::to_string(tmpfs.size()) + "m" : std::string()));
  }
  std::set<std::string> job_limits;
  for (const auto& u : c.ulimits()) {
    job_limits.insert(u.name());
    Add(argv, "--ulimit",
        u.name() + "=" + std::to_string(u.soft_limit()) + ":" + std::to_string(u.hard_limit()));
  }
  for (const RunLimit& limit : plan.default_ulimits) {
    if (job_limits.count(limit.name) > 0) continue;
    Add(argv, "--ulimit",
        limit.name + "=" + std::to_string(limit.soft) + ":" + std::to_string(limit.hard));
  }
  for (const BindMount& mount : plan.mounts) Add(argv, "--mount", MountOption(mount));
  argv.push_back(c.image());
  if (c.command_size() > 0) {
    argv.insert(argv.end(), c.command().begin(), c.command().end());
  } else if (!c.script().empty()) {
    argv.insert(argv.end(), {"/bin/sh", "-c", c.script()});
  }
  return argv;
}

std::string ContainerEnvFile(const batch::v1::LaunchAttempt& attempt) {
  std::set<std::string> job_names;
  for (const auto& variable : attempt.container().environment()) job_names.insert(variable.name());
  std::string text;
  for (const std::string& entry : BuildJobEnvironment(attempt, "")) {
    const std::string name = entry.substr(0, entry.find('='));
    if ((name == "PATH" || name == "HOME") && job_names.count(name) == 0) continue;
    if (entry.find('\n') != std::string::npos) {
      throw LaunchError(CannotStart("environment variable " + name +
                                    " holds a line break, which a container cannot be given"));
    }
    text += entry + "\n";
  }
  return text;
}

std::string DescribeRunFailure(const std::string& image, const std::string& pull_policy,
                               const std::string& runtime_output) {
  std::string message;
  size_t at = runtime_output.rfind("Error: ");
  if (at == std::string::npos) at = runtime_output.rfind("Error response from daemon: ");
  if (at != std::string::npos) {
    message = runtime_output.substr(at);
    message = message.substr(0, message.find('\n'));
    if (message.rfind("Error: ", 0) == 0) message = message.substr(7);
  }
  if (message.empty()) message = "the container runtime failed before the container started";
  const bool pull =
      IsPullFailure(message) || runtime_output.find("Trying to pull ") != std::string::npos;
  if (pull && pull_policy == "Never" && message.find("image not known") != std::string::npos) {
    return "CannotPullContainerError: image " + image +
           " is not present on the node and imagePullPolicy is Never";
  }
  return (pull ? "CannotPullContainerError: " : "CannotStartContainerError: ") + message;
}

}  // namespace batchd::agent
