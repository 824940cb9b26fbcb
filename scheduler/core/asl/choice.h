#pragma once
// Choice rules: And/Or/Not, comparisons of strings, numbers, booleans and timestamps (each
// with its ...Path twin), StringMatches, and the type tests IsNull, IsPresent, IsNumeric,
// IsString, IsBoolean, IsTimestamp.
#include <memory>
#include <string>
#include <vector>

#include "core/asl/diagnostic.h"
#include "core/asl/json.h"
#include "core/asl/path.h"

namespace batchd::asl {

struct ChoiceRule {
  enum class Kind { kAnd, kOr, kNot, kTest };
  Kind kind = Kind::kTest;
  std::vector<ChoiceRule> children;  // And/Or: several; Not: one
  // kTest: `variable` compared by `op` ("StringEquals", "NumericLessThanPath", "IsPresent",
  // ...) with `operand` (a literal, or for ...Path ops the path string).
  std::string variable;
  std::string op;
  Json operand;
  std::string next;  // top-level rules only
};

// Parses the rule at `location` ("/States/Check/Choices/0"). `top_level` rules need `Next`;
// nested ones must not have it. Problems are appended to `out`; the returned rule is then
// partial and must not be run.
ChoiceRule ParseChoiceRule(const Json& rule, const std::string& location, bool top_level,
                           Diagnostics& out);

// Whether the rule matches. A comparison of a value of another type is false (AWS: never an
// error); a Variable (or ...Path operand) that selects nothing throws
// StatesError(States.Runtime) — except under IsPresent, which is then false.
bool Matches(const ChoiceRule& rule, const Scope& scope);

}  // namespace batchd::asl
