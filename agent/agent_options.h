#pragma once
// batch-agent's command line, and how it combines with the config file and the machine: flags
// win over the file, the file over what the machine offers and the defaults.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/executor/container_runtime.h"
#include "agent/resources.h"

namespace batchd::agent {

// What goes wrong before the agent runs (bad flags, config, token file): exit code 2.
inline constexpr int kStartupErrorExit = 2;

struct CommandLine {
  std::string config_file;  // empty = none
  std::optional<std::string> scheduler;
  std::optional<std::string> token_file;
  std::optional<std::string> compute_environment;
  std::optional<std::string> work_dir;
  std::optional<int> vcpus;
  std::optional<int64_t> memory_mib;
  std::optional<int> gpus;
  std::vector<std::string> labels;  // "key=value"
  std::optional<std::string> container_runtime;
  std::optional<std::string> log_level;
};

struct ParsedCommandLine {
  CommandLine flags;
  // Set when the agent must exit at once (--help: 0; a usage error: kStartupErrorExit) after
  // printing `message`.
  std::optional<int> exit_code;
  std::string message;
};

ParsedCommandLine ParseCommandLine(int argc, const char* const* argv);

struct AgentOptions {
  std::string scheduler;   // HOST:PORT
  std::string join_token;  // a secret: never log it
  std::string compute_environment;
  std::filesystem::path work_dir;  // absolute
  int vcpus = 0;
  int64_t memory_mib = 0;
  int gpus = 0;
  std::map<std::string, std::string> labels;
  int drain_grace_seconds = 60;
  int kill_grace_seconds = 10;
  std::string cgroups = "auto";
  std::vector<std::filesystem::path> allowed_mount_roots;
  ContainerRuntimeSettings container_runtime;
  // What the agent advertises: the runtime found at start (program.cc), if any.
  std::vector<std::string> container_runtimes;
  std::string log_level = "info";
};

// Loads the config file (if any), applies the flags, reads the join token, fills in what the
// machine offers where neither says, and validates. Throws std::runtime_error with a message fit
// for the log (it never contains the token).
AgentOptions ResolveOptions(const CommandLine& flags,
                            const std::function<MachineResources()>& detect = DetectResources);

// The token in `file`, surrounding whitespace trimmed. Throws when the file cannot be read or
// holds nothing.
std::string ReadJoinToken(const std::filesystem::path& file);

// "HOST:PORT" with a port from 1 to 65535; IPv6 hosts in brackets. Throws otherwise.
void ValidateSchedulerAddress(const std::string& address);

}  // namespace batchd::agent
