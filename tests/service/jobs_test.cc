#include <set>

#include "service_fixture.h"

namespace batchd::testing {
namespace {

using namespace batch::v1;

class Jobs : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    CreateUnmanagedCe("ce");
    CreateQueue("q", "ce");
  }

  std::vector<JobSummary> List(ListJobsRequest req) {
    std::vector<JobSummary> out;
    do {
      ListJobsResponse resp;
      grpc::Status s = CALL(ListJobs, req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      for (const auto& j : resp.job_summary_list()) out.push_back(j);
      req.set_next_token(resp.next_token());
    } while (!req.next_token().empty());
    return out;
  }
};

TEST_F(Jobs, SubmitStoresTheMergedJobAsRunnable) {
  RegisterJobDefinitionRequest def;
  def.set_job_definition_name("greet");
  def.mutable_container_properties()->add_command("echo");
  def.mutable_container_properties()->add_command("Ref::who");
  (*def.mutable_parameters())["who"] = "world";
  RegisterJobDefinitionResponse dr;
  ASSERT_OK(CALL(RegisterJobDefinition, def, &dr));
  EXPECT_EQ(dr.revision(), 1);

  SubmitJobRequest req;
  req.set_job_name("hello");
  req.set_job_queue("q");
  req.set_job_definition(dr.job_definition_arn());
  (*req.mutable_parameters())["who"] = "batchd";
  auto* env = req.mutable_container_overrides()->add_environment();
  env->set_name("X");
  env->set_value("1");
  SubmitJobResponse resp;
  ASSERT_OK(CALL(SubmitJob, req, &resp));
  EXPECT_EQ(resp.job_name(), "hello");
  EXPECT_EQ(resp.job_id().size(), 36u);

  JobDetail job = Describe(resp.job_arn());
  EXPECT_EQ(job.status(), JobStatus::RUNNABLE);
  EXPECT_EQ(job.job_queue(), "arn:batchd:batch:local:000000000000:job-queue/q");
  EXPECT_EQ(job.job_definition(), dr.job_definition_arn());
  ASSERT_EQ(job.container().command_size(), 2);
  EXPECT_EQ(job.container().command(1), "batchd");
  EXPECT_EQ(job.container().environment(0).name(), "X");
  EXPECT_GT(job.created_at(), 0);
}

TEST_F(Jobs, UnknownReferencesAreClearErrors) {
  RegisterDefinition("d");
  SubmitJobRequest req;
  req.set_job_name("j");
  req.set_job_queue("nope");
  req.set_job_definition("d");
  SubmitJobResponse resp;
  EXPECT_STATUS(CALL(SubmitJob, req, &resp), NOT_FOUND, "job queue \"nope\" not found");
  req.set_job_queue("q");
  req.set_job_definition("d:7");
  EXPECT_STATUS(CALL(SubmitJob, req, &resp), NOT_FOUND, "job definition \"d:7\" not found");
  req.set_job_definition("missing");
  EXPECT_STATUS(CALL(SubmitJob, req, &resp), NOT_FOUND, "\"missing\" has no ACTIVE revision");
  req.set_job_definition("d");
  req.add_depends_on()->set_job_id("00000000-0000-4000-8000-000000000000");
  EXPECT_STATUS(CALL(SubmitJob, req, &resp), INVALID_ARGUMENT,
                "dependsOn[0].jobId: job 00000000-0000-4000-8000-000000000000 does not exist");
  req.clear_depends_on();
  req.set_job_name("bad name");
  EXPECT_STATUS(CALL(SubmitJob, req, &resp), INVALID_ARGUMENT, "jobName: must be 1-128");
}

TEST_F(Jobs, DefinitionRevisionsAndDeregister) {
  EXPECT_EQ(RegisterDefinition("d", {"echo", "one"}), 1);
  EXPECT_EQ(RegisterDefinition("d", {"echo", "two"}), 2);
  JobDetail latest = Describe(Submit("q", "d"));
  EXPECT_EQ(latest.container().command(1), "two");

  DeregisterJobDefinitionRequest dereg;
  dereg.set_job_definition("d:2");
  DeregisterJobDefinitionResponse dresp;
  ASSERT_OK(CALL(DeregisterJobDefinition, dereg, &dresp));
  EXPECT_EQ(Describe(Submit("q", "d")).container().command(1), "one");

  SubmitJobRequest req;
  req.set_job_name("j");
  req.set_job_queue("q");
  req.set_job_definition("d:2");
  SubmitJobResponse resp;
  EXPECT_STATUS(CALL(SubmitJob, req, &resp), FAILED_PRECONDITION, "\"d:2\" is INACTIVE");
  dereg.set_job_definition("d");
  EXPECT_STATUS(CALL(DeregisterJobDefinition, dereg, &dresp), INVALID_ARGUMENT,
                "must name one revision");

  DescribeJobDefinitionsRequest dq;
  dq.set_job_definition_name("d");
  dq.set_status("ACTIVE");
  DescribeJobDefinitionsResponse described;
  ASSERT_OK(CALL(DescribeJobDefinitions, dq, &described));
  ASSERT_EQ(described.job_definitions_size(), 1);
  EXPECT_EQ(described.job_definitions(0).revision(), 1);
  // Registered without them, so describe must not show empty retryStrategy/timeout objects.
  EXPECT_FALSE(described.job_definitions(0).has_retry_strategy());
  EXPECT_FALSE(described.job_definitions(0).has_timeout());
}

TEST_F(Jobs, ClientTokenMakesSubmitIdempotent) {
  RegisterDefinition("d");
  SubmitJobRequest req;
  req.set_job_name("j");
  req.set_job_queue("q");
  req.set_job_definition("d");
  req.set_client_token("token-1");
  SubmitJobResponse first, second, other;
  ASSERT_OK(CALL(SubmitJob, req, &first));
  ASSERT_OK(CALL(SubmitJob, req, &second));
  EXPECT_EQ(first.job_id(), second.job_id());
  req.set_job_name("different");
  EXPECT_STATUS(CALL(SubmitJob, req, &other), ALREADY_EXISTS, "token-1");
  ListJobsRequest lr;
  lr.add_job_statuses(JobStatus::RUNNABLE);
  EXPECT_EQ(List(lr).size(), 1u);
}

TEST_F(Jobs, BatchedSubmitIsAllOrNothing) {
  RegisterDefinition("d");
  SubmitJobsRequest batch;
  for (int i = 0; i < 500; ++i) {
    auto* j = batch.add_jobs();
    j->set_job_name("b" + std::to_string(i));
    j->set_job_queue("q");
    j->set_job_definition("d");
  }
  SubmitJobsResponse resp;
  ASSERT_OK(CALL(SubmitJobs, batch, &resp));
  ASSERT_EQ(resp.jobs_size(), 500);
  std::set<std::string> ids;
  for (const auto& j : resp.jobs()) ids.insert(j.job_id());
  EXPECT_EQ(ids.size(), 500u);

  batch.mutable_jobs(250)->set_job_queue("missing");
  EXPECT_STATUS(CALL(SubmitJobs, batch, &resp), NOT_FOUND, "missing");
  batch.mutable_jobs(250)->set_job_queue("q");
  batch.mutable_jobs(499)->set_job_name("");
  EXPECT_STATUS(CALL(SubmitJobs, batch, &resp), INVALID_ARGUMENT, "jobs[499].jobName: is required");

  ListJobsRequest lr;
  lr.set_job_queue("q");
  lr.add_job_statuses(JobStatus::RUNNABLE);
  lr.set_max_results(1000);
  EXPECT_EQ(List(lr).size(), 500u);
}

TEST_F(Jobs, DependenciesDecideTheInitialStatus) {
  RegisterDefinition("d");
  std::string first = Submit("q", "d", "first");
  SubmitJobRequest req;
  req.set_job_name("second");
  req.set_job_queue("q");
  req.set_job_definition("d");
  req.add_depends_on()->set_job_id(first);
  SubmitJobResponse resp;
  ASSERT_OK(CALL(SubmitJob, req, &resp));
  JobDetail second = Describe(resp.job_id());
  EXPECT_EQ(second.status(), JobStatus::PENDING);
  EXPECT_EQ(second.status_reason(), "waiting for 1 dependency: " + first);

  CancelJobRequest cancel;
  cancel.set_job_id(first);
  cancel.set_reason("no longer needed");
  CancelJobResponse cr;
  ASSERT_OK(CALL(CancelJob, cancel, &cr));
  req.set_job_name("third");
  ASSERT_OK(CALL(SubmitJob, req, &resp));
  JobDetail third = Describe(resp.job_id());
  EXPECT_EQ(third.status(), JobStatus::FAILED);
  EXPECT_NE(third.status_reason().find("Dependent Job failed"), std::string::npos);
}

TEST_F(Jobs, CancelAndTerminateBeforeStart) {
  RegisterDefinition("d");
  std::string a = Submit("q", "d", "a");
  std::string b = Submit("q", "d", "b");
  CancelJobRequest cancel;
  cancel.set_job_id(a);
  cancel.set_reason("user asked");
  CancelJobResponse cr;
  ASSERT_OK(CALL(CancelJob, cancel, &cr));
  JobDetail ja = Describe(a);
  EXPECT_EQ(ja.status(), JobStatus::FAILED);
  EXPECT_EQ(ja.status_reason(), "user asked");
  EXPECT_TRUE(ja.is_cancelled());
  EXPECT_GT(ja.stopped_at(), 0);
  cancel.set_reason("again");
  ASSERT_OK(CALL(CancelJob, cancel, &cr));  // finished: a no-op, as in AWS
  EXPECT_EQ(Describe(a).status_reason(), "user asked");

  TerminateJobRequest term;
  term.set_job_id(b);
  term.set_reason("stop it");
  TerminateJobResponse tr;
  ASSERT_OK(CALL(TerminateJob, term, &tr));
  JobDetail jb = Describe(b);
  EXPECT_EQ(jb.status(), JobStatus::FAILED);
  EXPECT_TRUE(jb.is_terminated());

  cancel.set_job_id("00000000-0000-4000-8000-000000000000");
  EXPECT_STATUS(CALL(CancelJob, cancel, &cr), NOT_FOUND, "00000000-0000-4000-8000-000000000000");
  cancel.set_reason("");
  EXPECT_STATUS(CALL(CancelJob, cancel, &cr), INVALID_ARGUMENT, "reason: is required");
}

TEST_F(Jobs, ListFiltersAndPages) {
  RegisterDefinition("d");
  RegisterDefinition("other");
  std::vector<std::string> ids;
  for (int i = 0; i < 25; ++i)
    ids.push_back(Submit("q", i < 20 ? "d" : "other", "render-" + std::to_string(i)));
  Submit("q", "d", "Encode");

  ListJobsRequest running;  // AWS's default: only RUNNING jobs
  running.set_job_queue("q");
  EXPECT_TRUE(List(running).empty());

  ListJobsRequest all;
  all.set_job_queue("q");
  all.add_job_statuses(JobStatus::RUNNABLE);
  all.set_max_results(7);
  auto jobs = List(all);
  ASSERT_EQ(jobs.size(), 26u);
  std::set<std::string> unique;
  for (const auto& j : jobs) unique.insert(j.job_id());
  EXPECT_EQ(unique.size(), 26u);
  for (size_t i = 1; i < jobs.size(); ++i)
    EXPECT_GE(jobs[i - 1].created_at(), jobs[i].created_at());

  ListJobsRequest by_name;
  by_name.set_job_queue("q");
  auto* f = by_name.add_filters();
  f->set_name("JOB_NAME");
  f->add_values("RENDER-1*");
  EXPECT_EQ(List(by_name).size(), 11u);  // render-1 and render-10..19, any case
  f->mutable_values(0)->assign("encode");
  EXPECT_EQ(List(by_name).size(), 1u);
  f->set_name("JOB_DEFINITION");
  f->mutable_values(0)->assign("other");
  EXPECT_EQ(List(by_name).size(), 5u);
  f->set_name("AFTER_CREATED_AT");
  f->mutable_values(0)->assign("0");
  EXPECT_EQ(List(by_name).size(), 26u);
  f->set_name("BEFORE_CREATED_AT");
  EXPECT_EQ(List(by_name).size(), 0u);

  ListJobsResponse resp;
  f->set_name("COLOUR");
  EXPECT_STATUS(CALL(ListJobs, by_name, &resp), INVALID_ARGUMENT,
                "filters[0].name: must be JOB_NAME");
  ListJobsRequest bad_token;
  bad_token.set_job_queue("q");
  bad_token.set_next_token("garbage");
  EXPECT_STATUS(CALL(ListJobs, bad_token, &resp), INVALID_ARGUMENT, "nextToken");
  ListJobsRequest missing;
  missing.set_job_queue("nope");
  EXPECT_STATUS(CALL(ListJobs, missing, &resp), NOT_FOUND, "nope");
}

}  // namespace
}  // namespace batchd::testing
