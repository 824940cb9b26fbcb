// `batchctl validate` runs the real binary with no batchd anywhere: it must work offline.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "support/batchd_process.h"
#include "support/temp_dir.h"

namespace batchd::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kResizeJson[] = R"({
  "Comment": "three states",
  "StartAt": "Fetch",
  "States": {
    "Fetch": {"Type": "Pass", "Result": {"size": 3}, "Next": "Resize"},
    "Resize": {"Type": "Wait", "Seconds": 1, "Next": "Done"},
    "Done": {"Type": "Succeed"}
  }
})";

constexpr char kResizeYaml[] = R"(# the same machine, written as YAML
StartAt: Fetch
States:
  Fetch:
    Type: Pass
    Result: {size: 3, label: "3"}
    Next: Resize
  Resize:
    Type: Wait
    Seconds: 1
    Next: Done
  Done:
    Type: Succeed
)";

class ValidateTest : public ::testing::Test {
 protected:
  // Writes `text` under the test's directory (making parent folders); returns its path.
  std::string Write(const std::string& name, const std::string& text) {
    const auto path = dir_.path() / name;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << text;
    return path.string();
  }

  // Pointed at a port nothing listens on: validate must never dial.
  static CommandResult Ctl(const std::vector<std::string>& args,
                           const std::string& stdin_text = "") {
    std::vector<std::string> argv = {BatchctlBinary(), "--server", "127.0.0.1:1"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, stdin_text);
  }

  TempDir dir_;
};

std::string Describe(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\n--- stdout\n" + r.out + "--- stderr\n" + r.err;
}

TEST_F(ValidateTest, AcceptsAValidJsonDefinition) {
  const std::string path = Write("resize.asl.json", kResizeJson);
  auto r = Ctl({"validate", "-f", path});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, path + ": OK (3 states)\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(ValidateTest, AcceptsAValidDefinitionWrittenAsYaml) {
  const std::string path = Write("resize.yaml", kResizeYaml);
  auto r = Ctl({"validate", "-f", path});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, path + ": OK (3 states)\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(ValidateTest, ReadsStdin) {
  auto r = Ctl({"validate", "-f", "-"}, kResizeYaml);
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "stdin: OK (3 states)\n");
  r = Ctl({"validate", "-f", "-"}, kResizeJson);
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "stdin: OK (3 states)\n");
}

TEST_F(ValidateTest, ChecksTheStateMachinesOfAResourceFile) {
  Write("flows/resize.asl.json", kResizeJson);
  Write("flows/resize.yaml", kResizeYaml);
  const std::string path = Write("resources.yaml", R"(kind: ComputeEnvironment
computeEnvironmentName: local
type: UNMANAGED
---
kind: StateMachine
name: inline
definition:
  StartAt: Only
  States:
    Only: {Type: Pass, End: true}
---
kind: StateMachine
name: as-string
definition: |
  {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Succeed"}}}
---
kind: StateMachine
name: from-json-file
definitionFile: flows/resize.asl.json
---
kind: state-machine
name: from-yaml-file
definitionFile: flows/resize.yaml
---
kind: JobQueue
jobQueueName: q
priority: 1
computeEnvironmentOrder: [{order: 1, computeEnvironment: local}]
)");
  auto r = Ctl({"validate", "-f", path});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out,
            "state machine \"inline\": OK (1 state)\n"
            "state machine \"as-string\": OK (2 states)\n"
            "state machine \"from-json-file\": OK (3 states)\n"
            "state machine \"from-yaml-file\": OK (3 states)\n"
            "skipped 2 documents of other kinds\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(ValidateTest, PrintsEveryDiagnosticAndFails) {
  const std::string path = Write("resources.yaml", R"(kind: StateMachine
name: good
definition: {StartAt: A, States: {A: {Type: Succeed}}}
---
kind: StateMachine
name: resize
definition:
  StartAt: Fetch
  States:
    Fetch:
      Type: Choice
      Choices: [{Variable: $.resize, BooleanEquals: true, Next: Resize}]
      Default: Done
    Resize: {Type: Pass, Next: Resise}
    Done: {Type: Succeed}
)");
  auto r = Ctl({"validate", "-f", path});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_EQ(r.out, "state machine \"good\": OK (1 state)\n");
  EXPECT_EQ(r.err,
            path + ": state machine \"resize\": /States/Resize/Next: no state named \"Resise\"\n");
}

TEST_F(ValidateTest, DefinitionFileErrorsNameThatFile) {
  const std::string definition = Write("flows/bad.asl.json", R"({"StartAt": "Nowhere", "States": {
    "A": {"Type": "Succeed"}}})");
  const std::string path = Write(
      "resources.yaml", "kind: StateMachine\nname: bad\ndefinitionFile: flows/bad.asl.json\n");
  auto r = Ctl({"validate", "-f", path});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, StartsWith(definition + ": state machine \"bad\": /StartAt: no state named "
                                             "\"Nowhere\"\n"));
}

