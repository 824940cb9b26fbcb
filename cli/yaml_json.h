#pragma once
// YAML written by people <-> the JSON documents the States Language works on. State machine
// definitions may be written in YAML (inline in a resource file or on their own), but they are
// checked, stored and sent as JSON, so the conversion must not change any value: key order is
// kept and scalars are typed by the YAML 1.2 core schema ("1" quoted stays a string, 1 is a
// number, yes is a string).
#include <stdexcept>
#include <string>

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

namespace batchd::cli {

// A YAML value with no JSON form: a duplicate or non-scalar mapping key, .inf or .nan, a core
// tag (!!int, !!bool, ...) on text that is not of that type.
class YamlJsonError : public std::runtime_error {
 public:
  YamlJsonError(int line, const std::string& message) : std::runtime_error(message), line_(line) {}
  int line() const { return line_; }  // 1-based line of the offending node in the YAML

 private:
  int line_;
};

// Mappings become objects (in the order written), sequences arrays. A plain scalar is null,
// a bool, an integer or a float when it has that core-schema form, else a string; quoted and
// block scalars, and scalars with any tag but the core ones, are strings. Aliases are expanded.
nlohmann::ordered_json YamlToJson(const YAML::Node& node);

// Block-style YAML that YamlToJson reads back as the same JSON: strings that would read as
// something else ("1", "true", "null", "") are quoted.
std::string JsonToYaml(const nlohmann::ordered_json& value);

}  // namespace batchd::cli
