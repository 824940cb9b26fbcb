// Selecting with JSONPath and placing results with ResultPath.
//
// AWS evaluates paths with Jayway JsonPath, so selection follows Jayway: a definite path
// (only names and indexes) yields its node or nothing, anything else an array of what
// matched, and the causes of a failed Select repeat Jayway's messages after AWS's
// "Invalid path '<path>' : " prefix.
#include "core/asl/path.h"

#include <charconv>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/asl/path_syntax.h"
#include "core/asl/states_error.h"

namespace batchd::asl {
namespace jsonpath {
namespace {

// Characters a dot name may hold on the fast path; anything else (quotes, operators, blanks)
// goes through the full parser, which knows what they mean.
bool IsPlainNameChar(char c) {
  constexpr std::string_view kSpecial = ".[]()'\" *@?,:=!<>&|$\\";
  return static_cast<unsigned char>(c) >= 0x20 && kSpecial.find(c) == std::string_view::npos;
}

const Json* Member(const Json& object, std::string_view name) {
  auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

const Json* Variable(const Scope& scope, std::string_view name) {
  if (scope.variables == nullptr || !scope.variables->is_object()) return nullptr;
  return Member(*scope.variables, name);
}

// Most paths in definitions are plain "$.a.b[0]" references: walk them straight from the
// text, with no parse tree and no copies. Returns false when `path` is not that simple (the
// caller then parses it); otherwise `*hit` is the node or null.
bool FastSelect(std::string_view path, const Scope& scope, const Json** hit) {
  if (path.empty() || path[0] != '$') return false;
  size_t i = 1;
  const Json* node = scope.input;
  if (i < path.size() && path[i] == '$') {
    node = scope.context;
    ++i;
  } else if (i < path.size() && IsVariableStart(path[i])) {
    const size_t start = i;
    while (i < path.size() && IsVariableChar(path[i])) ++i;
    node = Variable(scope, path.substr(start, i - start));
  }
  while (i < path.size()) {
    if (path[i] == '.') {
      const size_t start = ++i;
      while (i < path.size() && IsPlainNameChar(path[i])) ++i;
      if (i == start || (i < path.size() && path[i] != '.' && path[i] != '[')) return false;
      if (node != nullptr) {
        node = node->is_object() ? Member(*node, path.substr(start, i - start)) : nullptr;
      }
    } else if (path[i] == '[') {
      const size_t start = ++i;
      while (i < path.size() && path[i] >= '0' && path[i] <= '9') ++i;
      if (i == start || i >= path.size() || path[i] != ']') return false;
      size_t index = 0;
      auto [end, error] = std::from_chars(path.data() + start, path.data() + i, index);
      if (error != std::errc()) return false;
      ++i;
      if (node != nullptr) {
        node = node->is_array() && index < node->size() ? &(*node)[index] : nullptr;
      }
    } else {
      return false;
    }
  }
  *hit = node;
  return true;
}

// The document the path starts from: null when it is absent (no context object, a variable
// never assigned).
const Json* RootOf(const Path& path, const Scope& scope) {
  switch (path.root) {
    case Path::Root::kInput:
    case Path::Root::kCurrent:
      return scope.input;
    case Path::Root::kContext:
      return scope.context;
    case Path::Root::kVariable:
      return Variable(scope, path.variable);
  }
  return nullptr;
}

std::string TypeName(const Json& value) {
  return value.is_number() ? "number" : std::string(value.type_name());
}

// Walks a definite path. On a miss returns null and, when `why` is given, Jayway's reason.
const Json* WalkDefinite(const std::vector<Step>& steps, const Json* node, std::string* why) {
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& step = steps[i];
    const bool leaf = i + 1 == steps.size();
    if (step.kind == Step::Kind::kName) {
      const std::string& name = step.names.front();
      if (!node->is_object()) {
        if (why) {
          *why = "Expected to find an object with property ['" + name + "'] in path " +
                 Normalized(steps, i) + " but found '" + TypeName(*node) + "'";
        }
        return nullptr;
      }
      const Json* next = Member(*node, name);
      if (next == nullptr) {
        if (why) {
          *why = (leaf ? "No results for path: " : "Missing property in path ") +
                 Normalized(steps, i + 1);
        }
        return nullptr;
      }
      node = next;
      continue;
    }
    // An index: Jayway treats null and non-arrays apart, and an index past the end as no
    // result for the whole path.
    const int64_t index = step.indexes.front();
    if (!node->is_array()) {
      if (why) {
        *why = node->is_null()
                   ? "The path " + Normalized(steps, i) + " is null"
                   : "Filter: [" + std::to_string(index) +
                         "] can only be applied to arrays. Current context is: " + Compact(*node);
      }
      return nullptr;
    }
    const int64_t size = static_cast<int64_t>(node->size());
    const int64_t at = index < 0 ? size + index : index;
    if (at < 0 || at >= size) {
      if (why) *why = "No results for path: " + Normalized(steps, steps.size());
      return nullptr;
    }
    node = &(*node)[static_cast<size_t>(at)];
  }
  return node;
}

template <typename Visit>
void ForEachContainer(const Json& node, const Visit& visit) {
  if (!node.is_structured()) return;
  visit(node);
  for (const Json& child : node) ForEachContainer(child, visit);
}

void AddIndex(const Json& array, int64_t index, std::vector<const Json*>& out) {
  const int64_t size = static_cast<int64_t>(array.size());
  const int64_t at = index < 0 ? size + index : index;
  if (at >= 0 && at < size) out.push_back(&array[static_cast<size_t>(at)]);
}

// Python's slice rules, which Jayway's [from:to] agrees with.
void AddSlice(const Step& step, const Json& array, std::vector<const Json*>& out) {
  const int64_t size = static_cast<int64_t>(array.size());
  auto clamp = [size](int64_t bound, int64_t low, int64_t high) {
    if (bound < 0) bound += size;
    return bound < low ? low : bound > high ? high : bound;
  };
  if (step.stride > 0) {
    const int64_t from = step.start ? clamp(*step.start, 0, size) : 0;
    const int64_t to = step.end ? clamp(*step.end, 0, size) : size;
    for (int64_t i = from; i < to;) {
      out.push_back(&array[static_cast<size_t>(i)]);
      if (to - i <= step.stride) break;
      i += step.stride;
    }
    return;
  }
  const int64_t from = step.start ? clamp(*step.start, -1, size - 1) : size - 1;
  const int64_t to = step.end ? clamp(*step.end, -1, size - 1) : -1;
  for (int64_t i = from; i > to;) {
    out.push_back(&array[static_cast<size_t>(i)]);
    if (i - to <= -step.stride) break;
    i += step.stride;
  }
}

// One step applied at one node. `here_only` (deep filters) tests the node itself, as
// Jayway's deep scan does, instead of an array's elements.
void ApplyAt(const Step& step, const Json& node, const Json* root, bool leaf, bool here_only,
             Selection& out) {
  switch (step.kind) {
    case Step::Kind::kName:
      if (node.is_object()) {
        if (const Json* hit = Member(node, step.names.front())) out.nodes.push_back(hit);
      }
      return;
    case Step::Kind::kNames:
      if (!node.is_object()) return;
      if (leaf) {
        // Jayway merges a union of names that ends the path into one object per match.
        auto merged = std::make_unique<Json>(Json::object());
        for (const std::string& name : step.names) {
          if (const Json* hit = Member(node, name)) (*merged)[name] = *hit;
        }
        out.nodes.push_back(merged.get());
        out.owned.push_back(std::move(merged));
        return;
      }
      for (const std::string& name : step.names) {
        if (const Json* hit = Member(node, name)) out.nodes.push_back(hit);
      }
      return;
    case Step::Kind::kIndex:
    case Step::Kind::kIndexes:
      if (node.is_array()) {
        for (int64_t index : step.indexes) AddIndex(node, index, out.nodes);
      }
      return;
    case Step::Kind::kWildcard:
      if (node.is_structured()) {
        for (const Json& child : node) out.nodes.push_back(&child);
      }
      return;
    case Step::Kind::kSlice:
      if (node.is_array()) AddSlice(step, node, out.nodes);
      return;
    case Step::Kind::kFilter:
      if (here_only || node.is_object()) {
        if (Accepts(*step.filter, node, root)) out.nodes.push_back(&node);
      } else if (node.is_array()) {
        for (const Json& item : node) {
          if (Accepts(*step.filter, item, root)) out.nodes.push_back(&item);
        }
      }
      return;
  }
}

}  // namespace

void SelectAll(const std::vector<Step>& steps, const Json& start, const Json* root,
               Selection& out) {
  out.nodes.assign(1, &start);
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& step = steps[i];
    const bool leaf = i + 1 == steps.size();
    std::vector<const Json*> current;
    current.swap(out.nodes);
    for (const Json* node : current) {
      if (step.deep) {
        const bool filter = step.kind == Step::Kind::kFilter;
        ForEachContainer(*node, [&](const Json& container) {
          ApplyAt(step, container, root, leaf, filter, out);
        });
      } else {
        ApplyAt(step, *node, root, leaf, false, out);
      }
    }
  }
}

}  // namespace jsonpath

