#include "core/asl/choice.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/asl/states_error.h"

namespace batchd::asl {
namespace {

constexpr const char* kAt = "/States/Check/Choices/0";

// A nested rule (no Next needed) that must parse cleanly.
ChoiceRule MustParse(const std::string& text) {
  Diagnostics diagnostics;
  ChoiceRule rule = ParseChoiceRule(Json::parse(text), kAt, false, diagnostics);
  for (const auto& d : diagnostics) ADD_FAILURE() << text << " -> " << Describe(d);
  return rule;
}

const Json kContext = Json::parse(R"({
  "Execution": {"Name": "exec-1", "StartTime": "2016-03-14T01:59:00Z"},
  "State": {"Name": "Check"}
})");
const Json kVariables = Json::parse(R"({"limit": 10, "owner": "ana"})");

enum class Outcome { kNoMatch, kMatch, kRuntimeError };

struct MatchCase {
  const char* rule;
  const char* input;
  Outcome outcome;
  const char* failing_path = "";  // kRuntimeError: the path the cause names
};

constexpr Outcome kNo = Outcome::kNoMatch;
constexpr Outcome kYes = Outcome::kMatch;
constexpr Outcome kError = Outcome::kRuntimeError;

void RunMatchTable(const std::vector<MatchCase>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.rule) + " on " + c.input);
    const ChoiceRule rule = MustParse(c.rule);
    const Json input = Json::parse(c.input);
    const Scope scope{&input, &kContext, &kVariables};
    switch (c.outcome) {
      case Outcome::kNoMatch:
        EXPECT_FALSE(Matches(rule, scope));
        break;
      case Outcome::kMatch:
        EXPECT_TRUE(Matches(rule, scope));
        break;
      case Outcome::kRuntimeError:
        try {
          Matches(rule, scope);
          ADD_FAILURE() << "expected States.Runtime";
        } catch (const StatesError& e) {
          EXPECT_EQ(e.error(), "States.Runtime");
          EXPECT_EQ(e.cause(), "Invalid path '" + std::string(c.failing_path) +
                                   "': The choice state's condition path references an "
                                   "invalid value.");
        }
        break;
    }
  }
}

TEST(ChoiceMatches, StringComparisons) {
  RunMatchTable({
      {R"({"Variable": "$.s", "StringEquals": "abc"})", R"({"s": "abc"})", kYes},
      {R"({"Variable": "$.s", "StringEquals": "abc"})", R"({"s": "abd"})", kNo},
      {R"({"Variable": "$.s", "StringEquals": "abc"})", R"({"s": "ABC"})", kNo},
      {R"({"Variable": "$.s", "StringEquals": ""})", R"({"s": ""})", kYes},
      // Another type is false, never an error.
      {R"({"Variable": "$.s", "StringEquals": "1"})", R"({"s": 1})", kNo},
      {R"({"Variable": "$.s", "StringEquals": "null"})", R"({"s": null})", kNo},
      {R"({"Variable": "$.s", "StringEquals": "true"})", R"({"s": true})", kNo},
      {R"({"Variable": "$.s", "StringEquals": "[]"})", R"({"s": []})", kNo},
      {R"({"Variable": "$.s", "StringLessThan": "abc"})", R"({"s": {}})", kNo},
      // Lexicographic (recorded): "A" < "AB", and "AB" > "ABC" is false.
      {R"({"Variable": "$.s", "StringLessThan": "AB"})", R"({"s": "A"})", kYes},
      {R"({"Variable": "$.s", "StringGreaterThan": "ABC"})", R"({"s": "AB"})", kNo},
      {R"({"Variable": "$.s", "StringGreaterThan": "a"})", R"({"s": "b"})", kYes},
      {R"({"Variable": "$.s", "StringLessThan": "a"})", R"({"s": "a"})", kNo},
      {R"({"Variable": "$.s", "StringLessThan": "a"})", R"({"s": "B"})", kYes},  // 'B' < 'a'
      {R"({"Variable": "$.s", "StringLessThan": "10"})", R"({"s": "9"})", kNo},  // not numeric
      {R"({"Variable": "$.s", "StringLessThanEquals": "abc"})", R"({"s": "abc"})", kYes},
      {R"({"Variable": "$.s", "StringLessThanEquals": "abc"})", R"({"s": "abd"})", kNo},
      {R"({"Variable": "$.s", "StringGreaterThanEquals": "abc"})", R"({"s": "abc"})", kYes},
      {R"({"Variable": "$.s", "StringGreaterThanEquals": "abc"})", R"({"s": "abb"})", kNo},
      // By code point: U+007A < U+00E9 < U+FF21 < U+1F600.
      {R"({"Variable": "$.s", "StringLessThan": "\u00e9"})", R"({"s": "z"})", kYes},
      {R"({"Variable": "$.s", "StringLessThan": "\uff21"})", R"({"s": "\u00e9"})", kYes},
      {R"({"Variable": "$.s", "StringLessThan": "\ud83d\ude00"})", R"({"s": "\uff21"})", kYes},
      // The ...Path twins read the other side from the input.
      {R"({"Variable": "$.s", "StringEqualsPath": "$.t"})", R"({"s": "x", "t": "x"})", kYes},
      {R"({"Variable": "$.s", "StringEqualsPath": "$.t"})", R"({"s": "x", "t": "y"})", kNo},
      {R"({"Variable": "$.s", "StringEqualsPath": "$.t"})", R"({"s": "1", "t": 1})", kNo},
      {R"({"Variable": "$.s", "StringLessThanPath": "$.t"})", R"({"s": "a", "t": "b"})", kYes},
      {R"({"Variable": "$.s", "StringGreaterThanPath": "$.t"})", R"({"s": "a", "t": "b"})", kNo},
      {R"({"Variable": "$.s", "StringLessThanEqualsPath": "$.t"})", R"({"s": "b", "t": "b"})",
       kYes},
      {R"({"Variable": "$.s", "StringGreaterThanEqualsPath": "$.t"})", R"({"s": "a", "t": "b"})",
       kNo},
      {R"({"Variable": "$.s", "StringEqualsPath": "$.t"})", R"({"s": "x"})", kError, "$.t"},
  });
}

