#include "agent/agent_options.h"

#include <CLI/CLI.hpp>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "api/text.h"
#include "config/agent_config.h"
#include "config/batchd_config.h"
#include "config/yaml_fields.h"

namespace batchd::agent {

ParsedCommandLine ParseCommandLine(int argc, const char* const* argv) {
  ParsedCommandLine parsed;
  CommandLine& f = parsed.flags;
  CLI::App app("batch-agent: runs batchd's jobs on this machine", "batch-agent");
  // A later flag wins over an earlier one, as with most Unix tools (and wrapper scripts).
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--config", f.config_file,
                 "YAML config file (keys: scheduler, token_file, compute_environment, work_dir, "
                 "resources, labels, drain_grace_seconds, kill_grace_seconds, cgroups, "
                 "allowed_mount_roots, container_runtime, container_runtime_path, "
                 "container_oci_runtime, log_level); flags override it");
  app.add_option("--scheduler", f.scheduler, "batchd's address, HOST:PORT");
  app.add_option("--token-file", f.token_file,
                 "file holding the join token (kept out of the command line on purpose)");
  app.add_option("--compute-environment", f.compute_environment,
                 "the compute environment this node joins");
  app.add_option("--work-dir", f.work_dir,
                 "state directory: attempts, their logs, the node id (default "
                 "/var/lib/batch-agent as root, else ~/.local/share/batch-agent)");
  app.add_option("--vcpus", f.vcpus, "vCPUs to offer (default: detected)")
      ->check(CLI::Range(1, 1 << 20));
  app.add_option("--memory-mib", f.memory_mib, "memory to offer, MiB (default: detected)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
  app.add_option("--gpus", f.gpus, "GPUs to offer (default: detected with nvidia-smi)")
      ->check(CLI::Range(0, 1024));
  app.add_option("--label", f.labels, "a node label, KEY=VALUE (repeatable)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--container-runtime", f.container_runtime,
                 "what runs jobs with an image: auto (default), podman, docker or none")
      ->check(CLI::IsMember({"auto", "podman", "docker", "none"}));
  app.add_option("--log-level", f.log_level,
                 "one of " + config::JoinWords(config::LogLevels()) + " (default info)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::ostringstream out, err;
    const int code = app.exit(e, out, err);
    parsed.exit_code = code == 0 ? 0 : kStartupErrorExit;
    parsed.message = out.str() + err.str();
  }
  return parsed;
}

void ValidateSchedulerAddress(const std::string& address) {
  const auto bad = [&](const std::string& why) {
    throw std::runtime_error("scheduler address \"" + address + "\" " + why +
                             " (expected HOST:PORT, e.g. batchd.example.com:7100)");
  };
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) bad("has no host");
  const std::string port = address.substr(colon + 1);
  int value = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || value < 1 ||
      value > 65535) {
    bad("has no valid port");
  }
}

std::string ReadJoinToken(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read the token file " + file.string() + ": " +
                             std::strerror(errno));
  }
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) throw std::runtime_error("cannot read the token file " + file.string());
  std::string token = api::Trimmed(text.str());
  if (token.empty()) throw std::runtime_error("the token file " + file.string() + " is empty");
  return token;
}

AgentOptions ResolveOptions(const CommandLine& flags,
                            const std::function<MachineResources()>& detect) {
  config::AgentConfig cfg;
  if (!flags.config_file.empty()) cfg = config::LoadAgentConfigFile(flags.config_file);
  if (flags.scheduler) cfg.scheduler = *flags.scheduler;
  if (flags.token_file) cfg.token_file = *flags.token_file;
  if (flags.compute_environment) cfg.compute_environment = *flags.compute_environment;
  if (flags.work_dir) cfg.work_dir = *flags.work_dir;
  if (flags.vcpus) cfg.vcpus = *flags.vcpus;
  if (flags.memory_mib) cfg.memory_mib = *flags.memory_mib;
  if (flags.gpus) cfg.gpus = *flags.gpus;
  if (flags.log_level) cfg.log_level = *flags.log_level;
  for (const std::string& label : flags.labels) {
    const size_t eq = label.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw std::runtime_error("--label \"" + label + "\" is not KEY=VALUE");
    }
    cfg.labels[label.substr(0, eq)] = label.substr(eq + 1);
  }

  if (cfg.scheduler.empty()) {
    throw std::runtime_error(
        "no scheduler address: pass --scheduler HOST:PORT or set scheduler in the config file");
  }
  ValidateSchedulerAddress(cfg.scheduler);
  if (cfg.token_file.empty()) {
    throw std::runtime_error(
        "no join token: pass --token-file FILE or set token_file in the config file");
  }
  config::ValidateLogLevel(cfg.log_level);

  AgentOptions options;
  options.scheduler = cfg.scheduler;
  options.join_token = ReadJoinToken(cfg.token_file);
  options.compute_environment = cfg.compute_environment;
  options.work_dir = cfg.work_dir.empty() ? config::DefaultAgentWorkDir() : cfg.work_dir;
  options.work_dir = std::filesystem::absolute(options.work_dir).lexically_normal();
  if (!cfg.vcpus || !cfg.memory_mib || !cfg.gpus) {
    const MachineResources machine = detect();
    if (!cfg.vcpus) cfg.vcpus = machine.vcpus;
    if (!cfg.memory_mib) cfg.memory_mib = machine.memory_mib;
    if (!cfg.gpus) cfg.gpus = machine.gpus;
  }
  options.vcpus = *cfg.vcpus;
  options.memory_mib = *cfg.memory_mib;
  options.gpus = *cfg.gpus;
  options.labels = cfg.labels;
  options.drain_grace_seconds = cfg.drain_grace_seconds;
  options.kill_grace_seconds = cfg.kill_grace_seconds;
  options.cgroups = cfg.cgroups;
  options.allowed_mount_roots = cfg.allowed_mount_roots;
  options.container_runtime = {flags.container_runtime.value_or(cfg.container_runtime),
                               cfg.container_runtime_path, cfg.container_oci_runtime};
  options.log_level = cfg.log_level;
  return options;
}

}  // namespace batchd::agent
