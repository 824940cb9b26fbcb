#include "config/batchd_config.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

#include "config/yaml_fields.h"

namespace batchd::config {

const std::vector<std::string>& LogLevels() {
  static const std::vector<std::string> levels = {"trace", "debug",    "info", "warn",
                                                  "error", "critical", "off"};
  return levels;
}

void ValidateLogLevel(const std::string& level) {
  for (const std::string& l : LogLevels()) {
    if (l == level) return;
  }
  throw std::runtime_error("log level \"" + level + "\" is not one of " + JoinWords(LogLevels()));
}

namespace {

int PositiveInt(const ConfigFile& file, const std::string& key, const YAML::Node& v) {
  const int64_t n = file.Integer(key, v);
  if (n < 1 || n > 86400) file.Fail(v, key + ": must be between 1 and 86400");
  return static_cast<int>(n);
}

}  // namespace

BatchdConfig LoadBatchdConfigFile(const std::filesystem::path& path, const BatchdConfig& defaults) {
  BatchdConfig config = defaults;
  ConfigFile file(path);
  file.Visit({
      {"listen", [&](const YAML::Node& v) { config.listen = file.String("listen", v); }},
      {"database_url",
       [&](const YAML::Node& v) { config.database_url = file.String("database_url", v); }},
      {"data_dir", [&](const YAML::Node& v) { config.data_dir = file.String("data_dir", v); }},
      {"log_level",
       [&](const YAML::Node& v) { config.log_level = file.OneOf("log_level", v, LogLevels()); }},
      {"agent_tokens",
       [&](const YAML::Node& v) {
         if (!v.IsSequence()) file.Fail(v, "agent_tokens: must be a list of tokens");
         config.agent_tokens.clear();
         for (const YAML::Node& item : v) {
           // The value is a secret: the error names the key and line, never the value.
           if (!item.IsScalar() || item.Scalar().empty()) {
             file.Fail(item, "agent_tokens: each entry must be a non-empty string");
           }
           config.agent_tokens.push_back(item.Scalar());
         }
       }},
      {"agent_token_file",
       [&](const YAML::Node& v) { config.agent_token_file = file.String("agent_token_file", v); }},
      {"node_lease_seconds",
       [&](const YAML::Node& v) {
         config.node_lease_seconds = PositiveInt(file, "node_lease_seconds", v);
       }},
      {"heartbeat_seconds",
       [&](const YAML::Node& v) {
         config.heartbeat_seconds = PositiveInt(file, "heartbeat_seconds", v);
       }},
      {"kill_grace_seconds",
       [&](const YAML::Node& v) {
         config.kill_grace_seconds = PositiveInt(file, "kill_grace_seconds", v);
       }},
      {"log_limit_bytes",
       [&](const YAML::Node& v) {
         config.log_limit_bytes = file.Integer("log_limit_bytes", v);
         if (config.log_limit_bytes < 0)
           file.Fail(v, "log_limit_bytes: must be 0 (no limit) or more");
       }},
      {"max_infrastructure_retries",
       [&](const YAML::Node& v) {
         config.max_infrastructure_retries =
             static_cast<int>(file.Integer("max_infrastructure_retries", v));
         if (config.max_infrastructure_retries < 0) {
           file.Fail(v, "max_infrastructure_retries: must be 0 or more");
         }
       }},
      {"max_array_size",
       [&](const YAML::Node& v) {
         const int64_t n = file.Integer("max_array_size", v);
         if (n < 2 || n > 10'000'000)
           file.Fail(v, "max_array_size: must be between 2 and 10000000");
         config.max_array_size = static_cast<int>(n);
       }},
      {"max_depends_on",
       [&](const YAML::Node& v) {
         const int64_t n = file.Integer("max_depends_on", v);
         if (n < 1 || n > 100'000) file.Fail(v, "max_depends_on: must be between 1 and 100000");
         config.max_depends_on = static_cast<int>(n);
       }},
      {"unplaceable_jobs",
       [&](const YAML::Node& v) {
         config.unplaceable_jobs = file.OneOf("unplaceable_jobs", v, {"fail", "wait"});
       }},
  });
  if (config.heartbeat_seconds >= config.node_lease_seconds) {
    throw std::runtime_error(file.path().string() +
                             ": heartbeat_seconds must be less than node_lease_seconds");
  }
  return config;
}

std::filesystem::path DefaultBatchdDataDir() {
  if (geteuid() == 0) return "/var/lib/batchd";
  // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && xdg[0] == '/') {
    return std::filesystem::path(xdg) / "batchd";
  }
  std::string home;
  if (const char* h = std::getenv("HOME"); h != nullptr && h[0] != '\0') {
    home = h;
  } else if (const passwd* pw = getpwuid(geteuid()); pw != nullptr) {
    home = pw->pw_dir;
  } else {
    throw std::runtime_error("cannot find a home directory for the default data directory; " +
                             std::string("pass --data-dir"));
  }
  return std::filesystem::path(home) / ".local/share/batchd";
}

}  // namespace batchd::config
