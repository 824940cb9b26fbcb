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
  });
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