TEST(ChoiceMatches, StringMatchesWildcards) {
  RunMatchTable({
      {R"({"Variable": "$.s", "StringMatches": "log-*.txt"})", R"({"s": "log-2024.txt"})", kYes},
      {R"({"Variable": "$.s", "StringMatches": "log-*.txt"})", R"({"s": "log-.txt"})", kYes},
      {R"({"Variable": "$.s", "StringMatches": "log-*.txt"})", R"({"s": "log-1.txt.gz"})", kNo},
      {R"({"Variable": "$.s", "StringMatches": "log-*.txt"})", R"({"s": "xlog-1.txt"})", kNo},
      {R"({"Variable": "$.s", "StringMatches": "*"})", R"({"s": ""})", kYes},
      {R"({"Variable": "$.s", "StringMatches": "**"})", R"({"s": "anything"})", kYes},
      {R"({"Variable": "$.s", "StringMatches": ""})", R"({"s": ""})", kYes},
      {R"({"Variable": "$.s", "StringMatches": ""})", R"({"s": "a"})", kNo},
      {R"({"Variable": "$.s", "StringMatches": "a*b*c"})", R"({"s": "aXXbYc"})", kYes},
      {R"({"Variable": "$.s", "StringMatches": "a*b*c"})", R"({"s": "acb"})", kNo},
      {R"({"Variable": "$.s", "StringMatches": "ab*ab"})", R"({"s": "abab"})", kYes},
      {R"({"Variable": "$.s", "StringMatches": "ab*ab"})", R"({"s": "abcabcab"})", kYes},
      {R"({"Variable": "$.s", "StringMatches": "ab*ab"})", R"({"s": "ab"})", kNo},
      {R"({"Variable": "$.s", "StringMatches": "exact"})", R"({"s": "Exact"})", kNo},
      {R"({"Variable": "$.s", "StringMatches": "?"})", R"({"s": "a"})",
       kNo},  // only '*' is special
      {R"({"Variable": "$.s", "StringMatches": "*.txt"})", R"({"s": "\u00e9t\u00e9.txt"})", kYes},
      // "\\*" in JSON is \* in the pattern: a literal star.
      {R"({"Variable": "$.s", "StringMatches": "foo\\*"})", R"({"s": "foo*"})", kYes},
      {R"({"Variable": "$.s", "StringMatches": "foo\\*"})", R"({"s": "foobar"})", kNo},
      {R"({"Variable": "$.s", "StringMatches": "\\**"})", R"({"s": "*star"})", kYes},
      {R"({"Variable": "$.s", "StringMatches": "\\**"})", R"({"s": "star"})", kNo},
      // \\ is one literal backslash; a backslash before anything else is itself.
      {R"({"Variable": "$.s", "StringMatches": "a\\\\*"})", R"({"s": "a\\bc"})", kYes},
      {R"({"Variable": "$.s", "StringMatches": "a\\\\*"})", R"({"s": "abc"})", kNo},
      {R"({"Variable": "$.s", "StringMatches": "a\\b"})", R"({"s": "a\\b"})", kYes},
      {R"({"Variable": "$.s", "StringMatches": "a\\"})", R"({"s": "a\\"})", kYes},
      {R"({"Variable": "$.s", "StringMatches": "*"})", R"({"s": 1})", kNo},
      {R"({"Variable": "$.s", "StringMatches": "*"})", R"({"s": null})", kNo},
      {R"({"Variable": "$.s", "StringMatches": "*"})", R"({})", kError, "$.s"},
  });
}

