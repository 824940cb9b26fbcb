// Every compute-environment and job-queue rule, each with a case that breaks it.
#include <functional>

#include "api/validation.h"
#include "expect_api_error.h"

namespace batchd::api {
namespace {

using namespace batch::v1;

ComputeEnvironmentDetail ValidManaged() {
  ComputeEnvironmentDetail ce;
  ce.set_compute_environment_name("ce-a");
  ce.set_type(CEType::MANAGED);
  auto* cr = ce.mutable_compute_resources();
  cr->set_type(CRType::EC2);
  cr->set_minv_cpus(0);
  cr->set_maxv_cpus(16);
  cr->set_desiredv_cpus(0);
  auto* shape = cr->add_node_shapes();
  shape->set_name("c4");
  shape->set_vcpus(4);
  shape->set_memory_mib(8192);
  cr->add_instance_types("c4");
  return ce;
}

struct CeCase {
  const char* name;
  std::function<void(ComputeEnvironmentDetail&)> breakit;
  const char* fragment;
};

TEST(ComputeEnvironmentValidation, ValidOnesPass) {
  EXPECT_NO_THROW(ValidateComputeEnvironment(ValidManaged()));
  ComputeEnvironmentDetail u;
  u.set_compute_environment_name("mine");
  u.set_type(CEType::UNMANAGED);
  u.set_unmanagedv_cpus(8);
  EXPECT_NO_THROW(ValidateComputeEnvironment(u));
}

TEST(ComputeEnvironmentValidation, EveryRuleHasABadCase) {
  const std::vector<CeCase> cases = {
      {"name", [](auto& ce) { ce.set_compute_environment_name("no spaces"); },
       "computeEnvironmentName: must be 1-128"},
      {"type", [](auto& ce) { ce.set_type(CEType::CE_TYPE_UNSPECIFIED); }, "type: is required"},
      {"resources", [](auto& ce) { ce.clear_compute_resources(); },
       "computeResources: is required for a MANAGED"},
      {"unmanagedv", [](auto& ce) { ce.set_unmanagedv_cpus(4); },
       "unmanagedvCpus: only an UNMANAGED"},
      {"negative unmanagedv", [](auto& ce) { ce.set_unmanagedv_cpus(-1); },
       "unmanagedvCpus: must not be negative"},
      {"fargate", [](auto& ce) { ce.mutable_compute_resources()->set_type(CRType::FARGATE); },
       "computeResources.type: FARGATE"},
      {"cr type",
       [](auto& ce) { ce.mutable_compute_resources()->set_type(CRType::CR_TYPE_UNSPECIFIED); },
       "computeResources.type: is required"},
      {"min<0", [](auto& ce) { ce.mutable_compute_resources()->set_minv_cpus(-1); },
       "computeResources.minvCpus: must not be negative"},
      {"max<1", [](auto& ce) { ce.mutable_compute_resources()->set_maxv_cpus(0); },
       "computeResources.maxvCpus: is required"},
      {"min>max", [](auto& ce) { ce.mutable_compute_resources()->set_minv_cpus(32); },
       "computeResources.minvCpus: must not exceed maxvCpus (32 > 16)"},
      {"desired>max", [](auto& ce) { ce.mutable_compute_resources()->set_desiredv_cpus(17); },
       "computeResources.desiredvCpus: must be between minvCpus and maxvCpus (0..16), got 17"},
      {"bid", [](auto& ce) { ce.mutable_compute_resources()->set_bid_percentage(101); },
       "computeResources.bidPercentage"},
      {"shape name",
       [](auto& ce) { ce.mutable_compute_resources()->mutable_node_shapes(0)->set_name(""); },
       "computeResources.nodeShapes[0].name: is required"},
      {"shape dup",
       [](auto& ce) {
         *ce.mutable_compute_resources()->add_node_shapes() = ce.compute_resources().node_shapes(0);
       },
       "computeResources.nodeShapes[1].name: duplicate shape"},
      {"shape vcpus",
       [](auto& ce) { ce.mutable_compute_resources()->mutable_node_shapes(0)->set_vcpus(0); },
       "computeResources.nodeShapes[0].vcpus: must be at least 1"},
      {"shape memory",
       [](auto& ce) { ce.mutable_compute_resources()->mutable_node_shapes(0)->set_memory_mib(0); },
       "computeResources.nodeShapes[0].memoryMiB"},
      {"shape gpus",
       [](auto& ce) { ce.mutable_compute_resources()->mutable_node_shapes(0)->set_gpus(-1); },
       "computeResources.nodeShapes[0].gpus"},
      {"instance type", [](auto& ce) { ce.mutable_compute_resources()->add_instance_types("m5"); },
       "computeResources.instanceTypes[1]: \"m5\" is neither"},
      {"empty instance type",
       [](auto& ce) { ce.mutable_compute_resources()->add_instance_types(""); },
       "computeResources.instanceTypes[1]: must not be empty"},
      {"provider type",
       [](auto& ce) { ce.mutable_compute_resources()->mutable_provider()->set_type("cloud"); },
       "computeResources.provider.type: must be local or exec"},
      {"exec create",
       [](auto& ce) { ce.mutable_compute_resources()->mutable_provider()->set_type("exec"); },
       "computeResources.provider.createCommand: is required"},
      {"exec delete",
       [](auto& ce) {
         auto* p = ce.mutable_compute_resources()->mutable_provider();
         p->set_type("exec");
         p->set_create_command("/bin/true");
       },
       "computeResources.provider.deleteCommand: is required"},
      {"scale down",
       [](auto& ce) { ce.mutable_compute_resources()->set_scale_down_delay_seconds(-1); },
       "computeResources.scaleDownDelaySeconds"},
      {"boot timeout",
       [](auto& ce) { ce.mutable_compute_resources()->set_node_boot_timeout_seconds(-1); },
       "computeResources.nodeBootTimeoutSeconds"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto ce = ValidManaged();
    c.breakit(ce);
    EXPECT_INVALID(ValidateComputeEnvironment(ce), c.fragment);
  }
  ComputeEnvironmentDetail u;
  u.set_compute_environment_name("mine");
  u.set_type(CEType::UNMANAGED);
  u.mutable_compute_resources()->set_maxv_cpus(4);
  EXPECT_INVALID(ValidateComputeEnvironment(u),
                 "computeResources: must not be set for an UNMANAGED");
}

TEST(ComputeEnvironmentValidation, CreateRequest) {
  CreateComputeEnvironmentRequest req;
  req.set_compute_environment_name("ce");
  EXPECT_INVALID(ValidateCreateComputeEnvironment(req), "type: is required (MANAGED or UNMANAGED)");
  req.set_type(CEType::UNMANAGED);
  EXPECT_NO_THROW(ValidateCreateComputeEnvironment(req));
  (*req.mutable_tags())[""] = "x";
  EXPECT_INVALID(ValidateCreateComputeEnvironment(req), "tag keys are 1-128 characters");
  UpdateComputeEnvironmentRequest up;
  EXPECT_INVALID(ValidateUpdateComputeEnvironment(up), "computeEnvironment: is required");
  up.set_compute_environment("ce");
  up.set_unmanagedv_cpus(-2);
  EXPECT_INVALID(ValidateUpdateComputeEnvironment(up), "unmanagedvCpus: must not be negative");
}

JobQueueDetail ValidQueue() {
  JobQueueDetail q;
  q.set_job_queue_name("q");
  q.set_priority(10);
  auto* o = q.add_compute_environment_order();
  o->set_order(1);
  o->set_compute_environment("ce-a");
  return q;
}

TEST(JobQueueValidation, EveryRuleHasABadCase) {
  Limits limits;
  EXPECT_NO_THROW(ValidateJobQueue(ValidQueue(), limits));
  const std::vector<std::pair<std::function<void(JobQueueDetail&)>, const char*>> cases = {
      {[](auto& q) { q.set_job_queue_name(""); }, "jobQueueName: is required"},
      {[](auto& q) { q.set_priority(-1); }, "priority: must be between 0 and 1000"},
      {[](auto& q) { q.set_priority(1001); }, "priority: must be between 0 and 1000"},
      {[](auto& q) { q.clear_compute_environment_order(); },
       "computeEnvironmentOrder: needs at least one"},
      {[](auto& q) { q.mutable_compute_environment_order(0)->set_order(-1); },
       "computeEnvironmentOrder[0].order: must not be negative"},
      {[](auto& q) {
         auto* o = q.add_compute_environment_order();
         o->set_order(1);
         o->set_compute_environment("ce-b");
       },
       "computeEnvironmentOrder[1].order: duplicate order 1"},
      {[](auto& q) {
         auto* o = q.add_compute_environment_order();
         o->set_order(2);
         o->set_compute_environment("ce-a");
       },
       "computeEnvironmentOrder[1].computeEnvironment: compute environment \"ce-a\" is listed "
       "twice"},
      {[](auto& q) {
         q.mutable_compute_environment_order(0)->set_compute_environment(
             "arn:batchd:batch:local:0:job-queue/x");
       },
       "computeEnvironmentOrder[0].computeEnvironment: expected a compute-environment"},
      {[](auto& q) { q.set_scheduling_policy_arn("p"); }, "schedulingPolicyArn: fair-share"},
      {[](auto& q) { q.add_job_state_time_limit_actions(); }, "jobStateTimeLimitActions"},
      {[](auto& q) {
         for (int i = 0; i < 20; ++i) {
           auto* o = q.add_compute_environment_order();
           o->set_order(i + 2);
           o->set_compute_environment("c" + std::to_string(i));
         }
       },
       "computeEnvironmentOrder: at most 16"},
      {[](auto& q) {
         for (int i = 0; i < 51; ++i) (*q.mutable_tags())["k" + std::to_string(i)] = "v";
       },
       "tags: at most 50 tags"},
      {[](auto& q) { (*q.mutable_tags())["k"] = std::string(257, 'v'); },
       "tag values are at most 256"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(i);
    auto q = ValidQueue();
    cases[i].first(q);
    EXPECT_INVALID(ValidateJobQueue(q, limits), cases[i].second);
  }
}

TEST(JobQueueValidation, CreateAndUpdateRequests) {
  CreateJobQueueRequest req;
  req.set_job_queue_name("q");
  *req.mutable_compute_environment_order() = ValidQueue().compute_environment_order();
  EXPECT_INVALID(ValidateCreateJobQueue(req, Limits{}), "priority: is required");
  req.set_priority(1);
  EXPECT_NO_THROW(ValidateCreateJobQueue(req, Limits{}));
  UpdateJobQueueRequest up;
  EXPECT_INVALID(ValidateUpdateJobQueue(up, Limits{}), "jobQueue: is required");
}

TEST(PageSize, Bounds) {
  EXPECT_NO_THROW(ValidatePageSize("maxResults", 0, 100));
  EXPECT_INVALID(ValidatePageSize("maxResults", 101, 100), "maxResults: must be between 1 and 100");
  EXPECT_INVALID(ValidatePageSize("maxResults", -1, 100), "maxResults");
}

}  // namespace
}  // namespace batchd::api
