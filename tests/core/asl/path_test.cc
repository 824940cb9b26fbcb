// Conformance tables for JSONPath: reference paths, Jayway's path features, context and
// variable paths, the causes of failed selections, CheckPath's rules and ResultPath.
#include "core/asl/path.h"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>

#include "core/asl/states_error.h"

namespace batchd::asl {
namespace {

const Json kDoc = Json::parse(R"({
  "a": {"b": {"c": 1}, "list": [10, 20, 30, 40, 50]},
  "items": [
    {"id": 1, "n": 5, "status": "ok", "on": true, "tags": ["x"]},
    {"id": 2, "n": 0, "status": "failed", "on": false},
    {"id": 3, "n": 12, "status": "ok", "extra": null}
  ],
  "name with space": "s",
  "quote'd": "q",
  "dash-key": 7,
  "nul": null,
  "zero": 0,
  "empty": [],
  "str": "text"
})");

const Json kContext = Json::parse(R"({
  "Execution": {"Id": "arn:exec", "Input": {"k": 1}},
  "Map": {"Item": {"Index": 2, "Value": {"v": "x"}}}
})");

const Json kVariables = Json::parse(R"({"count": 3, "obj": {"a": [1, 2]}})");

// Goessner's bookstore, the document Jayway's own examples use.
const Json kStore = Json::parse(R"({
  "store": {
    "book": [
      {"category": "reference", "author": "Nigel Rees", "title": "Sayings of the Century",
       "price": 8.95},
      {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword of Honour",
       "price": 12.99},
      {"category": "fiction", "author": "Herman Melville", "title": "Moby Dick",
       "isbn": "0-553-21311-3", "price": 8.99},
      {"category": "fiction", "author": "J. R. R. Tolkien", "title": "The Lord of the Rings",
       "isbn": "0-395-19395-8", "price": 22.99}
    ],
    "bicycle": {"color": "red", "price": 19.95}
  },
  "expensive": 10
})");

struct SelectCase {
  const char* path;
  const char* expected;  // JSON text; nullptr: nothing selected (nullopt)
};

void PrintTo(const SelectCase& c, std::ostream* os) { *os << c.path; }

void ExpectSelects(const SelectCase& c, const Scope& scope) {
  const std::optional<Json> got = TrySelect(c.path, scope);
  if (c.expected == nullptr) {
    EXPECT_FALSE(got.has_value()) << c.path << " selected " << Compact(*got);
    return;
  }
  ASSERT_TRUE(got.has_value()) << c.path << " selected nothing";
  EXPECT_EQ(Compact(*got), Compact(Json::parse(c.expected))) << c.path;
}

class SelectTest : public testing::TestWithParam<SelectCase> {};

TEST_P(SelectTest, Selects) { ExpectSelects(GetParam(), Scope{&kDoc, &kContext, &kVariables}); }

INSTANTIATE_TEST_SUITE_P(
    ReferencePaths, SelectTest,
    testing::Values(
        SelectCase{"$.a.b.c", "1"}, SelectCase{"$.a.b", R"({"c":1})"},
        SelectCase{"$['a']['b']", R"({"c":1})"}, SelectCase{R"($["a"].b.c)", "1"},
        SelectCase{"$['a'].b['c']", "1"}, SelectCase{"$.a.list[0]", "10"},
        SelectCase{"$.a.list[4]", "50"}, SelectCase{"$.a.list[-1]", "50"},
        SelectCase{"$.a.list[-5]", "10"}, SelectCase{"$.a.list[5]", nullptr},
        SelectCase{"$.a.list[-6]", nullptr}, SelectCase{"$.items[1].status", R"("failed")"},
        SelectCase{"$.missing", nullptr}, SelectCase{"$.a.missing.x", nullptr},
        SelectCase{"$.nul", "null"}, SelectCase{"$.nul.x", nullptr}, SelectCase{"$.zero", "0"},
        SelectCase{"$.empty", "[]"}, SelectCase{"$.str[0]", nullptr}, SelectCase{"$.a[0]", nullptr},
        SelectCase{"$['name with space']", R"("s")"}, SelectCase{R"($['quote\'d'])", R"("q")"},
        SelectCase{"$.dash-key", "7"}, SelectCase{"$[ 'a' ].b.c", "1"}));

