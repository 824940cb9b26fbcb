#pragma once
// The parsed form of a JSONPath, shared by the parser (path_parse.cc), the evaluator
// (path.cc) and filter evaluation (path_filter.cc). Internal to the paths: other parts use
// path.h.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/asl/json.h"

namespace batchd::asl::jsonpath {

struct Filter;

// "$name" names a variable: a letter or '_', then letters, digits and '_'.
inline bool IsVariableStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
inline bool IsVariableChar(char c) { return IsVariableStart(c) || (c >= '0' && c <= '9'); }

struct Step {
  enum class Kind {
    kName,      // .a ['a']
    kNames,     // ['a','b']
    kIndex,     // [0] [-1]
    kIndexes,   // [0,2]
    kWildcard,  // .* [*]
    kSlice,     // [1:3] [::2]
    kFilter,    // [?(@.x > 1)]
  };
  Kind kind = Kind::kName;
  bool deep = false;               // written after "..": applies at every depth
  std::vector<std::string> names;  // kName (one), kNames
  std::vector<int64_t> indexes;    // kIndex (one), kIndexes
  std::optional<int64_t> start;    // kSlice; absent bounds follow Python's rules
  std::optional<int64_t> end;
  int64_t stride = 1;
  std::shared_ptr<const Filter> filter;  // kFilter

  // A definite step selects at most one node.
  bool definite() const { return !deep && (kind == Kind::kName || kind == Kind::kIndex); }
};

struct Path {
  enum class Root {
    kInput,     // $
    kContext,   // $$
    kVariable,  // $name
    kCurrent,   // @, inside filters
  };
  Root root = Root::kInput;
  std::string variable;  // kVariable
  std::vector<Step> steps;

  bool definite() const {
    for (const Step& step : steps) {
      if (!step.definite()) return false;
    }
    return true;
  }
};

// One side of a filter comparison.
struct Operand {
  bool is_path = false;
  Path path;     // is_path
  Json literal;  // !is_path
};

struct Filter {
  enum class Kind { kOr, kAnd, kNot, kExists, kCompare };
  enum class Op { kEq, kNe, kLt, kLe, kGt, kGe };
  Kind kind = Kind::kExists;
  std::vector<Filter> children;  // kOr, kAnd: two or more; kNot: one
  Op op = Op::kEq;               // kCompare
  Operand left;                  // kExists, kCompare
  Operand right;                 // kCompare
};

// Parses `text`. On failure returns the problem without the path ("unclosed '['").
std::optional<std::string> Parse(std::string_view text, Path& out);

// Jayway's normalized form of a definite path's steps, as its messages print them:
// "$['a'][0]". Only name and index steps are expected.
std::string Normalized(const std::vector<Step>& steps, size_t count);

// Whether `item` satisfies `filter`; `root` is the document "$" refers to inside it.
bool Accepts(const Filter& filter, const Json& item, const Json* root);

// Nodes selected by `steps` from `start`. Selections that build a new value (a union of names
// at the end of a path merges them into one object) are kept in `owned`, which must outlive
// the result.
class Selection {
 public:
  std::vector<const Json*> nodes;
  std::vector<std::unique_ptr<Json>> owned;
};
void SelectAll(const std::vector<Step>& steps, const Json& start, const Json* root, Selection& out);

// JSON equality where object members compare regardless of order and 1 equals 1.0.
bool Equal(const Json& a, const Json& b);

}  // namespace batchd::asl::jsonpath
