// batchctl apply against a real batchd: create, idempotent re-apply, updates, new revisions,
// and files that are rejected before anything is applied.
#include <gmock/gmock.h>

#include "cli_fixture.h"

namespace batchd::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Resources(int priority, const std::string& message) {
  // Definitions first and the environment last: apply must reorder them.
  return "kind: JobDefinition\n"
         "jobDefinitionName: apply-def\n"
         "containerProperties:\n"
         "  command: [echo, \"" +
         message +
         "\"]\n"
         "  resourceRequirements:\n"
         "    - {type: VCPU, value: \"1\"}\n"
         "---\n"
         "kind: job-queue\n"
         "jobQueueName: apply-q\n"
         "priority: " +
         std::to_string(priority) +
         "\n"
         "computeEnvironmentOrder:\n"
         "  - order: 1\n"
         "    computeEnvironment: apply-ce\n"
         "---\n"
         "kind: computeenvironment\n"
         "computeEnvironmentName: apply-ce\n"
         "type: MANAGED\n"
         "state: ENABLED\n"
         "computeResources:\n"
         "  type: EC2\n"
         "  minvCpus: 0\n"
         "  maxvCpus: 4\n";
}

using ApplyTest = BatchctlTest;

TEST_F(ApplyTest, CreatesThenIsIdempotentThenUpdatesAndRegistersRevisions) {
  const auto file = WriteFile("apply.yaml", Resources(10, "one"));
  auto r = Ctl({"apply", "-f", file});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out,
            "computeenvironment/apply-ce created\n"
            "jobqueue/apply-q created\n"
            "jobdefinition/apply-def:1 registered\n");

  r = Ctl({"apply", "-f", file});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out,
            "computeenvironment/apply-ce unchanged\n"
            "jobqueue/apply-q unchanged\n"
            "jobdefinition/apply-def:1 unchanged\n");
  EXPECT_EQ(r.err, "");

  WriteFile("apply.yaml", Resources(20, "one"));
  r = Ctl({"apply", "-f", file});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out,
            "computeenvironment/apply-ce unchanged\n"
            "jobqueue/apply-q updated\n"
            "jobdefinition/apply-def:1 unchanged\n");
  r = Ctl({"get", "jq", "apply-q"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr("apply-q   ENABLED   VALID    20         apply-ce"));

  WriteFile("apply.yaml", Resources(20, "two"));
  r = Ctl({"apply", "-f", file});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out,
            "computeenvironment/apply-ce unchanged\n"
            "jobqueue/apply-q unchanged\n"
            "jobdefinition/apply-def:2 registered\n");
  r = Ctl({"describe", "jd", "apply-def"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr("revision: 2"));
  EXPECT_THAT(r.out, HasSubstr("- two"));
}

TEST_F(ApplyTest, EnvironmentChangeIsAnUpdateAndDryRunChangesNothing) {
  const std::string ce =
      "kind: ComputeEnvironment\ncomputeEnvironmentName: dry-ce\ntype: MANAGED\n"
      "computeResources: {type: EC2, minvCpus: 0, maxvCpus: MAX}\n";
  auto with_max = [&](const std::string& max) {
    std::string text = ce;
    return text.replace(text.find("MAX"), 3, max);
  };
  auto r = Ctl({"apply", "--dry-run", "-f", "-"}, with_max("4"));
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "computeenvironment/dry-ce created (dry run)\n");
  EXPECT_EQ(Ctl({"describe", "ce", "dry-ce"}).exit_code, 1);

  ASSERT_EQ(Ctl({"apply", "-f", "-"}, with_max("4")).exit_code, 0);
  r = Ctl({"apply", "-f", "-"}, with_max("6"));
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "computeenvironment/dry-ce updated\n");
  r = Ctl({"get", "ce", "dry-ce", "-o", "yaml"});
  EXPECT_THAT(r.out, HasSubstr("maxvCpus: 6"));
}

TEST_F(ApplyTest, SyntaxErrorNamesTheLineAndAppliesNothing) {
  const auto file = WriteFile("broken.yaml",
                              "kind: ComputeEnvironment\n"
                              "computeEnvironmentName: syntax-ce\n"
                              "type: UNMANAGED\n"
                              "---\n"
                              "kind: JobQueue\n"
                              "jobQueueName: syntax-q\n"
                              "priority: [1\n"
                              "computeEnvironmentOrder: []\n");
  auto r = Ctl({"apply", "-f", file});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, StartsWith("batchctl: " + file + ":"));
  EXPECT_THAT(r.err, HasSubstr("YAML syntax error"));
  EXPECT_EQ(r.out, "");
  auto get = Ctl({"get", "ce", "syntax-ce"});
  EXPECT_EQ(get.exit_code, 1) << Describe(get);
  EXPECT_THAT(get.err, HasSubstr("compute environment \"syntax-ce\" not found"));
}

TEST_F(ApplyTest, UnknownFieldNamesItsLine) {
  const auto file = WriteFile("unknown.yaml",
                              "kind: ComputeEnvironment\n"
                              "computeEnvironmentName: unknown-field-ce\n"
                              "type: UNMANAGED\n"
                              "---\n"
                              "kind: JobQueue\n"
                              "jobQueueName: unknown-field-q\n"
                              "prioirty: 1\n");
  auto r = Ctl({"apply", "-f", file});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, StartsWith("batchctl: " + file + ":7: "));
  EXPECT_THAT(r.err, HasSubstr("unknown field \"prioirty\""));
  EXPECT_EQ(Ctl({"get", "ce", "unknown-field-ce"}).exit_code, 1);
}

TEST_F(ApplyTest, UnknownKindNamesItsLine) {
  auto r = Ctl({"apply", "-f", "-"},
               "kind: JobQueue\njobQueueName: k\npriority: 1\n"
               "computeEnvironmentOrder: [{order: 1, computeEnvironment: x}]\n"
               "---\nkind: Deployment\n");
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_EQ(r.err,
            "batchctl: stdin:6: unknown kind \"Deployment\" (expected ComputeEnvironment, "
            "JobQueue, JobDefinition, Schedule, StateMachine or Activity)\n");
}

TEST_F(ApplyTest, ServerRefusalNamesTheDocument) {
  // The queue names an environment that does not exist: only the server can tell.
  auto r = Ctl({"apply", "-f", "-"},
               "kind: JobQueue\njobQueueName: orphan-q\npriority: 1\n"
               "computeEnvironmentOrder: [{order: 1, computeEnvironment: "
               "no-such-ce}]\n");
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, StartsWith("batchctl: stdin:1: jobqueue/orphan-q: "));
  EXPECT_THAT(r.err, HasSubstr("no-such-ce"));
}

TEST_F(ApplyTest, MissingFileIsAClearError) {
  auto r = Ctl({"apply", "-f", "/nonexistent/batchd.yaml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "batchctl: cannot read /nonexistent/batchd.yaml: No such file or directory\n");
}

}  // namespace
}  // namespace batchd::testing
