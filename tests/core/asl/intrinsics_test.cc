// Conformance tables for the intrinsic functions: each case is a call, the state input, and
// either the exact output or the exact error. Quirks follow AWS's recorded behaviour.
#include "core/asl/intrinsics.h"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/asl/states_error.h"

namespace batchd::asl {
namespace {

constexpr const char* kIntrinsic = errors::kIntrinsicFailure;

// Hands out the given numbers in turn, so random results are exact.
class FixedRandom final : public Random {
 public:
  explicit FixedRandom(std::vector<uint64_t> values) : values_(std::move(values)) {}
  uint64_t Next() override { return values_.at(next_++ % values_.size()); }
  size_t calls() const { return next_; }

 private:
  std::vector<uint64_t> values_;
  size_t next_ = 0;
};

const Json& Context() {
  static const Json context = Json::parse(R"({
    "Execution": {"Id": "arn:batchd:execution:m:exec-1", "Name": "exec-1",
                  "Input": {"start": 2, "end": 6, "step": 2}},
    "State": {"Name": "Resize", "EnteredTime": "2024-01-01T00:00:00Z"}})");
  return context;
}

const Json& Variables() {
  static const Json variables = Json::parse(R"({"counter": 41, "names": ["a", "b"]})");
  return variables;
}

struct Case {
  const char* call;
  const char* input;     // JSON text of the state input
  const char* expected;  // JSON text of the output; nullptr when the call fails
  const char* cause = nullptr;
};

// Failures name the call rather than dumping the struct's bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.call; }

Json RunCase(const Case& c, Random& random) {
  Json input = Json::parse(c.input);
  Scope scope{&input, &Context(), &Variables()};
  return EvaluateIntrinsic(c.call, scope, random);
}

class IntrinsicsTest : public testing::TestWithParam<Case> {};

TEST_P(IntrinsicsTest, Evaluates) {
  const Case& c = GetParam();
  FixedRandom random({12345});
  if (c.expected != nullptr) {
    Json output = RunCase(c, random);
    // Ordered JSON: object keys must also come out in the expected order.
    EXPECT_EQ(output, Json::parse(c.expected)) << c.call << " gave " << Compact(output);
    return;
  }
  try {
    Json output = RunCase(c, random);
    ADD_FAILURE() << c.call << " gave " << Compact(output) << ", expected an error";
  } catch (const StatesError& e) {
    EXPECT_EQ(e.error(), kIntrinsic) << c.call;
    EXPECT_EQ(e.cause(), c.cause) << c.call;
  }
}

const Case kCases[] = {
    // States.Format: strings bare, null as null, objects and arrays printed Java-style.
    {"States.Format('Hello, my name is {}.', $.name)", R"({"name": "Arnav"})",
     R"("Hello, my name is Arnav.")"},
    {"States.Format($.template, $.name)", R"({"name": "Arnav", "template": "Hi {}!"})",
     R"("Hi Arnav!")"},
    {"States.Format('{} {} {}', $.a, $.b, $.c)", R"({"a": "x", "b": 2, "c": true})",
     R"("x 2 true")"},
    {"States.Format('{}|{}|{}', $.nil, 3.5, -1)", R"({"nil": null})", R"("null|3.5|-1")"},
    {"States.Format('{}', $.obj)", R"({"obj": {"Arg1": 1, "Arg2": []}})", R"("{Arg1=1, Arg2=[]}")"},
    {"States.Format('{}', $.list)", R"({"list": [1, "a", {"k": "v"}, null, [true]]})",
     R"("[1, a, {k=v}, null, [true]]")"},
    {"States.Format('plain')", "{}", R"("plain")"},
    {"States.Format('  {}  ', 'x')", "{}", R"("  x  ")"},
    {R"(States.Format('Name: \'{}\', braces \{\} and \\', $.name))", R"({"name": "Ada"})",
     R"("Name: 'Ada', braces {} and \\")"},
    // A template from the input has no escapes: only "{}" is special.
    {"States.Format($.t, 1)", R"({"t": "{\"a\": {}}"})", R"("{\"a\": 1}")"},
    {"States.Format('arn:{}:{}', $.svc, States.JsonToString($.obj))",
     R"({"svc": "lambda", "obj": {"k": 1}})", R"("arn:lambda:{\"k\":1}")"},
    {"States.Format('{}/{}/{}', $$.Execution.Name, $counter, $$.State.Name)", "{}",
     R"("exec-1/41/Resize")"},
    {"States.Format('{} {}', $.a)", R"({"a": "x"})", nullptr,
     "Invalid arguments in States.Format: the template has 2 placeholders but 1 value was "
     "given"},
    {"States.Format('{}', 1, 2)", "{}", nullptr,
     "Invalid arguments in States.Format: the template has 1 placeholder but 2 values were "
     "given"},
    {"States.Format($.t)", R"({"t": "{}"})", nullptr,
     "Invalid arguments in States.Format: the template has 1 placeholder but 0 values were "
     "given"},
    {"States.Format('Hello {', $.a)", R"({"a": "x"})", nullptr,
     R"(Invalid arguments in States.Format: the template has a lone '{' at offset 6 (write \{ for a literal brace))"},
    {"States.Format('Hello {{}}', $.a)", R"({"a": "x"})", nullptr,
     R"(Invalid arguments in States.Format: the template has a lone '{' at offset 6 (write \{ for a literal brace))"},
    {"States.Format('}')", "{}", nullptr,
     R"(Invalid arguments in States.Format: the template has a lone '}' at offset 0 (write \} for a literal brace))"},
    {"States.Format($.n, 'x')", R"({"n": 123})", nullptr,
     "Invalid arguments in States.Format: argument 1 must be a string, got a number"},

    // States.StringToJson: "" (and blank text) is null; key order is kept.
    {"States.StringToJson($.s)", R"({"s": "{\"number\": 20}"})", R"({"number": 20})"},
    {"States.StringToJson($.s)", R"({"s": "{\"b\": 1, \"a\": [2]}"})", R"({"b": 1, "a": [2]})"},
    {"States.StringToJson('')", "{}", "null"},
    {"States.StringToJson(' ')", "{}", "null"},
    {"States.StringToJson('[1, 2.5, \"x\"]')", "{}", R"([1, 2.5, "x"])"},
    {"States.StringToJson($.s)", R"({"s": "\"x\""})", R"("x")"},
    {"States.StringToJson('{')", "{}", nullptr,
     "Invalid arguments in States.StringToJson: the argument is not valid JSON text"},
    {"States.StringToJson($.o)", R"({"o": {}})", nullptr,
     "Invalid arguments in States.StringToJson: argument 1 must be a string, got an object"},

    // States.JsonToString: compact.
    {"States.JsonToString($.obj)", R"({"obj": {"Arg1": 1, "Arg2": []}})",
     R"("{\"Arg1\":1,\"Arg2\":[]}")"},
    {"States.JsonToString($.s)", R"({"s": "a"})", R"("\"a\"")"},
    {"States.JsonToString($.n)", R"({"n": null})", R"("null")"},
    {"States.JsonToString($)", R"({"b": 1.5, "a": [true]})", R"("{\"b\":1.5,\"a\":[true]}")"},
    {"States.StringToJson(States.JsonToString($.o))", R"({"o": {"z": 1, "y": [null]}})",
     R"({"z": 1, "y": [null]})"},

    // States.Array.
    {"States.Array()", "{}", "[]"},
    {"States.Array('Foo', 2020, $.someJson, null)", R"({"someJson": {"random": "abcdefg"}})",
     R"(["Foo", 2020, {"random": "abcdefg"}, null])"},
    {"States.Array( $.a , $.b )", R"({"a": 1, "b": 2})", "[1, 2]"},
    {"States.Array(1.5, -2, 1e3, true, false, '')", "{}", R"([1.5, -2, 1000.0, true, false, ""])"},
    {"States.Array(1, States.Array(2, 3), States.Array())", "{}", "[1, [2, 3], []]"},
    {"States.Array($[1], $[0])", R"(["a", "b"])", R"(["b", "a"])"},

    // States.ArrayPartition: a fractional chunk size is truncated (observed on AWS).
    {"States.ArrayPartition($.a, 4)", R"({"a": [1, 2, 3, 4, 5, 6, 7, 8, 9]})",
     "[[1, 2, 3, 4], [5, 6, 7, 8], [9]]"},
    {"States.ArrayPartition($.a, 3)", R"({"a": []})", "[]"},
    {"States.ArrayPartition($.a, 10)", R"({"a": [1, 2, 3]})", "[[1, 2, 3]]"},
    {"States.ArrayPartition($.a, 2.6)", R"({"a": [1, 2, 3, 4, 5]})", "[[1, 2], [3, 4], [5]]"},
    {"States.ArrayPartition($.a, 2147483647)", R"({"a": [1, 2, 3]})", "[[1, 2, 3]]"},
    {"States.ArrayPartition($.a, 0)", R"({"a": [1]})", nullptr,
     "Invalid arguments in States.ArrayPartition: the chunk size must be a positive integer, "
     "got 0"},
    {"States.ArrayPartition($.a, $.n)", R"({"a": [1], "n": 0.49})", nullptr,
     "Invalid arguments in States.ArrayPartition: the chunk size must be a positive integer, "
     "got 0.49"},
    {"States.ArrayPartition($.a, $.n)", R"({"a": [1], "n": "2"})", nullptr,
     "Invalid arguments in States.ArrayPartition: argument 2 must be a number, got a string"},
    {"States.ArrayPartition($.s, 2)", R"({"s": "abc"})", nullptr,
     "Invalid arguments in States.ArrayPartition: argument 1 must be an array, got a string"},

    // States.ArrayContains: JSON equality, object keys in order (AWS says false otherwise).
    {"States.ArrayContains($.a, $.v)", R"({"a": [1, 2, 3, 4, 5, 6, 7, 8, 9], "v": 5})", "true"},
    {"States.ArrayContains($.a, 10)", R"({"a": [1, 2, 3]})", "false"},
    {"States.ArrayContains($.a, null)", R"({"a": [1, null]})", "true"},
    {"States.ArrayContains($.a, $.v)", R"({"a": [{"a": 1}, {"b": 2}], "v": {"b": 2}})", "true"},
    {"States.ArrayContains($.a, $.v)", R"({"a": [{"a": 1, "b": 2}], "v": {"b": 2, "a": 1}})",
     "false"},
    {"States.ArrayContains($.a, $.v)", R"({"a": [[1, 2], [3, 4]], "v": [3, 4]})", "true"},
    {"States.ArrayContains($.a, false)", R"({"a": [0, 1, -1]})", "false"},
    {"States.ArrayContains(States.Array(1, 2, 3), 2)", "{}", "true"},
    {"States.ArrayContains('abc', 'a')", "{}", nullptr,
     "Invalid arguments in States.ArrayContains: argument 1 must be an array, got a string"},

    // States.ArrayRange: bounds inclusive, fractions truncated (observed on AWS).
    {"States.ArrayRange(1, 9, 2)", "{}", "[1, 3, 5, 7, 9]"},
    {"States.ArrayRange(0, 10, 3)", "{}", "[0, 3, 6, 9]"},
    {"States.ArrayRange(5, 1, -2)", "{}", "[5, 3, 1]"},
    {"States.ArrayRange(3, 3, -1)", "{}", "[3]"},
    {"States.ArrayRange(5, 1, 1)", "{}", "[]"},
    {"States.ArrayRange(1.6, 1.4, 1)", "{}", "[1]"},
    {"States.ArrayRange(5.4, -0.6, -2.4)", "{}", "[5, 3, 1]"},
    {"States.ArrayRange($$.Execution.Input.start, $$.Execution.Input.end, "
     "$$.Execution.Input.step)",
     "{}", "[2, 4, 6]"},
    {"States.ArrayRange(States.MathAdd($.b, 1), States.MathAdd($.b, 5), 2)", R"({"b": 0})",
     "[1, 3, 5]"},
    {"States.ArrayRange($.a, 1001, 1)", R"({"a": 1})", nullptr,
     "Invalid arguments in States.ArrayRange: the range would have more than 1000 elements"},
    {"States.ArrayRange($.a, 1, -1)", R"({"a": 1001})", nullptr,
     "Invalid arguments in States.ArrayRange: the range would have more than 1000 elements"},
    {"States.ArrayRange($.a, -9223372036854775808, -1)", R"({"a": 9223372036854775807})", nullptr,
     "Invalid arguments in States.ArrayRange: the range would have more than 1000 elements"},
    {"States.ArrayRange(1, 10, $.s)", R"({"s": 0.49})", nullptr,
     "Invalid arguments in States.ArrayRange: the step must not be 0"},
    {"States.ArrayRange($.a, 5, 1)", R"({"a": "a"})", nullptr,
     "Invalid arguments in States.ArrayRange: argument 1 must be a number, got a string"},

    // States.ArrayGetItem: a fractional index is truncated (observed on AWS).
    {"States.ArrayGetItem($.a, $.i)", R"({"a": [1, 2, 3, 4, 5, 6, 7, 8, 9], "i": 5})", "6"},
    {"States.ArrayGetItem($.a, 1.2)", R"({"a": [10, 20, 30]})", "20"},
    {"States.ArrayGetItem($.a, 0)", R"({"a": [null]})", "null"},
    {"States.ArrayGetItem(States.Array($.x, $.y), 0)", R"({"x": {"k": 1}, "y": 2})", R"({"k": 1})"},
    {"States.ArrayGetItem($.a, 3)", R"({"a": [10, 20, 30]})", nullptr,
     "Invalid arguments in States.ArrayGetItem: index 3 is out of bounds for an array of 3 "
     "elements"},
    {"States.ArrayGetItem($.a, $.i)", R"({"a": [10], "i": -1})", nullptr,
     "Invalid arguments in States.ArrayGetItem: index -1 is out of bounds for an array of 1 "
     "elements"},
    {"States.ArrayGetItem($.a, '1')", R"({"a": [10]})", nullptr,
     "Invalid arguments in States.ArrayGetItem: argument 2 must be a number, got a string"},

    // States.ArrayLength.
    {"States.ArrayLength($.a)", R"({"a": [1, 2, 3, 4, 5, 6, 7, 8, 9]})", "9"},
    {"States.ArrayLength(States.Array())", "{}", "0"},
    {"States.ArrayLength($names)", "{}", "2"},
    {"States.ArrayLength($.o)", R"({"o": {"k": 1}})", nullptr,
     "Invalid arguments in States.ArrayLength: argument 1 must be an array, got an object"},

    // States.ArrayUnique: the first of equal elements stays, in order.
    {"States.ArrayUnique($.a)", R"({"a": [1, 2, 3, 3, 3, 3, 3, 3, 4]})", "[1, 2, 3, 4]"},
    {"States.ArrayUnique($.a)",
     R"({"a": [null, null, true, true, false, 1, 1, 1.1, 0, "x", "x", [], [], [null], [null],
               {"a": 1, "b": 2}, {"a": 1, "b": 2}, {"a": 1, "b": 1}]})",
     R"([null, true, false, 1, 1.1, 0, "x", [], [null], {"a": 1, "b": 2}, {"a": 1, "b": 1}])"},
    {"States.ArrayUnique($.a)", R"({"a": []})", "[]"},
    {"States.ArrayUnique(null)", "{}", nullptr,
     "Invalid arguments in States.ArrayUnique: argument 1 must be an array, got null"},

