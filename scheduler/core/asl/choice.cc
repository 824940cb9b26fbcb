#include "core/asl/choice.h"

#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/asl/states_error.h"
#include "core/asl/timestamp.h"

namespace batchd::asl {
namespace {

constexpr const char* kSchemaValidationFailed = "SCHEMA_VALIDATION_FAILED";

// What a data-test operator compares, and therefore which operand it takes.
enum class Family { kString, kStringMatches, kNumeric, kBoolean, kTimestamp, kTypeTest };
enum class Comparison { kEquals, kLessThan, kGreaterThan, kLessThanEquals, kGreaterThanEquals };
enum class TypeTest { kIsNull, kIsPresent, kIsNumeric, kIsString, kIsBoolean, kIsTimestamp };

struct Operator {
  Family family = Family::kString;
  Comparison comparison = Comparison::kEquals;
  TypeTest type_test = TypeTest::kIsNull;
  bool path = false;  // the operand is a reference path to the value compared against
};

const char* ComparisonName(Comparison comparison) {
  switch (comparison) {
    case Comparison::kEquals:
      return "Equals";
    case Comparison::kLessThan:
      return "LessThan";
    case Comparison::kGreaterThan:
      return "GreaterThan";
    case Comparison::kLessThanEquals:
      return "LessThanEquals";
    case Comparison::kGreaterThanEquals:
      return "GreaterThanEquals";
  }
  return "";
}

const char* TypeTestName(TypeTest test) {
  switch (test) {
    case TypeTest::kIsNull:
      return "IsNull";
    case TypeTest::kIsPresent:
      return "IsPresent";
    case TypeTest::kIsNumeric:
      return "IsNumeric";
    case TypeTest::kIsString:
      return "IsString";
    case TypeTest::kIsBoolean:
      return "IsBoolean";
    case TypeTest::kIsTimestamp:
      return "IsTimestamp";
  }
  return "";
}

// Every data-test operator by the name written in definitions. Built from the families so the
// 39 names cannot drift from what they do.
const std::map<std::string, Operator, std::less<>>& Operators() {
  static const auto* table = [] {
    auto* ops = new std::map<std::string, Operator, std::less<>>;
    constexpr std::array kComparisons = {Comparison::kEquals, Comparison::kLessThan,
                                         Comparison::kGreaterThan, Comparison::kLessThanEquals,
                                         Comparison::kGreaterThanEquals};
    for (const auto& [prefix, family] :
         {std::pair{"String", Family::kString}, std::pair{"Numeric", Family::kNumeric},
          std::pair{"Timestamp", Family::kTimestamp}}) {
      for (Comparison comparison : kComparisons) {
        const std::string name = std::string(prefix) + ComparisonName(comparison);
        (*ops)[name] = Operator{family, comparison, TypeTest::kIsNull, false};
        (*ops)[name + "Path"] = Operator{family, comparison, TypeTest::kIsNull, true};
      }
    }
    (*ops)["BooleanEquals"] = Operator{Family::kBoolean, Comparison::kEquals};
    (*ops)["BooleanEqualsPath"] =
        Operator{Family::kBoolean, Comparison::kEquals, TypeTest::kIsNull, true};
    (*ops)["StringMatches"] = Operator{Family::kStringMatches};
    for (TypeTest test : {TypeTest::kIsNull, TypeTest::kIsPresent, TypeTest::kIsNumeric,
                          TypeTest::kIsString, TypeTest::kIsBoolean, TypeTest::kIsTimestamp}) {
      (*ops)[TypeTestName(test)] = Operator{Family::kTypeTest, Comparison::kEquals, test};
    }
    return ops;
  }();
  return *table;
}

const Operator* FindOperator(std::string_view name) {
  const auto& ops = Operators();
  const auto it = ops.find(name);
  return it == ops.end() ? nullptr : &it->second;
}

bool IsCompound(std::string_view field) {
  return field == "And" || field == "Or" || field == "Not";
}

// "a string", "an object": how messages name what they found instead.
std::string TypeName(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return "a number";
    case Json::value_t::binary:
      return "binary data";
    case Json::value_t::discarded:
      return "nothing";
  }
  return "a value";
}

class RuleParser {
 public:
  explicit RuleParser(Diagnostics& out) : out_(out) {}

