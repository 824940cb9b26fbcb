#pragma once
// batchd's command line, and how it combines with the config file: flags win over the file,
// the file over the defaults.
#include <optional>
#include <string>

#include "config/batchd_config.h"

namespace batchd::server {

struct CommandLine {
  std::string config_file;  // empty = none
  std::optional<std::string> listen;
  std::optional<std::string> database_url;
  std::optional<std::string> data_dir;
  std::optional<std::string> log_level;
  std::optional<std::string> agent_token_file;
};

struct ParsedCommandLine {
  CommandLine flags;
  // Set when batchd must exit at once (--help: 0; a usage error: 1) after printing `message`.
  std::optional<int> exit_code;
  std::string message;
};

ParsedCommandLine ParseCommandLine(int argc, const char* const* argv);

// Loads the config file (if any), applies the flags, fills the default data directory (made
// absolute) and validates. Throws std::runtime_error with a message fit for the log.
config::BatchdConfig ResolveConfig(const CommandLine& flags);

// "HOST:PORT" with a numeric port (0 = any free port); IPv6 hosts in brackets.
void ValidateListenAddress(const std::string& listen);

}  // namespace batchd::server