TEST(ChoiceMatches, NumericComparisons) {
  RunMatchTable({
      {R"({"Variable": "$.n", "NumericEquals": 0})", R"({"n": 0.0})", kYes},  // recorded
      {R"({"Variable": "$.n", "NumericEquals": 0.0})", R"({"n": 0})", kYes},
      {R"({"Variable": "$.n", "NumericEquals": 0})", R"({"n": -0.0})", kYes},
      {R"({"Variable": "$.n", "NumericEquals": 1})", R"({"n": 1.5})", kNo},
      // Recorded: "", null, true and arrays are false.
      {R"({"Variable": "$.n", "NumericEquals": 0})", R"({"n": ""})", kNo},
      {R"({"Variable": "$.n", "NumericEquals": 0})", R"({"n": null})", kNo},
      {R"({"Variable": "$.n", "NumericEquals": 1})", R"({"n": true})", kNo},
      {R"({"Variable": "$.n", "NumericEquals": 0})", R"({"n": false})", kNo},
      {R"({"Variable": "$.n", "NumericEquals": 1})", R"({"n": [1]})", kNo},
      {R"({"Variable": "$.n", "NumericEquals": 1})", R"({"n": "1"})", kNo},
      {R"({"Variable": "$.n", "NumericLessThan": 1.5})", R"({"n": 1})", kYes},
      {R"({"Variable": "$.n", "NumericLessThan": 1})", R"({"n": 1})", kNo},
      {R"({"Variable": "$.n", "NumericGreaterThan": -2})", R"({"n": -1})", kYes},
      {R"({"Variable": "$.n", "NumericGreaterThan": 2})", R"({"n": 2})", kNo},
      {R"({"Variable": "$.n", "NumericLessThanEquals": 2})", R"({"n": 2.0})", kYes},
      {R"({"Variable": "$.n", "NumericLessThanEquals": 2})", R"({"n": 2.001})", kNo},
      {R"({"Variable": "$.n", "NumericGreaterThanEquals": 2})", R"({"n": 1.5})", kNo},
      {R"({"Variable": "$.n", "NumericGreaterThanEquals": 1e3})", R"({"n": 1000})", kYes},
      // Integers beyond a double's 53 bits stay exact; unsigned 64-bit values too.
      {R"({"Variable": "$.n", "NumericEquals": 9007199254740992})", R"({"n": 9007199254740993})",
       kNo},
      {R"({"Variable": "$.n", "NumericGreaterThan": 9007199254740992})",
       R"({"n": 9007199254740993})", kYes},
      {R"({"Variable": "$.n", "NumericGreaterThan": 9223372036854775807})",
       R"({"n": 18446744073709551615})", kYes},
      {R"({"Variable": "$.n", "NumericLessThan": 0})", R"({"n": -9223372036854775808})", kYes},
      {R"({"Variable": "$.n", "NumericEqualsPath": "$.m"})", R"({"n": 1, "m": 1.0})", kYes},
      {R"({"Variable": "$.n", "NumericEqualsPath": "$.m"})", R"({"n": 1, "m": "1"})", kNo},
      {R"({"Variable": "$.n", "NumericLessThanPath": "$.m"})", R"({"n": 1, "m": 2})", kYes},
      {R"({"Variable": "$.n", "NumericGreaterThanPath": "$.m"})", R"({"n": 1, "m": 2})", kNo},
      {R"({"Variable": "$.n", "NumericLessThanEqualsPath": "$.m"})", R"({"n": 3, "m": 2})", kNo},
      {R"({"Variable": "$.n", "NumericGreaterThanEqualsPath": "$.m"})", R"({"n": 2, "m": 2})",
       kYes},
      {R"({"Variable": "$.n", "NumericGreaterThanPath": "$.m"})", R"({"n": 1})", kError, "$.m"},
  });
}

TEST(ChoiceMatches, BooleanComparisons) {
  RunMatchTable({
      {R"({"Variable": "$.b", "BooleanEquals": true})", R"({"b": true})", kYes},
      {R"({"Variable": "$.b", "BooleanEquals": true})", R"({"b": false})", kNo},
      {R"({"Variable": "$.b", "BooleanEquals": false})", R"({"b": false})", kYes},
      {R"({"Variable": "$.b", "BooleanEquals": true})", R"({"b": "true"})", kNo},
      {R"({"Variable": "$.b", "BooleanEquals": true})", R"({"b": 1})", kNo},
      {R"({"Variable": "$.b", "BooleanEquals": false})", R"({"b": null})", kNo},
      {R"({"Variable": "$.b", "BooleanEqualsPath": "$.c"})", R"({"b": true, "c": true})", kYes},
      {R"({"Variable": "$.b", "BooleanEqualsPath": "$.c"})", R"({"b": true, "c": false})", kNo},
      {R"({"Variable": "$.b", "BooleanEqualsPath": "$.c"})", R"({"b": true, "c": "true"})", kNo},
      {R"({"Variable": "$.b", "BooleanEquals": true})", R"({})", kError, "$.b"},
  });
}

