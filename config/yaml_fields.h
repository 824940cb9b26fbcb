#pragma once
// Reading typed fields from a YAML configuration file with errors that name the file, the
// line and the key — shared by the configs of batchd, batch-agent and batchctl.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace batchd::config {

class ConfigFile {
 public:
  // Loads `path`; its top level must be a mapping (an empty file is an empty mapping).
  // Throws std::runtime_error "<path>: ..." when it cannot be read or parsed.
  explicit ConfigFile(std::filesystem::path path);

  using Handler = std::function<void(const YAML::Node& value)>;
  // Calls the handler of each key present, in file order; a key with no handler is an error
  // that lists the known keys.
  void Visit(const std::map<std::string, Handler>& handlers) const;

  // Typed readers for handlers; they throw with file:line on a wrong type.
  std::string String(const std::string& key, const YAML::Node& value) const;
  int64_t Integer(const std::string& key, const YAML::Node& value) const;
  bool Bool(const std::string& key, const YAML::Node& value) const;
  // One of `allowed`; the error lists them.
  std::string OneOf(const std::string& key, const YAML::Node& value,
                    const std::vector<std::string>& allowed) const;

  [[noreturn]] void Fail(const YAML::Node& at, const std::string& message) const;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  YAML::Node root_;
};

std::string JoinWords(const std::vector<std::string>& words);

}  // namespace batchd::config