INSTANTIATE_TEST_SUITE_P(
    WildcardsUnionsSlices, SelectTest,
    testing::Values(
        SelectCase{"$.a.list[*]", "[10,20,30,40,50]"}, SelectCase{"$.a.list.*", "[10,20,30,40,50]"},
        SelectCase{"$.a.b.*", "[1]"}, SelectCase{"$.a.b[*]", "[1]"},
        SelectCase{"$.items[*].id", "[1,2,3]"}, SelectCase{"$.items[*].extra", "[null]"},
        // Recorded: a wildcard over a missing array is an empty array, not a failure.
        SelectCase{"$.missing[*]", "[]"}, SelectCase{"$.missing[*].x", "[]"},
        SelectCase{"$.str.*", "[]"}, SelectCase{"$.empty[*]", "[]"},
        SelectCase{"$.a.list[0,2]", "[10,30]"}, SelectCase{"$.a.list[2,0,9]", "[30,10]"},
        SelectCase{"$.a.list[-1, 0]", "[50,10]"},
        // Jayway merges a union of names that ends the path into one object per match.
        SelectCase{"$.items[0]['id','n']", R"([{"id":1,"n":5}])"},
        SelectCase{"$.items[0]['id','nope']", R"([{"id":1}])"},
        SelectCase{"$.items[*]['id','status']",
                   R"([{"id":1,"status":"ok"},{"id":2,"status":"failed"},)"
                   R"({"id":3,"status":"ok"}])"},
        SelectCase{"$['a','missing'].b", R"([{"c":1}])"}, SelectCase{"$.a.list[1:3]", "[20,30]"},
        SelectCase{"$.a.list[:2]", "[10,20]"}, SelectCase{"$.a.list[3:]", "[40,50]"},
        SelectCase{"$.a.list[-2:]", "[40,50]"}, SelectCase{"$.a.list[:-3]", "[10,20]"},
        SelectCase{"$.a.list[::2]", "[10,30,50]"}, SelectCase{"$.a.list[1:4:2]", "[20,40]"},
        SelectCase{"$.a.list[::-1]", "[50,40,30,20,10]"},
        SelectCase{"$.a.list[3:0:-1]", "[40,30,20]"}, SelectCase{"$.a.list[10:]", "[]"},
        SelectCase{"$.a.list[-10:2]", "[10,20]"}, SelectCase{"$.a.list[2:1]", "[]"},
        SelectCase{"$.a.list[0:5:9223372036854775807]", "[10]"}, SelectCase{"$.str[0:1]", "[]"}));