TEST(ChoiceMatches, TimestampComparisonsAcrossOffsets) {
  RunMatchTable({
      {R"({"Variable": "$.t", "TimestampEquals": "2016-03-14T01:59:00Z"})",
       R"({"t": "2016-03-14T01:59:00Z"})", kYes},
      // The same instant written with another offset, or with a zero fraction.
      {R"({"Variable": "$.t", "TimestampEquals": "2016-03-14T01:59:00Z"})",
       R"({"t": "2016-03-14T03:59:00+02:00"})", kYes},
      {R"({"Variable": "$.t", "TimestampEquals": "2016-03-14T01:59:00Z"})",
       R"({"t": "2016-03-13T20:29:00.000-05:30"})", kYes},
      {R"({"Variable": "$.t", "TimestampEquals": "2016-03-14T01:59:00Z"})",
       R"({"t": "2016-03-14T01:59:00.001Z"})", kNo},
      // 01:00-05:00 is 06:00Z: later, though its wall clock reads earlier.
      {R"({"Variable": "$.t", "TimestampGreaterThan": "2016-03-14T05:00:00Z"})",
       R"({"t": "2016-03-14T01:00:00-05:00"})", kYes},
      {R"({"Variable": "$.t", "TimestampLessThan": "2016-03-14T05:00:00Z"})",
       R"({"t": "2016-03-14T06:00:00+02:00"})", kYes},
      {R"({"Variable": "$.t", "TimestampLessThan": "2016-03-14T01:59:00.002Z"})",
       R"({"t": "2016-03-14T01:59:00.001Z"})", kYes},
      {R"({"Variable": "$.t", "TimestampLessThanEquals": "2016-03-14T01:59:00Z"})",
       R"({"t": "2016-03-14T02:59:00+01:00"})", kYes},
      {R"({"Variable": "$.t", "TimestampGreaterThanEquals": "2016-03-14T01:59:00Z"})",
       R"({"t": "2016-03-14T01:58:59.999Z"})", kNo},
      {R"({"Variable": "$.t", "TimestampGreaterThan": "9999-12-31T23:59:58Z"})",
       R"({"t": "9999-12-31T23:59:59Z"})", kYes},
      // A value that is not a timestamp is false.
      {R"({"Variable": "$.t", "TimestampLessThan": "2016-03-14T01:59:00Z"})",
       R"({"t": "yesterday"})", kNo},
      {R"({"Variable": "$.t", "TimestampGreaterThan": "2016-03-14T01:59:00Z"})",
       R"({"t": "2017-03-14t01:59:00Z"})", kNo},
      {R"({"Variable": "$.t", "TimestampGreaterThan": "2016-03-14T01:59:00Z"})",
       R"({"t": "2017-02-30T01:59:00Z"})", kNo},
      {R"({"Variable": "$.t", "TimestampEquals": "1970-01-01T00:00:00Z"})", R"({"t": 0})", kNo},
      {R"({"Variable": "$.t", "TimestampEqualsPath": "$.u"})",
       R"({"t": "2016-03-14T01:59:00Z", "u": "2016-03-14T02:59:00+01:00"})", kYes},
      {R"({"Variable": "$.t", "TimestampEqualsPath": "$.u"})",
       R"({"t": "2016-03-14T01:59:00Z", "u": "not a time"})", kNo},
      {R"({"Variable": "$.t", "TimestampLessThanPath": "$.u"})",
       R"({"t": "2016-03-14T01:59:00Z", "u": "2016-03-14T02:00:00Z"})", kYes},
      {R"({"Variable": "$.t", "TimestampGreaterThanPath": "$.u"})",
       R"({"t": "2016-03-14T01:59:00Z", "u": "2016-03-14T02:00:00Z"})", kNo},
      {R"({"Variable": "$.t", "TimestampLessThanEqualsPath": "$.u"})",
       R"({"t": "2016-03-14T02:00:00Z", "u": "2016-03-14T02:00:00Z"})", kYes},
      {R"({"Variable": "$.t", "TimestampGreaterThanEqualsPath": "$.u"})",
       R"({"t": "2016-03-14T01:59:00Z", "u": "2016-03-14T02:00:00Z"})", kNo},
      {R"({"Variable": "$.t", "TimestampLessThanPath": "$.u"})", R"({"t": "2016-03-14T01:59:00Z"})",
       kError, "$.u"},
  });
}

