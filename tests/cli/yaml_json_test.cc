#include "cli/yaml_json.h"

#include <gtest/gtest.h>

namespace batchd::cli {
namespace {

using Json = nlohmann::ordered_json;

Json Convert(const std::string& yaml) { return YamlToJson(YAML::Load(yaml)); }

// The error's "LINE: message", or "" when the YAML converted.
std::string ConvertError(const std::string& yaml) {
  try {
    YamlToJson(YAML::Load(yaml));
  } catch (const YamlJsonError& e) {
    return std::to_string(e.line()) + ": " + e.what();
  }
  return "";
}

struct ScalarCase {
  std::string yaml;  // the value of "v:"
  std::string json;  // what it converts to, compact
};

class ScalarTyping : public ::testing::TestWithParam<ScalarCase> {};

TEST_P(ScalarTyping, FollowsTheCoreSchema) {
  const Json value = Convert("v: " + GetParam().yaml).at("v");
  EXPECT_EQ(value.dump(), GetParam().json) << "v: " << GetParam().yaml;
}

INSTANTIATE_TEST_SUITE_P(
    YamlToJson, ScalarTyping,
    ::testing::Values(
        // null
        ScalarCase{"", "null"}, ScalarCase{"~", "null"}, ScalarCase{"null", "null"},
        ScalarCase{"Null", "null"}, ScalarCase{"NULL", "null"}, ScalarCase{"!!null ''", "null"},
        // bool: only true/false in their three spellings (YAML 1.1's yes/no/on/off are text)
        ScalarCase{"true", "true"}, ScalarCase{"False", "false"}, ScalarCase{"TRUE", "true"},
        ScalarCase{"yes", R"("yes")"}, ScalarCase{"off", R"("off")"},
        ScalarCase{"!!bool 'true'", "true"},
        // integers: decimal, octal, hex; beyond int64 as JSON readers do
        ScalarCase{"1", "1"}, ScalarCase{"-17", "-17"}, ScalarCase{"+5", "5"},
        ScalarCase{"007", "7"}, ScalarCase{"0o17", "15"}, ScalarCase{"0x1F", "31"},
        ScalarCase{"9223372036854775807", "9223372036854775807"},
        ScalarCase{"18446744073709551615", "18446744073709551615"},
        ScalarCase{"18446744073709551616", "1.8446744073709552e+19"},
        ScalarCase{"!!int '42'", "42"},
        // floats
        ScalarCase{"1.5", "1.5"}, ScalarCase{"1.0", "1.0"}, ScalarCase{".5", "0.5"},
        ScalarCase{"-2.", "-2.0"}, ScalarCase{"1e3", "1000.0"}, ScalarCase{"2.5E-1", "0.25"},
        ScalarCase{"!!float 3", "3.0"}, ScalarCase{"!!float 0x10", "16.0"},
        // strings: quoted, block, tagged and anything without another form
        ScalarCase{R"("1")", R"("1")"}, ScalarCase{"'true'", R"("true")"},
        ScalarCase{R"("null")", R"("null")"}, ScalarCase{"''", R"("")"},
        ScalarCase{"!!str 12", R"("12")"}, ScalarCase{"!!str", R"("")"},
        ScalarCase{"!Ref x", R"("x")"}, ScalarCase{"|\n  a\n  b\n", R"("a\nb\n")"},
        ScalarCase{"1.2.3", R"("1.2.3")"}, ScalarCase{"0x", R"("0x")"},
        ScalarCase{"1_000", R"("1_000")"}, ScalarCase{"$.input", R"("$.input")"},
        ScalarCase{"States.Format('{}', $.x)", R"j("States.Format('{}', $.x)")j"},
        ScalarCase{"2016-03-14T01:59:00Z", R"("2016-03-14T01:59:00Z")"}));

TEST(YamlToJson, KeepsTheKeyOrderAsWritten) {
  const Json j = Convert("zeta: 1\nalpha: 2\nmid: {b: 1, a: 2}\n");
  EXPECT_EQ(j.dump(), R"({"zeta":1,"alpha":2,"mid":{"b":1,"a":2}})");
}

TEST(YamlToJson, ConvertsNestedSequencesAndMappings) {
  const Json j = Convert(R"(
StartAt: A
States:
  A:
    Type: Parallel
    Branches:
      - StartAt: B
        States: {B: {Type: Pass, Result: [1, [2, "3"], {k: ~}], End: true}}
    End: true
)");
  EXPECT_EQ(j.dump(),
            R"({"StartAt":"A","States":{"A":{"Type":"Parallel","Branches":[{"StartAt":"B",)"
            R"("States":{"B":{"Type":"Pass","Result":[1,[2,"3"],{"k":null}],"End":true}}}],)"
            R"("End":true}}})");
}

TEST(YamlToJson, ExpandsAliasesAndKeepsEmptyCollections) {
  const Json j = Convert("a: &r {x: 1}\nb: *r\nc: []\nd: {}\n");
  EXPECT_EQ(j.dump(), R"({"a":{"x":1},"b":{"x":1},"c":[],"d":{}})");
}

TEST(YamlToJson, KeysAreAlwaysText) {
  EXPECT_EQ(Convert("1: a\ntrue: b\n").dump(), R"({"1":"a","true":"b"})");
}

TEST(YamlToJson, TopLevelScalarsAndSequences) {
  EXPECT_EQ(Convert("[1, a]").dump(), R"([1,"a"])");
  EXPECT_EQ(Convert("'7'").dump(), R"("7")");
  EXPECT_EQ(Convert("").dump(), "null");
}

TEST(YamlToJson, RefusesWhatJsonCannotHold) {
  EXPECT_EQ(ConvertError("a: 1\nb: 2\na: 3\n"), R"(3: duplicate key "a")");
  EXPECT_EQ(ConvertError("a:\n  ? [x]\n  : 1\n"),
            "2: a mapping key must be a string (JSON has no other keys)");
  EXPECT_EQ(ConvertError("a: .inf\n"), R"(1: ".inf" (infinity or NaN) has no JSON form)");
  EXPECT_EQ(ConvertError("a: [-.Inf]\n"), R"(1: "-.Inf" (infinity or NaN) has no JSON form)");
  EXPECT_EQ(ConvertError("a: .nan\n"), R"(1: ".nan" (infinity or NaN) has no JSON form)");
  EXPECT_EQ(ConvertError("a: 1e999\n"), R"(1: "1e999" is too large for a JSON number)");
  EXPECT_EQ(ConvertError("a: 0xFFFFFFFFFFFFFFFFFF\n"),
            R"(1: "0xFFFFFFFFFFFFFFFFFF" is too large for a JSON integer)");
  EXPECT_EQ(ConvertError("a: !!int x\n"), R"(1: "x" is tagged !!int but is not an integer)");
  EXPECT_EQ(ConvertError("a: !!bool yes\n"),
            R"(1: "yes" is tagged !!bool but is not true or false)");
  EXPECT_EQ(ConvertError("a: !!float x\n"), R"(1: "x" is tagged !!float but is not a number)");
  EXPECT_EQ(ConvertError("a: !!null x\n"), R"(1: "x" is tagged !!null but is not null)");
}

TEST(JsonToYaml, QuotesStringsThatWouldReadAsSomethingElse) {
  const Json j = Json::parse(R"({"a":"1","b":"true","c":"null","d":"","e":"text","f":1,)"
                             R"("g":1.5,"h":false,"i":null,"2":"x"})");
  EXPECT_EQ(JsonToYaml(j),
            "a: \"1\"\nb: \"true\"\nc: \"null\"\nd: \"\"\ne: text\nf: 1\ng: 1.5\nh: false\n"
            "i: ~\n\"2\": x\n");
}

TEST(JsonToYaml, WritesEmptyCollectionsInline) {
  EXPECT_EQ(JsonToYaml(Json::parse(R"({"a":[],"b":{},"c":[[]]})")), "a: []\nb: {}\nc:\n  - []\n");
}

TEST(JsonToYaml, ReadsBackAsTheSameJson) {
  const Json j = Json::parse(R"({"StartAt":"A","States":{"A":{"Type":"Pass","Result":)"
                             R"({"n":[1,-2,3.25,1e+100,"7",".inf","~","a: b","line\nnext"],)"
                             R"("empty":[],"obj":{}},"End":true}},"Big":18446744073709551615})");
  EXPECT_EQ(YamlToJson(YAML::Load(JsonToYaml(j))), j);
}

}  // namespace
}  // namespace batchd::cli