// YAML's typing reaches the checker: a quoted number is a string, which Seconds refuses.
TEST_F(ValidateTest, QuotedNumbersInYamlStayStrings) {
  const std::string path = Write("wait.yaml", R"(StartAt: W
States:
  W: {Type: Wait, Seconds: "5", End: true}
)");
  auto r = Ctl({"validate", "-f", path});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err,
              StartsWith(path + ": /States/W/Seconds: Seconds must be an integer from 0 to "));
  EXPECT_THAT(r.err, HasSubstr(", got \"5\"\n"));
}

TEST_F(ValidateTest, JsonSyntaxErrorsAreDiagnostics) {
  const std::string path = Write("broken.asl.json", R"({"StartAt": "A", "States": )");
  auto r = Ctl({"validate", "-f", path});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, StartsWith(path + ": the definition is not valid JSON: "));
}

TEST_F(ValidateTest, AMissingFileFails) {
  const std::string path = (dir_.path() / "missing.asl.json").string();
  auto r = Ctl({"validate", "-f", path});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "batchctl: cannot read " + path + ": No such file or directory\n");
}

TEST_F(ValidateTest, FilesThatAreNotDefinitionsFail) {
  struct Case {
    std::string yaml;
    std::string error;  // after "batchctl: PATH"
  };
  const std::vector<Case> cases = {
      {"StartAt: [unclosed\n", ":2: YAML syntax error: end of sequence flow not found"},
      {"kind: StateMachine\ndefinition: {}\n", ":1: StateMachine: missing \"name\""},
      {"kind: StateMachine\nname: a b\ndefinition: {}\n",
       ":2: StateMachine: name: must be 1-80 characters without whitespace, control characters "
       "or any of < > { } [ ] ? * \" # % \\ ^ | ~ ` $ & , ; : / (got \"a b\")"},
      {"kind: StateMachine\nname: x\n",
       ":1: StateMachine \"x\": give exactly one of \"definition\" (the States Language, as YAML "
       "or a JSON string) and \"definitionFile\" (a path relative to this file)"},
      {"kind: StateMachine\nname: x\ndefinitionFile: nope.asl.json\n",
       ":3: StateMachine \"x\": cannot read " + (dir_.path() / "nope.asl.json").string() +
           ": No such file or directory"},
      {"kind: StateMachine\nname: x\ndefinition: {StartAt: A, StartAt: B}\n",
       ":3: duplicate key \"StartAt\""},
      {"kind: Workflow\n",
       ":1: unknown kind \"Workflow\" (expected StateMachine, "
       "Activity, ComputeEnvironment, JobQueue, JobDefinition or Schedule)"},
      {"kind: JobQueue\njobQueueName: q\n",
       ": no state machine definition (skipped 1 document "
       "of another kind)"},
      {"", ": no state machine definition"},
      {"kind: sm\nname: x\ndefinition: {StartAt: A, States: {A: {Type: Succeed}}}\n---\n"
       "kind: sm\nname: x\ndefinition: {StartAt: A, States: {A: {Type: Succeed}}}\n",
       ":5: StateMachine \"x\" is already defined at line 1"},
  };
  for (const Case& c : cases) {
    const std::string path = Write("case.yaml", c.yaml);
    auto r = Ctl({"validate", "-f", path});
    EXPECT_EQ(r.exit_code, 1) << c.yaml << Describe(r);
    EXPECT_EQ(r.out, "") << c.yaml;
    EXPECT_EQ(r.err, "batchctl: " + path + c.error + "\n") << c.yaml;
  }
}

TEST_F(ValidateTest, JsonOutputIsAwsValidateResponse) {
  const std::string good = Write("good.asl.json", kResizeJson);
  auto r = Ctl({"validate", "-f", good, "-o", "json"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(nlohmann::ordered_json::parse(r.out).dump(), R"({"result":"OK","diagnostics":[]})");

  // Every diagnostic, in document order.
  const std::string bad = Write("bad.yaml", R"(kind: StateMachine
name: resize
definition:
  StartAt: Resize
  States:
    Resize: {Type: Pass, Next: Resise}
    Done: {Type: Succeed}
)");
  r = Ctl({"validate", "-f", bad, "-o", "json"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_EQ(r.err, "");
  const auto response = nlohmann::ordered_json::parse(r.out);
  EXPECT_EQ(
      response.dump(),
      R"({"result":"FAIL","diagnostics":[{"severity":"ERROR","code":"MISSING_TRANSITION_TARGET",)"
      R"("message":"no state named \"Resise\"","location":"/States/Resize/Next",)"
      R"("stateMachine":"resize"},{"severity":"ERROR","code":"MISSING_TRANSITION_TARGET",)"
      R"("message":"state \"Done\" is not reachable from StartAt","location":"/States/Done",)"
      R"("stateMachine":"resize"}]})");
}

TEST_F(ValidateTest, YamlOutputHasTheSameFields) {
  const std::string good = Write("good.asl.json", kResizeJson);
  auto r = Ctl({"validate", "-f", good, "-o", "yaml"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "result: OK\ndiagnostics: []\n");
}

}  // namespace
}  // namespace batchd::testing