namespace {

using jsonpath::Path;
using jsonpath::Step;

// A path that passed CheckPath cannot fail to parse; one that did not is a bug upstream,
// reported the way AWS reports a path it cannot use.
Path ParseOrThrow(std::string_view path, const char* error) {
  Path parsed;
  if (auto problem = jsonpath::Parse(path, parsed)) {
    throw StatesError(error, "Invalid path '" + std::string(path) + "' : " + *problem);
  }
  return parsed;
}

const char* WhyNotReference(const Step& step) {
  if (step.deep) return "'..' selects many";
  switch (step.kind) {
    case Step::Kind::kName:
    case Step::Kind::kIndex:
      return nullptr;
    case Step::Kind::kNames:
    case Step::Kind::kIndexes:
      return "a union selects many";
    case Step::Kind::kWildcard:
      return "'*' selects many";
    case Step::Kind::kSlice:
      return "a slice selects many";
    case Step::Kind::kFilter:
      return "a filter selects many";
  }
  return nullptr;
}

std::string DescribeStep(const Step& step) {
  if (step.kind == Step::Kind::kIndex) return "[" + std::to_string(step.indexes.front()) + "]";
  return "\"" + step.names.front() + "\"";
}

}  // namespace

std::optional<std::string> CheckPath(std::string_view path, bool reference) {
  Path parsed;
  if (auto problem = jsonpath::Parse(path, parsed)) {
    return "'" + std::string(path) + "' is not a valid JSONPath: " + *problem;
  }
  if (!reference) return std::nullopt;
  for (const Step& step : parsed.steps) {
    if (const char* why = WhyNotReference(step)) {
      return "'" + std::string(path) + "' is not a valid reference path: " + why;
    }
  }
  return std::nullopt;
}