INSTANTIATE_TEST_SUITE_P(
    Filters, SelectTest,
    testing::Values(
        // Recorded: a filter yields an array, here of whole items.
        SelectCase{"$.items[?(@.id == 2)]", R"([{"id":2,"n":0,"status":"failed","on":false}])"},
        SelectCase{"$.items[?(@.status == 'ok')].id", "[1,3]"},
        SelectCase{R"($.items[?(@.status == "ok")].id)", "[1,3]"},
        SelectCase{"$.items[?(@.status=='ok')].id", "[1,3]"},
        SelectCase{"$.items[?(@.n > 4)].id", "[1,3]"},
        SelectCase{"$.items[?(@.n >= 5)].id", "[1,3]"}, SelectCase{"$.items[?(@.n < 5)].id", "[2]"},
        SelectCase{"$.items[?(@.n <= 5)].id", "[1,2]"},
        SelectCase{"$.items[?(@.n == 5.0)].id", "[1]"},
        SelectCase{"$.items[?(@.n > -1.5e1)].id", "[1,2,3]"},
        SelectCase{"$.items[?(@.status != 'ok')].id", "[2]"},
        SelectCase{"$.items[?(@.n == 5 && @.status == 'ok')].id", "[1]"},
        SelectCase{"$.items[?(@.n == 0 || @.id == 3)].id", "[2,3]"},
        SelectCase{"$.items[?(@.id == 1 || @.id == 2 && @.n == 1)].id", "[1]"},
        SelectCase{"$.items[?((@.n > 1 || @.n < 0) && @.id != 3)].id", "[1]"},
        SelectCase{"$.items[?(!(@.status == 'ok'))].id", "[2]"},
        SelectCase{"$.items[?(@.on == true)].id", "[1]"},
        SelectCase{"$.items[?(@.on != true)].id", "[2,3]"},
        // Existence: a member that is null exists.
        SelectCase{"$.items[?(@.extra)].id", "[3]"}, SelectCase{"$.items[?(!@.extra)].id", "[1,2]"},
        SelectCase{"$.items[?(@.tags)].id", "[1]"},
        SelectCase{"$.items[?(@.tags[0] == 'x')].id", "[1]"},
        SelectCase{"$.items[?(@['status'] == 'failed')].id", "[2]"},
        // A missing member is undefined, which differs from everything, null included.
        SelectCase{"$.items[?(@.missing != 1)].id", "[1,2,3]"},
        SelectCase{"$.items[?(@.missing == null)].id", "[]"},
        SelectCase{"$.items[?(@.extra == null)].id", "[3]"},
        SelectCase{"$.items[?(@.missing < 1)].id", "[]"},
        // Only two numbers or two strings are ordered.
        SelectCase{"$.items[?(@.n > '1')].id", "[]"},
        SelectCase{"$.items[?(@.status > 'n')].id", "[1,3]"},
        SelectCase{"$.items[?(@.on < true)].id", "[]"},
        SelectCase{"$.items[?(@.n == '5')].id", "[]"},
        SelectCase{"$.items[?(@.n > @.id)].id", "[1,3]"},
        SelectCase{"$.items[?(@.n == $.zero)].id", "[2]"},
        SelectCase{"$.items[?(@.tags == $.items[0].tags)].id", "[1]"},
        SelectCase{"$.a.list[?(@ > 25)]", "[30,40,50]"},
        SelectCase{"$.a.list[?(@ == 20 || @ == 40)]", "[20,40]"},
        // A filter on an object tests the object itself; on a scalar it selects nothing.
        SelectCase{"$.a[?(@.list)].b", R"([{"c":1}])"}, SelectCase{"$.str[?(@ == 'text')]", "[]"},
        SelectCase{"$.missing[?(@.x)]", "[]"}));

INSTANTIATE_TEST_SUITE_P(
    ContextAndVariables, SelectTest,
    testing::Values(SelectCase{"$$.Execution.Id", R"("arn:exec")"},
                    SelectCase{"$$.Execution['Input'].k", "1"},
                    SelectCase{"$$.Map.Item.Index", "2"},
                    SelectCase{"$$.Map.Item.Value.v", R"("x")"}, SelectCase{"$$.Nope", nullptr},
                    SelectCase{"$$..v", R"(["x"])"}, SelectCase{"$$['Map']['Item']['Index']", "2"},
                    SelectCase{"$count", "3"}, SelectCase{"$obj", R"({"a":[1,2]})"},
                    SelectCase{"$obj.a[1]", "2"}, SelectCase{"$obj['a'][0]", "1"},
                    SelectCase{"$obj.a[*]", "[1,2]"}, SelectCase{"$obj.a[?(@ > 1)]", "[2]"},
                    SelectCase{"$nope", nullptr}, SelectCase{"$nope.x", nullptr},
                    SelectCase{"$nope[*]", "[]"}, SelectCase{"$count.x", nullptr}));

class StoreTest : public testing::TestWithParam<SelectCase> {};

TEST_P(StoreTest, Selects) { ExpectSelects(GetParam(), Scope{&kStore}); }

