// Workflows through batchctl against a real batchd: apply state machines and activities,
// start executions and wait for them, look at them (get, describe, history), answer activity
// and callback tasks, stop them, and the mistakes people make.
#include <gmock/gmock.h>

#include <yaml-cpp/yaml.h>

#include "cli_fixture.h"
#include "support/wait.h"

namespace batchd::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kArnPrefix[] = "arn:batchd:states:local:000000000000:";

// Check doubles small numbers' labels: n < 10 is "small", else "big". Pass and Choice only.
constexpr char kChoiceMachine[] = R"(kind: StateMachine
name: wf-choice
description: Labels numbers
definition:
  Comment: small or big
  StartAt: Check
  States:
    Check:
      Type: Choice
      Choices:
        - Variable: $.n
          NumericLessThan: 10
          Next: Small
      Default: Big
    Small: {Type: Pass, Result: small, ResultPath: $.size, End: true}
    Big: {Type: Pass, Result: big, ResultPath: $.size, End: true}
)";

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

class Workflows : public BatchctlTest {
 protected:
  static void Apply(const std::string& yaml, const std::string& expected) {
    auto r = Ctl({"apply", "-f", "-"}, yaml);
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    EXPECT_EQ(r.out, expected);
  }

  // Starts without waiting; returns the execution's ARN.
  static std::string Start(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"start"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = Ctl(argv);
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    EXPECT_THAT(r.out, StartsWith(std::string(kArnPrefix) + "execution:"));
    return FirstLine(r.out);
  }

  static std::string Status(const std::string& execution) {
    auto r = Ctl({"describe", "execution", execution, "-o", "json"});
    if (r.exit_code != 0) return "error: " + r.err;
    return YAML::Load(r.out)["status"].as<std::string>();
  }

  static bool ReachesStatus(const std::string& execution, const std::string& status) {
    return PollUntil([&] { return Status(execution) == status; }, std::chrono::seconds(20),
                     std::chrono::milliseconds(50));
  }
};

