#include "api/json_yaml.h"

#include <charconv>
#include <map>
#include <sstream>
#include <variant>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>

#include "api/api_error.h"

namespace batchd::api {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// A message rendered to plain values once, then written as JSON or YAML.
struct Value;
using Object = std::vector<std::pair<std::string, Value>>;
using Array = std::vector<Value>;
struct Number {
  std::string text;
};
struct Value {
  std::variant<std::nullptr_t, bool, Number, std::string, Array, Object> v;
};

std::string FloatText(double d, bool single) {
  char buf[64];
  auto res = single ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(d))
                    : std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, res.ptr);
}

Value FieldValue(const Message& msg, const FieldDescriptor* f, int index);

Value MessageValue(const Message& msg) {
  const Reflection* r = msg.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(msg, &fields);
  Object obj;
  for (const FieldDescriptor* f : fields) {
    if (f->is_map()) {
      Object map;
      const FieldDescriptor* key = f->message_type()->map_key();
      const FieldDescriptor* val = f->message_type()->map_value();
      std::map<std::string, Value> sorted;  // map order is unspecified: sort for stable output
      for (int i = 0; i < r->FieldSize(msg, f); ++i) {
        const Message& entry = r->GetRepeatedMessage(msg, f, i);
        Value k = FieldValue(entry, key, -1);
        std::string ks = std::holds_alternative<std::string>(k.v) ? std::get<std::string>(k.v)
                                                                  : std::get<Number>(k.v).text;
        sorted[ks] = FieldValue(entry, val, -1);
      }
      for (auto& [k, v] : sorted) map.emplace_back(k, std::move(v));
      obj.emplace_back(f->json_name(), Value{std::move(map)});
    } else if (f->is_repeated()) {
      Array arr;
      for (int i = 0; i < r->FieldSize(msg, f); ++i) arr.push_back(FieldValue(msg, f, i));
      obj.emplace_back(f->json_name(), Value{std::move(arr)});
    } else {
      obj.emplace_back(f->json_name(), FieldValue(msg, f, -1));
    }
  }
  return Value{std::move(obj)};
}

// `index` < 0 reads a singular field.
Value FieldValue(const Message& msg, const FieldDescriptor* f, int index) {
  const Reflection* r = msg.GetReflection();
  const bool rep = index >= 0;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return Value{
          Number{std::to_string(rep ? r->GetRepeatedInt32(msg, f, index) : r->GetInt32(msg, f))}};
    case FieldDescriptor::CPPTYPE_INT64:
      return Value{
          Number{std::to_string(rep ? r->GetRepeatedInt64(msg, f, index) : r->GetInt64(msg, f))}};
    case FieldDescriptor::CPPTYPE_UINT32:
      return Value{
          Number{std::to_string(rep ? r->GetRepeatedUInt32(msg, f, index) : r->GetUInt32(msg, f))}};
    case FieldDescriptor::CPPTYPE_UINT64:
      return Value{
          Number{std::to_string(rep ? r->GetRepeatedUInt64(msg, f, index) : r->GetUInt64(msg, f))}};
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return Value{Number{
          FloatText(rep ? r->GetRepeatedDouble(msg, f, index) : r->GetDouble(msg, f), false)}};
    case FieldDescriptor::CPPTYPE_FLOAT:
      return Value{
          Number{FloatText(rep ? r->GetRepeatedFloat(msg, f, index) : r->GetFloat(msg, f), true)}};
    case FieldDescriptor::CPPTYPE_BOOL:
      return Value{rep ? r->GetRepeatedBool(msg, f, index) : r->GetBool(msg, f)};
    case FieldDescriptor::CPPTYPE_STRING:
      return Value{rep ? r->GetRepeatedString(msg, f, index) : r->GetString(msg, f)};
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* e = rep ? r->GetRepeatedEnum(msg, f, index) : r->GetEnum(msg, f);
      return Value{e->name()};
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return MessageValue(rep ? r->GetRepeatedMessage(msg, f, index) : r->GetMessage(msg, f));
  }
  return Value{nullptr};
}