    // States.Base64Encode / Base64Decode: UTF-8 bytes; decoding is lenient, like AWS's.
    {"States.Base64Encode($.s)", R"({"s": "Data to encode"})", R"("RGF0YSB0byBlbmNvZGU=")"},
    {"States.Base64Encode('')", "{}", R"("")"},
    {"States.Base64Encode($.s)", R"({"s": "✓"})", R"("4pyT")"},
    {"States.Base64Encode($.s)", R"({"s": "🚀"})", R"("8J+agA==")"},
    {"States.Base64Encode($.s)", R"({"s": "abc\u0000def"})", R"("YWJjAGRlZg==")"},
    {"States.Base64Encode(123)", "{}", nullptr,
     "Invalid arguments in States.Base64Encode: argument 1 must be a string, got a number"},
    {"States.Base64Decode($.s)", R"({"s": "RGF0YSB0byBlbmNvZGU="})", R"("Data to encode")"},
    {"States.Base64Decode('')", "{}", R"("")"},
    {"States.Base64Decode('44GT44KT44Gr44Gh44Gv')", "{}", R"("こんにちは")"},
    {"States.Base64Decode('YWJjAGRlZg==')", "{}", R"("abc\u0000def")"},
    {"States.Base64Decode(' YWJjZA== ')", "{}", R"("abcd")"},
    {"States.Base64Decode('YWJjZA')", "{}", R"("abcd")"},
    {"States.Base64Decode('aGk=aGk=')", "{}", R"("hi")"},
    {"States.Base64Decode('abc')", "{}", R"("i\ufffd")"},
    {"States.Base64Decode(States.Base64Encode($.s))", R"({"s": "round ✓ trip"})",
     R"("round ✓ trip")"},
    {"States.Base64Decode($.o)", R"({"o": {}})", nullptr,
     "Invalid arguments in States.Base64Decode: argument 1 must be a string, got an object"},

