// Jobs through batchctl: submit, get, describe, cancel, terminate, wait. No agent ever joins
// these queues' UNMANAGED environments, so submitted jobs stay RUNNABLE.
#include <gmock/gmock.h>

#include <yaml-cpp/yaml.h>

#include "api/json_yaml.h"
#include "batch/v1/batch_service.pb.h"
#include "cli_fixture.h"

namespace batchd::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

using JobsTest = BatchctlTest;

TEST_F(JobsTest, SubmitPrintsTheIdAndTheJobIsRunnable) {
  MakeQueue("jobs-q");
  MakeDefinition("jobs-def");
  const std::string id = Submit(
      "jobs-q", "jobs-def",
      {"--name", "first", "--env", "GREETING=hi", "--param", "p=v", "--vcpus", "1", "--memory",
       "64", "--attempts", "2", "--timeout", "120", "--", "echo", "hello world"});

  auto r = Ctl({"describe", "job", id});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  const YAML::Node job = YAML::Load(r.out);
  EXPECT_EQ(job["jobId"].as<std::string>(), id);
  EXPECT_EQ(job["jobName"].as<std::string>(), "first");
  EXPECT_EQ(job["status"].as<std::string>(), "RUNNABLE");
  EXPECT_EQ(job["parameters"]["p"].as<std::string>(), "v");
  EXPECT_EQ(job["retryStrategy"]["attempts"].as<int>(), 2);
  EXPECT_EQ(job["timeout"]["attemptDurationSeconds"].as<int>(), 120);
  EXPECT_EQ(job["container"]["command"][1].as<std::string>(), "hello world");
  EXPECT_EQ(job["container"]["environment"][0]["name"].as<std::string>(), "GREETING");

  r = Ctl({"get", "jobs", "--queue", "jobs-q", "--status", "RUNNABLE"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, StartsWith("JOB-ID"));
  EXPECT_THAT(r.out, HasSubstr(id));
  EXPECT_THAT(r.out, HasSubstr("first"));
  EXPECT_THAT(r.out, HasSubstr("RUNNABLE"));

  r = Ctl({"get", "jobs", "--queue", "jobs-q", "--status", "SUCCEEDED,FAILED"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "No jobs found.\n");

  r = Ctl({"get", "jobs", id, "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  batch::v1::DescribeJobsResponse described;
  api::FromJson(r.out, &described);
  ASSERT_EQ(described.jobs_size(), 1);
  EXPECT_EQ(described.jobs(0).job_id(), id);
}

TEST_F(JobsTest, ArraysListTheirChildrenAndSumThemUp) {
  MakeQueue("array-q");
  MakeDefinition("array-def");
  const std::string id = Submit("array-q", "array-def", {"--array-size", "3"});

  auto r = Ctl({"describe", "job", id});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr("# array of 3 children: 3 RUNNABLE (list them: batchctl get jobs "
                               "--array " +
                               id + ")"));
  EXPECT_EQ(YAML::Load(r.out)["arrayProperties"]["statusSummary"]["RUNNABLE"].as<int>(), 3);

  r = Ctl({"get", "jobs", "--array", id});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr(id + ":0"));
  EXPECT_THAT(r.out, HasSubstr(id + ":2"));
  EXPECT_LT(r.out.find(id + ":0"), r.out.find(id + ":1"));

  r = Ctl({"get", "jobs", "--array", id, "--queue", "array-q"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("--queue excludes --array"));

  r = Ctl({"cancel", id, "--reason", "done with it"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, StartsWith("job/" + id + " cancelled"));
  r = Ctl({"wait", id, "--timeout", "20"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.out, HasSubstr(id + " FAILED: done with it"));
}

TEST_F(JobsTest, ListFiltersByNameAndLimits) {
  MakeQueue("list-q");
  MakeDefinition("list-def");
  Submit("list-q", "list-def", {"--name", "alpha-1"});
  Submit("list-q", "list-def", {"--name", "alpha-2"});
  Submit("list-q", "list-def", {"--name", "beta-1"});

  auto r = Ctl({"get", "jobs", "--queue", "list-q", "--name", "alpha*", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  batch::v1::ListJobsResponse listed;
  api::FromJson(r.out, &listed);
  EXPECT_EQ(listed.job_summary_list_size(), 2);

  r = Ctl({"get", "jobs", "--queue", "list-q", "--limit", "1", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  listed.Clear();
  api::FromJson(r.out, &listed);
  EXPECT_EQ(listed.job_summary_list_size(), 1);
}

TEST_F(JobsTest, ClientTokenMakesSubmitIdempotent) {
  MakeQueue("token-q");
  MakeDefinition("token-def");
  const auto a = Submit("token-q", "token-def", {"--client-token", "tok-42"});
  const auto b = Submit("token-q", "token-def", {"--client-token", "tok-42"});
  EXPECT_EQ(a, b);
}

TEST_F(JobsTest, DependentJobWaitsAsPending) {
  MakeQueue("deps-q");
  MakeDefinition("deps-def");
  const auto first = Submit("deps-q", "deps-def");
  const auto second = Submit("deps-q", "deps-def", {"--depends-on", first});
  auto r = Ctl({"describe", "job", second, "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  batch::v1::JobDetail job;
  api::FromJson(r.out, &job);
  EXPECT_EQ(job.status(), batch::v1::JobStatus::PENDING);
  ASSERT_EQ(job.depends_on_size(), 1);
  EXPECT_EQ(job.depends_on(0).job_id(), first);
}

TEST_F(JobsTest, SubmitJsonPrintsTheResponse) {
  MakeQueue("json-q");
  MakeDefinition("json-def");
  auto r = Ctl({"submit", "-q", "json-q", "-d", "json-def", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  batch::v1::SubmitJobResponse resp;
  api::FromJson(r.out, &resp);
  EXPECT_FALSE(resp.job_id().empty());
  EXPECT_EQ(resp.job_name(), "json-def");
}

TEST_F(JobsTest, SubmitToUnknownQueueOrDefinitionFails) {
  MakeDefinition("orphan-def");
  auto r = Ctl({"submit", "--queue", "no-such-queue", "--definition", "orphan-def"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "batchctl: job queue \"no-such-queue\" not found\n");

  MakeQueue("orphan-q");
  r = Ctl({"submit", "--queue", "orphan-q", "--definition", "no-such-def"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, StartsWith("batchctl: job definition \"no-such-def\""));
}

TEST_F(JobsTest, CancelFailsTheJobAndWaitReportsIt) {
  MakeQueue("cancel-q");
  MakeDefinition("cancel-def");
  const auto id = Submit("cancel-q", "cancel-def");
  auto r = Ctl({"cancel", id, "--reason", "not needed"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "job/" + id + " cancelled\n");

  r = Ctl({"describe", "job", id, "-o", "json"});
  batch::v1::JobDetail job;
  api::FromJson(r.out, &job);
  EXPECT_EQ(job.status(), batch::v1::JobStatus::FAILED);
  EXPECT_EQ(job.status_reason(), "not needed");

  r = Ctl({"wait", id});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_EQ(r.out, id + " FAILED: not needed\n");

  r = Ctl({"cancel", id});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "job/" + id + " already FAILED; nothing to cancel\n");
}

TEST_F(JobsTest, TerminateUsesItsDefaultReason) {
  MakeQueue("term-q");
  MakeDefinition("term-def");
  const auto id = Submit("term-q", "term-def");
  auto r = Ctl({"terminate", id});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "job/" + id + " terminated\n");
  r = Ctl({"wait", id, "--timeout", "30"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_EQ(r.out, id + " FAILED: Terminated by batchctl\n");
}

TEST_F(JobsTest, WaitTimesOutOnARunnableJob) {
  MakeQueue("wait-q");
  MakeDefinition("wait-def");
  const auto id = Submit("wait-q", "wait-def");
  auto r = Ctl({"wait", id, "--timeout", "0.5"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "batchctl: timed out after 0.5 s waiting for 1 job(s): " + id + " (RUNNABLE)\n");
}

TEST_F(JobsTest, WaitOnUnknownJobFails) {
  auto r = Ctl({"wait", "00000000-0000-4000-8000-000000000000"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_EQ(r.err, "batchctl: job \"00000000-0000-4000-8000-000000000000\" not found\n");
}

}  // namespace
}  // namespace batchd::testing
