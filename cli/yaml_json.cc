#include "cli/yaml_json.h"

#include <charconv>
#include <cstdint>
#include <optional>
#include <regex>
#include <set>
#include <string_view>

namespace batchd::cli {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kCoreTag = "tag:yaml.org,2002:";

int LineOf(const YAML::Node& node, int fallback) {
  return node.Mark().is_null() ? fallback : node.Mark().line + 1;
}

bool IsNullText(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

std::optional<bool> BoolText(std::string_view s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

bool Matches(const std::string& s, const std::regex& pattern) {
  return std::regex_match(s, pattern);
}

bool IsIntText(const std::string& s) {
  static const std::regex kInt(R"([-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)");
  return Matches(s, kInt);
}

bool IsFloatText(const std::string& s) {
  static const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  return Matches(s, kFloat);
}

bool IsInfOrNanText(const std::string& s) {
  static const std::regex kSpecial(R"([-+]?(\.inf|\.Inf|\.INF)|\.nan|\.NaN|\.NAN)");
  return Matches(s, kSpecial);
}

[[noreturn]] void NoJsonForm(int line, const std::string& text, const std::string& why) {
  throw YamlJsonError(line, "\"" + text + "\" " + why);
}

Json ToFloat(const std::string& text, int line) {
  std::string_view digits = text;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  double value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    NoJsonForm(line, text, "is too large for a JSON number");
  }
  return value;
}

// As JSON parsers do: int64 when it fits, else uint64, else (decimal only) a double.
Json ToInteger(const std::string& text, int line) {
  std::string_view digits = text;
  int base = 10;
  if (digits.starts_with("0o") || digits.starts_with("0x")) {
    base = digits[1] == 'o' ? 8 : 16;
    digits.remove_prefix(2);
  } else if (!digits.empty() && digits.front() == '+') {
    digits.remove_prefix(1);
  }
  const char* first = digits.data();
  const char* last = first + digits.size();
  int64_t signed_value = 0;
  if (auto r = std::from_chars(first, last, signed_value, base);
      r.ec == std::errc() && r.ptr == last) {
    return signed_value;
  }
  uint64_t unsigned_value = 0;
  if (auto r = std::from_chars(first, last, unsigned_value, base);
      r.ec == std::errc() && r.ptr == last) {
    return unsigned_value;
  }
  if (base != 10) NoJsonForm(line, text, "is too large for a JSON integer");
  return ToFloat(text, line);
}

// The core schema's resolution of an untagged plain scalar.
Json ResolvePlain(const std::string& text, int line) {
  if (IsNullText(text)) return nullptr;
  if (auto b = BoolText(text)) return *b;
  if (IsIntText(text)) return ToInteger(text, line);
  if (IsFloatText(text)) return ToFloat(text, line);
  if (IsInfOrNanText(text)) NoJsonForm(line, text, "(infinity or NaN) has no JSON form");
  return text;
}

Json ScalarToJson(const YAML::Node& node, int line) {
  const std::string& tag = node.Tag();
  const std::string& text = node.Scalar();
  // yaml-cpp marks untagged plain scalars "?" and quoted or block ones "!".
  if (tag == "?") return ResolvePlain(text, line);
  if (!tag.starts_with(kCoreTag)) return text;
  const std::string_view type = std::string_view(tag).substr(kCoreTag.size());
  if (type == "null") {
    if (!IsNullText(text)) NoJsonForm(line, text, "is tagged !!null but is not null");
    return nullptr;
  }
  if (type == "bool") {
    auto b = BoolText(text);
    if (!b) NoJsonForm(line, text, "is tagged !!bool but is not true or false");
    return *b;
  }
  if (type == "int") {
    if (!IsIntText(text)) NoJsonForm(line, text, "is tagged !!int but is not an integer");
    return ToInteger(text, line);
  }
  if (type == "float") {
    if (IsInfOrNanText(text)) NoJsonForm(line, text, "(infinity or NaN) has no JSON form");
    // Decimal integers match the float form too; 0o and 0x ones do not.
    if (IsFloatText(text)) return ToFloat(text, line);
    if (IsIntText(text)) return Json(ToInteger(text, line).get<double>());
    NoJsonForm(line, text, "is tagged !!float but is not a number");
  }
  return text;
}

Json Convert(const YAML::Node& node, int parent_line) {
  const int line = LineOf(node, parent_line);
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      // "!!str" with no text is the empty string; every other empty value is null.
      return node.Tag() == std::string(kCoreTag) + "str" ? Json("") : Json(nullptr);
    case YAML::NodeType::Scalar:
      return ScalarToJson(node, line);
    case YAML::NodeType::Sequence: {
      Json array = Json::array();
      for (const auto& element : node) array.push_back(Convert(element, line));
      return array;
    }
    case YAML::NodeType::Map: {
      Json object = Json::object();
      for (const auto& kv : node) {
        const int key_line = LineOf(kv.first, line);
        if (!kv.first.IsScalar()) {
          throw YamlJsonError(key_line, "a mapping key must be a string (JSON has no other keys)");
        }
        const std::string& key = kv.first.Scalar();
        // YAML forbids equal keys; JSON readers would silently keep one of them.
        if (object.contains(key)) throw YamlJsonError(key_line, "duplicate key \"" + key + "\"");
        object[key] = Convert(kv.second, key_line);
      }
      return object;
    }
  }
  return nullptr;
}

void Emit(YAML::Emitter& out, const Json& value) {
  switch (value.type()) {
    case Json::value_t::object:
      // Block style would put an empty one alone on the next line.
      if (value.empty()) out << YAML::Flow;
      out << YAML::BeginMap;
      for (const auto& [key, member] : value.items()) {
        out << YAML::Key;
        Emit(out, Json(key));
        out << YAML::Value;
        Emit(out, member);
      }
      out << YAML::EndMap;
      return;
    case Json::value_t::array:
      if (value.empty()) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const auto& element : value) Emit(out, element);
      out << YAML::EndSeq;
      return;
    case Json::value_t::string: {
      const std::string& text = value.get_ref<const std::string&>();
      bool plain_is_string = false;
      try {
        plain_is_string = ResolvePlain(text, 0).is_string();
      } catch (const YamlJsonError&) {
        // ".inf" written plain would not read back as this string either.
      }
      if (!plain_is_string) out << YAML::DoubleQuoted;
      out << text;
      return;
    }
    case Json::value_t::null:
      out << YAML::Null;
      return;
    case Json::value_t::boolean:
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
    case Json::value_t::binary:
    case Json::value_t::discarded:
      // dump() is JSON's shortest exact form, which the core schema reads back the same.
      out << value.dump();
      return;
  }
}

}  // namespace

Json YamlToJson(const YAML::Node& node) { return Convert(node, 1); }

std::string JsonToYaml(const Json& value) {
  YAML::Emitter out;
  Emit(out, value);
  return std::string(out.c_str()) + "\n";
}

}  // namespace batchd::cli