    // States.Hash: lowercase hex; data that is not a string is hashed as its JSON text.
    {"States.Hash('hello', 'MD5')", "{}", R"("5d41402abc4b2a76b9719d911017c592")"},
    {"States.Hash('hello', 'SHA-1')", "{}", R"("aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d")"},
    {"States.Hash('hello', 'SHA-256')", "{}",
     R"("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")"},
    {"States.Hash('hello', 'SHA-384')", "{}",
     R"("59e1748777448c69de6b800d7a33bbfb9ff1b463e44354c3553bcdb9c666fa90125a3c79f90397bdf5f6a13de828684f")"},
    {"States.Hash($.d, $.alg)", R"({"d": "hello", "alg": "SHA-512"})",
     R"("9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043")"},
    {"States.Hash(123, 'SHA-256')", "{}",
     R"("a665a45920422f9d417e4867efdc4fb8a04a1f3fff1fa07e998e86f7f7a27ae3")"},
    {"States.Hash($.o, 'MD5')", R"({"o": {"a": 1}})", R"("bb6cb5c68df4652941caf652a366f2d8")"},
    {"States.Hash('data', $.alg)", R"({"alg": "sha-256"})", nullptr,
     "Invalid arguments in States.Hash: unknown algorithm 'sha-256': use MD5, SHA-1, SHA-256, "
     "SHA-384 or SHA-512"},
    {"States.Hash('data', 256)", "{}", nullptr,
     "Invalid arguments in States.Hash: argument 2 must be a string, got a number"},