INSTANTIATE_TEST_SUITE_P(
    DeepScan, StoreTest,
    testing::Values(
        SelectCase{"$.store.book[*].author",
                   R"(["Nigel Rees","Evelyn Waugh","Herman Melville","J. R. R. Tolkien"])"},
        SelectCase{"$..author",
                   R"(["Nigel Rees","Evelyn Waugh","Herman Melville","J. R. R. Tolkien"])"},
        SelectCase{"$..price", "[8.95,12.99,8.99,22.99,19.95]"},
        SelectCase{"$.store..price", "[8.95,12.99,8.99,22.99,19.95]"},
        SelectCase{"$.store.bicycle.*", R"(["red",19.95])"},
        SelectCase{"$..book[2].title", R"(["Moby Dick"])"},
        SelectCase{"$..book[-1].title", R"(["The Lord of the Rings"])"},
        SelectCase{"$..book[0,1].author", R"(["Nigel Rees","Evelyn Waugh"])"},
        SelectCase{"$..book[:2].author", R"(["Nigel Rees","Evelyn Waugh"])"},
        SelectCase{"$..book[?(@.isbn)].title", R"(["Moby Dick","The Lord of the Rings"])"},
        SelectCase{"$..book[?(@.price < 10)].title", R"(["Sayings of the Century","Moby Dick"])"},
        SelectCase{"$..book[?(@.price > $.expensive)].author",
                   R"(["Evelyn Waugh","J. R. R. Tolkien"])"},
        SelectCase{"$..[?(@.price > 20)].title", R"(["The Lord of the Rings"])"},
        SelectCase{"$..[?(@.color)].price", "[19.95]"},
        SelectCase{"$..['color','price']",
                   R"([{},{},{"price":8.95},{"price":12.99},{"price":8.99},{"price":22.99},)"
                   R"({"color":"red","price":19.95}])"},
        SelectCase{"$..missing", "[]"}, SelectCase{"$.expensive..x", "[]"}));

TEST(SelectTest, DeepScanVisitsEachContainerBeforeItsChildren) {
  const Json doc = Json::parse(R"({"a": {"b": 1}, "c": [2, {"b": 3}], "b": 4})");
  const Scope scope{&doc};
  EXPECT_EQ(Compact(*TrySelect("$..b", scope)), "[4,1,3]");
  EXPECT_EQ(Compact(*TrySelect("$..*", scope)), R"([{"b":1},[2,{"b":3}],4,1,2,{"b":3},3])");
  const Json nested = Json::parse(R"({"a": [1, [2, 3]], "b": {"c": [4]}})");
  EXPECT_EQ(Compact(*TrySelect("$..[0]", Scope{&nested})), "[1,2,4]");
}

TEST(SelectTest, DollarSelectsTheWholeDocument) {
  EXPECT_EQ(*TrySelect("$", Scope{&kDoc}), kDoc);
  EXPECT_EQ(*TrySelect("$$", Scope{&kDoc, &kContext}), kContext);
  const Json scalar = "just a string";
  EXPECT_EQ(*TrySelect("$", Scope{&scalar}), scalar);
}

TEST(SelectTest, AbsentDocumentsSelectNothing) {
  const Scope empty;
  EXPECT_FALSE(TrySelect("$", empty).has_value());
  EXPECT_FALSE(TrySelect("$.a", empty).has_value());
  EXPECT_FALSE(TrySelect("$$.Execution.Id", empty).has_value());
  EXPECT_FALSE(TrySelect("$var", empty).has_value());
  EXPECT_EQ(*TrySelect("$.a[*]", empty), Json::array());
  EXPECT_EQ(*TrySelect("$$..Id", empty), Json::array());
}

TEST(SelectTest, KeepsMemberOrder) {
  const Json doc = Json::parse(R"({"o": {"z": 1, "a": 2, "m": 3}})");
  EXPECT_EQ(Compact(*TrySelect("$.o", Scope{&doc})), R"({"z":1,"a":2,"m":3})");
  EXPECT_EQ(Compact(*TrySelect("$.o.*", Scope{&doc})), "[1,2,3]");
}

struct FailureCase {
  const char* path;
  const char* cause;
};

