// Conformance tables for payload templates: resolving ".$" fields from paths, the context
// object, variables and intrinsic calls; AWS's cause for a path that selects nothing; and the
// static checks with their locations.
#include "core/asl/payload.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "core/asl/states_error.h"

namespace batchd::asl {
namespace {

const Json kInput = Json::parse(R"({
  "x": 1,
  "obj": {"k": "v"},
  "list": [1, 2, 3],
  "items": [{"n": 1}, {"n": 5}]
})");

const Json kContext = Json::parse(R"({
  "Execution": {"Id": "arn:exec"},
  "Map": {"Item": {"Index": 0, "Value": "a"}}
})");

const Json kVariables = Json::parse(R"({"count": 3, "cfg": {"retries": 2}})");

struct ResolveCase {
  const char* name;
  const char* payload_template;
  const char* expected;
};

void PrintTo(const ResolveCase& c, std::ostream* os) { *os << c.name; }

class ResolveTest : public testing::TestWithParam<ResolveCase> {};

TEST_P(ResolveTest, Resolves) {
  const ResolveCase& c = GetParam();
  SeededRandom random(1);
  const Json got = ResolvePayload(Json::parse(c.payload_template),
                                  Scope{&kInput, &kContext, &kVariables}, random);
  // Compact text, so member order is part of what is checked.
  EXPECT_EQ(Compact(got), Compact(Json::parse(c.expected)));
}

INSTANTIATE_TEST_SUITE_P(
    Templates, ResolveTest,
    testing::Values(
        ResolveCase{"literals stay", R"({"a": 1, "b": "$.x", "c": [true, null]})",
                    R"({"a": 1, "b": "$.x", "c": [true, null]})"},
        ResolveCase{"path field", R"({"a.$": "$.x"})", R"({"a": 1})"},
        ResolveCase{"whole input", R"({"all.$": "$"})",
                    R"({"all": {"x": 1, "obj": {"k": "v"}, "list": [1, 2, 3],
                                "items": [{"n": 1}, {"n": 5}]}})"},
        ResolveCase{"nested objects and arrays",
                    R"({"nested": {"k.$": "$.obj.k", "lit": [1, {"m.$": "$.list[1]"}]}})",
                    R"({"nested": {"k": "v", "lit": [1, {"m": 2}]}})"},
        ResolveCase{"array template", R"([{"a.$": "$.x"}, "s", [{"b.$": "$.obj"}]])",
                    R"([{"a": 1}, "s", [{"b": {"k": "v"}}]])"},
        ResolveCase{"order kept", R"({"z": 0, "y.$": "$.x", "a": 2})",
                    R"({"z": 0, "y": 1, "a": 2})"},
        ResolveCase{"wildcard", R"({"ns.$": "$.items[*].n"})", R"({"ns": [1, 5]})"},
        ResolveCase{"filter", R"({"big.$": "$.items[?(@.n > 2)]"})", R"({"big": [{"n": 5}]})"},
        ResolveCase{"slice", R"({"tail.$": "$.list[1:]"})", R"({"tail": [2, 3]})"},
        ResolveCase{"wildcard over nothing", R"({"none.$": "$.missing[*]"})", R"({"none": []})"},
        ResolveCase{"wildcard under a missing member", R"({"a.$": "$.items[0].nothing[*]"})",
                    R"({"a": []})"},
        ResolveCase{"context", R"({"exec.$": "$$.Execution.Id", "idx.$": "$$.Map.Item.Index"})",
                    R"({"exec": "arn:exec", "idx": 0})"},
        ResolveCase{"whole context", R"({"ctx.$": "$$"})",
                    R"({"ctx": {"Execution": {"Id": "arn:exec"},
                                "Map": {"Item": {"Index": 0, "Value": "a"}}}})"},
        ResolveCase{"map item", R"({"item": {"v.$": "$$.Map.Item.Value", "x.$": "$.x"}})",
                    R"({"item": {"v": "a", "x": 1}})"},
        ResolveCase{"variables", R"({"c.$": "$count", "r.$": "$cfg.retries", "cfg.$": "$cfg"})",
                    R"({"c": 3, "r": 2, "cfg": {"retries": 2}})"},
        ResolveCase{"intrinsic", R"json({"s.$": "States.Format('n={}', $.x)"})json",
                    R"({"s": "n=1"})"},
        ResolveCase{"intrinsic with variable", R"json({"arr.$": "States.Array($.x, $count)"})json",
                    R"({"arr": [1, 3]})"},
        ResolveCase{
            "nested intrinsic",
            R"json({"len.$": "States.ArrayLength(States.Array($.x, $$.Map.Item.Value))"})json",
            R"({"len": 2})"},
        ResolveCase{"only the suffix marks a path", R"({"a$": "$.x", "b.$c": "$.x"})",
                    R"({"a$": "$.x", "b.$c": "$.x"})"},
        ResolveCase{"scalar template", "5", "5"},
        ResolveCase{"string template", R"("$.x")", R"("$.x")"},
        ResolveCase{"empty object", "{}", "{}"}));