    // States.JsonMerge: shallow; the second object's keys win and keep the first's order.
    {"States.JsonMerge($.json1, $.json2, false)",
     R"({"json1": {"a": {"a1": 1, "a2": 2}, "b": 2}, "json2": {"a": {"a3": 1, "a4": 2}, "c": 3}})",
     R"({"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3})"},
    {"States.JsonMerge($.x, $.y, false)", R"({"x": {}, "y": {}})", "{}"},
    {"States.JsonMerge($.x, $.y, $.deep)", R"({"x": {}, "y": {}, "deep": true})", nullptr,
     "Invalid arguments in States.JsonMerge: only shallow merging is supported: the third "
     "argument must be false"},
    {"States.JsonMerge($.x, $.y, false)", R"({"x": {}, "y": [1]})", nullptr,
     "Invalid arguments in States.JsonMerge: argument 2 must be an object, got an array"},

    // States.MathRandom: start inclusive, end exclusive; the test's Random gives 12345.
    {"States.MathRandom(1, 999)", "{}", "370"},
    {"States.MathRandom($.s, $.e)", R"({"s": -99999, "e": -9999})", "-87654"},
    {"States.MathRandom(1.6, 5.4)", "{}", "2"},
    {"States.MathRandom(1, 1)", "{}", nullptr,
     "Invalid arguments in States.MathRandom: the start (1) must be less than the end (1)"},
    {"States.MathRandom($.s, 5)", R"({"s": 10})", nullptr,
     "Invalid arguments in States.MathRandom: the start (10) must be less than the end (5)"},
    {"States.MathRandom(1.4, $.e)", R"({"e": 1.6})", nullptr,
     "Invalid arguments in States.MathRandom: the start (1) must be less than the end (1)"},
    {"States.MathRandom(1, 10, null)", "{}", nullptr,
     "Invalid arguments in States.MathRandom: argument 3 must be a number, got null"},
    {"States.MathRandom('a', 10)", "{}", nullptr,
     "Invalid arguments in States.MathRandom: argument 1 must be a number, got a string"},

    // States.MathAdd: each argument rounded half up, as Java's Math.round (recorded).
    {"States.MathAdd($.value1, $.step)", R"({"value1": 111, "step": -1})", "110"},
    {"States.MathAdd(-9, 3)", "{}", "-6"},
    {"States.MathAdd(1.49, 1.50)", "{}", "3"},
    {"States.MathAdd(1.50, 1.51)", "{}", "4"},
    {"States.MathAdd(-1.49, -1.50)", "{}", "-2"},
    {"States.MathAdd(-1.50, -1.51)", "{}", "-3"},
    {"States.MathAdd(0.5, 0)", "{}", "1"},
    {"States.MathAdd(2.5, 0)", "{}", "3"},
    {"States.MathAdd(-0.5, 0)", "{}", "0"},
    {"States.MathAdd(-0.5, 0.5)", "{}", "1"},
    {"States.MathAdd(-2.5, 0)", "{}", "-2"},
    {"States.MathAdd(-3.5, 0)", "{}", "-3"},
    {"States.MathAdd($counter, 1)", "{}", "42"},
    {"States.MathAdd($.a, $.b)", R"({"a": 1, "b": "NOT A NUMBER"})", nullptr,
     "Invalid arguments in States.MathAdd: argument 2 must be a number, got a string"},

    // States.StringSplit: a set of delimiter characters, empty pieces dropped (recorded).
    {"States.StringSplit($.s, $.d)", R"({"s": "1,2,3,4,5", "d": ","})",
     R"(["1", "2", "3", "4", "5"])"},
    {"States.StringSplit($.s, ',')", R"({"s": ", , ,"})", R"([" ", " "])"},
    {"States.StringSplit($.s, $.d)", R"({"s": "This.is+a,test=string", "d": ".+,="})",
     R"(["This", "is", "a", "test", "string"])"},
    {"States.StringSplit('', ',')", "{}", "[]"},
    {"States.StringSplit('a,b', '')", "{}", R"(["a,b"])"},
    {"States.StringSplit($.s, '✓')", R"({"s": "a✓b✓✓c"})", R"(["a", "b", "c"])"},
    {"States.StringSplit($.s, ',')", R"({"s": 1})", nullptr,
     "Invalid arguments in States.StringSplit: argument 1 must be a string, got a number"},

    // Nesting: AWS's nine-call example (its template has three '{}' for two values, which
    // fails; here it has two).
    {"States.Format('{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem("
     "States.StringSplit($.Arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit("
     "States.ArrayGetItem(States.StringSplit($.Arn, '/'), 2), '.'), 1))",
     R"({"Arn": "arn:aws:imagebuilder:us-east-1:1:image-recipe/r/1.2.3"})", R"("1.2")"},

    // Calls that cannot be read, or name no function, fail when evaluated too.
    {"States.Array(", "{}", nullptr,
     "'States.Array(' is not a valid intrinsic function call: expected an argument at offset "
     "13"},
    {"States.Fromat('x')", "{}", nullptr, "unknown function 'States.Fromat'"},
    {"States.ArrayRange(1, 2)", "{}", nullptr,
     "Invalid arguments in States.ArrayRange: takes 3 arguments, got 2"},
    {"States.UUID(1)", "{}", nullptr,
     "Invalid arguments in States.UUID: takes no arguments, got 1"},
};

