// FromYaml: fills a message from YAML, guided by the message's descriptor, so that every
// error can name the YAML line and the field path.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include <google/protobuf/descriptor.h>

#include "api/api_error.h"
#include "api/json_yaml.h"

namespace batchd::api {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

[[noreturn]] void Fail(const YAML::Node& node, const std::string& path, const std::string& what) {
  std::string where =
      node.Mark().is_null() ? "" : "line " + std::to_string(node.Mark().line + 1) + ": ";
  throw ApiError(ErrorCode::kInvalidArgument, where + (path.empty() ? "" : path + ": ") + what);
}

std::string Join(const std::string& path, const std::string& name) {
  return path.empty() ? name : path + "." + name;
}

template <typename T>
T ParseInteger(const YAML::Node& node, const std::string& path) {
  const std::string& s = node.Scalar();
  T value{};
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec == std::errc::result_out_of_range) Fail(node, path, "integer out of range: " + s);
  if (ec != std::errc() || ptr != s.data() + s.size())
    Fail(node, path, "expected an integer, got \"" + s + "\"");
  return value;
}

double ParseDouble(const YAML::Node& node, const std::string& path) {
  const std::string& s = node.Scalar();
  double value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(value)) {
    Fail(node, path, "expected a number, got \"" + s + "\"");
  }
  return value;
}

bool ParseBool(const YAML::Node& node, const std::string& path) {
  const std::string& s = node.Scalar();
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  Fail(node, path, "expected true or false, got \"" + s + "\"");
}

const google::protobuf::EnumValueDescriptor* ParseEnum(const YAML::Node& node,
                                                       const FieldDescriptor* f,
                                                       const std::string& path) {
  const auto* type = f->enum_type();
  std::string s = node.Scalar();
  const auto* v = type->FindValueByName(s);
  if (v == nullptr) {
    // AWS accepts some enum values in any case (e.g. RetryAction); so do we, everywhere.
    for (int i = 0; i < type->value_count() && v == nullptr; ++i) {
      const std::string& name = type->value(i)->name();
      if (name.size() == s.size() &&
          std::equal(name.begin(), name.end(), s.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) ==
                   std::tolower(static_cast<unsigned char>(b));
          })) {
        v = type->value(i);
      }
    }
  }
  if (v == nullptr || v->number() == 0) {
    std::string allowed;
    for (int i = 1; i < type->value_count(); ++i) {
      if (!allowed.empty()) allowed += ", ";
      allowed += type->value(i)->name();
    }
    Fail(node, path, "\"" + s + "\" is not one of " + allowed);
  }
  return v;
}

const FieldDescriptor* FieldByJsonName(const google::protobuf::Descriptor* desc,
                                       const std::string& name) {
  for (int i = 0; i < desc->field_count(); ++i) {
    if (desc->field(i)->json_name() == name) return desc->field(i);
  }
  return nullptr;
}

void ReadMessage(const YAML::Node& node, Message* msg, const std::string& path,
                 const std::vector<std::string>& ignored);

void SetScalar(const YAML::Node& node, Message* msg, const FieldDescriptor* f,
               const std::string& path) {
  if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    Message* sub = f->is_repeated() ? msg->GetReflection()->AddMessage(msg, f)
                                    : msg->GetReflection()->MutableMessage(msg, f);
    ReadMessage(node, sub, path, {});
    return;
  }
  if (!node.IsScalar()) Fail(node, path, "expected a single value, not a list or mapping");
  const Reflection* r = msg->GetReflection();
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32: {
      auto v = ParseInteger<int32_t>(node, path);
      rep ? r->AddInt32(msg, f, v) : r->SetInt32(msg, f, v);
      return;
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      auto v = ParseInteger<int64_t>(node, path);
      rep ? r->AddInt64(msg, f, v) : r->SetInt64(msg, f, v);
      return;
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      auto v = ParseInteger<uint32_t>(node, path);
      rep ? r->AddUInt32(msg, f, v) : r->SetUInt32(msg, f, v);
      return;
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      auto v = ParseInteger<uint64_t>(node, path);
      rep ? r->AddUInt64(msg, f, v) : r->SetUInt64(msg, f, v);
      return;
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      double v = ParseDouble(node, path);
      rep ? r->AddDouble(msg, f, v) : r->SetDouble(msg, f, v);
      return;
    }
    case FieldDescriptor::CPPTYPE_FLOAT: {
      auto v = static_cast<float>(ParseDouble(node, path));
      rep ? r->AddFloat(msg, f, v) : r->SetFloat(msg, f, v);
      return;
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool v = ParseBool(node, path);
      rep ? r->AddBool(msg, f, v) : r->SetBool(msg, f, v);
      return;
    }
    case FieldDescriptor::CPPTYPE_STRING:
      rep ? r->AddString(msg, f, node.Scalar()) : r->SetString(msg, f, node.Scalar());
      return;
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* v = ParseEnum(node, f, path);
      rep ? r->AddEnum(msg, f, v) : r->SetEnum(msg, f, v);
      return;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return;  // handled above
  }
}

void ReadField(const YAML::Node& node, Message* msg, const FieldDescriptor* f,
               const std::string& path) {
  if (node.IsNull()) return;  // "key:" with nothing = leave the default
  if (f->is_map()) {
    if (!node.IsMap()) Fail(node, path, "expected a mapping of names to values");
    const FieldDescriptor* key = f->message_type()->map_key();
    const FieldDescriptor* val = f->message_type()->map_value();
    for (const auto& kv : node) {
      Message* entry = msg->GetReflection()->AddMessage(msg, f);
      const std::string item = path + "." + kv.first.Scalar();
      SetScalar(kv.first, entry, key, item);
      SetScalar(kv.second, entry, val, item);
    }
    return;
  }
  if (f->is_repeated()) {
    if (!node.IsSequence()) Fail(node, path, "expected a list");
    for (size_t i = 0; i < node.size(); ++i) {
      SetScalar(node[i], msg, f, path + "[" + std::to_string(i) + "]");
    }
    return;
  }
  SetScalar(node, msg, f, path);
}

void ReadMessage(const YAML::Node& node, Message* msg, const std::string& path,
                 const std::vector<std::string>& ignored) {
  if (node.IsNull()) return;
  if (!node.IsMap()) Fail(node, path, "expected a mapping of field names to values");
  const auto* desc = msg->GetDescriptor();
  for (const auto& kv : node) {
    const std::string& name = kv.first.Scalar();
    if (std::find(ignored.begin(), ignored.end(), name) != ignored.end()) continue;
    // The JSON name first: it differs from the camel case where AWS spells it otherwise
    // ("memoryMiB").
    const FieldDescriptor* f = FieldByJsonName(desc, name);
    if (f == nullptr) f = desc->FindFieldByCamelcaseName(name);
    if (f == nullptr) f = desc->FindFieldByName(name);
    if (f == nullptr) {
      Fail(kv.first, path, "unknown field \"" + name + "\" in " + desc->name());
    }
    ReadField(kv.second, msg, f, Join(path, f->json_name()));
  }
}

}  // namespace

void FromYaml(const YAML::Node& node, Message* out, const std::vector<std::string>& ignored_keys) {
  ReadMessage(node, out, "", ignored_keys);
}

}  // namespace batchd::api