  ChoiceRule Parse(const Json& node, const std::string& location, bool top_level) {
    ChoiceRule rule;
    if (!node.is_object()) {
      Error(location, "A choice rule must be an object, not " + TypeName(node));
      return rule;
    }
    std::vector<std::string> operators;
    for (const auto& [field, value] : node.items()) {
      if (IsCompound(field) || FindOperator(field) != nullptr) {
        operators.push_back(field);
      } else if (field == "Next") {
        if (!top_level) {
          Error(location,
                "Field 'Next' is not supported in a nested choice rule: only the rules "
                "directly in Choices have a Next");
        }
      } else if (field == "Comment") {
        if (!value.is_string()) {
          Error(location + "/Comment", "'Comment' must be a string, not " + TypeName(value));
        }
      } else if (field != "Variable") {
        Error(location, "Field '" + field + "' is not supported");
      }
    }
    if (top_level) ParseNext(node, location, rule);

    if (operators.size() != 1) {
      if (operators.empty()) {
        Error(location,
              "A choice rule must have exactly one operator: And, Or, Not, or a comparison "
              "such as StringEquals or IsPresent; found none");
      } else {
        std::string names;
        for (const auto& name : operators) names += (names.empty() ? "'" : ", '") + name + "'";
        Error(location, "A choice rule must have exactly one operator; found " + names);
      }
      return rule;
    }
    const std::string& op = operators.front();
    if (IsCompound(op)) {
      ParseCompound(node, location, op, rule);
    } else {
      ParseTest(node, location, op, rule);
    }
    return rule;
  }

 private:
  void Error(const std::string& location, std::string message) {
    out_.push_back(Diagnostic{kSchemaValidationFailed, std::move(message), location});
  }

  void ParseNext(const Json& node, const std::string& location, ChoiceRule& rule) {
    const auto it = node.find("Next");
    if (it == node.end()) {
      Error(location,
            "The field 'Next' is required but was missing: every rule in Choices "
            "names the state to go to when it matches");
    } else if (!it->is_string()) {
      Error(location + "/Next", "'Next' must be a state name (a string), not " + TypeName(*it));
    } else {
      rule.next = it->get<std::string>();
    }
  }

  void ParseCompound(const Json& node, const std::string& location, const std::string& op,
                     ChoiceRule& rule) {
    if (node.contains("Variable")) {
      Error(location, "Field 'Variable' is not supported in an '" + op +
                          "' rule: only a comparison has a Variable");
    }
    const Json& value = node.at(op);
    const std::string at = location + "/" + op;
    if (op == "Not") {
      rule.kind = ChoiceRule::Kind::kNot;
      if (!value.is_object()) {
        Error(at, "'Not' must be a single choice rule (an object), not " + TypeName(value));
        return;
      }
      rule.children.push_back(Parse(value, at, false));
      return;
    }
    rule.kind = op == "And" ? ChoiceRule::Kind::kAnd : ChoiceRule::Kind::kOr;
    if (!value.is_array() || value.empty()) {
      Error(at, "'" + op + "' must be a non-empty array of choice rules, not " +
                    (value.is_array() ? std::string("an empty array") : TypeName(value)));
      return;
    }
    for (size_t i = 0; i < value.size(); ++i) {
      rule.children.push_back(Parse(value[i], at + "/" + std::to_string(i), false));
    }
  }

  void ParseTest(const Json& node, const std::string& location, const std::string& op,
                 ChoiceRule& rule) {
    rule.kind = ChoiceRule::Kind::kTest;
    rule.op = op;
    const auto variable = node.find("Variable");
    if (variable == node.end()) {
      Error(location, "The field 'Variable' is required but was missing: '" + op +
                          "' needs the path of the value it tests");
    } else if (!variable->is_string()) {
      Error(location + "/Variable",
            "'Variable' must be a reference path (a string), not " + TypeName(*variable));
    } else {
      rule.variable = variable->get<std::string>();
      if (auto problem = CheckPath(rule.variable, true)) Error(location + "/Variable", *problem);
    }
    rule.operand = node.at(op);
    CheckOperand(*FindOperator(op), op, rule.operand, location + "/" + op);
  }