INSTANTIATE_TEST_SUITE_P(Conformance, IntrinsicsTest, testing::ValuesIn(kCases));

Json Evaluate(const std::string& call, const Json& input, Random& random) {
  Scope scope{&input, &Context(), &Variables()};
  return EvaluateIntrinsic(call, scope, random);
}

TEST(IntrinsicsPaths, MissingPathIsARuntimeError) {
  FixedRandom random({1});
  for (const char* call : {"States.Array($.missing)", "States.Format('{}', $$.Nope.x)",
                           "States.MathAdd($nobody, 1)"}) {
    try {
      Evaluate(call, Json::object(), random);
      ADD_FAILURE() << call;
    } catch (const StatesError& e) {
      EXPECT_EQ(e.error(), errors::kRuntime) << call;
    }
  }
}

TEST(IntrinsicsLimits, TextsUpTo10000CharactersAsJavaCountsThem) {
  FixedRandom random({1});
  std::string base64;
  for (int i = 0; i < 2500; ++i) base64 += "QUFB";
  Json input = {{"ok", std::string(10000, 'a')},
                {"base64", base64},
                {"long", std::string(10001, 'a')},
                {"astral", [] {
                   std::string s;
                   for (int i = 0; i < 5001; ++i) s += "🚀";  // 10002 UTF-16 units
                   return s;
                 }()}};
  EXPECT_EQ(Evaluate("States.Base64Encode($.ok)", input, random).get<std::string>().size(), 13336u);
  EXPECT_EQ(Evaluate("States.Base64Decode($.base64)", input, random), std::string(7500, 'A'));
  EXPECT_EQ(Evaluate("States.Hash($.ok, 'MD5')", input, random).get<std::string>().size(), 32u);
  const std::pair<const char*, const char*> failures[] = {
      {"States.Base64Encode($.long)",
       "Invalid arguments in States.Base64Encode: the text has 10001 characters, more than "
       "10000"},
      {"States.Base64Decode($.long)",
       "Invalid arguments in States.Base64Decode: the text has 10001 characters, more than "
       "10000"},
      {"States.Hash($.long, 'SHA-1')",
       "Invalid arguments in States.Hash: the text has 10001 characters, more than 10000"},
      {"States.Base64Encode($.astral)",
       "Invalid arguments in States.Base64Encode: the text has 10002 characters, more than "
       "10000"},
  };
  for (const auto& [call, cause] : failures) {
    try {
      Evaluate(call, input, random);
      ADD_FAILURE() << call;
    } catch (const StatesError& e) {
      EXPECT_EQ(e.error(), kIntrinsic);
      EXPECT_EQ(e.cause(), cause);
    }
  }
}

