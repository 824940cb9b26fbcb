#include "api/names.h"
#include "service_fixture.h"

namespace batchd::testing {
namespace {

using namespace batch::v1;

CreateComputeEnvironmentRequest Managed(const std::string& name) {
  CreateComputeEnvironmentRequest req;
  req.set_compute_environment_name(name);
  req.set_type(CEType::MANAGED);
  auto* cr = req.mutable_compute_resources();
  cr->set_type(CRType::EC2);
  cr->set_minv_cpus(2);
  cr->set_maxv_cpus(64);
  return req;
}

using ComputeEnvironments = ServiceTest;

TEST_F(ComputeEnvironments, CreateAppliesDefaultsAndDescribesByNameOrArn) {
  CreateComputeEnvironmentResponse created;
  ASSERT_OK(CALL(CreateComputeEnvironment, Managed("ce-a"), &created));
  EXPECT_EQ(created.compute_environment_arn(), api::MakeArn(api::kComputeEnvironmentKind, "ce-a"));

  DescribeComputeEnvironmentsRequest req;
  req.add_compute_environments(created.compute_environment_arn());
  DescribeComputeEnvironmentsResponse resp;
  ASSERT_OK(CALL(DescribeComputeEnvironments, req, &resp));
  ASSERT_EQ(resp.compute_environments_size(), 1);
  const auto& ce = resp.compute_environments(0);
  EXPECT_EQ(ce.state(), CEState::ENABLED);
  EXPECT_EQ(ce.status(), CEStatus::VALID);
  EXPECT_EQ(ce.compute_resources().desiredv_cpus(), 2);
  EXPECT_EQ(ce.compute_resources().allocation_strategy(), CRAllocationStrategy::BEST_FIT);
  EXPECT_EQ(ce.compute_resources().provider().type(), "local");
  EXPECT_EQ(ce.compute_resources().scale_down_delay_seconds(), 300);
  EXPECT_FALSE(ce.uuid().empty());
}

TEST_F(ComputeEnvironments, BadInputIsRejectedAndNothingIsWritten) {
  auto bad = Managed("ce-bad");
  bad.mutable_compute_resources()->set_minv_cpus(100);
  CreateComputeEnvironmentResponse resp;
  EXPECT_STATUS(CALL(CreateComputeEnvironment, bad, &resp), INVALID_ARGUMENT,
                "computeResources.minvCpus: must not exceed maxvCpus");
  DescribeComputeEnvironmentsRequest all;
  DescribeComputeEnvironmentsResponse listed;
  ASSERT_OK(CALL(DescribeComputeEnvironments, all, &listed));
  EXPECT_EQ(listed.compute_environments_size(), 0);

  ASSERT_OK(CALL(CreateComputeEnvironment, Managed("ce-a"), &resp));
  EXPECT_STATUS(CALL(CreateComputeEnvironment, Managed("ce-a"), &resp), ALREADY_EXISTS, "ce-a");
}

TEST_F(ComputeEnvironments, UpdateFollowsAwsRules) {
  CreateComputeEnvironmentResponse created;
  ASSERT_OK(CALL(CreateComputeEnvironment, Managed("ce-a"), &created));
  UpdateComputeEnvironmentRequest up;
  up.set_compute_environment("ce-a");
  up.mutable_compute_resources()->set_desiredv_cpus(8);
  up.set_state(CEState::DISABLED);
  UpdateComputeEnvironmentResponse resp;
  ASSERT_OK(CALL(UpdateComputeEnvironment, up, &resp));

  UpdateComputeEnvironmentRequest lower;
  lower.set_compute_environment("ce-a");
  lower.mutable_compute_resources()->set_desiredv_cpus(4);
  EXPECT_STATUS(CALL(UpdateComputeEnvironment, lower, &resp), INVALID_ARGUMENT,
                "computeResources.desiredvCpus: can only be raised (current 8)");

  UpdateComputeEnvironmentRequest max;
  max.set_compute_environment("ce-a");
  max.mutable_compute_resources()->set_maxv_cpus(1);
  EXPECT_STATUS(CALL(UpdateComputeEnvironment, max, &resp), INVALID_ARGUMENT,
                "minvCpus: must not exceed maxvCpus");

  UpdateComputeEnvironmentRequest missing;
  missing.set_compute_environment("nope");
  missing.set_state(CEState::ENABLED);
  EXPECT_STATUS(CALL(UpdateComputeEnvironment, missing, &resp), NOT_FOUND, "nope");

  DescribeComputeEnvironmentsRequest req;
  req.add_compute_environments("ce-a");
  DescribeComputeEnvironmentsResponse described;
  ASSERT_OK(CALL(DescribeComputeEnvironments, req, &described));
  EXPECT_EQ(described.compute_environments(0).state(), CEState::DISABLED);
  EXPECT_EQ(described.compute_environments(0).compute_resources().desiredv_cpus(), 8);
  EXPECT_EQ(described.compute_environments(0).compute_resources().maxv_cpus(), 64);
}

TEST_F(ComputeEnvironments, DeleteNeedsDisabledAndNoQueue) {
  CreateUnmanagedCe("ce-u");
  CreateQueue("q1", "ce-u");
  DeleteComputeEnvironmentRequest del;
  del.set_compute_environment("ce-u");
  DeleteComputeEnvironmentResponse resp;
  EXPECT_STATUS(CALL(DeleteComputeEnvironment, del, &resp), FAILED_PRECONDITION, "is ENABLED");

  UpdateComputeEnvironmentRequest disable;
  disable.set_compute_environment("ce-u");
  disable.set_state(CEState::DISABLED);
  UpdateComputeEnvironmentResponse up;
  ASSERT_OK(CALL(UpdateComputeEnvironment, disable, &up));
  EXPECT_STATUS(CALL(DeleteComputeEnvironment, del, &resp), FAILED_PRECONDITION,
                "used by job queue(s) q1");

  UpdateJobQueueRequest qd;
  qd.set_job_queue("q1");
  qd.set_state(JQState::DISABLED);
  UpdateJobQueueResponse qr;
  ASSERT_OK(CALL(UpdateJobQueue, qd, &qr));
  DeleteJobQueueRequest dq;
  dq.set_job_queue("q1");
  DeleteJobQueueResponse dqr;
  ASSERT_OK(CALL(DeleteJobQueue, dq, &dqr));
  ASSERT_OK(CALL(DeleteComputeEnvironment, del, &resp));
  EXPECT_STATUS(CALL(DeleteComputeEnvironment, del, &resp), NOT_FOUND, "ce-u");
}

TEST_F(ComputeEnvironments, DescribePagesThroughAll) {
  for (int i = 0; i < 7; ++i) CreateUnmanagedCe("ce-" + std::to_string(i));
  std::vector<std::string> seen;
  DescribeComputeEnvironmentsRequest req;
  req.set_max_results(3);
  do {
    DescribeComputeEnvironmentsResponse resp;
    ASSERT_OK(CALL(DescribeComputeEnvironments, req, &resp));
    for (const auto& ce : resp.compute_environments())
      seen.push_back(ce.compute_environment_name());
    req.set_next_token(resp.next_token());
  } while (!req.next_token().empty());
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  req.set_max_results(101);
  DescribeComputeEnvironmentsResponse resp;
  EXPECT_STATUS(CALL(DescribeComputeEnvironments, req, &resp), INVALID_ARGUMENT, "maxResults");
}

}  // namespace
}  // namespace batchd::testing