std::optional<Json> TrySelect(std::string_view path, const Scope& scope) {
  if (const Json* hit = nullptr; jsonpath::FastSelect(path, scope, &hit)) {
    if (hit == nullptr) return std::nullopt;
    return *hit;
  }
  const Path parsed = ParseOrThrow(path, errors::kRuntime);
  const Json* root = jsonpath::RootOf(parsed, scope);
  if (parsed.definite()) {
    const Json* hit = root ? jsonpath::WalkDefinite(parsed.steps, root, nullptr) : nullptr;
    if (hit == nullptr) return std::nullopt;
    return *hit;
  }
  Json out = Json::array();
  if (root == nullptr) return out;
  jsonpath::Selection selection;
  jsonpath::SelectAll(parsed.steps, *root, root, selection);
  for (const Json* node : selection.nodes) out.push_back(*node);
  return out;
}

Json Select(std::string_view path, const Scope& scope) {
  if (std::optional<Json> hit = TrySelect(path, scope)) return std::move(*hit);
  const Path parsed = ParseOrThrow(path, errors::kRuntime);
  std::string why;
  const Json* root = jsonpath::RootOf(parsed, scope);
  switch (parsed.root) {
    case Path::Root::kInput:
    case Path::Root::kCurrent:
    case Path::Root::kContext:
      if (root == nullptr) {
        why = "No results for path: " + jsonpath::Normalized(parsed.steps, parsed.steps.size());
      }
      break;
    case Path::Root::kVariable:
      if (root == nullptr) why = "The variable '" + parsed.variable + "' is not defined";
      break;
  }
  if (root != nullptr) jsonpath::WalkDefinite(parsed.steps, root, &why);
  throw StatesError(errors::kRuntime, "Invalid path '" + std::string(path) + "' : " + why);
}

Json PlaceResult(Json input, std::string_view path, Json result) {
  if (path == "$") return result;
  const std::string quoted = "'" + std::string(path) + "'";
  const Path parsed = ParseOrThrow(path, errors::kResultPathMatchFailure);
  if (parsed.root != Path::Root::kInput || !parsed.definite()) {
    throw StatesError(errors::kResultPathMatchFailure,
                      "Unable to apply ResultPath " + quoted +
                          ": a ResultPath must be a reference path into the state input");
  }
  Json* node = &input;
  for (size_t i = 0; i < parsed.steps.size(); ++i) {
    const Step& step = parsed.steps[i];
    const bool leaf = i + 1 == parsed.steps.size();
    auto fail = [&]() {
      throw StatesError(errors::kResultPathMatchFailure,
                        "Unable to apply ResultPath " + quoted + ": cannot apply step " +
                            DescribeStep(step) + " to input " + Compact(*node));
    };
    if (step.kind == Step::Kind::kName) {
      if (!node->is_object()) fail();
      const std::string& name = step.names.front();
      auto it = node->find(name);
      if (leaf) {
        if (it == node->end()) {
          (*node)[name] = std::move(result);
        } else {
          *it = std::move(result);
        }
        break;
      }
      node = it == node->end() ? &((*node)[name] = Json::object()) : &*it;
      continue;
    }
    // Indexes step into arrays that exist; ResultPath never grows an array.
    if (!node->is_array()) fail();
    const int64_t size = static_cast<int64_t>(node->size());
    const int64_t index = step.indexes.front();
    const int64_t at = index < 0 ? size + index : index;
    if (at < 0 || at >= size) fail();
    Json& element = (*node)[static_cast<size_t>(at)];
    if (leaf) {
      element = std::move(result);
      break;
    }
    node = &element;
  }
  return input;
}

}  // namespace batchd::asl
