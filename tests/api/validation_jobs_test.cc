// Every job-definition and submission rule, each with a case that breaks it.
#include <functional>

#include "api/validation.h"
#include "expect_api_error.h"

namespace batchd::api {
namespace {

using namespace batch::v1;

RegisterJobDefinitionRequest ValidDefinition() {
  RegisterJobDefinitionRequest d;
  d.set_job_definition_name("hello");
  d.set_type(JobDefinitionType::container);
  auto* c = d.mutable_container_properties();
  c->add_command("echo");
  c->add_command("Ref::greeting");
  auto* r = c->add_resource_requirements();
  r->set_type(ResourceType::VCPU);
  r->set_value("1");
  auto* e = c->add_environment();
  e->set_name("COLOR");
  e->set_value("blue");
  auto* v = c->add_volumes();
  v->set_name("data");
  v->mutable_host()->set_source_path("/srv/data");
  auto* m = c->add_mount_points();
  m->set_source_volume("data");
  m->set_container_path("/data");
  return d;
}

TEST(JobDefinitionValidation, ValidPasses) {
  EXPECT_NO_THROW(ValidateRegisterJobDefinition(ValidDefinition(), Limits{}));
}

TEST(JobDefinitionValidation, EveryRuleHasABadCase) {
  using Case = std::pair<std::function<void(RegisterJobDefinitionRequest&)>, const char*>;
  auto c = [](RegisterJobDefinitionRequest& d) { return d.mutable_container_properties(); };
  const std::vector<Case> cases = {
      {[](auto& d) { d.set_job_definition_name("a/b"); }, "jobDefinitionName: must be 1-128"},
      {[](auto& d) { d.set_type(JobDefinitionType::multinode); },
       "type: multinode jobs are not available"},
      {[](auto& d) { d.clear_container_properties(); }, "containerProperties: is required"},
      {[&](auto& d) { c(d)->clear_command(); },
       "containerProperties.command: is required when there is no script and no image"},
      {[&](auto& d) { c(d)->add_command(""); },
       "containerProperties.command[2]: must not be an empty string"},
      {[&](auto& d) { c(d)->set_script("echo hi"); },
       "containerProperties.script: set either command or script"},
      {[&](auto& d) { c(d)->set_image(std::string(256, 'i')); },
       "containerProperties.image: at most 255"},
      {[&](auto& d) { c(d)->set_vcpus(-1); }, "containerProperties.vcpus: must not be negative"},
      {[&](auto& d) { c(d)->set_memory(-1); }, "containerProperties.memory: must not be negative"},
      {[&](auto& d) { c(d)->set_vcpus(2); },
       "containerProperties.vcpus: give vCPUs either in vcpus or in resourceRequirements"},
      {[&](auto& d) {
         auto* r = c(d)->add_resource_requirements();
         r->set_type(ResourceType::MEMORY);
         r->set_value("512");
         c(d)->set_memory(64);
       },
       "containerProperties.memory: give memory either"},
      {[&](auto& d) { c(d)->mutable_resource_requirements(0)->set_value("0"); },
       "containerProperties.resourceRequirements[0].value: VCPU must be a number above 0"},
      {[&](auto& d) { c(d)->mutable_resource_requirements(0)->set_value("two"); },
       "resourceRequirements[0].value: VCPU"},
      {[&](auto& d) {
         auto* r = c(d)->add_resource_requirements();
         r->set_type(ResourceType::MEMORY);
         r->set_value("3");
       },
       "resourceRequirements[1].value: MEMORY is a whole number of MiB, at least 4"},
      {[&](auto& d) {
         auto* r = c(d)->add_resource_requirements();
         r->set_type(ResourceType::GPU);
         r->set_value("-1");
       },
       "resourceRequirements[1].value: GPU is a whole number"},
      {[&](auto& d) { c(d)->add_resource_requirements()->set_value("1"); },
       "resourceRequirements[1].type: is required"},
      {[&](auto& d) {
         auto* r = c(d)->add_resource_requirements();
         r->set_type(ResourceType::VCPU);
         r->set_value("2");
       },
       "resourceRequirements[1].type: duplicate VCPU"},
      {[&](auto& d) { c(d)->mutable_environment(0)->set_name("1BAD"); },
       "containerProperties.environment[0].name: \"1BAD\" is not a valid variable name"},
      {[&](auto& d) { c(d)->mutable_environment(0)->set_name("AWS_BATCH_JOB_ID"); },
       "environment[0].name: names starting with AWS_BATCH or BATCH_ are reserved"},
      {[&](auto& d) { c(d)->mutable_environment(0)->set_name("BATCH_X"); }, "are reserved"},
      {[&](auto& d) { *c(d)->add_environment() = c(d)->environment(0); },
       "environment[1].name: duplicate variable \"COLOR\""},
      {[&](auto& d) { c(d)->mutable_volumes(0)->set_name(""); },
       "containerProperties.volumes[0].name: is required"},
      {[&](auto& d) { *c(d)->add_volumes() = c(d)->volumes(0); },
       "containerProperties.volumes[1].name: duplicate volume"},
      {[&](auto& d) { c(d)->mutable_volumes(0)->mutable_host()->set_source_path("relative"); },
       "containerProperties.volumes[0].host.sourcePath: must be an absolute path"},
      {[&](auto& d) { c(d)->mutable_mount_points(0)->set_source_volume("nope"); },
       "containerProperties.mountPoints[0].sourceVolume: \"nope\" is not the name of an entry in "
       "volumes"},
      {[&](auto& d) { c(d)->mutable_mount_points(0)->set_container_path("data"); },
       "containerProperties.mountPoints[0].containerPath: must be an absolute path"},
      {[&](auto& d) { c(d)->add_ulimits()->set_name("files"); },
       "containerProperties.ulimits[0].name: \"files\" is not a ulimit name"},
      {[&](auto& d) {
         auto* u = c(d)->add_ulimits();
         u->set_name("nofile");
         u->set_soft_limit(10);
         u->set_hard_limit(5);
       },
       "containerProperties.ulimits[0].softLimit: must not exceed hardLimit"},
      {[&](auto& d) {
         auto* u = c(d)->add_ulimits();
         u->set_name("nofile");
         u->set_soft_limit(-1);
       },
       "containerProperties.ulimits[0]: limits must not be negative"},
      {[&](auto& d) { c(d)->set_working_directory("tmp"); },
       "containerProperties.workingDirectory: must be an absolute path"},
      {[&](auto& d) { c(d)->set_image_pull_policy("Sometimes"); },
       "containerProperties.imagePullPolicy"},
      {[&](auto& d) { c(d)->set_network_mode("awsvpc"); },
       "containerProperties.networkMode: must be bridge, host or none"},
      {[&](auto& d) { c(d)->set_user(std::string(256, 'u')); },
       "containerProperties.user: at most 255"},
      {[](auto& d) { d.set_scheduling_priority(10000); },
       "schedulingPriority: must be between 0 and 9999"},
      {[](auto& d) { (*d.mutable_parameters())[""] = "x"; },
       "parameters: parameter names are 1-128"},
      {[](auto& d) { d.mutable_retry_strategy()->set_attempts(11); },
       "retryStrategy.attempts: must be between 1 and 10"},
      {[](auto& d) {
         d.mutable_retry_strategy()->add_evaluate_on_exit()->set_action(RetryAction::EXIT);
       },
       "retryStrategy.evaluateOnExit: requires retryStrategy.attempts"},
      {[](auto& d) {
         d.mutable_retry_strategy()->set_attempts(2);
         d.mutable_retry_strategy()->add_evaluate_on_exit();
       },
       "retryStrategy.evaluateOnExit[0].action: is required"},
      {[](auto& d) {
         auto* r = d.mutable_retry_strategy();
         r->set_attempts(2);
         for (int i = 0; i < 6; ++i) r->add_evaluate_on_exit()->set_action(RetryAction::EXIT);
       },
       "retryStrategy.evaluateOnExit: at most 5"},
      {[](auto& d) {
         auto* r = d.mutable_retry_strategy();
         r->set_attempts(2);
         auto* e = r->add_evaluate_on_exit();
         e->set_action(RetryAction::EXIT);
         e->set_on_exit_code("1x");
       },
       "retryStrategy.evaluateOnExit[0].onExitCode: digits only"},
      {[](auto& d) {
         auto* r = d.mutable_retry_strategy();
         r->set_attempts(2);
         auto* e = r->add_evaluate_on_exit();
         e->set_action(RetryAction::EXIT);
         e->set_on_reason(std::string(513, 'r'));
       },
       "patterns are at most 512"},
      {[](auto& d) { d.mutable_timeout()->set_attempt_duration_seconds(-5); },
       "timeout.attemptDurationSeconds: must be at least 1"},
      {[](auto& d) { d.add_platform_capabilities("FARGATE"); },
       "platformCapabilities[0]: only EC2"},
      {[&](auto& d) {
         c(d)->set_image("");
         for (int i = 0; i < 3000; ++i) c(d)->add_command(std::string(30, 'x'));
       },
       "jobDefinition: is"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(i);
    auto d = ValidDefinition();
    cases[i].first(d);
    EXPECT_INVALID(ValidateRegisterJobDefinition(d, Limits{}), cases[i].second);
  }
}

SubmitJobRequest ValidSubmit() {
  SubmitJobRequest r;
  r.set_job_name("job-1");
  r.set_job_queue("q");
  r.set_job_definition("hello:2");
  return r;
}

TEST(SubmitValidation, ValidPasses) { EXPECT_NO_THROW(ValidateSubmitJob(ValidSubmit(), Limits{})); }

TEST(SubmitValidation, EveryRuleHasABadCase) {
  using Case = std::pair<std::function<void(SubmitJobRequest&)>, const char*>;
  const std::vector<Case> cases = {
      {[](auto& r) { r.clear_job_name(); }, "jobName: is required"},
      {[](auto& r) { r.set_job_name("_x"); },
       "jobName: must be 1-128 letters, digits, '-' or '_', starting with a letter or digit"},
      {[](auto& r) { r.clear_job_queue(); }, "jobQueue: is required"},
      {[](auto& r) { r.clear_job_definition(); }, "jobDefinition: is required"},
      {[](auto& r) { r.set_job_definition("hello:-1"); },
       "jobDefinition: revision must be a positive integer"},
      {[](auto& r) { r.set_share_identifier("a"); },
       "shareIdentifier: is only allowed on a fair-share queue"},
      {[](auto& r) { r.set_scheduling_priority_override(-1); },
       "schedulingPriorityOverride: must be between 0 and 9999"},
      {[](auto& r) { r.mutable_array_properties()->set_size(1); },
       "arrayProperties.size: must be between 2 and 100000"},
      {[](auto& r) { r.mutable_array_properties()->set_size(100001); }, "arrayProperties.size"},
      {[](auto& r) {
         for (int i = 0; i < 1001; ++i) r.add_depends_on()->set_job_id("j" + std::to_string(i));
       },
       "dependsOn: at most 1000"},
      {[](auto& r) { r.add_depends_on()->set_job_id("bad id"); },
       "dependsOn[0].jobId: is not a job id"},
      {[](auto& r) {
         r.add_depends_on()->set_job_id("a");
         r.add_depends_on()->set_job_id("a");
       },
       "dependsOn[1].jobId: job a is listed twice"},
      {[](auto& r) {
         auto* d = r.add_depends_on();
         d->set_job_id("a");
         d->set_type(ArrayJobDependency::N_TO_N);
       },
       "dependsOn[0].type: N_TO_N and SEQUENTIAL apply only to array jobs"},
      {[](auto& r) {
         r.mutable_array_properties()->set_size(3);
         auto* d = r.add_depends_on();
         d->set_job_id("a");
         d->set_type(ArrayJobDependency::SEQUENTIAL);
       },
       "dependsOn[0].jobId: must be empty for SEQUENTIAL (child i waits on child i-1)"},
      {[](auto& r) {
         r.mutable_array_properties()->set_size(3);
         r.add_depends_on()->set_type(ArrayJobDependency::SEQUENTIAL);
         r.add_depends_on()->set_type(ArrayJobDependency::SEQUENTIAL);
       },
       "dependsOn[1].type: SEQUENTIAL may be given once"},
      {[](auto& r) { r.add_depends_on(); }, "dependsOn[0].jobId: is required"},
      {[](auto& r) { (*r.mutable_parameters())[""] = "v"; }, "parameters: parameter names"},
      {[](auto& r) { r.mutable_container_overrides()->add_command(""); },
       "containerOverrides.command[0]: must not be an empty string"},
      {[](auto& r) { r.mutable_container_overrides()->add_environment()->set_name("A-B"); },
       "containerOverrides.environment[0].name"},
      {[](auto& r) {
         auto* q = r.mutable_container_overrides()->add_resource_requirements();
         q->set_type(ResourceType::MEMORY);
         q->set_value("lots");
       },
       "containerOverrides.resourceRequirements[0].value: MEMORY"},
      {[](auto& r) { r.mutable_container_overrides()->set_vcpus(0); },
       "containerOverrides.vcpus: must be at least 1"},
      {[](auto& r) { r.mutable_container_overrides()->set_memory(2); },
       "containerOverrides.memory: must be at least 4 MiB"},
      {[](auto& r) { r.mutable_retry_strategy()->set_attempts(-1); }, "retryStrategy.attempts"},
      {[](auto& r) { r.mutable_timeout()->set_attempt_duration_seconds(-1); },
       "timeout.attemptDurationSeconds"},
      {[](auto& r) { (*r.mutable_tags())[std::string(129, 'k')] = "v"; }, "tags."},
      {[](auto& r) { r.set_client_token(std::string(65, 't')); }, "clientToken: at most 64"},
      {[](auto& r) { r.set_client_token("has space"); }, "clientToken: printable ASCII"},
      {[](auto& r) {
         for (int i = 0; i < 3000; ++i)
           r.mutable_container_overrides()->add_command(std::string(30, 'x'));
       },
       "request: is"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(i);
    auto r = ValidSubmit();
    cases[i].first(r);
    EXPECT_INVALID(ValidateSubmitJob(r, Limits{}), cases[i].second);
  }
}

TEST(SubmitValidation, BatchPrefixNamesTheJob) {
  auto r = ValidSubmit();
  r.clear_job_queue();
  EXPECT_INVALID(ValidateSubmitJob(r, Limits{}, "jobs[3]."), "jobs[3].jobQueue: is required");
}

TEST(CancelValidation, Rules) {
  EXPECT_NO_THROW(ValidateCancelOrTerminate("abc", "because"));
  EXPECT_INVALID(ValidateCancelOrTerminate("", "because"), "jobId: is required");
  EXPECT_INVALID(ValidateCancelOrTerminate("abc", ""), "reason: is required");
  EXPECT_INVALID(ValidateCancelOrTerminate("abc", std::string(1025, 'r')), "reason: at most 1024");
}

}  // namespace
}  // namespace batchd::api