TEST_F(Workflows, ApplyGetDescribeAndReapply) {
  Apply(kChoiceMachine, "statemachine/wf-choice created\n");
  Apply(kChoiceMachine, "statemachine/wf-choice unchanged\n");

  auto r = Ctl({"get", "state-machines"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, StartsWith("NAME"));
  EXPECT_THAT(r.out, HasSubstr("REVISION"));
  EXPECT_THAT(r.out, ContainsRegex("\nwf-choice +1 +20"));

  r = Ctl({"describe", "state-machine", "wf-choice"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  const YAML::Node described = YAML::Load(r.out);
  EXPECT_EQ(described["name"].as<std::string>(), "wf-choice");
  EXPECT_EQ(described["stateMachineArn"].as<std::string>(),
            std::string(kArnPrefix) + "stateMachine:wf-choice");
  EXPECT_EQ(described["description"].as<std::string>(), "Labels numbers");
  // The definition is shown as sent: JSON, indented, in a YAML block.
  EXPECT_THAT(r.out, HasSubstr("definition: |-\n  {\n    \"Comment\": \"small or big\",\n"));
  const YAML::Node definition = YAML::Load(described["definition"].as<std::string>());
  EXPECT_EQ(definition["StartAt"].as<std::string>(), "Check");
  EXPECT_THAT(r.out, EndsWith("# no executions yet\n"));

  // A changed definition is a new revision of the same machine.
  std::string changed = kChoiceMachine;
  changed.replace(changed.find("NumericLessThan: 10"), 19, "NumericLessThan: 20");
  Apply(changed, "statemachine/wf-choice updated\n");
  r = Ctl({"get", "state-machines", "wf-choice", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(YAML::Load(r.out)["stateMachines"][0]["revision"].as<int>(), 2);
  Apply(kChoiceMachine, "statemachine/wf-choice updated\n");
}

TEST_F(Workflows, DefinitionFilesAndActivities) {
  WriteFile("wf-file.asl.json", R"({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}})");
  const std::string yaml = WriteFile("wf-file.yaml",
                                     "kind: Activity\n"
                                     "name: wf-file-activity\n"
                                     "tags: {team: data}\n"
                                     "---\n"
                                     "kind: StateMachine\n"
                                     "name: wf-file\n"
                                     "definitionFile: wf-file.asl.json\n");
  auto r = Ctl({"apply", "-f", yaml});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "activity/wf-file-activity created\nstatemachine/wf-file created\n");
  r = Ctl({"apply", "-f", yaml});
  EXPECT_EQ(r.out, "activity/wf-file-activity unchanged\nstatemachine/wf-file unchanged\n")
      << Describe(r);

  r = Ctl({"describe", "sm", "wf-file", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(YAML::Load(r.out)["definition"].as<std::string>(),
            R"({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}})");

  r = Ctl({"get", "activities"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, StartsWith("NAME"));
  EXPECT_THAT(r.out, HasSubstr("wf-file-activity"));

  EXPECT_EQ(Ctl({"delete", "state-machine", "wf-file"}).out, "statemachine/wf-file deleted\n");
  EXPECT_EQ(Ctl({"delete", "activity", "wf-file-activity"}).out,
            "activity/wf-file-activity deleted\n");
  r = Ctl({"get", "state-machines", "wf-file"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "batchctl: state machine \"wf-file\" not found\n");
}

TEST_F(Workflows, StartWaitPrintsTheOutputAndListsTheExecution) {
  Apply(std::string(kChoiceMachine)
            .replace(std::string(kChoiceMachine).find("wf-choice"), 9, "wf-run"),
        "statemachine/wf-run created\n");
  auto r = Ctl({"start", "wf-run", "--name", "three", "--input", R"({"n": 3})", "--wait"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  const auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_EQ(lines[0], std::string(kArnPrefix) + "execution:wf-run:three");
  EXPECT_EQ(lines[1], "SUCCEEDED");
  const YAML::Node output = YAML::Load(lines[2]);
  EXPECT_EQ(output["n"].as<int>(), 3);
  EXPECT_EQ(output["size"].as<std::string>(), "small");

  const std::string input = WriteFile("wf-run-input.json", R"({"n": 30})");
  r = Ctl({"start", "wf-run", "--name", "thirty", "--input", "@" + input, "--wait"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(YAML::Load(Lines(r.out)[2])["size"].as<std::string>(), "big");

  r = Ctl({"get", "executions", "--state-machine", "wf-run"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, StartsWith("NAME"));
  EXPECT_THAT(r.out, ContainsRegex("\nthree +wf-run +SUCCEEDED +20"));
  EXPECT_THAT(r.out, ContainsRegex("\nthirty +wf-run +SUCCEEDED +20"));
  r = Ctl({"get", "executions", "--status", "succeeded"});
  EXPECT_THAT(r.out, HasSubstr("thirty")) << Describe(r);
  r = Ctl({"get", "executions", "--state-machine", "wf-run", "--status", "FAILED"});
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "No executions found.\n");

  r = Ctl({"describe", "execution", "wf-run:three"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(YAML::Load(r.out)["status"].as<std::string>(), "SUCCEEDED");
  EXPECT_THAT(r.out, ContainsRegex("\n#   STATE +TYPE +STATUS +DURATION +RETRIES +JOB\n"));
  EXPECT_THAT(r.out, ContainsRegex("\n#   Check +Choice +succeeded +[0-9.]+m?s +0 +-\n"));
  EXPECT_THAT(r.out, ContainsRegex("\n#   Small +Pass +succeeded "));
  r = Ctl(
      {"describe", "execution", std::string(kArnPrefix) + "execution:wf-run:three", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(YAML::Load(r.out)["executionArn"].as<std::string>(),
            std::string(kArnPrefix) + "execution:wf-run:three");
  EXPECT_THAT(r.out, Not(HasSubstr("#")));

  r = Ctl({"describe", "state-machine", "wf-run"});
  EXPECT_THAT(r.out, HasSubstr("# recent executions:")) << Describe(r);
  EXPECT_THAT(r.out, ContainsRegex("#   three +SUCCEEDED"));

  r = Ctl({"history", "wf-run:three"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, StartsWith("ID   TYPE"));
  EXPECT_THAT(r.out, HasSubstr("ExecutionStarted"));
  EXPECT_THAT(r.out, HasSubstr("ChoiceStateEntered"));
  EXPECT_THAT(r.out, HasSubstr("Small"));
  EXPECT_THAT(r.out, HasSubstr("ExecutionSucceeded"));
  r = Ctl({"history", "wf-run:three", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  const YAML::Node events = YAML::Load(r.out)["events"];
  ASSERT_TRUE(events.IsSequence());
  EXPECT_EQ(events[0]["type"].as<std::string>(), "ExecutionStarted");
  EXPECT_EQ(events[0]["id"].as<int>(), 1);
  EXPECT_TRUE(events[1]["stateEnteredEventDetails"]["name"].IsDefined());
  // An ended execution is followed to its end at once.
  r = Ctl({"history", "-f", "wf-run:three"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr("ExecutionSucceeded"));
}

TEST_F(Workflows, ADistributedMapsChildrenAreListedByItsMapRun) {
  Apply(R"yaml(kind: StateMachine
name: wf-fan
definition:
  StartAt: Each
  States:
    Each:
      Type: Map
      ItemProcessor:
        ProcessorConfig: {Mode: DISTRIBUTED, ExecutionType: STANDARD}
        StartAt: Twice
        States:
          Twice: {Type: Pass, Parameters: {"v.$": "States.MathAdd($, $)"}, End: true}
      End: true
)yaml",
        "statemachine/wf-fan created\n");
  auto r = Ctl({"start", "wf-fan", "--name", "fan", "--input", "[1, 2, 3]", "--wait"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(YAML::Load(Lines(r.out)[2]).size(), 3u) << r.out;
  const std::string run = std::string(kArnPrefix) + "execution:wf-fan:fan/Each";
  r = Ctl({"get", "executions", "--map-run", run});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  const auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 4u) << r.out;  // the header and three children
  for (size_t i = 1; i < lines.size(); ++i) {
    EXPECT_THAT(lines[i], ContainsRegex("^sfn-[^ ]+ +wf-fan +SUCCEEDED "));
  }
  r = Ctl({"get", "executions", "--map-run", "fan"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("mapRunArn: expected EXECUTION_ARN/MAP_STATE"));
}

TEST_F(Workflows, AFailedExecutionExitsNonZeroWithItsErrorAndCause) {
  Apply(
      "kind: StateMachine\nname: wf-fail\ndefinition:\n  StartAt: Boom\n  States:\n"
      "    Boom: {Type: Fail, Error: Broken, Cause: it broke}\n",
      "statemachine/wf-fail created\n");
  auto r = Ctl({"start", "wf-fail", "--name", "once", "--wait"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_EQ(r.out, std::string(kArnPrefix) + "execution:wf-fail:once\nFAILED\n");
  EXPECT_EQ(r.err, "batchctl: execution wf-fail:once FAILED: Broken: it broke\n");
  r = Ctl({"describe", "execution", "wf-fail:once"});
  EXPECT_THAT(r.out, ContainsRegex("#   Boom +Fail +failed ")) << Describe(r);
  r = Ctl({"get", "executions", "--state-machine", "wf-fail", "--status", "failed"});
  EXPECT_THAT(r.out, ContainsRegex("\nonce +wf-fail +FAILED ")) << Describe(r);
}

TEST_F(Workflows, AnActivityWorkerPollsAndAnswers) {
  Apply(
      "kind: Activity\nname: wf-approve\n---\nkind: StateMachine\nname: wf-approval\n"
      "definition:\n  StartAt: Approve\n  States:\n    Approve:\n      Type: Task\n"
      "      Resource: arn:aws:states:us-east-1:123456789012:activity:wf-approve\n"
      "      End: true\n",
      "activity/wf-approve created\nstatemachine/wf-approval created\n");
  const std::string arn = Start({"wf-approval", "--input", R"({"order": 7})"});

  auto r = Ctl({"activity", "poll", "wf-approve", "--worker", "w1"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  const YAML::Node task = YAML::Load(r.out);
  const std::string token = task["taskToken"].as<std::string>();
  EXPECT_FALSE(token.empty());
  EXPECT_EQ(task["input"]["order"].as<int>(), 7);

  r = Ctl({"get", "tasks", "--activity", "wf-approve"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, StartsWith("TOKEN"));
  EXPECT_THAT(r.out, HasSubstr(token.substr(0, 12) + "…"));
  EXPECT_THAT(r.out, HasSubstr("Approve"));
  EXPECT_THAT(r.out, HasSubstr("ACTIVITY"));

  r = Ctl({"task", "heartbeat", token});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  r = Ctl({"task", "success", token, "--output", R"({"approved": true})"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "task " + token.substr(0, 12) + "… succeeded\n");
  ASSERT_TRUE(ReachesStatus(arn, "SUCCEEDED")) << Status(arn);
  r = Ctl({"describe", "execution", arn, "-o", "json"});
  EXPECT_EQ(YAML::Load(YAML::Load(r.out)["output"].as<std::string>())["approved"].as<bool>(), true);
  r = Ctl({"history", arn});
  EXPECT_THAT(r.out, HasSubstr("worker w1")) << Describe(r);
}

TEST_F(Workflows, CallbackTasksAreListedAndFailed) {
  Apply(
      "kind: StateMachine\nname: wf-callback\ndefinition:\n  StartAt: Wait\n  States:\n"
      "    Wait:\n      Type: Task\n"
      "      Resource: arn:aws:states:::batchd:task.waitForTaskToken\n"
      "      Parameters: {TaskToken.$: $$.Task.Token}\n      End: true\n",
      "statemachine/wf-callback created\n");
  const std::string arn = Start({"wf-callback", "--name", "cb"});
  std::string token;
  ASSERT_TRUE(PollUntil([&] {
    auto r = Ctl({"get", "tasks", "--execution", "wf-callback:cb", "-o", "json"});
    const YAML::Node tasks = YAML::Load(r.out)["tasks"];
    if (!tasks.IsSequence() || tasks.size() == 0) return false;
    token = tasks[0]["taskToken"].as<std::string>();
    return true;
  }));
  auto r = Ctl({"get", "tasks", "--execution", arn});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, ContainsRegex("wf-callback:cb +Wait +CALLBACK +")) << r.out;

  r = Ctl({"task", "failure", token, "--error", "Rejected", "--cause", "no budget"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  ASSERT_TRUE(ReachesStatus(arn, "FAILED")) << Status(arn);
  r = Ctl({"describe", "execution", "wf-callback:cb", "-o", "json"});
  EXPECT_EQ(YAML::Load(r.out)["error"].as<std::string>(), "Rejected");
  EXPECT_EQ(Ctl({"get", "tasks", "--execution", arn}).err, "No tasks found.\n");
  // The token is spent.
  r = Ctl({"task", "success", token});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
}

TEST_F(Workflows, StopAbortsARunningExecution) {
  Apply(
      "kind: StateMachine\nname: wf-stop\ndefinition:\n  StartAt: Nap\n  States:\n"
      "    Nap: {Type: Wait, Seconds: 300, End: true}\n",
      "statemachine/wf-stop created\n");
  const std::string arn = Start({"wf-stop", "--name", "nap"});
  EXPECT_EQ(Status(arn), "RUNNING");
  auto r = Ctl({"describe", "execution", "wf-stop:nap"});
  EXPECT_THAT(r.out, ContainsRegex("#   Nap +Wait +running ")) << Describe(r);
  r = Ctl({"stop", "wf-stop:nap", "--error", "Manual", "--cause", "not needed"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "execution/wf-stop:nap stopped\n");
  EXPECT_EQ(Status(arn), "ABORTED");
  r = Ctl({"history", arn});
  EXPECT_THAT(r.out, HasSubstr("ExecutionAborted")) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr("Manual: not needed"));
}

TEST_F(Workflows, BatchStepsTheirJobsAndLogs) {
  MakeQueue("wf-q");
  MakeDefinition("wf-def");
  Apply(
      "kind: StateMachine\nname: wf-job\ndefinition:\n  StartAt: Submit\n  States:\n"
      "    Submit:\n      Type: Task\n      Resource: arn:aws:states:::batch:submitJob\n"
      "      Parameters: {JobName: wf-step, JobQueue: wf-q, JobDefinition: wf-def}\n"
      "      End: true\n",
      "statemachine/wf-job created\n");
  auto r = Ctl({"start", "wf-job", "--name", "j1", "--wait"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);

  r = Ctl({"get", "jobs", "--execution", "wf-job:j1"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  const auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_THAT(lines[1], HasSubstr("wf-step"));
  EXPECT_THAT(lines[1], HasSubstr("RUNNABLE"));
  const std::string job = lines[1].substr(0, lines[1].find(' '));

  r = Ctl({"describe", "execution", "wf-job:j1"});
  EXPECT_THAT(r.out, ContainsRegex("#   Submit +Task +succeeded ")) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr(job));

  // No agent runs the queue: the job has not started, and logs says so.
  r = Ctl({"logs", "wf-job:j1", "--state", "Submit"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.err, "batchctl: job " + job + " has not started yet\n");
  r = Ctl({"logs", "wf-job:j1", "--state", "Nope"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "batchctl: execution wf-job:j1 has not entered a state \"Nope\"\n");
}

TEST_F(Workflows, BadInputsAreClearErrors) {
  Apply(
      "kind: StateMachine\nname: wf-bad\ndefinition:\n  StartAt: A\n  States:\n"
      "    A: {Type: Succeed}\n",
      "statemachine/wf-bad created\n");
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string err;  // the start of stderr
  };
  const std::vector<Case> cases = {
      {{"start", "wf-bad", "--input", "{nope"}, 2, "batchctl: --input: not valid JSON: "},
      {{"start", "wf-bad", "--input", "@/no/such/file"},
       2,
       "batchctl: --input: cannot read /no/such/file: No such file or directory"},
      {{"start", "wf-bad", "--timeout", "5"}, 2, "batchctl: --timeout requires --wait"},
      {{"start", "wf bad"}, 2, "batchctl: STATE_MACHINE: must be 1-80 characters"},
      {{"start", "wf-missing"}, 1, "batchctl: "},
      {{"start", "wf-bad", "--name", "a/b"}, 2, "batchctl: --name: must be 1-80 characters"},
      {{"describe", "execution", "no-colon"},
       2,
       "batchctl: EXECUTION: expected an execution ARN or STATE_MACHINE:EXECUTION, got "
       "\"no-colon\""},
      {{"describe", "execution", "wf-bad:never-ran"}, 1, "batchctl: "},
      {{"history", "arn:aws:states:us-east-1:1:stateMachine:x"},
       2,
       "batchctl: EXECUTION: expected an execution ARN"},
      {{"get", "executions", "--status", "DONE"},
       2,
       "batchctl: --status: unknown status \"DONE\"; expected RUNNING, SUCCEEDED, FAILED, "
       "TIMED_OUT, ABORTED or PENDING_REDRIVE"},
      {{"task", "success", "abcdefghijkl…"},
       2,
       "batchctl: TOKEN: that is a token as tables shorten it"},
      {{"task", "success", "tok", "--output", "[1,"}, 2, "batchctl: --output: not valid JSON"},
      {{"task"}, 2, "batchctl: A subcommand is required"},
      {{"activity", "poll", "bad name"}, 2, "batchctl: ACTIVITY: must be 1-80 characters"},
      {{"describe", "state-machine", "wf-missing"}, 1, "batchctl: "},
      {{"redrive", "wf-bad:never-ran"}, 1, "batchctl: "},
  };
  for (const auto& c : cases) {
    auto r = Ctl(c.args);
    EXPECT_EQ(r.exit_code, c.exit_code) << ::testing::PrintToString(c.args) << Describe(r);
    EXPECT_THAT(r.err, StartsWith(c.err)) << ::testing::PrintToString(c.args);
    EXPECT_EQ(r.out, "") << ::testing::PrintToString(c.args);
  }

  auto r = Ctl({"apply", "-f", "-"},
               "kind: StateMachine\nname: wf-bad\ndefinition:\n  StartAt: A\n  States:\n"
               "    A: {Type: Pass, Next: Gone}\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith("batchctl: stdin:1: StateMachine \"wf-bad\": invalid definition "
                                "(in stdin):\n  /States/A/Next: "));
  EXPECT_EQ(r.out, "");
  r = Ctl({"apply", "-f", "-"}, "kind: StateMachine\nname: wf-bad\ndefinitionFile: nope.json\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith("batchctl: stdin:3: StateMachine \"wf-bad\": cannot read"));
}

}  // namespace
}  // namespace batchd::testing