  void CheckOperand(const Operator& spec, const std::string& op, const Json& operand,
                    const std::string& at) {
    if (spec.path) {
      if (!operand.is_string()) {
        Error(at, "'" + op + "' must be a reference path (a string), not " + TypeName(operand));
      } else if (auto problem = CheckPath(operand.get<std::string>(), true)) {
        Error(at, *problem);
      }
      return;
    }
    switch (spec.family) {
      case Family::kString:
      case Family::kStringMatches:
        if (!operand.is_string()) {
          Error(at, "'" + op + "' must be a string, not " + TypeName(operand));
        }
        return;
      case Family::kNumeric:
        if (!operand.is_number()) {
          Error(at, "'" + op + "' must be a number, not " + TypeName(operand));
        }
        return;
      case Family::kBoolean:
      case Family::kTypeTest:
        if (!operand.is_boolean()) {
          Error(at, "'" + op + "' must be a boolean, not " + TypeName(operand));
        }
        return;
      case Family::kTimestamp:
        if (!operand.is_string()) {
          Error(at,
                "'" + op + "' must be an RFC 3339 timestamp (a string), not " + TypeName(operand));
        } else if (!ParseInstant(operand.get<std::string>())) {
          Error(at, "'" + op +
                        "' must be an RFC 3339 timestamp with an uppercase T and a Z or "
                        "numeric offset, such as 2016-03-14T01:59:00Z; '" +
                        operand.get<std::string>() + "' is not one");
        }
        return;
    }
  }

  Diagnostics& out_;
};

[[noreturn]] void ThrowInvalidPath(const std::string& path) {
  // AWS's cause, word for word; the interpreter prefixes which state failed.
  throw StatesError(errors::kRuntime, "Invalid path '" + path +
                                          "': The choice state's condition path references an "
                                          "invalid value.");
}

// -1, 0 or 1. Through long double (80-bit on x86-64, 128-bit on aarch64), whose mantissa
// holds every int64, uint64 and double exactly, so 2^53 + 1 and 2^53 stay apart and 0 == 0.0.
static_assert(std::numeric_limits<long double>::digits >= 64,
              "CompareNumbers needs a long double that holds any 64-bit integer exactly");
int CompareNumbers(const Json& a, const Json& b) {
  const auto x = a.get<long double>();
  const auto y = b.get<long double>();
  return x < y ? -1 : (y < x ? 1 : 0);
}

bool Holds(Comparison comparison, int order) {
  switch (comparison) {
    case Comparison::kEquals:
      return order == 0;
    case Comparison::kLessThan:
      return order < 0;
    case Comparison::kGreaterThan:
      return order > 0;
    case Comparison::kLessThanEquals:
      return order <= 0;
    case Comparison::kGreaterThanEquals:
      return order >= 0;
  }
  return false;
}

// '*' matches any run of characters (none included). A backslash makes the next '*' or '\'
// literal; before anything else it is an ordinary character, since nothing else is special.
// Works on UTF-8 bytes: a literal always matches whole characters, and '*' may stop anywhere
// because the literal after it must still match in full.
bool WildcardMatches(std::string_view pattern, std::string_view text) {
  constexpr int kStar = -1;
  std::vector<int> tokens;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size() && (pattern[i + 1] == '*' || pattern[i + 1] == '\\')) {
      tokens.push_back(static_cast<unsigned char>(pattern[++i]));
    } else if (c == '*') {
      tokens.push_back(kStar);
    } else {
      tokens.push_back(static_cast<unsigned char>(c));
    }
  }
  // Greedy with one backtrack point (the last star): linear in practice, never exponential.
  size_t t = 0, s = 0;
  size_t star = std::string_view::npos, star_text = 0;
  while (s < text.size()) {
    if (t < tokens.size() && tokens[t] != kStar &&
        tokens[t] == static_cast<unsigned char>(text[s])) {
      ++t;
      ++s;
    } else if (t < tokens.size() && tokens[t] == kStar) {
      star = t++;
      star_text = s;
    } else if (star != std::string_view::npos) {
      t = star + 1;
      s = ++star_text;
    } else {
      return false;
    }
  }
  while (t < tokens.size() && tokens[t] == kStar) ++t;
  return t == tokens.size();
}