void PrintTo(const FailureCase& c, std::ostream* os) { *os << c.path; }

class SelectFailureTest : public testing::TestWithParam<FailureCase> {};

// The causes repeat Jayway's messages after AWS's "Invalid path '<path>' : " prefix.
TEST_P(SelectFailureTest, ThrowsStatesRuntimeWithAwsCause) {
  const FailureCase& c = GetParam();
  try {
    Json got = Select(c.path, Scope{&kDoc, &kContext, &kVariables});
    FAIL() << c.path << " selected " << Compact(got);
  } catch (const StatesError& e) {
    EXPECT_EQ(e.error(), "States.Runtime");
    EXPECT_EQ(e.cause(), c.cause);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Causes, SelectFailureTest,
    testing::Values(
        FailureCase{"$.missing", "Invalid path '$.missing' : No results for path: $['missing']"},
        FailureCase{"$.a.b.nope",
                    "Invalid path '$.a.b.nope' : No results for path: $['a']['b']['nope']"},
        FailureCase{"$.a.missing.x",
                    "Invalid path '$.a.missing.x' : Missing property in path $['a']['missing']"},
        FailureCase{"$.a.b.c.d",
                    "Invalid path '$.a.b.c.d' : Expected to find an object with property ['d'] "
                    "in path $['a']['b']['c'] but found 'number'"},
        FailureCase{"$.nul.x",
                    "Invalid path '$.nul.x' : Expected to find an object with property ['x'] in "
                    "path $['nul'] but found 'null'"},
        FailureCase{"$.nul[0]", "Invalid path '$.nul[0]' : The path $['nul'] is null"},
        FailureCase{"$.str[0]",
                    "Invalid path '$.str[0]' : Filter: [0] can only be applied to arrays. "
                    "Current context is: \"text\""},
        FailureCase{"$.a.list[7]",
                    "Invalid path '$.a.list[7]' : No results for path: $['a']['list'][7]"},
        FailureCase{"$.a.list[-9].x",
                    "Invalid path '$.a.list[-9].x' : No results for path: $['a']['list'][-9]['x']"},
        FailureCase{"$['name with space'].x",
                    "Invalid path '$['name with space'].x' : Expected to find an object with "
                    "property ['x'] in path $['name with space'] but found 'string'"},
        FailureCase{"$$.Nope", "Invalid path '$$.Nope' : No results for path: $['Nope']"},
        FailureCase{"$$.Execution.Input.k.z",
                    "Invalid path '$$.Execution.Input.k.z' : Expected to find an object with "
                    "property ['z'] in path $['Execution']['Input']['k'] but found 'number'"},
        FailureCase{"$obj.b", "Invalid path '$obj.b' : No results for path: $['b']"},
        FailureCase{"$nope.x", "Invalid path '$nope.x' : The variable 'nope' is not defined"},
        FailureCase{"$.a[", "Invalid path '$.a[' : unclosed '['"}));

TEST(SelectTest, IndefinitePathsNeverFail) {
  const Scope scope{&kDoc};
  EXPECT_EQ(Select("$.missing[*]", scope), Json::array());
  EXPECT_EQ(Select("$..nothing", scope), Json::array());
  EXPECT_EQ(Select("$.items[?(@.n > 100)]", scope), Json::array());
  EXPECT_EQ(Select("$.a.b.c", scope), Json(1));
}

struct CheckCase {
  const char* path;
  bool reference;
  const char* problem;  // nullptr: valid
};

void PrintTo(const CheckCase& c, std::ostream* os) {
  *os << c.path << (c.reference ? " (reference)" : "");
}

class CheckPathTest : public testing::TestWithParam<CheckCase> {};

TEST_P(CheckPathTest, Judges) {
  const CheckCase& c = GetParam();
  const std::optional<std::string> problem = CheckPath(c.path, c.reference);
  if (c.problem == nullptr) {
    EXPECT_FALSE(problem.has_value()) << *problem;
  } else {
    ASSERT_TRUE(problem.has_value()) << c.path << " was accepted";
    EXPECT_EQ(*problem, c.problem);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Valid, CheckPathTest,
    testing::Values(
        CheckCase{"$", true, nullptr}, CheckCase{"$.a", true, nullptr},
        CheckCase{"$.a.b[0]", true, nullptr}, CheckCase{"$['a b']", true, nullptr},
        CheckCase{R"($["x"][-1])", true, nullptr}, CheckCase{"$.dash-key", true, nullptr},
        CheckCase{"$$", true, nullptr}, CheckCase{"$$.Execution.Id", true, nullptr},
        CheckCase{"$var", true, nullptr}, CheckCase{"$var.a[0]", true, nullptr},
        CheckCase{"$_v2", true, nullptr}, CheckCase{"$.a[*]", false, nullptr},
        CheckCase{"$..a", false, nullptr}, CheckCase{"$..*", false, nullptr},
        CheckCase{"$..[0]", false, nullptr}, CheckCase{"$.a[1:2]", false, nullptr},
        CheckCase{"$.a[::-1]", false, nullptr}, CheckCase{"$.a[ 0 , 1 ]", false, nullptr},
        CheckCase{"$['a','b']", false, nullptr}, CheckCase{"$.a[?(@.x == 1)]", false, nullptr},
        CheckCase{"$.a[?(@.x)]", false, nullptr}, CheckCase{"$.a[?(@)]", false, nullptr},
        CheckCase{"$.a[?(!(@.x < 1) && (@.y || @.z != 'q'))]", false, nullptr},
        CheckCase{"$.a[?(@.x == $.y)]", false, nullptr},
        CheckCase{"$.a[?(@.x == null || @.y == false || @.z != -2.5)]", false, nullptr},
        CheckCase{"$$.Map.Item.Value[?(@.on == true)]", false, nullptr}));

INSTANTIATE_TEST_SUITE_P(
    Invalid, CheckPathTest,
    testing::Values(
        CheckCase{"", false, "'' is not a valid JSONPath: it must start with '$'"},
        CheckCase{"a.b", false, "'a.b' is not a valid JSONPath: it must start with '$'"},
        CheckCase{"$.a[", false, "'$.a[' is not a valid JSONPath: unclosed '['"},
        CheckCase{"$.a[0", false, "'$.a[0' is not a valid JSONPath: unclosed '['"},
        CheckCase{"$.", false,
                  "'$.' is not a valid JSONPath: expected a name after '.' at offset 2"},
        CheckCase{"$.a.", false,
                  "'$.a.' is not a valid JSONPath: expected a name after '.' at offset 4"},
        CheckCase{"$..", false,
                  "'$..' is not a valid JSONPath: expected a name after '..' at offset 3"},
        CheckCase{"$.a b", false,
                  "'$.a b' is not a valid JSONPath: a name with blanks must be written "
                  "['like this'] at offset 3"},
        CheckCase{"$.a.length()", false,
                  "'$.a.length()' is not a valid JSONPath: functions such as 'length()' are not "
                  "supported"},
        CheckCase{"$[]", false, "'$[]' is not a valid JSONPath: empty '[]' at offset 2"},
        CheckCase{"$['a", false,
                  "'$['a' is not a valid JSONPath: unclosed string starting at offset 2"},
        CheckCase{"$['a'", false, "'$['a'' is not a valid JSONPath: unclosed '['"},
        CheckCase{"$['a',]", false,
                  "'$['a',]' is not a valid JSONPath: unexpected ']' at offset 6"},
        CheckCase{"$.a[1:2:0]", false,
                  "'$.a[1:2:0]' is not a valid JSONPath: a slice step cannot be 0 (offset 8)"},
        CheckCase{"$.a[x]", false, "'$.a[x]' is not a valid JSONPath: unexpected 'x' at offset 4"},
        CheckCase{"$.a[0]x", false,
                  "'$.a[0]x' is not a valid JSONPath: unexpected 'x' at offset 6"},
        CheckCase{"$1", false, "'$1' is not a valid JSONPath: unexpected '1' at offset 1"},
        CheckCase{"$$x", false, "'$$x' is not a valid JSONPath: unexpected 'x' at offset 2"},
        CheckCase{"$.a[99999999999999999999]", false,
                  "'$.a[99999999999999999999]' is not a valid JSONPath: index "
                  "'99999999999999999999' is out of range"},
        CheckCase{"$.a[?(@.x = 1)]", false,
                  "'$.a[?(@.x = 1)]' is not a valid JSONPath: use '==' to compare at offset 10"},
        CheckCase{"$.a[?(@.x =~ /a/)]", false,
                  "'$.a[?(@.x =~ /a/)]' is not a valid JSONPath: the regular expression "
                  "operator '=~' is not supported"},
        CheckCase{"$.a[?(@.x == 1]", false,
                  "'$.a[?(@.x == 1]' is not a valid JSONPath: unexpected ']' at offset 14"},
        CheckCase{"$.a[?(@.x == 1", false,
                  "'$.a[?(@.x == 1' is not a valid JSONPath: unclosed '('"},
        CheckCase{"$.a[?(1)]", false,
                  "'$.a[?(1)]' is not a valid JSONPath: a value alone is not a condition "
                  "(offset 6)"},
        CheckCase{"$.a[?(@.x == )]", false,
                  "'$.a[?(@.x == )]' is not a valid JSONPath: expected a value at offset 13"},
        CheckCase{"$.a[?(@.x == 1 &&)]", false,
                  "'$.a[?(@.x == 1 &&)]' is not a valid JSONPath: expected a value at offset 17"},
        CheckCase{"$.a[?(@.x == 1-)]", false,
                  "'$.a[?(@.x == 1-)]' is not a valid JSONPath: '1-' is not a number (offset 13)"},
        CheckCase{"$.a[?(@.x == $$.y)]", false,
                  "'$.a[?(@.x == $$.y)]' is not a valid JSONPath: only '@' and '$' paths may "
                  "appear in a filter at offset 14"},
        CheckCase{"$.a[?@.x]", false,
                  "'$.a[?@.x]' is not a valid JSONPath: expected '(' after '?' at offset 5"}));

INSTANTIATE_TEST_SUITE_P(
    NotReferences, CheckPathTest,
    testing::Values(
        CheckCase{"$.a[*]", true, "'$.a[*]' is not a valid reference path: '*' selects many"},
        CheckCase{"$.*", true, "'$.*' is not a valid reference path: '*' selects many"},
        CheckCase{"$..a", true, "'$..a' is not a valid reference path: '..' selects many"},
        CheckCase{"$.a[0,1]", true,
                  "'$.a[0,1]' is not a valid reference path: a union selects many"},
        CheckCase{"$['a','b']", true,
                  "'$['a','b']' is not a valid reference path: a union selects many"},
        CheckCase{"$.a[1:]", true, "'$.a[1:]' is not a valid reference path: a slice selects many"},
        CheckCase{"$.a[?(@.x)]", true,
                  "'$.a[?(@.x)]' is not a valid reference path: a filter selects many"},
        CheckCase{"$.a[", true, "'$.a[' is not a valid JSONPath: unclosed '['"}));

TEST(CheckPathTest, DeeplyNestedFiltersAreRefusedNotOverflowed) {
  std::string path = "$.a[?(";
  for (int i = 0; i < 5000; ++i) path += '(';
  path += "@.x";
  for (int i = 0; i < 5000; ++i) path += ')';
  path += ")]";
  const std::optional<std::string> problem = CheckPath(path, false);
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("filters nest too deeply"), std::string::npos);
}

struct PlaceCase {
  const char* input;
  const char* path;
  const char* result;
  const char* expected;  // JSON text; nullptr: fails with `cause`
  const char* cause = "";
};

void PrintTo(const PlaceCase& c, std::ostream* os) { *os << c.path << " into " << c.input; }

class PlaceResultTest : public testing::TestWithParam<PlaceCase> {};

TEST_P(PlaceResultTest, Places) {
  const PlaceCase& c = GetParam();
  if (c.expected != nullptr) {
    EXPECT_EQ(Compact(PlaceResult(Json::parse(c.input), c.path, Json::parse(c.result))),
              Compact(Json::parse(c.expected)));
    return;
  }
  try {
    Json got = PlaceResult(Json::parse(c.input), c.path, Json::parse(c.result));
    FAIL() << "placed: " << Compact(got);
  } catch (const StatesError& e) {
    EXPECT_EQ(e.error(), "States.ResultPathMatchFailure");
    EXPECT_EQ(e.cause(), c.cause);
  }
}

INSTANTIATE_TEST_SUITE_P(
    ResultPath, PlaceResultTest,
    testing::Values(
        PlaceCase{R"({"a":1})", "$", "5", "5"},
        PlaceCase{R"("text")", "$", R"({"r":1})", R"({"r":1})"},
        PlaceCase{R"({"a":1})", "$.b", R"({"x":1})", R"({"a":1,"b":{"x":1}})"},
        // An existing member is replaced where it stands.
        PlaceCase{R"({"a":1,"b":2})", "$.a", "9", R"({"a":9,"b":2})"},
        PlaceCase{R"({"a":1})", "$.x.y.z", "true", R"({"a":1,"x":{"y":{"z":true}}})"},
        PlaceCase{R"({"a":{"k":1}})", "$.a.n", "2", R"({"a":{"k":1,"n":2}})"},
        PlaceCase{R"({"a":{"k":1}})", "$['a']['k']", "null", R"({"a":{"k":null}})"},
        PlaceCase{R"({})", "$['a b']", "1", R"({"a b":1})"},
        PlaceCase{R"({"l":[{"a":1},{"a":2}]})", "$.l[1].b", "3",
                  R"({"l":[{"a":1},{"a":2,"b":3}]})"},
        PlaceCase{R"({"l":[1,2,3]})", "$.l[-1]", "9", R"({"l":[1,2,9]})"},
        PlaceCase{R"({"l":[1,2]})", "$.l[0]", R"({"z":0})", R"({"l":[{"z":0},2]})"},
        PlaceCase{R"([{"a":1}])", "$[0].b", "2", R"([{"a":1,"b":2}])"},
        PlaceCase{R"({"a":5})", "$.a.b", "1", nullptr,
                  R"(Unable to apply ResultPath '$.a.b': cannot apply step "b" to input 5)"},
        PlaceCase{R"({"a":null})", "$.a.b", "1", nullptr,
                  R"(Unable to apply ResultPath '$.a.b': cannot apply step "b" to input null)"},
        PlaceCase{R"("str")", "$.a", "1", nullptr,
                  R"(Unable to apply ResultPath '$.a': cannot apply step "a" to input "str")"},
        PlaceCase{R"([1,2])", "$.a", "1", nullptr,
                  R"(Unable to apply ResultPath '$.a': cannot apply step "a" to input [1,2])"},
        PlaceCase{R"({"l":[1]})", "$.l[3]", "1", nullptr,
                  R"(Unable to apply ResultPath '$.l[3]': cannot apply step [3] to input [1])"},
        PlaceCase{R"({"l":{"x":1}})", "$.l[0]", "1", nullptr,
                  R"(Unable to apply ResultPath '$.l[0]': cannot apply step [0] to input {"x":1})"},
        PlaceCase{R"({"a":1})", "$.n[0]", "1", nullptr,
                  R"(Unable to apply ResultPath '$.n[0]': cannot apply step [0] to input {})"},
        PlaceCase{R"({"a":1})", "$$.x", "1", nullptr,
                  "Unable to apply ResultPath '$$.x': a ResultPath must be a reference path into "
                  "the state input"},
        PlaceCase{R"({"a":1})", "$.a[*]", "1", nullptr,
                  "Unable to apply ResultPath '$.a[*]': a ResultPath must be a reference path "
                  "into the state input"}));

}  // namespace
}  // namespace batchd::asl
