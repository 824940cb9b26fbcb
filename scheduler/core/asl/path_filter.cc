// Evaluating filter expressions ("[?(@.price < 10 && @.tags)]") the way Jayway JsonPath does.
#include <memory>
#include <optional>
#include <string>

#include "core/asl/path_syntax.h"

namespace batchd::asl::jsonpath {
namespace {

// What an operand evaluates to. A path that selects nothing is undefined, which Jayway keeps
// apart from null: it equals nothing, so "!=" holds and every ordering is false.
struct Value {
  const Json* node = nullptr;  // null: undefined
  std::unique_ptr<Json> owned;
  bool exists = false;
};

Value Evaluate(const Operand& operand, const Json& item, const Json* root) {
  Value out;
  if (!operand.is_path) {
    out.node = &operand.literal;
    out.exists = true;
    return out;
  }
  const Json* start = operand.path.root == Path::Root::kCurrent ? &item : root;
  if (start == nullptr) return out;
  Selection selection;
  SelectAll(operand.path.steps, *start, root, selection);
  if (operand.path.definite()) {
    if (!selection.nodes.empty()) {
      out.node = selection.nodes.front();
      out.exists = true;
    }
    return out;
  }
  // An indefinite path compares as the array of its matches, and exists when it matched.
  out.owned = std::make_unique<Json>(Json::array());
  for (const Json* node : selection.nodes) out.owned->push_back(*node);
  out.node = out.owned.get();
  out.exists = !selection.nodes.empty();
  return out;
}

// -1, 0 or 1 for two numbers or two strings; nullopt for anything else, which Jayway never
// orders (a string is not less than a number, a boolean is not less than anything).
std::optional<int> Order(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) return a < b ? -1 : b < a ? 1 : 0;
  if (a.is_string() && b.is_string()) {
    const int c = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  return std::nullopt;
}

bool Compare(Filter::Op op, const Value& left, const Value& right) {
  if (left.node == nullptr || right.node == nullptr) return op == Filter::Op::kNe;
  const Json& a = *left.node;
  const Json& b = *right.node;
  switch (op) {
    case Filter::Op::kEq:
      return Equal(a, b);
    case Filter::Op::kNe:
      return !Equal(a, b);
    case Filter::Op::kLt: {
      auto order = Order(a, b);
      return order && *order < 0;
    }
    case Filter::Op::kLe: {
      auto order = Order(a, b);
      return order && *order <= 0;
    }
    case Filter::Op::kGt: {
      auto order = Order(a, b);
      return order && *order > 0;
    }
    case Filter::Op::kGe: {
      auto order = Order(a, b);
      return order && *order >= 0;
    }
  }
  return false;
}

}  // namespace

bool Equal(const Json& a, const Json& b) {
  // nlohmann compares numbers by value across its integer and floating-point kinds.
  if (a.is_number() && b.is_number()) return a == b;
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (const auto& [key, value] : a.items()) {
      auto it = b.find(key);
      if (it == b.end() || !Equal(value, *it)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!Equal(a[i], b[i])) return false;
    }
    return true;
  }
  return a == b;
}

bool Accepts(const Filter& filter, const Json& item, const Json* root) {
  switch (filter.kind) {
    case Filter::Kind::kOr:
      for (const Filter& child : filter.children) {
        if (Accepts(child, item, root)) return true;
      }
      return false;
    case Filter::Kind::kAnd:
      for (const Filter& child : filter.children) {
        if (!Accepts(child, item, root)) return false;
      }
      return true;
    case Filter::Kind::kNot:
      return !Accepts(filter.children.front(), item, root);
    case Filter::Kind::kExists:
      return Evaluate(filter.left, item, root).exists;
    case Filter::Kind::kCompare:
      return Compare(filter.op, Evaluate(filter.left, item, root),
                     Evaluate(filter.right, item, root));
  }
  return false;
}

}  // namespace batchd::asl::jsonpath
