#include "config/yaml_fields.h"

#include <charconv>
#include <stdexcept>

namespace batchd::config {

std::string JoinWords(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

ConfigFile::ConfigFile(std::filesystem::path path) : path_(std::move(path)) {
  try {
    root_ = YAML::LoadFile(path_.string());
  } catch (const YAML::BadFile&) {
    throw std::runtime_error(path_.string() + ": cannot read the configuration file");
  } catch (const YAML::ParserException& e) {
    throw std::runtime_error(path_.string() + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (root_.IsNull()) root_ = YAML::Node(YAML::NodeType::Map);
  if (!root_.IsMap()) Fail(root_, "expected a mapping of keys to values at the top level");
}

void ConfigFile::Fail(const YAML::Node& at, const std::string& message) const {
  const YAML::Mark mark = at.Mark();
  std::string where = path_.string();
  if (!mark.is_null()) where += ":" + std::to_string(mark.line + 1);
  throw std::runtime_error(where + ": " + message);
}

void ConfigFile::Visit(const std::map<std::string, Handler>& handlers) const {
  for (const auto& entry : root_) {
    const YAML::Node& key = entry.first;
    if (!key.IsScalar()) Fail(key, "keys must be plain names");
    auto handler = handlers.find(key.Scalar());
    if (handler == handlers.end()) {
      std::vector<std::string> known;
      for (const auto& [name, _] : handlers) known.push_back(name);
      Fail(key, "unknown key '" + key.Scalar() + "' (known keys: " + JoinWords(known) + ")");
    }
    // A key with nothing after the colon has no mark of its own; point at the key.
    if (entry.second.IsNull()) Fail(key, key.Scalar() + ": a value is required");
    handler->second(entry.second);
  }
}

std::string ConfigFile::String(const std::string& key, const YAML::Node& value) const {
  if (!value.IsScalar()) Fail(value, key + ": expected a string");
  return value.Scalar();
}

int64_t ConfigFile::Integer(const std::string& key, const YAML::Node& value) const {
  const std::string s = String(key, value);
  int64_t out = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    Fail(value, key + ": expected an integer, got \"" + s + "\"");
  }
  return out;
}

bool ConfigFile::Bool(const std::string& key, const YAML::Node& value) const {
  const std::string s = String(key, value);
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  Fail(value, key + ": expected true or false, got \"" + s + "\"");
}

std::string ConfigFile::OneOf(const std::string& key, const YAML::Node& value,
                              const std::vector<std::string>& allowed) const {
  const std::string s = String(key, value);
  for (const std::string& a : allowed) {
    if (s == a) return s;
  }
  Fail(value, key + ": \"" + s + "\" is not one of " + JoinWords(allowed));
}

}  // namespace batchd::config