void JsonString(std::ostream& out, const std::string& s) {
  out << '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out << "\\\"";
        break;
      case '\\':
        out << "\\\\";
        break;
      case '\n':
        out << "\\n";
        break;
      case '\r':
        out << "\\r";
        break;
      case '\t':
        out << "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out << buf;
        } else {
          out << c;
        }
    }
  }
  out << '"';
}

void WriteJson(std::ostream& out, const Value& v, bool pretty, int depth) {
  auto newline = [&](int d) {
    if (pretty) out << '\n' << std::string(static_cast<size_t>(d) * 2, ' ');
  };
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>) {
          out << "null";
        } else if constexpr (std::is_same_v<T, bool>) {
          out << (x ? "true" : "false");
        } else if constexpr (std::is_same_v<T, Number>) {
          out << x.text;
        } else if constexpr (std::is_same_v<T, std::string>) {
          JsonString(out, x);
        } else if constexpr (std::is_same_v<T, Array>) {
          out << '[';
          for (size_t i = 0; i < x.size(); ++i) {
            if (i) out << ',';
            newline(depth + 1);
            WriteJson(out, x[i], pretty, depth + 1);
          }
          if (!x.empty()) newline(depth);
          out << ']';
        } else {
          out << '{';
          for (size_t i = 0; i < x.size(); ++i) {
            if (i) out << ',';
            newline(depth + 1);
            JsonString(out, x[i].first);
            out << (pretty ? ": " : ":");
            WriteJson(out, x[i].second, pretty, depth + 1);
          }
          if (!x.empty()) newline(depth);
          out << '}';
        }
      },
      v.v);
}

// A plain YAML scalar that a reader would take for something other than a string.
bool NeedsQuotes(const std::string& s) {
  if (s.empty()) return true;
  static const char* kWords[] = {"true", "false", "yes",  "no",    "on",   "off",
                                 "null", "~",     "True", "False", "Yes",  "No",
                                 "On",   "Off",   "Null", "NULL",  "TRUE", "FALSE"};
  for (const char* w : kWords) {
    if (s == w) return true;
  }
  double d;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  return ec == std::errc() && ptr == s.data() + s.size();
}

void WriteYaml(YAML::Emitter& out, const Value& v) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>) {
          out << YAML::Null;
        } else if constexpr (std::is_same_v<T, bool>) {
          out << x;
        } else if constexpr (std::is_same_v<T, Number>) {
          out << x.text;
        } else if constexpr (std::is_same_v<T, std::string>) {
          if (NeedsQuotes(x)) out << YAML::DoubleQuoted;
          out << x;
        } else if constexpr (std::is_same_v<T, Array>) {
          out << YAML::BeginSeq;
          for (const auto& e : x) WriteYaml(out, e);
          out << YAML::EndSeq;
        } else {
          out << YAML::BeginMap;
          for (const auto& [k, e] : x) {
            out << YAML::Key << k << YAML::Value;
            WriteYaml(out, e);
          }
          out << YAML::EndMap;
        }
      },
      v.v);
}

}  // namespace

std::string ToJson(const Message& msg, bool pretty) {
  std::ostringstream out;
  WriteJson(out, MessageValue(msg), pretty, 0);
  if (pretty) out << '\n';
  return out.str();
}

std::string ToYaml(const Message& msg) {
  Value v = MessageValue(msg);
  if (std::get<Object>(v.v).empty()) return "{}\n";
  YAML::Emitter out;
  WriteYaml(out, v);
  return std::string(out.c_str()) + "\n";
}

void FromJson(std::string_view json, Message* out) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), out, options);
  if (!status.ok()) {
    throw ApiError(ErrorCode::kInvalidArgument, "invalid JSON for " + out->GetDescriptor()->name() +
                                                    ": " + std::string(status.message()));
  }
}

}  // namespace batchd::api
