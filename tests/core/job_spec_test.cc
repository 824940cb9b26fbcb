#include "core/job_spec.h"

#include <gtest/gtest.h>

namespace batchd::core {
namespace {

using namespace batch::v1;

JobDefinition Definition() {
  JobDefinition d;
  d.set_job_definition_name("render");
  d.set_revision(3);
  d.set_job_definition_arn("arn:batchd:batch:local:000000000000:job-definition/render:3");
  d.set_scheduling_priority(5);
  (*d.mutable_parameters())["codec"] = "mp4";
  (*d.mutable_parameters())["input"] = "default.mov";
  auto* c = d.mutable_container_properties();
  for (const char* a : {"ffmpeg", "-i", "Ref::input", "-c", "Ref::codec",
                        "--out=Ref::input.Ref::codec", "Ref::unknown"}) {
    c->add_command(a);
  }
  auto* e = c->add_environment();
  e->set_name("A");
  e->set_value("1");
  c->set_vcpus(2);
  auto* r = c->add_resource_requirements();
  r->set_type(ResourceType::MEMORY);
  r->set_value("4096");
  d.mutable_retry_strategy()->set_attempts(3);
  d.mutable_timeout()->set_attempt_duration_seconds(600);
  return d;
}

TEST(JobSpec, ParametersSubstituteWithSubmitOverridingDefaults) {
  SubmitJobRequest req;
  req.set_job_name("r1");
  req.set_job_queue("q");
  (*req.mutable_parameters())["input"] = "clip.mov";
  auto job = BuildJobDetail(Definition(), req, "id-1", 42);
  std::vector<std::string> cmd(job.container().command().begin(), job.container().command().end());
  EXPECT_EQ(cmd, (std::vector<std::string>{"ffmpeg", "-i", "clip.mov", "-c", "mp4",
                                           "--out=clip.mov.mp4", "Ref::unknown"}));
  EXPECT_EQ(job.parameters().at("input"), "clip.mov");
  EXPECT_EQ(job.job_id(), "id-1");
  EXPECT_EQ(job.created_at(), 42);
  EXPECT_EQ(job.scheduling_priority(), 5);
  EXPECT_EQ(job.retry_strategy().attempts(), 3);
  EXPECT_EQ(job.timeout().attempt_duration_seconds(), 600);
  EXPECT_EQ(job.job_definition(), Definition().job_definition_arn());
}

TEST(JobSpec, OverridesReplaceCommandMergeEnvironmentAndResources) {
  SubmitJobRequest req;
  req.set_job_name("r1");
  req.set_scheduling_priority_override(9);
  auto* o = req.mutable_container_overrides();
  o->add_command("echo");
  o->add_command("Ref::codec");
  auto* e1 = o->add_environment();
  e1->set_name("A");
  e1->set_value("override");
  auto* e2 = o->add_environment();
  e2->set_name("B");
  e2->set_value("2");
  auto* r = o->add_resource_requirements();
  r->set_type(ResourceType::VCPU);
  r->set_value("0.5");
  req.mutable_retry_strategy()->set_attempts(1);
  auto job = BuildJobDetail(Definition(), req, "id", 0);
  ASSERT_EQ(job.container().command_size(), 2);
  EXPECT_EQ(job.container().command(1), "mp4");
  ASSERT_EQ(job.container().environment_size(), 2);
  EXPECT_EQ(job.container().environment(0).value(), "override");
  EXPECT_EQ(job.container().environment(1).name(), "B");
  Resources res = EffectiveResources(job.container());
  EXPECT_DOUBLE_EQ(res.vcpus, 0.5);
  EXPECT_EQ(res.memory_mib, 4096);
  EXPECT_EQ(job.scheduling_priority(), 9);
  EXPECT_EQ(job.retry_strategy().attempts(), 1);
}

TEST(JobSpec, DefaultsWhenNothingIsAsked) {
  JobDefinition d;
  d.mutable_container_properties()->add_command("true");
  SubmitJobRequest req;
  req.set_job_name("t");
  auto job = BuildJobDetail(d, req, "id", 0);
  Resources res = EffectiveResources(job.container());
  EXPECT_DOUBLE_EQ(res.vcpus, kDefaultVcpus);
  EXPECT_EQ(res.memory_mib, kDefaultMemoryMiB);
  EXPECT_EQ(res.gpus, 0);
  EXPECT_FALSE(res.container);
  EXPECT_EQ(job.retry_strategy().attempts(), 1);
  EXPECT_FALSE(job.has_timeout());
}

TEST(JobSpec, AnImageNeedsAContainerRuntimeAndCarriesItsSettings) {
  JobDefinition d;
  auto* props = d.mutable_container_properties();
  props->set_image("localhost/tool:1");
  props->add_command("true");
  props->set_image_pull_policy("Never");
  props->set_network_mode("none");
  SubmitJobRequest req;
  req.set_job_name("t");
  auto job = BuildJobDetail(d, req, "id", 0);
  EXPECT_TRUE(EffectiveResources(job.container()).container);
  EXPECT_EQ(job.container().image(), "localhost/tool:1");
  EXPECT_EQ(job.container().image_pull_policy(), "Never");
  EXPECT_EQ(job.container().network_mode(), "none");
}

TEST(JobSpec, LegacyOverridesCountToo) {
  SubmitJobRequest req;
  req.mutable_container_overrides()->set_vcpus(8);
  req.mutable_container_overrides()->set_memory(100);
  auto job = BuildJobDetail(Definition(), req, "id", 0);
  Resources res = EffectiveResources(job.container());
  EXPECT_DOUBLE_EQ(res.vcpus, 8);
  EXPECT_EQ(res.memory_mib, 100);
}

TEST(JobSpec, FingerprintIsStableAndContentSensitive) {
  SubmitJobRequest a;
  a.set_job_name("x");
  (*a.mutable_parameters())["p"] = "1";
  (*a.mutable_parameters())["q"] = "2";
  SubmitJobRequest b = a;
  EXPECT_EQ(RequestFingerprint(a), RequestFingerprint(b));
  b.set_job_name("y");
  EXPECT_NE(RequestFingerprint(a), RequestFingerprint(b));
}

}  // namespace
}  // namespace batchd::core
