#include "config/agent_config.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>
#include <stdexcept>

#include "config/batchd_config.h"
#include "config/yaml_fields.h"

namespace batchd::config {
namespace {

int64_t IntegerIn(const ConfigFile& file, const std::string& key, const YAML::Node& v, int64_t min,
                  int64_t max) {
  const int64_t n = file.Integer(key, v);
  if (n < min || n > max) {
    file.Fail(v, key + ": must be between " + std::to_string(min) + " and " + std::to_string(max) +
                     ", got " + std::to_string(n));
  }
  return n;
}

// ConfigFile::Visit for a nested mapping: `parent` prefixes the names in errors.
void VisitMapping(const ConfigFile& file, const std::string& parent, const YAML::Node& node,
                  const std::map<std::string, ConfigFile::Handler>& handlers) {
  if (!node.IsMap()) file.Fail(node, parent + ": expected a mapping");
  for (const auto& entry : node) {
    const YAML::Node& key = entry.first;
    if (!key.IsScalar()) file.Fail(key, parent + ": keys must be plain names");
    auto handler = handlers.find(key.Scalar());
    if (handler == handlers.end()) {
      std::vector<std::string> known;
      for (const auto& [name, _] : handlers) known.push_back(name);
      file.Fail(key, parent + ": unknown key '" + key.Scalar() +
                         "' (known keys: " + JoinWords(known) + ")");
    }
    if (entry.second.IsNull())
      file.Fail(key, parent + "." + key.Scalar() + ": a value is required");
    handler->second(entry.second);
  }
}

std::string HomeDirectory() {
  if (const char* h = std::getenv("HOME"); h != nullptr && h[0] != '\0') return h;
  if (const passwd* pw = getpwuid(geteuid()); pw != nullptr) return pw->pw_dir;
  throw std::runtime_error(
      "cannot find a home directory for the default work directory; pass --work-dir");
}

}  // namespace

AgentConfig LoadAgentConfigFile(const std::filesystem::path& path, const AgentConfig& defaults) {
  AgentConfig config = defaults;
  ConfigFile file(path);
  file.Visit({
      {"scheduler", [&](const YAML::Node& v) { config.scheduler = file.String("scheduler", v); }},
      {"token_file",
       [&](const YAML::Node& v) { config.token_file = file.String("token_file", v); }},
      {"compute_environment",
       [&](const YAML::Node& v) {
         config.compute_environment = file.String("compute_environment", v);
       }},
      {"work_dir", [&](const YAML::Node& v) { config.work_dir = file.String("work_dir", v); }},
      {"resources",
       [&](const YAML::Node& v) {
         VisitMapping(
             file, "resources", v,
             {
                 {"vcpus",
                  [&](const YAML::Node& n) {
                    config.vcpus =
                        static_cast<int>(IntegerIn(file, "resources.vcpus", n, 1, 1 << 20));
                  }},
                 {"memory_mib",
                  [&](const YAML::Node& n) {
                    config.memory_mib = IntegerIn(file, "resources.memory_mib", n, 1, 1LL << 40);
                  }},
                 {"gpus",
                  [&](const YAML::Node& n) {
                    config.gpus = static_cast<int>(IntegerIn(file, "resources.gpus", n, 0, 1024));
                  }},
             });
       }},
      {"labels",
       [&](const YAML::Node& v) {
         if (!v.IsMap()) file.Fail(v, "labels: expected a mapping of names to values");
         config.labels.clear();
         for (const auto& entry : v) {
           if (!entry.first.IsScalar() || entry.first.Scalar().empty()) {
             file.Fail(entry.first, "labels: names must be non-empty strings");
           }
           const std::string name = entry.first.Scalar();
           if (!entry.second.IsScalar())
             file.Fail(entry.second, "labels." + name + ": expected a string");
           config.labels[name] = entry.second.Scalar();
         }
       }},
      {"drain_grace_seconds",
       [&](const YAML::Node& v) {
         config.drain_grace_seconds =
             static_cast<int>(IntegerIn(file, "drain_grace_seconds", v, 0, 86400));
       }},
      {"kill_grace_seconds",
       [&](const YAML::Node& v) {
         config.kill_grace_seconds =
             static_cast<int>(IntegerIn(file, "kill_grace_seconds", v, 0, 86400));
       }},
      {"cgroups",
       [&](const YAML::Node& v) {
         config.cgroups = file.OneOf("cgroups", v, {"auto", "none"});
       }},
      {"allowed_mount_roots",
       [&](const YAML::Node& v) {
         if (!v.IsSequence()) file.Fail(v, "allowed_mount_roots: expected a list of directories");
         config.allowed_mount_roots.clear();
         for (const YAML::Node& item : v) {
           const std::string dir = file.String("allowed_mount_roots", item);
           if (dir.empty() || dir[0] != '/') {
             file.Fail(item, "allowed_mount_roots: \"" + dir + "\" is not an absolute path");
           }
           config.allowed_mount_roots.emplace_back(dir);
         }
       }},
      {"container_runtime",
       [&](const YAML::Node& v) {
         config.container_runtime =
             file.OneOf("container_runtime", v, {"auto", "podman", "docker", "none"});
       }},
      {"container_runtime_path",
       [&](const YAML::Node& v) {
         config.container_runtime_path = file.String("container_runtime_path", v);
         if (config.container_runtime_path.empty() || config.container_runtime_path[0] != '/') {
           file.Fail(v, "container_runtime_path: \"" + config.container_runtime_path +
                            "\" is not an absolute path");
         }
       }},
      {"container_oci_runtime",
       [&](const YAML::Node& v) {
         config.container_oci_runtime = file.String("container_oci_runtime", v);
       }},
      {"log_level",
       [&](const YAML::Node& v) { config.log_level = file.OneOf("log_level", v, LogLevels()); }},
  });
  return config;
}

std::filesystem::path DefaultAgentWorkDir() {
  if (geteuid() == 0) return "/var/lib/batch-agent";
  // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && xdg[0] == '/') {
    return std::filesystem::path(xdg) / "batch-agent";
  }
  return std::filesystem::path(HomeDirectory()) / ".local/share/batch-agent";
}

}  // namespace batchd::config
