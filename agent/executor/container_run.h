#pragma once
// What an image job becomes: the runtime's `run` command line, built from the LaunchAttempt.
// Pure functions (no runtime needed), so every mapping is unit-tested.
//
// The job's environment never goes on the command line (a process listing would show its
// secrets): it is written to an env file in the attempt dir, mode 0600.
#include <filesystem>
#include <string>
#include <vector>

#include "agent/executor/container_runtime.h"
#include "agent/executor/mounts.h"
#include "batch/v1/agent_service.pb.h"

namespace batchd::agent {

// Labels on every container, so that a restarted agent finds the ones it started.
inline constexpr char kAttemptLabel[] = "batchd.attempt";
inline constexpr char kWorkDirLabel[] = "batchd.work_dir";

struct RunLimit {
  std::string name;  // nofile, nproc, ...
  int64_t soft = 0;
  int64_t hard = 0;
};

struct ContainerRunPlan {
  std::string name;                // ContainerName(attempt id)
  std::filesystem::path env_file;  // where the environment is (see ContainerEnvFile)
  std::filesystem::path work_dir;  // the agent's, for the label
  std::vector<BindMount> mounts;   // host sources checked (ResolveContainerMounts)
  // Ulimits the container gets unless the job sets them: a runtime's own defaults may exceed
  // what the agent itself may grant (the hard limits without CAP_SYS_RESOURCE).
  std::vector<RunLimit> default_ulimits;
};

std::string ContainerName(const std::string& attempt_id);

// nofile and nproc at the agent's own hard limits (at most 2^20), for default_ulimits.
std::vector<RunLimit> DefaultContainerUlimits();

// The runtime's --pull value for the job's imagePullPolicy (IfNotPresent when empty).
std::string PullValue(const std::string& image_pull_policy);

// The whole argv: runtime, global options, run and its options, image, command.
std::vector<std::string> ContainerRunCommand(const ContainerRuntime& runtime,
                                             const batch::v1::LaunchAttempt& attempt,
                                             const ContainerRunPlan& plan);

// The env file's contents: the job's variables and the BATCH_*/AWS_BATCH_* ones, one
// NAME=value a line. PATH and HOME come from the image unless the job sets them. Throws
// LaunchError for a value with a newline, which an env file cannot carry.
std::string ContainerEnvFile(const batch::v1::LaunchAttempt& attempt);

// How a run that never started its container failed, from the runtime's last "Error:" line:
// "CannotPullContainerError: ..." when the image could not be had, otherwise
// "CannotStartContainerError: ...".
std::string DescribeRunFailure(const std::string& image, const std::string& pull_policy,
                               const std::string& runtime_output);

}  // namespace batchd::agent
