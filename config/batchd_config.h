#pragma once
// batchd's configuration: what the YAML file (--config) may say. Command-line flags override
// it (scheduler/server/options.h).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace batchd::config {

struct BatchdConfig {
  std::string listen = "127.0.0.1:7100";
  // Empty: batchd runs its own PostgreSQL under <data_dir>/postgres.
  std::string database_url;
  // Empty: DefaultBatchdDataDir().
  std::filesystem::path data_dir;
  std::string log_level = "info";

  // Join tokens agents must present. With none here and no token file, batchd generates one
  // into <data_dir>/agent-token (what the agents it starts itself use).
  std::vector<std::string> agent_tokens;
  std::filesystem::path agent_token_file;  // one token per line

  // The scheduler's event loop.
  int node_lease_seconds = 30;  // a node silent this long is LOST; its attempts are retried
  int heartbeat_seconds = 5;
  int kill_grace_seconds = 10;            // SIGTERM to SIGKILL on timeout and terminate
  int64_t log_limit_bytes = 1 << 20;      // per attempt and stream; the rest is dropped
  int max_infrastructure_retries = 5;     // free retries after node loss, per job
  std::string unplaceable_jobs = "fail";  // fail | wait: jobs no compute environment can fit

  // Submission limits (AWS stops at 10,000 children and 20 dependencies).
  int max_array_size = 100000;
  int max_depends_on = 1000;
};

// Keys: the fields above, by name (agent_tokens is a list). Throws std::runtime_error naming the
// file, the line and the key on an unknown key, a wrong type or a bad log level. Keys the file
// leaves out keep the values of `defaults`.
BatchdConfig LoadBatchdConfigFile(const std::filesystem::path& path,
                                  const BatchdConfig& defaults = {});

// The log levels batchd accepts, most verbose first.
const std::vector<std::string>& LogLevels();
// Throws std::runtime_error listing LogLevels() when `level` is not one of them.
void ValidateLogLevel(const std::string& level);

// /var/lib/batchd for root; otherwise $XDG_DATA_HOME/batchd or ~/.local/share/batchd.
std::filesystem::path DefaultBatchdDataDir();

}  // namespace batchd::config