TEST(IntrinsicsLimits, ArrayRangeMakesAtMost1000Elements) {
  FixedRandom random({1});
  Json up = Evaluate("States.ArrayRange(1, 1000, 1)", Json::object(), random);
  ASSERT_EQ(up.size(), 1000u);
  EXPECT_EQ(up.front(), 1);
  EXPECT_EQ(up.back(), 1000);
  Json down = Evaluate("States.ArrayRange(1000, 1, -1)", Json::object(), random);
  ASSERT_EQ(down.size(), 1000u);
  EXPECT_EQ(down.back(), 1);
  Json wide = Evaluate(
      "States.ArrayRange(-9223372036854775808, 9223372036854775807, "
      "9223372036854775807)",
      Json::object(), random);
  EXPECT_EQ(wide, Json::parse("[-9223372036854775808, -1, 9223372036854775806]"));
}

TEST(IntrinsicsRandom, SeededMathRandomIsDeterministicAndLeavesTheRandomAlone) {
  FixedRandom random({1});
  Json first = Evaluate("States.MathRandom(0, 999, 3)", Json::object(), random);
  Json second = Evaluate("States.MathRandom(0, 999, $.seed)", Json{{"seed", 3}}, random);
  EXPECT_EQ(first, second);
  // std::mt19937_64 is fully specified, so the seeded value is the same everywhere.
  EXPECT_EQ(first, 908);
  EXPECT_EQ(random.calls(), 0u);
  EXPECT_EQ(Evaluate("States.MathRandom(0, 999, 3.9)", Json::object(), random), first);
}

