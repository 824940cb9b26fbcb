#include "api/json_yaml.h"

#include "batch/v1/batch_service.pb.h"
#include "expect_api_error.h"

namespace batchd::api {
namespace {

using namespace batch::v1;

TEST(Json, UsesAwsNamesEnumNamesAndNumericTimestamps) {
  JobDetail job;
  job.set_job_id("j1");
  job.set_status(JobStatus::RUNNABLE);
  job.set_created_at(1700000000123);
  job.mutable_container()->set_exit_code(0);  // present although zero
  (*job.mutable_parameters())["b"] = "2";
  (*job.mutable_parameters())["a"] = "1";
  job.mutable_container()->add_command("echo");
  job.mutable_container()->add_command("say \"hi\"\n");
  std::string json = ToJson(job, false);
  EXPECT_EQ(
      json,
      R"({"jobId":"j1","status":"RUNNABLE","createdAt":1700000000123,)"
      R"("parameters":{"a":"1","b":"2"},"container":{"command":["echo","say \"hi\"\n"],"exitCode":0}})");
}

TEST(Json, RoundTripsThroughTheProtobufParser) {
  ComputeEnvironmentDetail ce;
  ce.set_compute_environment_name("ce");
  ce.set_type(CEType::MANAGED);
  ce.mutable_compute_resources()->set_minv_cpus(2);
  ce.mutable_compute_resources()->set_maxv_cpus(64);
  ce.mutable_compute_resources()->set_desiredv_cpus(0);  // optional: present although zero
  ComputeEnvironmentDetail back;
  FromJson(ToJson(ce), &back);
  EXPECT_EQ(back.SerializeAsString(), ce.SerializeAsString());
  EXPECT_NE(ToJson(ce).find("\"minvCpus\": 2"), std::string::npos);
  EXPECT_NE(ToJson(ce).find("\"desiredvCpus\": 0"), std::string::npos);
}

TEST(Json, RejectsUnknownFields) {
  JobQueueDetail q;
  EXPECT_INVALID(FromJson(R"({"jobQueueName":"q","colour":"red"})", &q),
                 "invalid JSON for JobQueueDetail");
}

TEST(Yaml, ReadsAwsJsonWrittenAsYaml) {
  auto node = YAML::Load(R"(
kind: JobQueue
jobQueueName: q
priority: 1
state: enabled
computeEnvironmentOrder:
  - order: 1
    computeEnvironment: ce
tags: {team: data}
)");
  CreateJobQueueRequest req;
  FromYaml(node, &req, {"kind"});
  EXPECT_EQ(req.job_queue_name(), "q");
  EXPECT_EQ(req.priority(), 1);
  EXPECT_EQ(req.state(), JQState::ENABLED);
  ASSERT_EQ(req.compute_environment_order_size(), 1);
  EXPECT_EQ(req.compute_environment_order(0).compute_environment(), "ce");
  EXPECT_EQ(req.tags().at("team"), "data");
}

TEST(Yaml, AcceptsProtoNamesAndQuotedNumbersAsStrings) {
  auto node =
      YAML::Load("job_definition_name: \"123\"\ncontainerProperties: {command: [echo, 42]}\n");
  RegisterJobDefinitionRequest req;
  FromYaml(node, &req);
  EXPECT_EQ(req.job_definition_name(), "123");
  EXPECT_EQ(req.container_properties().command(1), "42");
}

TEST(Yaml, NodeShapesTakeAwsSpellingMemoryMiB) {
  auto node =
      YAML::Load("computeResources: {nodeShapes: [{name: small, vcpus: 2, memoryMiB: 1024}]}\n");
  CreateComputeEnvironmentRequest req;
  FromYaml(node, &req);
  ASSERT_EQ(req.compute_resources().node_shapes_size(), 1);
  EXPECT_EQ(req.compute_resources().node_shapes(0).memory_mib(), 1024);
  EXPECT_NE(ToJson(req, false).find("\"memoryMiB\":1024"), std::string::npos) << ToJson(req, false);
}

TEST(Yaml, ErrorsNameLineAndField) {
  CreateComputeEnvironmentRequest ce;
  EXPECT_INVALID(FromYaml(YAML::Load("computeEnvironmentName: a\ncolour: red\n"), &ce),
                 "line 2: unknown field \"colour\" in CreateComputeEnvironmentRequest");
  EXPECT_INVALID(FromYaml(YAML::Load("computeResources:\n  maxvCpus: lots\n"), &ce),
                 "line 2: computeResources.maxvCpus: expected an integer, got \"lots\"");
  EXPECT_INVALID(FromYaml(YAML::Load("type: BIG\n"), &ce),
                 "line 1: type: \"BIG\" is not one of MANAGED, UNMANAGED");
  EXPECT_INVALID(FromYaml(YAML::Load("computeResources:\n  instanceTypes: c4\n"), &ce),
                 "line 2: computeResources.instanceTypes: expected a list");
  EXPECT_INVALID(FromYaml(YAML::Load("computeResources:\n  maxvCpus: 99999999999\n"), &ce),
                 "integer out of range");
  EXPECT_INVALID(FromYaml(YAML::Load("- a\n- b\n"), &ce), "expected a mapping");
  RegisterJobDefinitionRequest def;
  EXPECT_INVALID(FromYaml(YAML::Load("propagateTags: maybe\n"), &def),
                 "propagateTags: expected true or false");
  EXPECT_INVALID(FromYaml(YAML::Load("containerProperties:\n  command: [[a]]\n"), &def),
                 "containerProperties.command[0]: expected a single value");
}

TEST(Yaml, WritesBlockYamlThatReadsBack) {
  JobDefinition def;
  def.set_job_definition_name("hello");
  def.set_revision(2);
  def.mutable_container_properties()->add_command("echo");
  def.mutable_container_properties()->add_command("true");  // must stay a string
  def.mutable_container_properties()->add_command("");
  std::string yaml = ToYaml(def);
  EXPECT_NE(yaml.find("jobDefinitionName: hello"), std::string::npos) << yaml;
  JobDefinition back;
  FromYaml(YAML::Load(yaml), &back);
  EXPECT_EQ(back.SerializeAsString(), def.SerializeAsString()) << yaml;
  EXPECT_EQ(ToYaml(JobDefinition()), "{}\n");
}

}  // namespace
}  // namespace batchd::api
