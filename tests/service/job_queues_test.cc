#include "service_fixture.h"

namespace batchd::testing {
namespace {

using namespace batch::v1;

using JobQueues = ServiceTest;

TEST_F(JobQueues, UnknownComputeEnvironmentIsRejected) {
  CreateJobQueueRequest req;
  req.set_job_queue_name("q");
  req.set_priority(1);
  auto* o = req.add_compute_environment_order();
  o->set_order(1);
  o->set_compute_environment("missing");
  CreateJobQueueResponse resp;
  EXPECT_STATUS(CALL(CreateJobQueue, req, &resp), INVALID_ARGUMENT,
                "computeEnvironmentOrder[0].computeEnvironment: compute environment \"missing\" "
                "does not exist");
  DescribeJobQueuesRequest all;
  DescribeJobQueuesResponse listed;
  ASSERT_OK(CALL(DescribeJobQueues, all, &listed));
  EXPECT_EQ(listed.job_queues_size(), 0);
}

TEST_F(JobQueues, CreateUpdateDescribe) {
  CreateUnmanagedCe("ce-a");
  CreateUnmanagedCe("ce-b");
  CreateQueue("q", "ce-a", 5);
  CreateJobQueueResponse dup;
  CreateJobQueueRequest again;
  again.set_job_queue_name("q");
  again.set_priority(1);
  auto* o = again.add_compute_environment_order();
  o->set_order(1);
  o->set_compute_environment("ce-a");
  EXPECT_STATUS(CALL(CreateJobQueue, again, &dup), ALREADY_EXISTS, "\"q\"");

  UpdateJobQueueRequest up;
  up.set_job_queue("q");
  up.set_priority(50);
  auto* o1 = up.add_compute_environment_order();
  o1->set_order(2);
  o1->set_compute_environment("ce-a");
  auto* o2 = up.add_compute_environment_order();
  o2->set_order(1);
  o2->set_compute_environment("ce-b");
  UpdateJobQueueResponse resp;
  ASSERT_OK(CALL(UpdateJobQueue, up, &resp));

  DescribeJobQueuesRequest req;
  req.add_job_queues("q");
  DescribeJobQueuesResponse described;
  ASSERT_OK(CALL(DescribeJobQueues, req, &described));
  ASSERT_EQ(described.job_queues_size(), 1);
  const auto& q = described.job_queues(0);
  EXPECT_EQ(q.priority(), 50);
  ASSERT_EQ(q.compute_environment_order_size(), 2);
  EXPECT_EQ(q.compute_environment_order(0).order(), 1);
  EXPECT_NE(q.compute_environment_order(0).compute_environment().find("compute-environment/ce-b"),
            std::string::npos);

  UpdateJobQueueRequest bad;
  bad.set_job_queue("q");
  bad.set_priority(5000);
  EXPECT_STATUS(CALL(UpdateJobQueue, bad, &resp), INVALID_ARGUMENT,
                "priority: must be between 0 and 1000");
}

TEST_F(JobQueues, DeleteNeedsDisabledAndNoUnfinishedJobs) {
  CreateUnmanagedCe("ce");
  CreateQueue("q", "ce");
  RegisterDefinition("d");
  std::string id = Submit("q", "d");
  DeleteJobQueueRequest del;
  del.set_job_queue("q");
  DeleteJobQueueResponse resp;
  EXPECT_STATUS(CALL(DeleteJobQueue, del, &resp), FAILED_PRECONDITION, "is ENABLED");
  UpdateJobQueueRequest disable;
  disable.set_job_queue("q");
  disable.set_state(JQState::DISABLED);
  UpdateJobQueueResponse up;
  ASSERT_OK(CALL(UpdateJobQueue, disable, &up));
  EXPECT_STATUS(CALL(DeleteJobQueue, del, &resp), FAILED_PRECONDITION,
                "still has 1 unfinished job(s)");

  SubmitJobRequest late;
  late.set_job_name("late");
  late.set_job_queue("q");
  late.set_job_definition("d");
  SubmitJobResponse sr;
  EXPECT_STATUS(CALL(SubmitJob, late, &sr), FAILED_PRECONDITION, "DISABLED");

  CancelJobRequest cancel;
  cancel.set_job_id(id);
  cancel.set_reason("cleanup");
  CancelJobResponse cr;
  ASSERT_OK(CALL(CancelJob, cancel, &cr));
  ASSERT_OK(CALL(DeleteJobQueue, del, &resp));
}

}  // namespace
}  // namespace batchd::testing