struct FailCase {
  const char* name;
  const char* payload_template;
  const char* error;
  const char* cause;  // nullptr: only the error name is checked (another part's wording)
};

void PrintTo(const FailCase& c, std::ostream* os) { *os << c.name; }

class ResolveFailureTest : public testing::TestWithParam<FailCase> {};

TEST_P(ResolveFailureTest, Throws) {
  const FailCase& c = GetParam();
  const Json input = Json::parse(R"({"x": 1, "s": "text"})");
  const Json context = Json::parse(R"({"Execution": {"Id": "e"}})");
  const Json variables = Json::parse(R"({"v": {"a": 1}})");
  SeededRandom random(1);
  try {
    Json got = ResolvePayload(Json::parse(c.payload_template), Scope{&input, &context, &variables},
                              random);
    FAIL() << "resolved to " << Compact(got);
  } catch (const StatesError& e) {
    EXPECT_EQ(e.error(), c.error);
    if (c.cause != nullptr) {
      EXPECT_EQ(e.cause(), c.cause);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Failures, ResolveFailureTest,
    testing::Values(
        FailCase{"missing path", R"({"a.$": "$.missing"})", "States.Runtime",
                 R"(The JSONPath '$.missing' specified for the field 'a.$' could not be found )"
                 R"(in the input '{"x":1,"s":"text"}')"},
        FailCase{"missing nested path", R"({"deep": {"a.$": "$.x.y"}})", "States.Runtime",
                 R"(The JSONPath '$.x.y' specified for the field 'a.$' could not be found in )"
                 R"(the input '{"x":1,"s":"text"}')"},
        FailCase{"missing path in an array", R"({"l": [0, {"b.$": "$.s[0]"}]})", "States.Runtime",
                 R"(The JSONPath '$.s[0]' specified for the field 'b.$' could not be found in )"
                 R"(the input '{"x":1,"s":"text"}')"},
        FailCase{"missing context path", R"({"c.$": "$$.Nope"})", "States.Runtime",
                 R"(The JSONPath '$$.Nope' specified for the field 'c.$' could not be found in )"
                 R"(the input '{"Execution":{"Id":"e"}}')"},
        FailCase{"missing variable member", R"({"d.$": "$v.b"})", "States.Runtime",
                 R"(The JSONPath '$v.b' specified for the field 'd.$' could not be found in )"
                 R"(the input '{"a":1}')"},
        FailCase{"undefined variable", R"({"e.$": "$nope"})", "States.Runtime",
                 "The variable 'nope' used by the field 'e.$' is not defined"},
        FailCase{"undefined variable member", R"({"e.$": "$nope.a"})", "States.Runtime",
                 "The variable 'nope' used by the field 'e.$' is not defined"},
        FailCase{"first failure wins", R"({"ok.$": "$.x", "bad.$": "$.b", "worse.$": "$.c"})",
                 "States.Runtime",
                 R"(The JSONPath '$.b' specified for the field 'bad.$' could not be found in )"
                 R"(the input '{"x":1,"s":"text"}')"},
        FailCase{"intrinsic failure", R"json({"f.$": "States.ArrayGetItem($.s, 0)"})json",
                 "States.IntrinsicFailure", nullptr}));

TEST(ResolvePayloadTest, WithoutContextOrVariables) {
  const Json input = Json::parse(R"({"x": 1})");
  SeededRandom random(1);
  const Scope scope{&input};
  EXPECT_EQ(ResolvePayload(Json::parse(R"({"a.$": "$.x"})"), scope, random),
            Json::parse(R"({"a": 1})"));
  try {
    ResolvePayload(Json::parse(R"({"c.$": "$$.Execution.Id"})"), scope, random);
    FAIL() << "resolved without a context object";
  } catch (const StatesError& e) {
    EXPECT_EQ(e.error(), "States.Runtime");
    EXPECT_EQ(e.cause(),
              "The JSONPath '$$.Execution.Id' specified for the field 'c.$' could not be found "
              "in the input 'null'");
  }
}

struct CheckCase {
  const char* name;
  const char* payload_template;
  std::vector<std::string> expected;  // Describe(diagnostic) of each, in order
};

void PrintTo(const CheckCase& c, std::ostream* os) { *os << c.name; }

class CheckPayloadTest : public testing::TestWithParam<CheckCase> {};

TEST_P(CheckPayloadTest, Diagnoses) {
  const CheckCase& c = GetParam();
  Diagnostics out;
  CheckPayload(Json::parse(c.payload_template), "/States/A/Parameters", out);
  std::vector<std::string> got;
  for (const Diagnostic& d : out) {
    EXPECT_EQ(d.code, "SCHEMA_VALIDATION_FAILED");
    EXPECT_EQ(d.severity, "ERROR");
    got.push_back(Describe(d));
  }
  EXPECT_EQ(got, c.expected);
}

const std::string kRule = "must be a valid JSONPath or a valid intrinsic function call: ";

INSTANTIATE_TEST_SUITE_P(
    Checks, CheckPayloadTest,
    testing::Values(
        CheckCase{"valid template",
                  R"json({"a": 1, "b.$": "$.x", "c": {"d.$": "$$.Execution.Id"},
                      "e": [{"f.$": "$v.a"}], "g.$": "States.Format('{}', $.x)",
                      "h.$": "$.items[?(@.n > 1)].n", "i": "not a path", "j.$": "$"})json",
                  {}},
        CheckCase{"non-string value",
                  R"({"a.$": 5})",
                  {"/States/A/Parameters/a.$: The value for the field 'a.$' " + kRule +
                   "got 5, not a string"}},
        CheckCase{"null value",
                  R"({"a.$": null})",
                  {"/States/A/Parameters/a.$: The value for the field 'a.$' " + kRule +
                   "got null, not a string"}},
        CheckCase{"object value",
                  R"({"a.$": {"b": 1}})",
                  {"/States/A/Parameters/a.$: The value for the field 'a.$' " + kRule +
                   R"(got {"b":1}, not a string)"}},
        CheckCase{"not a path",
                  R"({"a.$": "x"})",
                  {"/States/A/Parameters/a.$: The value for the field 'a.$' " + kRule +
                   "'x' is not a valid JSONPath: it must start with '$'"}},
        CheckCase{"nested bad path",
                  R"({"n": {"a.$": "$.a["}})",
                  {"/States/A/Parameters/n/a.$: The value for the field 'a.$' " + kRule +
                   "'$.a[' is not a valid JSONPath: unclosed '['"}},
        CheckCase{"bad path in an array",
                  R"({"l": [1, {"a.$": "$."}]})",
                  {"/States/A/Parameters/l/1/a.$: The value for the field 'a.$' " + kRule +
                   "'$.' is not a valid JSONPath: expected a name after '.' at offset 2"}},
        CheckCase{"array template",
                  R"([{"a.$": "a"}])",
                  {"/States/A/Parameters/0/a.$: The value for the field 'a.$' " + kRule +
                   "'a' is not a valid JSONPath: it must start with '$'"}},
        CheckCase{"every problem, in order",
                  R"({"b.$": 1, "a": {"c.$": "c"}, "d.$": "$.ok"})",
                  {"/States/A/Parameters/b.$: The value for the field 'b.$' " + kRule +
                       "got 1, not a string",
                   "/States/A/Parameters/a/c.$: The value for the field 'c.$' " + kRule +
                       "'c' is not a valid JSONPath: it must start with '$'"}},
        CheckCase{"plain values are not checked", R"({"a": "$.a[", "b": ["$$x"]})", {}}));

TEST(CheckPayloadTest, IntrinsicProblemsComeFromCheckIntrinsic) {
  Diagnostics out;
  CheckPayload(Json::parse(R"json({"a": {"s.$": "States.Fromat('{}', $.x)"}})json"),
               "/States/A/ResultSelector", out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].location, "/States/A/ResultSelector/a/s.$");
  EXPECT_EQ(out[0].code, "SCHEMA_VALIDATION_FAILED");
  const std::string prefix = "The value for the field 's.$' " + kRule;
  EXPECT_EQ(out[0].message.substr(0, prefix.size()), prefix);
  EXPECT_NE(out[0].message.find("States.Fromat"), std::string::npos) << out[0].message;
}

}  // namespace
}  // namespace batchd::asl