TEST(ChoiceMatches, TypeTests) {
  RunMatchTable({
      {R"({"Variable": "$.v", "IsNull": true})", R"({"v": null})", kYes},
      {R"({"Variable": "$.v", "IsNull": true})", R"({"v": 0})", kNo},
      {R"({"Variable": "$.v", "IsNull": false})", R"({"v": 0})", kYes},
      {R"({"Variable": "$.v", "IsNull": true})", R"({})", kError, "$.v"},
      // IsPresent is true for null (recorded) and false, not an error, when nothing is there.
      {R"({"Variable": "$.v", "IsPresent": true})", R"({"v": null})", kYes},
      {R"({"Variable": "$.v", "IsPresent": true})", R"({})", kNo},
      {R"({"Variable": "$.v", "IsPresent": false})", R"({})", kYes},
      {R"({"Variable": "$.v", "IsPresent": false})", R"({"v": false})", kNo},
      {R"({"Variable": "$.v.w", "IsPresent": true})", R"({"v": "text"})", kNo},
      {R"({"Variable": "$.v[2]", "IsPresent": true})", R"({"v": [1, 2]})", kNo},
      {R"({"Variable": "$.v[1]", "IsPresent": true})", R"({"v": [1, 2]})", kYes},
      {R"({"Variable": "$.v", "IsNumeric": true})", R"({"v": 1.5})", kYes},
      {R"({"Variable": "$.v", "IsNumeric": true})", R"({"v": -3})", kYes},
      {R"({"Variable": "$.v", "IsNumeric": true})", R"({"v": "1"})", kNo},
      {R"({"Variable": "$.v", "IsNumeric": false})", R"({"v": "1"})", kYes},
      {R"({"Variable": "$.v", "IsNumeric": true})", R"({"v": true})", kNo},
      {R"({"Variable": "$.v", "IsString": true})", R"({"v": ""})", kYes},
      {R"({"Variable": "$.v", "IsString": true})", R"({"v": null})", kNo},
      {R"({"Variable": "$.v", "IsString": false})", R"({"v": {}})", kYes},
      {R"({"Variable": "$.v", "IsBoolean": true})", R"({"v": false})", kYes},
      {R"({"Variable": "$.v", "IsBoolean": true})", R"({"v": "true"})", kNo},
      {R"({"Variable": "$.v", "IsBoolean": false})", R"({"v": 0})", kYes},
      {R"({"Variable": "$.v", "IsTimestamp": true})", R"({"v": "2016-03-14T01:59:00Z"})", kYes},
      {R"({"Variable": "$.v", "IsTimestamp": true})", R"({"v": "2016-03-14T01:59:00.5+02:00"})",
       kYes},
      {R"({"Variable": "$.v", "IsTimestamp": true})", R"({"v": "2016-03-14t01:59:00Z"})", kNo},
      {R"({"Variable": "$.v", "IsTimestamp": true})", R"({"v": "2016-03-14T01:59:00"})", kNo},
      {R"({"Variable": "$.v", "IsTimestamp": true})", R"({"v": "2016-13-14T01:59:00Z"})", kNo},
      {R"({"Variable": "$.v", "IsTimestamp": true})", R"({"v": 1457920740})", kNo},
      {R"({"Variable": "$.v", "IsTimestamp": false})", R"({"v": "soon"})", kYes},
      {R"({"Variable": "$.v", "IsString": true})", R"({})", kError, "$.v"},
  });
}

TEST(ChoiceMatches, VariablesContextAndWholeInput) {
  RunMatchTable({
      {R"({"Variable": "$$.Execution.Name", "StringEquals": "exec-1"})", R"({})", kYes},
      {R"({"Variable": "$$.State.Name", "StringMatches": "Ch*"})", R"({})", kYes},
      {R"({"Variable": "$limit", "NumericGreaterThan": 5})", R"({})", kYes},
      {R"({"Variable": "$owner", "StringEquals": "ana"})", R"({})", kYes},
      {R"({"Variable": "$.n", "NumericLessThanPath": "$limit"})", R"({"n": 3})", kYes},
      {R"({"Variable": "$.t", "TimestampGreaterThanPath": "$$.Execution.StartTime"})",
       R"({"t": "2016-03-14T02:00:00Z"})", kYes},
      {R"({"Variable": "$", "IsString": true})", R"("whole")", kYes},
      {R"({"Variable": "$", "NumericEquals": 7})", R"(7)", kYes},
      {R"({"Variable": "$.list[1]", "NumericEquals": 2})", R"({"list": [1, 2, 3]})", kYes},
      {R"({"Variable": "$['odd key']", "BooleanEquals": true})", R"({"odd key": true})", kYes},
      {R"({"Variable": "$$.Execution.Nope", "IsNull": false})", R"({})", kError,
       "$$.Execution.Nope"},
      {R"({"Variable": "$unassigned", "IsNull": false})", R"({})", kError, "$unassigned"},
      {R"({"Variable": "$.n", "NumericEqualsPath": "$unassigned"})", R"({"n": 1})", kError,
       "$unassigned"},
      {R"({"Variable": "$unassigned", "IsPresent": true})", R"({})", kNo},
  });
}