TEST(IntrinsicsRandom, UuidIsVersion4FromTheRandom) {
  FixedRandom random({0x0123456789abcdefULL, 0xfedcba9876543210ULL});
  EXPECT_EQ(Evaluate("States.UUID()", Json::object(), random),
            "01234567-89ab-4def-bedc-ba9876543210");
  SeededRandom seeded(7);
  std::string uuid = Evaluate("States.UUID()", Json::object(), seeded).get<std::string>();
  ASSERT_EQ(uuid.size(), 36u);
  EXPECT_EQ(uuid[14], '4');
  EXPECT_NE(std::string("89ab").find(uuid[19]), std::string::npos);
  EXPECT_NE(Evaluate("States.UUID()", Json::object(), seeded), uuid);
}

TEST(IntrinsicsRandom, UnseededMathRandomUsesTheRandom) {
  FixedRandom random({998, 999});
  EXPECT_EQ(Evaluate("States.MathRandom(1, 999)", Json::object(), random), 1);
  EXPECT_EQ(Evaluate("States.MathRandom(1, 999)", Json::object(), random), 2);
  EXPECT_EQ(random.calls(), 2u);
}

struct CheckCase {
  const char* call;
  std::optional<std::string> problem;
};

void PrintTo(const CheckCase& c, std::ostream* os) { *os << c.call; }

class CheckIntrinsicTest : public testing::TestWithParam<CheckCase> {};

TEST_P(CheckIntrinsicTest, ReportsTheProblem) {
  EXPECT_EQ(CheckIntrinsic(GetParam().call), GetParam().problem) << GetParam().call;
}

std::string Nested(int calls) {
  std::string text = "1";
  for (int i = 0; i < calls; ++i) text = "States.Array(" + text + ")";
  return text;
}

const std::string kNested10 = Nested(10);
const std::string kNested11 = Nested(11);