bool TypeTestHolds(TypeTest test, const Json& value) {
  switch (test) {
    case TypeTest::kIsNull:
      return value.is_null();
    case TypeTest::kIsPresent:
      return true;
    case TypeTest::kIsNumeric:
      return value.is_number();
    case TypeTest::kIsString:
      return value.is_string();
    case TypeTest::kIsBoolean:
      return value.is_boolean();
    case TypeTest::kIsTimestamp:
      return value.is_string() && ParseInstant(value.get_ref<const std::string&>()).has_value();
  }
  return false;
}

// `value` (what Variable selected) against `expected` (the literal, or what the ...Path operand
// selected). A value of another type than the operator's is false, never an error (AWS).
bool Compare(const Operator& spec, const Json& value, const Json& expected) {
  switch (spec.family) {
    case Family::kString:
      if (!value.is_string() || !expected.is_string()) return false;
      // Byte order of UTF-8 is code point order; char_traits<char> compares bytes unsigned.
      return Holds(spec.comparison, value.get_ref<const std::string&>().compare(
                                        expected.get_ref<const std::string&>()));
    case Family::kStringMatches:
      return value.is_string() && expected.is_string() &&
             WildcardMatches(expected.get_ref<const std::string&>(),
                             value.get_ref<const std::string&>());
    case Family::kNumeric:
      if (!value.is_number() || !expected.is_number()) return false;
      return Holds(spec.comparison, CompareNumbers(value, expected));
    case Family::kBoolean:
      return value.is_boolean() && expected.is_boolean() && value == expected;
    case Family::kTimestamp: {
      if (!value.is_string() || !expected.is_string()) return false;
      const auto a = ParseInstant(value.get_ref<const std::string&>());
      const auto b = ParseInstant(expected.get_ref<const std::string&>());
      if (!a || !b) return false;
      return Holds(spec.comparison, *a < *b ? -1 : (*b < *a ? 1 : 0));
    }
    case Family::kTypeTest:
      return expected.is_boolean() && TypeTestHolds(spec.type_test, value) == expected.get<bool>();
  }
  return false;
}

bool TestMatches(const ChoiceRule& rule, const Scope& scope) {
  const Operator* spec = FindOperator(rule.op);
  // ParseChoiceRule never yields such a rule; one built by hand is a programming error.
  if (spec == nullptr) throw std::logic_error("unknown choice operator '" + rule.op + "'");
  const std::optional<Json> value = TrySelect(rule.variable, scope);
  if (spec->family == Family::kTypeTest && spec->type_test == TypeTest::kIsPresent) {
    return rule.operand.is_boolean() && value.has_value() == rule.operand.get<bool>();
  }
  if (!value) ThrowInvalidPath(rule.variable);
  if (!spec->path) return Compare(*spec, *value, rule.operand);
  const std::string& operand_path = rule.operand.get_ref<const std::string&>();
  const std::optional<Json> expected = TrySelect(operand_path, scope);
  if (!expected) ThrowInvalidPath(operand_path);
  return Compare(*spec, *value, *expected);
}

}  // namespace

ChoiceRule ParseChoiceRule(const Json& rule, const std::string& location, bool top_level,
                           Diagnostics& out) {
  return RuleParser(out).Parse(rule, location, top_level);
}

bool Matches(const ChoiceRule& rule, const Scope& scope) {
  switch (rule.kind) {
    case ChoiceRule::Kind::kAnd:
      // Short-circuits, as AWS does: an IsPresent guard first keeps a later test from failing
      // on a missing path.
      return std::all_of(rule.children.begin(), rule.children.end(),
                         [&](const ChoiceRule& child) { return Matches(child, scope); });
    case ChoiceRule::Kind::kOr:
      return std::any_of(rule.children.begin(), rule.children.end(),
                         [&](const ChoiceRule& child) { return Matches(child, scope); });
    case ChoiceRule::Kind::kNot:
      return !Matches(rule.children.at(0), scope);
    case ChoiceRule::Kind::kTest:
      return TestMatches(rule, scope);
  }
  return false;
}

}  // namespace batchd::asl
