#pragma once
// The JSON and YAML forms of API messages. JSON is AWS Batch's: camelCase names, enum names,
// timestamps as numbers (epoch ms), default values left out.
#include <string>
#include <string_view>

#include <google/protobuf/message.h>
#include <yaml-cpp/yaml.h>

namespace batchd::api {

std::string ToJson(const google::protobuf::Message& msg, bool pretty = true);
// Block-style YAML with the same keys and values as ToJson.
std::string ToYaml(const google::protobuf::Message& msg);

// Parses the JSON form; throws INVALID_ARGUMENT saying what is wrong.
void FromJson(std::string_view json, google::protobuf::Message* out);

// Fills `out` from a YAML mapping whose keys are the message's JSON names (or proto names).
// Keys listed in `ignored_keys` (e.g. "kind") are skipped. Unknown keys, wrong types and bad
// enum values throw INVALID_ARGUMENT with the YAML line number and the field path.
void FromYaml(const YAML::Node& node, google::protobuf::Message* out,
              const std::vector<std::string>& ignored_keys = {});

}  // namespace batchd::api