const CheckCase kCheckCases[] = {
    {"States.Format('{}', $.a)", std::nullopt},
    {"States.Format($.t, $.a, $.b)", std::nullopt},
    {R"(States.Format('\{\} \'q\' \\'))", std::nullopt},
    {"States.UUID()", std::nullopt},
    {"States.MathRandom(1, 10)", std::nullopt},
    {"States.Array($.a[0,1], $.l[?(@.n > 1)], $$.Execution.Id, $var.x)", std::nullopt},
    {"States.JsonMerge($.a, States.StringToJson($.s), false)", std::nullopt},
    {kNested10.c_str(), std::nullopt},
    {kNested11.c_str(), "at most 10 intrinsic functions may be nested in one field, found 11"},
    // Syntax.
    {"States.Array(",
     "'States.Array(' is not a valid intrinsic function call: expected an "
     "argument at offset 13"},
    {"States.Array(1,)",
     "'States.Array(1,)' is not a valid intrinsic function call: expected "
     "an argument at offset 15"},
    {"States.Array(1 2)",
     "'States.Array(1 2)' is not a valid intrinsic function call: "
     "expected ',' or ')' at offset 15"},
    {"States.Array(1.)",
     "'States.Array(1.)' is not a valid intrinsic function call: "
     "malformed number '1.' at offset 13"},
    {"States.Array(01)",
     "'States.Array(01)' is not a valid intrinsic function call: "
     "malformed number '01' at offset 13"},
    {"States.Array(foo)",
     "'States.Array(foo)' is not a valid intrinsic function call: "
     "unexpected 'foo': an argument is a 'string', a number, true, false, "
     "null, a path or a call at offset 13"},
    {"States.Array('abc",
     "'States.Array('abc' is not a valid intrinsic function call: "
     "unterminated string literal at offset 13"},
    {R"(States.Base64Decode('YWJj\nZA=='))",
     R"('States.Base64Decode('YWJj\nZA==')' is not a valid intrinsic function call: a backslash in a string literal must start \', \{, \} or \\ at offset 25)"},
    {"States.Array() x",
     "'States.Array() x' is not a valid intrinsic function call: "
     "unexpected text after the closing ')' at offset 15"},
    {"States.Array",
     "'States.Array' is not a valid intrinsic function call: expected '(' "
     "after States.Array at offset 12"},
    {"States.(1)",
     "'States.(1)' is not a valid intrinsic function call: expected a function "
     "name such as 'States.Format' at offset 0"},
    // Names and counts.
    {"States.Fromat('x')", "unknown function 'States.Fromat'"},
    {"States.Array(States.Lenght($.a))", "unknown function 'States.Lenght'"},
    {"States.ArrayRange(1, 2)", "States.ArrayRange takes 3 arguments, got 2"},
    {"States.UUID(1)", "States.UUID takes no arguments, got 1"},
    {"States.Format()", "States.Format takes at least 1 argument, got 0"},
    {"States.MathRandom(1)", "States.MathRandom takes 2 or 3 arguments, got 1"},
    {"States.ArrayLength($.a, $.b)", "States.ArrayLength takes 1 argument, got 2"},
    // Literal types and nested results.
    {"States.ArrayLength('x')",
     "Invalid arguments in States.ArrayLength: argument 1 must be an array, got a string"},
    {"States.MathAdd($.a, true)",
     "Invalid arguments in States.MathAdd: argument 2 must be a number, got a boolean"},
    {"States.ArrayLength(States.Format('x'))",
     "Invalid arguments in States.ArrayLength: argument 1 must be an array, got a string from "
     "States.Format"},
    {"States.JsonMerge($.a, $.b, null)",
     "Invalid arguments in States.JsonMerge: argument 3 must be a boolean, got null"},
    // Literal values that fail whatever the input.
    {"States.Format('{} {}', $.a)",
     "Invalid arguments in States.Format: the template has 2 placeholders but 1 value was "
     "given"},
    {"States.Format('Hello {', $.a)",
     R"(Invalid arguments in States.Format: the template has a lone '{' at offset 6 (write \{ for a literal brace))"},
    {"States.Hash($.a, 'SHA256')",
     "Invalid arguments in States.Hash: unknown algorithm 'SHA256': use MD5, SHA-1, SHA-256, "
     "SHA-384 or SHA-512"},
    {"States.JsonMerge($.a, $.b, true)",
     "Invalid arguments in States.JsonMerge: only shallow merging is supported: the third "
     "argument must be false"},
    {"States.ArrayRange($.a, $.b, 0.5)",
     "Invalid arguments in States.ArrayRange: the step must not be 0"},
    {"States.ArrayPartition($.a, -0.4)",
     "Invalid arguments in States.ArrayPartition: the chunk size must be a positive integer"},
    {"States.ArrayGetItem($.a, -1)",
     "Invalid arguments in States.ArrayGetItem: the index must not be negative"},
    // Calls of literals only are evaluated: their failure is certain.
    {"States.ArrayRange(1, 2000, 1)",
     "Invalid arguments in States.ArrayRange: the range would have more than 1000 elements"},
    {"States.ArrayGetItem(States.Array(1, 2), 5)",
     "Invalid arguments in States.ArrayGetItem: index 5 is out of bounds for an array of 2 "
     "elements"},
    {"States.MathRandom(1.4, 1.6)",
     "Invalid arguments in States.MathRandom: the start (1) must be less than the end (1)"},
    {"States.StringToJson('{')",
     "Invalid arguments in States.StringToJson: the argument is not valid JSON text"},
};

INSTANTIATE_TEST_SUITE_P(Conformance, CheckIntrinsicTest, testing::ValuesIn(kCheckCases));

TEST(CheckIntrinsic, ReportsABadPathArgument) {
  std::optional<std::string> problem = CheckIntrinsic("States.Array(1, $.a b)");
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->rfind("States.Array argument 2: ", 0), 0u) << *problem;
}

TEST(LooksLikeIntrinsic, TellsCallsFromPaths) {
  EXPECT_TRUE(LooksLikeIntrinsic("States.Format('{}', $.a)"));
  EXPECT_TRUE(LooksLikeIntrinsic("States.Fromat(1)"));
  EXPECT_FALSE(LooksLikeIntrinsic("$.States.Format"));
  EXPECT_FALSE(LooksLikeIntrinsic("$$.Execution.Id"));
  EXPECT_FALSE(LooksLikeIntrinsic("states.Array()"));
  EXPECT_FALSE(LooksLikeIntrinsic(""));
}

}  // namespace
}  // namespace batchd::asl
