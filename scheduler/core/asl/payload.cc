// Payload templates: resolving ".$" fields from paths and intrinsic calls, and checking them.
#include "core/asl/payload.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/asl/intrinsics.h"
#include "core/asl/states_error.h"

namespace batchd::asl {
namespace {

constexpr std::string_view kDynamicSuffix = ".$";

bool IsDynamicKey(std::string_view key) { return key.ends_with(kDynamicSuffix); }

std::string StaticName(std::string_view key) {
  return std::string(key.substr(0, key.size() - kDynamicSuffix.size()));
}

std::string_view VariableName(std::string_view path) {
  size_t end = 1;
  while (end < path.size() && path[end] != '.' && path[end] != '[') ++end;
  return path.substr(1, end - 1);
}

// AWS's cause when a field's path selects nothing. It names the document the path was read
// from: the state input, or for "$$" paths the context object and for "$var" paths the
// variable's value.
[[noreturn]] void ThrowNotFound(const std::string& path, const std::string& key,
                                const Scope& scope) {
  const Json* document = scope.input;
  if (path.starts_with("$$")) {
    document = scope.context;
  } else if (path.size() > 1 && path[1] != '.' && path[1] != '[') {
    const std::string_view name = VariableName(path);
    document = nullptr;
    if (scope.variables != nullptr && scope.variables->is_object()) {
      auto it = scope.variables->find(name);
      if (it != scope.variables->end()) document = &*it;
    }
    if (document == nullptr) {
      throw StatesError(errors::kRuntime, "The variable '" + std::string(name) +
                                              "' used by the field '" + key + "' is not defined");
    }
  }
  throw StatesError(errors::kRuntime, "The JSONPath '" + path + "' specified for the field '" +
                                          key + "' could not be found in the input '" +
                                          (document ? Compact(*document) : "null") + "'");
}

Json ResolveField(const std::string& key, const std::string& expression, const Scope& scope,
                  Random& random) {
  if (LooksLikeIntrinsic(expression)) return EvaluateIntrinsic(expression, scope, random);
  std::optional<Json> value = TrySelect(expression, scope);
  if (!value) ThrowNotFound(expression, key, scope);
  return std::move(*value);
}

void Diagnose(Diagnostics& out, std::string location, const std::string& key,
              const std::string& problem) {
  out.push_back(Diagnostic{
      .code = "SCHEMA_VALIDATION_FAILED",
      .message = "The value for the field '" + key +
                 "' must be a valid JSONPath or a valid intrinsic function call: " + problem,
      .location = std::move(location),
  });
}

}  // namespace

Json ResolvePayload(const Json& payload_template, const Scope& scope, Random& random) {
  if (payload_template.is_object()) {
    Json out = Json::object();
    for (const auto& [key, value] : payload_template.items()) {
      if (IsDynamicKey(key) && value.is_string()) {
        out[StaticName(key)] =
            ResolveField(key, value.get_ref<const std::string&>(), scope, random);
      } else {
        // A ".$" key without a string value never passes CheckPayload; were one to get here
        // it stays as written rather than guessing what it meant.
        out[key] = ResolvePayload(value, scope, random);
      }
    }
    return out;
  }
  if (payload_template.is_array()) {
    Json out = Json::array();
    for (const Json& element : payload_template) {
      out.push_back(ResolvePayload(element, scope, random));
    }
    return out;
  }
  return payload_template;
}

void CheckPayload(const Json& payload_template, const std::string& location, Diagnostics& out) {
  if (payload_template.is_array()) {
    for (size_t i = 0; i < payload_template.size(); ++i) {
      CheckPayload(payload_template[i], location + "/" + std::to_string(i), out);
    }
    return;
  }
  if (!payload_template.is_object()) return;
  for (const auto& [key, value] : payload_template.items()) {
    const std::string at = location + "/" + key;
    if (!IsDynamicKey(key)) {
      CheckPayload(value, at, out);
      continue;
    }
    if (!value.is_string()) {
      Diagnose(out, at, key, "got " + Compact(value) + ", not a string");
      continue;
    }
    const std::string& expression = value.get_ref<const std::string&>();
    const std::optional<std::string> problem =
        LooksLikeIntrinsic(expression) ? CheckIntrinsic(expression) : CheckPath(expression, false);
    if (problem) Diagnose(out, at, key, *problem);
  }
}

}  // namespace batchd::asl