TEST(ChoiceMatches, AndOrNot) {
  RunMatchTable({
      {R"({"And": [{"Variable": "$.a", "NumericGreaterThan": 1},
                   {"Variable": "$.a", "NumericLessThan": 10}]})",
       R"({"a": 5})", kYes},
      {R"({"And": [{"Variable": "$.a", "NumericGreaterThan": 1},
                   {"Variable": "$.a", "NumericLessThan": 10}]})",
       R"({"a": 50})", kNo},
      {R"({"Or": [{"Variable": "$.a", "StringEquals": "x"},
                  {"Variable": "$.a", "StringEquals": "y"}]})",
       R"({"a": "y"})", kYes},
      {R"({"Or": [{"Variable": "$.a", "StringEquals": "x"},
                  {"Variable": "$.a", "StringEquals": "y"}]})",
       R"({"a": "z"})", kNo},
      {R"({"Not": {"Variable": "$.a", "StringEquals": "x"}})", R"({"a": "y"})", kYes},
      {R"({"Not": {"Variable": "$.a", "StringEquals": "x"}})", R"({"a": "x"})", kNo},
      // Not of a wrong-type comparison is true: the comparison is false, not an error.
      {R"({"Not": {"Variable": "$.a", "NumericEquals": 1}})", R"({"a": "1"})", kYes},
      {R"({"And": [{"Variable": "$.a", "IsPresent": true}]})", R"({"a": 1})", kYes},
      // Nesting: not (a == 1 or (b present and b > 2)).
      {R"({"Not": {"Or": [{"Variable": "$.a", "NumericEquals": 1},
                          {"And": [{"Variable": "$.b", "IsPresent": true},
                                   {"Variable": "$.b", "NumericGreaterThan": 2}]}]}})",
       R"({"a": 0})", kYes},
      {R"({"Not": {"Or": [{"Variable": "$.a", "NumericEquals": 1},
                          {"And": [{"Variable": "$.b", "IsPresent": true},
                                   {"Variable": "$.b", "NumericGreaterThan": 2}]}]}})",
       R"({"a": 0, "b": 3})", kNo},
      // Short-circuit: the IsPresent guard keeps the missing path from failing the state.
      {R"({"And": [{"Variable": "$.x", "IsPresent": true},
                   {"Variable": "$.x", "StringEquals": "a"}]})",
       R"({})", kNo},
      {R"({"Or": [{"Variable": "$.x", "IsPresent": false},
                  {"Variable": "$.x", "StringEquals": "a"}]})",
       R"({})", kYes},
      {R"({"And": [{"Variable": "$.a", "IsPresent": true},
                   {"Variable": "$.x", "StringEquals": "a"}]})",
       R"({"a": 1})", kError, "$.x"},
      {R"({"Not": {"Variable": "$.x", "BooleanEquals": true}})", R"({})", kError, "$.x"},
  });
}

TEST(ChoiceParse, BuildsTheRuleTree) {
  Diagnostics diagnostics;
  const ChoiceRule rule = ParseChoiceRule(Json::parse(R"({
    "And": [
      {"Variable": "$.a", "StringEquals": "x"},
      {"Not": {"Variable": "$.b", "NumericLessThanPath": "$limit"}}
    ],
    "Next": "Done",
    "Comment": "both"
  })"),
                                          kAt, true, diagnostics);
  EXPECT_TRUE(diagnostics.empty());
  EXPECT_EQ(rule.kind, ChoiceRule::Kind::kAnd);
  EXPECT_EQ(rule.next, "Done");
  ASSERT_EQ(rule.children.size(), 2u);
  EXPECT_EQ(rule.children[0].kind, ChoiceRule::Kind::kTest);
  EXPECT_EQ(rule.children[0].variable, "$.a");
  EXPECT_EQ(rule.children[0].op, "StringEquals");
  EXPECT_EQ(rule.children[0].operand, "x");
  EXPECT_EQ(rule.children[0].next, "");
  EXPECT_EQ(rule.children[1].kind, ChoiceRule::Kind::kNot);
  ASSERT_EQ(rule.children[1].children.size(), 1u);
  EXPECT_EQ(rule.children[1].children[0].op, "NumericLessThanPath");
  EXPECT_EQ(rule.children[1].children[0].operand, "$limit");
}

TEST(ChoiceParse, AcceptsEveryOperatorWithItsOperandType) {
  struct Case {
    std::string op;
    Json operand;
  };
  std::vector<Case> cases;
  for (const char* family : {"String", "Numeric", "Timestamp"}) {
    for (const char* comparison :
         {"Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals"}) {
      const std::string op = std::string(family) + comparison;
      Json literal = std::string(family) == "String"    ? Json("abc")
                     : std::string(family) == "Numeric" ? Json(1.5)
                                                        : Json("2016-03-14T01:59:00Z");
      cases.push_back({op, literal});
      cases.push_back({op + "Path", "$.other"});
    }
  }
  cases.push_back({"StringMatches", "a*"});
  cases.push_back({"BooleanEquals", true});
  cases.push_back({"BooleanEqualsPath", "$$.Execution.Name"});
  for (const char* test :
       {"IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"}) {
    cases.push_back({test, false});
  }
  ASSERT_EQ(cases.size(), 39u);
  for (const auto& c : cases) {
    Json node = {{"Variable", "$.v"}, {c.op, c.operand}, {"Next", "Done"}};
    Diagnostics diagnostics;
    const ChoiceRule rule = ParseChoiceRule(node, kAt, true, diagnostics);
    EXPECT_TRUE(diagnostics.empty()) << c.op << ": " << Describe(diagnostics.front());
    EXPECT_EQ(rule.kind, ChoiceRule::Kind::kTest);
    EXPECT_EQ(rule.op, c.op);
    EXPECT_EQ(rule.variable, "$.v");
    EXPECT_EQ(rule.operand, c.operand);
    EXPECT_EQ(rule.next, "Done");
  }
}

struct Expected {
  std::string location;
  std::string message;  // "CheckPath:<path>" stands for CheckPath's own words about <path>
};

