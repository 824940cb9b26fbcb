#include "cli/resource_diff.h"

#include <gtest/gtest.h>

#include "cli/errors.h"

namespace batchd::cli {
namespace {

using namespace batch::v1;

CreateComputeEnvironmentRequest ManagedRequest() {
  CreateComputeEnvironmentRequest req;
  req.set_compute_environment_name("local");
  req.set_type(CEType::MANAGED);
  auto* cr = req.mutable_compute_resources();
  cr->set_type(CRType::EC2);
  cr->set_minv_cpus(0);
  cr->set_maxv_cpus(8);
  return req;
}

// What the server stores for ManagedRequest(): its defaults filled in.
ComputeEnvironmentDetail StoredManaged() {
  ComputeEnvironmentDetail ce;
  ce.set_compute_environment_name("local");
  ce.set_compute_environment_arn("arn:batchd:batch:local:000000000000:compute-environment/local");
  ce.set_type(CEType::MANAGED);
  ce.set_state(CEState::ENABLED);
  ce.set_status(CEStatus::VALID);
  ce.set_uuid("u");
  ce.set_created_at(1);
  auto* cr = ce.mutable_compute_resources();
  cr->set_type(CRType::EC2);
  cr->set_allocation_strategy(CRAllocationStrategy::BEST_FIT);
  cr->set_minv_cpus(0);
  cr->set_maxv_cpus(8);
  cr->set_desiredv_cpus(0);
  cr->mutable_provider()->set_type("local");
  cr->set_scale_down_delay_seconds(300);
  cr->set_node_boot_timeout_seconds(300);
  return ce;
}

TEST(DiffComputeEnvironment, ServerDefaultsAreNotChanges) {
  auto change = DiffComputeEnvironment(ManagedRequest(), StoredManaged());
  EXPECT_FALSE(change.update.has_value());
  EXPECT_TRUE(change.not_updatable.empty());
}

TEST(DiffComputeEnvironment, OnlyDifferingFieldsAreSent) {
  auto req = ManagedRequest();
  req.mutable_compute_resources()->set_maxv_cpus(16);
  req.set_state(CEState::DISABLED);
  auto change = DiffComputeEnvironment(req, StoredManaged());
  ASSERT_TRUE(change.update.has_value());
  EXPECT_EQ(change.update->compute_environment(), "local");
  EXPECT_EQ(change.update->state(), CEState::DISABLED);
  const auto& u = change.update->compute_resources();
  EXPECT_TRUE(u.has_maxv_cpus());
  EXPECT_EQ(u.maxv_cpus(), 16);
  EXPECT_FALSE(u.has_minv_cpus());
  EXPECT_FALSE(u.has_desiredv_cpus());
  EXPECT_FALSE(u.has_provider());
}

TEST(DiffComputeEnvironment, DesiredvCpusIsOnlyRaised) {
  auto req = ManagedRequest();
  req.mutable_compute_resources()->set_desiredv_cpus(0);
  auto stored = StoredManaged();
  stored.mutable_compute_resources()->set_desiredv_cpus(4);  // the autoscaler scaled out
  EXPECT_FALSE(DiffComputeEnvironment(req, stored).update.has_value());
  req.mutable_compute_resources()->set_desiredv_cpus(6);
  auto change = DiffComputeEnvironment(req, stored);
  ASSERT_TRUE(change.update.has_value());
  EXPECT_EQ(change.update->compute_resources().desiredv_cpus(), 6);
}

TEST(DiffComputeEnvironment, FixedFieldsAreReportedNotSent) {
  auto req = ManagedRequest();
  req.mutable_compute_resources()->set_image_id("img-2");
  (*req.mutable_tags())["team"] = "a";
  auto change = DiffComputeEnvironment(req, StoredManaged());
  EXPECT_FALSE(change.update.has_value());
  EXPECT_EQ(change.not_updatable, (std::vector<std::string>{"computeResources.imageId", "tags"}));
}

TEST(DiffComputeEnvironment, TypeChangeIsRefused) {
  CreateComputeEnvironmentRequest req;
  req.set_compute_environment_name("local");
  req.set_type(CEType::UNMANAGED);
  EXPECT_THROW(DiffComputeEnvironment(req, StoredManaged()), CliError);
}

CreateJobQueueRequest QueueRequest() {
  CreateJobQueueRequest req;
  req.set_job_queue_name("high");
  req.set_priority(10);
  auto* o = req.add_compute_environment_order();
  o->set_order(1);
  o->set_compute_environment("local");
  return req;
}

JobQueueDetail StoredQueue() {
  JobQueueDetail q;
  q.set_job_queue_name("high");
  q.set_state(JQState::ENABLED);
  q.set_status(JQStatus::VALID);
  q.set_priority(10);
  auto* o = q.add_compute_environment_order();
  o->set_order(1);
  o->set_compute_environment("arn:batchd:batch:local:000000000000:compute-environment/local");
  return q;
}

TEST(DiffJobQueue, ArnsAndNamesCompareEqual) {
  EXPECT_FALSE(DiffJobQueue(QueueRequest(), StoredQueue()).update.has_value());
}

TEST(DiffJobQueue, PriorityChange) {
  auto req = QueueRequest();
  req.set_priority(20);
  auto change = DiffJobQueue(req, StoredQueue());
  ASSERT_TRUE(change.update.has_value());
  EXPECT_EQ(change.update->job_queue(), "high");
  EXPECT_TRUE(change.update->has_priority());
  EXPECT_EQ(change.update->priority(), 20);
  EXPECT_EQ(change.update->compute_environment_order_size(), 0);
}

TEST(DiffJobQueue, OrderChange) {
  auto req = QueueRequest();
  auto* o = req.add_compute_environment_order();
  o->set_order(2);
  o->set_compute_environment("spare");
  auto change = DiffJobQueue(req, StoredQueue());
  ASSERT_TRUE(change.update.has_value());
  EXPECT_FALSE(change.update->has_priority());
  EXPECT_EQ(change.update->compute_environment_order_size(), 2);
}

RegisterJobDefinitionRequest DefinitionRequest() {
  RegisterJobDefinitionRequest req;
  req.set_job_definition_name("hello");
  req.mutable_container_properties()->add_command("echo");
  req.mutable_container_properties()->add_command("hi");
  (*req.mutable_parameters())["a"] = "1";
  (*req.mutable_parameters())["b"] = "2";
  return req;
}

JobDefinition StoredDefinition() {
  JobDefinition def;
  def.set_job_definition_name("hello");
  def.set_job_definition_arn("arn:batchd:batch:local:000000000000:job-definition/hello:3");
  def.set_revision(3);
  def.set_status("ACTIVE");
  def.set_type("container");
  def.set_created_at(123);
  (*def.mutable_parameters())["b"] = "2";
  (*def.mutable_parameters())["a"] = "1";
  def.mutable_container_properties()->add_command("echo");
  def.mutable_container_properties()->add_command("hi");
  def.mutable_retry_strategy();
  def.mutable_timeout();
  def.add_platform_capabilities("EC2");
  return def;
}

TEST(SameJobDefinition, IdentityAndDefaultsAreIgnored) {
  EXPECT_TRUE(SameJobDefinition(DefinitionRequest(), StoredDefinition()));
}

TEST(SameJobDefinition, EmptyRetryStrategyAndTimeoutMeanNone) {
  auto stored = StoredDefinition();
  stored.clear_retry_strategy();
  stored.clear_timeout();
  EXPECT_TRUE(SameJobDefinition(DefinitionRequest(), stored));
  auto req = DefinitionRequest();
  req.mutable_timeout();
  EXPECT_TRUE(SameJobDefinition(req, stored));
}

TEST(SameJobDefinition, AnyContentChangeDiffers) {
  auto req = DefinitionRequest();
  req.mutable_container_properties()->set_command(1, "bye");
  EXPECT_FALSE(SameJobDefinition(req, StoredDefinition()));
  auto req2 = DefinitionRequest();
  req2.mutable_retry_strategy()->set_attempts(2);
  EXPECT_FALSE(SameJobDefinition(req2, StoredDefinition()));
}

TEST(SameSchedule, AStateMachineTargetWithTheServersDefaults) {
  ScheduleRequest req;
  req.set_schedule_name("nightly");
  req.set_schedule_expression("@daily");
  req.set_state_machine("etl");
  // As batchd stores it: no job name, input {}, its policies' defaults.
  ScheduleDetail stored;
  stored.set_schedule_name("nightly");
  stored.set_schedule_expression("@daily");
  stored.set_time_zone("UTC");
  stored.set_state_machine("etl");
  stored.set_execution_input("{}");
  stored.set_concurrency_policy(ConcurrencyPolicy::Allow);
  stored.set_catch_up(CatchUpPolicy::Skip);
  stored.set_runs_to_keep(20);
  EXPECT_TRUE(SameSchedule(req, stored));
  req.set_execution_input(R"({"day":1})");
  EXPECT_FALSE(SameSchedule(req, stored));
  req.clear_execution_input();
  req.set_state_machine("etl:2");
  EXPECT_FALSE(SameSchedule(req, stored));
}

}  // namespace
}  // namespace batchd::cli
