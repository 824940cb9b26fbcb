#pragma once
// batch-agent's configuration: what the YAML file (--config) may say. Command-line flags
// override it (agent/agent_options.h).
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace batchd::config {

struct AgentConfig {
  std::string scheduler;  // batchd's address, HOST:PORT
  // The join token lives in a file so that it never shows in a process listing.
  std::filesystem::path token_file;
  std::string compute_environment;
  // Empty: DefaultAgentWorkDir().
  std::filesystem::path work_dir;
  // What the agent offers; unset ones are detected from the machine.
  std::optional<int> vcpus;
  std::optional<int64_t> memory_mib;
  std::optional<int> gpus;
  std::map<std::string, std::string> labels;
  // On SIGTERM or a Drain from batchd: how long running attempts may go on before they are
  // killed.
  int drain_grace_seconds = 60;
  // SIGTERM to SIGKILL when an attempt is killed without a grace of its own.
  int kill_grace_seconds = 10;
  std::string cgroups = "auto";  // auto | none
  std::vector<std::filesystem::path> allowed_mount_roots;
  // What runs jobs with an image: auto (podman, else docker, whichever works) | podman |
  // docker | none; the CLI's path (empty = found in PATH); podman's OCI runtime (empty = runc
  // when installed).
  std::string container_runtime = "auto";
  std::string container_runtime_path;
  std::string container_oci_runtime;
  std::string log_level = "info";
};

// Keys: scheduler, token_file, compute_environment, work_dir, resources (a mapping of vcpus,
// memory_mib, gpus), labels (a mapping), drain_grace_seconds, kill_grace_seconds, cgroups,
// allowed_mount_roots (a list), container_runtime, container_runtime_path,
// container_oci_runtime, log_level. Throws std::runtime_error naming the file, the line
// and the key on an unknown key, a wrong type or an out-of-range value. Keys the file leaves
// out keep the values of `defaults`.
AgentConfig LoadAgentConfigFile(const std::filesystem::path& path,
                                const AgentConfig& defaults = {});

// /var/lib/batch-agent for root; otherwise $XDG_DATA_HOME/batch-agent or
// ~/.local/share/batch-agent.
std::filesystem::path DefaultAgentWorkDir();

}  // namespace batchd::config