struct DiagnosticCase {
  const char* rule;
  bool top_level;
  std::vector<Expected> expected;
};

std::string Resolve(const std::string& message) {
  const std::string prefix = "CheckPath:";
  if (message.rfind(prefix, 0) != 0) return message;
  const auto problem = CheckPath(message.substr(prefix.size()), true);
  return problem ? *problem : "(CheckPath accepted " + message.substr(prefix.size()) + ")";
}

TEST(ChoiceParse, ReportsEachProblemWithItsLocation) {
  const std::string at = kAt;
  const std::vector<DiagnosticCase> cases = {
      // Operand types.
      {R"({"Variable": "$.x", "StringEquals": 1, "Next": "A"})",
       true,
       {{at + "/StringEquals", "'StringEquals' must be a string, not a number"}}},
      {R"({"Variable": "$.x", "StringGreaterThanEquals": null, "Next": "A"})",
       true,
       {{at + "/StringGreaterThanEquals", "'StringGreaterThanEquals' must be a string, not null"}}},
      {R"({"Variable": "$.x", "StringMatches": true, "Next": "A"})",
       true,
       {{at + "/StringMatches", "'StringMatches' must be a string, not a boolean"}}},
      {R"({"Variable": "$.x", "NumericEquals": "1", "Next": "A"})",
       true,
       {{at + "/NumericEquals", "'NumericEquals' must be a number, not a string"}}},
      {R"({"Variable": "$.x", "NumericLessThan": true, "Next": "A"})",
       true,
       {{at + "/NumericLessThan", "'NumericLessThan' must be a number, not a boolean"}}},
      {R"({"Variable": "$.x", "BooleanEquals": "true", "Next": "A"})",
       true,
       {{at + "/BooleanEquals", "'BooleanEquals' must be a boolean, not a string"}}},
      {R"({"Variable": "$.x", "IsNull": 1, "Next": "A"})",
       true,
       {{at + "/IsNull", "'IsNull' must be a boolean, not a number"}}},
      {R"({"Variable": "$.x", "IsPresent": "yes", "Next": "A"})",
       true,
       {{at + "/IsPresent", "'IsPresent' must be a boolean, not a string"}}},
      {R"({"Variable": "$.x", "IsTimestamp": [], "Next": "A"})",
       true,
       {{at + "/IsTimestamp", "'IsTimestamp' must be a boolean, not an array"}}},
      {R"({"Variable": "$.x", "TimestampEquals": "2016-03-14", "Next": "A"})",
       true,
       {{at + "/TimestampEquals",
         "'TimestampEquals' must be an RFC 3339 timestamp with an uppercase T and a Z or numeric "
         "offset, such as 2016-03-14T01:59:00Z; '2016-03-14' is not one"}}},
      {R"({"Variable": "$.x", "TimestampLessThan": "2016-03-14t01:59:00Z", "Next": "A"})",
       true,
       {{at + "/TimestampLessThan",
         "'TimestampLessThan' must be an RFC 3339 timestamp with an uppercase T and a Z or "
         "numeric offset, such as 2016-03-14T01:59:00Z; '2016-03-14t01:59:00Z' is not one"}}},
      {R"({"Variable": "$.x", "TimestampGreaterThan": 5, "Next": "A"})",
       true,
       {{at + "/TimestampGreaterThan",
         "'TimestampGreaterThan' must be an RFC 3339 timestamp (a string), not a number"}}},
      {R"({"Variable": "$.x", "StringEqualsPath": 5, "Next": "A"})",
       true,
       {{at + "/StringEqualsPath",
         "'StringEqualsPath' must be a reference path (a string), not "
         "a number"}}},
      {R"({"Variable": "$.x", "NumericEqualsPath": "$.a[*]", "Next": "A"})",
       true,
       {{at + "/NumericEqualsPath", "CheckPath:$.a[*]"}}},
      {R"({"Variable": "$.x", "TimestampLessThanPath": "x", "Next": "A"})",
       true,
       {{at + "/TimestampLessThanPath", "CheckPath:x"}}},
      // Variable.
      {R"({"Variable": "x", "IsNull": true, "Next": "A"})",
       true,
       {{at + "/Variable", "CheckPath:x"}}},
      {R"({"Variable": "$.a[*]", "IsNull": true, "Next": "A"})",
       true,
       {{at + "/Variable", "CheckPath:$.a[*]"}}},
      {R"({"Variable": 5, "IsNull": true, "Next": "A"})",
       true,
       {{at + "/Variable", "'Variable' must be a reference path (a string), not a number"}}},
      {R"({"StringEquals": "a", "Next": "A"})",
       true,
       {{at,
         "The field 'Variable' is required but was missing: 'StringEquals' needs the path "
         "of the value it tests"}}},
      // Next.
      {R"({"Variable": "$.x", "IsNull": true})",
       true,
       {{at,
         "The field 'Next' is required but was missing: every rule in Choices names the "
         "state to go to when it matches"}}},
      {R"({"Variable": "$.x", "IsNull": true, "Next": 5})",
       true,
       {{at + "/Next", "'Next' must be a state name (a string), not a number"}}},
      {R"({"Variable": "$.x", "IsNull": true, "Next": "A"})",
       false,
       {{at,
         "Field 'Next' is not supported in a nested choice rule: only the rules directly in "
         "Choices have a Next"}}},
      {R"({"And": [{"Variable": "$.a", "IsPresent": true, "Next": "B"}], "Next": "A"})",
       true,
       {{at + "/And/0",
         "Field 'Next' is not supported in a nested choice rule: only the rules "
         "directly in Choices have a Next"}}},
      // Exactly one operator.
      {R"({"Variable": "$.x", "StringEquals": "x", "NumericEquals": 1, "Next": "A"})",
       true,
       {{at,
         "A choice rule must have exactly one operator; found 'StringEquals', "
         "'NumericEquals'"}}},
      {R"({"And": [{"Variable": "$.a", "IsPresent": true}], "Not": {"Variable": "$.a",
          "IsPresent": true}, "Next": "A"})",
       true,
       {{at, "A choice rule must have exactly one operator; found 'And', 'Not'"}}},
      {R"({"Variable": "$.x", "Next": "A"})",
       true,
       {{at,
         "A choice rule must have exactly one operator: And, Or, Not, or a comparison such "
         "as StringEquals or IsPresent; found none"}}},
      // Unknown fields, operator names included (they are case-sensitive).
      {R"({"Variable": "$.x", "StringEquals": "x", "Next": "A", "Foo": 1})",
       true,
       {{at, "Field 'Foo' is not supported"}}},
      {R"({"Variable": "$.x", "stringEquals": "x", "Next": "A"})",
       true,
       {{at, "Field 'stringEquals' is not supported"},
        {at,
         "A choice rule must have exactly one operator: And, Or, Not, or a comparison such "
         "as StringEquals or IsPresent; found none"}}},
      {R"({"Variable": "$.x", "IsNull": true, "Next": "A", "Assign": {"a": 1}})",
       true,
       {{at, "Field 'Assign' is not supported"}}},
      {R"({"Variable": "$.x", "IsNull": true, "Next": "A", "Comment": 5})",
       true,
       {{at + "/Comment", "'Comment' must be a string, not a number"}}},
      // And / Or / Not shapes.
      {R"({"And": [], "Next": "A"})",
       true,
       {{at + "/And", "'And' must be a non-empty array of choice rules, not an empty array"}}},
      {R"({"Or": {}, "Next": "A"})",
       true,
       {{at + "/Or", "'Or' must be a non-empty array of choice rules, not an object"}}},
      {R"({"Not": [], "Next": "A"})",
       true,
       {{at + "/Not", "'Not' must be a single choice rule (an object), not an array"}}},
      {R"({"And": [{"Variable": "$.a", "IsPresent": true}], "Variable": "$.a", "Next": "A"})",
       true,
       {{at,
         "Field 'Variable' is not supported in an 'And' rule: only a comparison has a "
         "Variable"}}},
      {R"({"And": [1, {"Variable": "$.a", "IsPresent": true}], "Next": "A"})",
       true,
       {{at + "/And/0", "A choice rule must be an object, not a number"}}},
      {R"([1])", true, {{at, "A choice rule must be an object, not an array"}}},
      // Deep locations.
      {R"({"Or": [{"Variable": "$.a", "IsPresent": true},
                  {"Not": {"Variable": "$.b", "NumericEquals": "1"}}], "Next": "A"})",
       true,
       {{at + "/Or/1/Not/NumericEquals", "'NumericEquals' must be a number, not a string"}}},
      // Every problem is reported, in document order.
      {R"({"Variable": 5, "StringEquals": 1})",
       true,
       {{at,
         "The field 'Next' is required but was missing: every rule in Choices names the "
         "state to go to when it matches"},
        {at + "/Variable", "'Variable' must be a reference path (a string), not a number"},
        {at + "/StringEquals", "'StringEquals' must be a string, not a number"}}},
      // Clean ones: context and variable paths are fine as Variable and as operands.
      {R"({"Variable": "$$.Execution.Input", "IsPresent": true, "Next": "A", "Comment": "c"})",
       true,
       {}},
      {R"({"Variable": "$myVar", "NumericEqualsPath": "$$.Map.Item.Index", "Next": "A"})",
       true,
       {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.rule);
    Diagnostics diagnostics;
    ParseChoiceRule(Json::parse(c.rule), kAt, c.top_level, diagnostics);
    ASSERT_EQ(diagnostics.size(), c.expected.size());
    for (size_t i = 0; i < diagnostics.size(); ++i) {
      EXPECT_EQ(diagnostics[i].code, "SCHEMA_VALIDATION_FAILED");
      EXPECT_EQ(diagnostics[i].severity, "ERROR");
      EXPECT_EQ(diagnostics[i].location, c.expected[i].location);
      EXPECT_EQ(diagnostics[i].message, Resolve(c.expected[i].message));
    }
  }
}

}  // namespace
}  // namespace batchd::asl
