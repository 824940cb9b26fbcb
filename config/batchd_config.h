#pragma once
// batchd's configuration: what the YAML file (--config) may say. Command-line flags override
// it (scheduler/server/options.h).
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
};

// Keys: listen, database_url, data_dir, log_level. Throws std::runtime_error naming the file,
// the line and the key on an unknown key, a wrong type or a bad log level. Keys the file
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
