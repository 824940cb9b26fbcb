// Validation of job definitions, submissions, job actions and what a schedule starts.
#include <set>
#include <utility>

#include "api/api_error.h"
#include "api/names.h"
#include "api/states_names.h"
#include "api/validation.h"

namespace batchd::api {
namespace {

std::string Indexed(std::string_view field, int i) {
  return std::string(field) + "[" + std::to_string(i) + "]";
}

std::string Sub(std::string_view field, std::string_view name) {
  return std::string(field) + "." + std::string(name);
}

void CheckAbsolutePath(const std::string& field, const std::string& path) {
  if (path.empty() || path[0] != '/') {
    ThrowInvalid(field, "must be an absolute path (got \"" + path + "\")");
  }
  if (path.find('\0') != std::string::npos) ThrowInvalid(field, "must not contain NUL");
}

void CheckCommand(const std::string& field,
                  const google::protobuf::RepeatedPtrField<std::string>& cmd) {
  for (int i = 0; i < cmd.size(); ++i) {
    if (cmd[i].empty()) ThrowInvalid(Indexed(field, i), "must not be an empty string");
  }
}

bool HasResource(const google::protobuf::RepeatedPtrField<batch::v1::ResourceRequirement>& reqs,
                 batch::v1::ResourceType::Value type) {
  for (const auto& r : reqs) {
    if (r.type() == type) return true;
  }
  return false;
}

const std::set<std::string>& UlimitNames() {
  static const std::set<std::string> names = {
      "core",   "cpu",   "data", "fsize",  "locks",  "memlock",    "msgqueue", "nice",
      "nofile", "nproc", "rss",  "rtprio", "rttime", "sigpending", "stack"};
  return names;
}

void ValidateContainerProperties(const batch::v1::ContainerProperties& c) {
  const std::string f = "containerProperties";
  if (c.image().size() > 255) ThrowInvalid(f + ".image", "at most 255 characters");
  CheckCommand(f + ".command", c.command());
  if (c.command_size() > 0 && !c.script().empty()) {
    ThrowInvalid(f + ".script", "set either command or script, not both");
  }
  if (c.command_size() == 0 && c.script().empty() && c.image().empty()) {
    ThrowInvalid(f + ".command", "is required when there is no script and no image");
  }
  if (c.vcpus() < 0) ThrowInvalid(f + ".vcpus", "must not be negative");
  if (c.memory() < 0) ThrowInvalid(f + ".memory", "must not be negative");
  ValidateResourceRequirements(f + ".resourceRequirements", c.resource_requirements());
  if (c.vcpus() > 0 && HasResource(c.resource_requirements(), batch::v1::ResourceType::VCPU)) {
    ThrowInvalid(f + ".vcpus", "give vCPUs either in vcpus or in resourceRequirements, not both");
  }
  if (c.memory() > 0 && HasResource(c.resource_requirements(), batch::v1::ResourceType::MEMORY)) {
    ThrowInvalid(f + ".memory",
                 "give memory either in memory or in resourceRequirements, not both");
  }
  ValidateEnvironment(f + ".environment", c.environment());
  std::set<std::string> volumes;
  for (int i = 0; i < c.volumes_size(); ++i) {
    const auto& v = c.volumes(i);
    std::string vf = Indexed(f + ".volumes", i);
    CheckResourceName(Sub(vf, "name"), v.name());
    if (!volumes.insert(v.name()).second)
      ThrowInvalid(Sub(vf, "name"), "duplicate volume \"" + v.name() + "\"");
    if (!v.host().source_path().empty())
      CheckAbsolutePath(Sub(vf, "host.sourcePath"), v.host().source_path());
  }
  for (int i = 0; i < c.mount_points_size(); ++i) {
    const auto& m = c.mount_points(i);
    std::string mf = Indexed(f + ".mountPoints", i);
    if (!volumes.count(m.source_volume())) {
      ThrowInvalid(Sub(mf, "sourceVolume"),
                   "\"" + m.source_volume() + "\" is not the name of an entry in volumes");
    }
    CheckAbsolutePath(Sub(mf, "containerPath"), m.container_path());
  }
  for (int i = 0; i < c.ulimits_size(); ++i) {
    const auto& u = c.ulimits(i);
    std::string uf = Indexed(f + ".ulimits", i);
    if (!UlimitNames().count(u.name()))
      ThrowInvalid(Sub(uf, "name"), "\"" + u.name() + "\" is not a ulimit name");
    if (u.soft_limit() < 0 || u.hard_limit() < 0) ThrowInvalid(uf, "limits must not be negative");
    if (u.soft_limit() > u.hard_limit())
      ThrowInvalid(Sub(uf, "softLimit"), "must not exceed hardLimit");
  }
  if (!c.working_directory().empty())
    CheckAbsolutePath(f + ".workingDirectory", c.working_directory());
  const std::string& pull = c.image_pull_policy();
  if (!pull.empty() && pull != "IfNotPresent" && pull != "Always" && pull != "Never") {
    ThrowInvalid(f + ".imagePullPolicy", "must be IfNotPresent, Always or Never");
  }
  const std::string& network = c.network_mode();
  if (!network.empty() && network != "bridge" && network != "host" && network != "none") {
    ThrowInvalid(f + ".networkMode", "must be bridge, host or none");
  }
  if (c.user().size() > 255) ThrowInvalid(f + ".user", "at most 255 characters");
}

void CheckTimeout(const std::string& field, const batch::v1::JobTimeout& t) {
  if (t.attempt_duration_seconds() < 0)
    ThrowInvalid(field + ".attemptDurationSeconds", "must be at least 1");
}

void CheckSchedulingPriority(const std::string& field, int value) {
  if (value < 0 || value > 9999) ThrowInvalid(field, "must be between 0 and 9999");
}

void CheckParameters(const std::string& field,
                     const google::protobuf::Map<std::string, std::string>& params) {
  for (const auto& [k, v] : params) {
    if (k.empty() || k.size() > 128) ThrowInvalid(field, "parameter names are 1-128 characters");
  }
}

}  // namespace

void ValidateRegisterJobDefinition(const batch::v1::RegisterJobDefinitionRequest& req,
                                   const Limits& limits) {
  CheckResourceName("jobDefinitionName", req.job_definition_name());
  switch (req.type()) {
    case batch::v1::JobDefinitionType::container:
    case batch::v1::JobDefinitionType::JOB_DEFINITION_TYPE_UNSPECIFIED:  // container by default
      break;
    case batch::v1::JobDefinitionType::multinode:
      ThrowInvalid("type", "multinode jobs are not available in batchd: use container");
    case batch::v1::JobDefinitionType_Value_JobDefinitionType_Value_INT_MIN_SENTINEL_DO_NOT_USE_:
    case batch::v1::JobDefinitionType_Value_JobDefinitionType_Value_INT_MAX_SENTINEL_DO_NOT_USE_:
      ThrowInvalid("type", "must be container");
  }
  if (!req.has_container_properties()) ThrowInvalid("containerProperties", "is required");
  ValidateContainerProperties(req.container_properties());
  if (req.has_scheduling_priority())
    CheckSchedulingPriority("schedulingPriority", req.scheduling_priority());
  CheckParameters("parameters", req.parameters());
  ValidateRetryStrategy("retryStrategy", req.retry_strategy());
  CheckTimeout("timeout", req.timeout());
  ValidateTags("tags", req.tags(), limits);
  for (int i = 0; i < req.platform_capabilities_size(); ++i) {
    if (req.platform_capabilities(i) != "EC2") {
      ThrowInvalid(Indexed("platformCapabilities", i), "only EC2 is available in batchd");
    }
  }
  auto size = static_cast<int64_t>(req.ByteSizeLong());
  if (size > limits.max_job_definition_bytes) {
    ThrowInvalid("jobDefinition", "is " + std::to_string(size) + " bytes; the limit is " +
                                      std::to_string(limits.max_job_definition_bytes));
  }
}

void ValidateSubmitJob(const batch::v1::SubmitJobRequest& req, const Limits& limits,
                       std::string_view prefix) {
  const std::string p(prefix);
  if (req.job_name().empty()) ThrowInvalid(p + "jobName", "is required");
  if (!IsValidJobName(req.job_name())) {
    ThrowInvalid(
        p + "jobName",
        "must be 1-128 letters, digits, '-' or '_', starting with a letter or digit (got \"" +
            req.job_name() + "\")");
  }
  NameFromRef(p + "jobQueue", req.job_queue(), kJobQueueKind);
  ParseDefinitionRef(p + "jobDefinition", req.job_definition());
  if (!req.share_identifier().empty()) {
    ThrowInvalid(p + "shareIdentifier",
                 "is only allowed on a fair-share queue, and batchd has none yet");
  }
  if (req.has_scheduling_priority_override()) {
    CheckSchedulingPriority(p + "schedulingPriorityOverride", req.scheduling_priority_override());
  }
  const int size = req.array_properties().size();
  if (size != 0 && (size < 2 || size > limits.max_array_size)) {
    ThrowInvalid(p + "arrayProperties.size",
                 "must be between 2 and " + std::to_string(limits.max_array_size));
  }
  if (req.depends_on_size() > limits.max_depends_on) {
    ThrowInvalid(p + "dependsOn",
                 "at most " + std::to_string(limits.max_depends_on) + " dependencies");
  }
  std::set<std::string> deps;
  int sequential = 0;
  for (int i = 0; i < req.depends_on_size(); ++i) {
    const auto& d = req.depends_on(i);
    std::string f = Indexed(p + "dependsOn", i);
    if (d.type() != batch::v1::ArrayJobDependency::ARRAY_JOB_DEPENDENCY_UNSPECIFIED && size == 0) {
      ThrowInvalid(f + ".type", "N_TO_N and SEQUENTIAL apply only to array jobs");
    }
    if (d.type() == batch::v1::ArrayJobDependency::SEQUENTIAL) {
      // Each child waits on the one before it in its own array: there is no other job.
      if (!d.job_id().empty()) {
        ThrowInvalid(f + ".jobId", "must be empty for SEQUENTIAL (child i waits on child i-1)");
      }
      if (++sequential > 1) ThrowInvalid(f + ".type", "SEQUENTIAL may be given once");
      continue;
    }
    std::string id = JobIdFromRef(f + ".jobId", d.job_id());
    if (!deps.insert(id).second) ThrowInvalid(f + ".jobId", "job " + id + " is listed twice");
  }
  CheckParameters(p + "parameters", req.parameters());
  const auto& o = req.container_overrides();
  CheckCommand(p + "containerOverrides.command", o.command());
  ValidateEnvironment(p + "containerOverrides.environment", o.environment());
  ValidateResourceRequirements(p + "containerOverrides.resourceRequirements",
                               o.resource_requirements());
  if (o.has_vcpus() && o.vcpus() < 1)
    ThrowInvalid(p + "containerOverrides.vcpus", "must be at least 1");
  if (o.has_memory() && o.memory() < 4)
    ThrowInvalid(p + "containerOverrides.memory", "must be at least 4 MiB");
  ValidateRetryStrategy(p + "retryStrategy", req.retry_strategy());
  CheckTimeout(p + "timeout", req.timeout());
  ValidateTags(p + "tags", req.tags(), limits);
  if (req.client_token().size() > 64) ThrowInvalid(p + "clientToken", "at most 64 characters");
  for (char c : req.client_token()) {
    if (c < 0x21 || c > 0x7e)
      ThrowInvalid(p + "clientToken", "printable ASCII without spaces only");
  }
  auto bytes = static_cast<int64_t>(req.ByteSizeLong());
  if (bytes > limits.max_submit_bytes) {
    ThrowInvalid(p.empty() ? "request" : p.substr(0, p.size() - 1),
                 "is " + std::to_string(bytes) + " bytes; the limit is " +
                     std::to_string(limits.max_submit_bytes));
  }
}

void ValidateCancelOrTerminate(std::string_view job_id, std::string_view reason) {
  JobIdFromRef("jobId", job_id);
  if (reason.empty()) ThrowInvalid("reason", "is required (it becomes the job's statusReason)");
  if (reason.size() > 1024) ThrowInvalid("reason", "at most 1024 characters");
}

// What belongs to the other target would be silently ignored: refused instead.
void ValidateScheduleTarget(const batch::v1::ScheduleRequest& req) {
  if (req.state_machine().empty()) {
    if (!req.execution_input().empty()) {
      ThrowInvalid("executionInput",
                   "is the input of the execution a schedule with a stateMachine starts; this "
                   "schedule submits a job");
    }
    return;
  }
  if (!req.job_queue().empty() || !req.job_definition().empty()) {
    ThrowInvalid("stateMachine",
                 "a schedule either submits a job (jobQueue and jobDefinition) or starts an "
                 "execution (stateMachine), not both");
  }
  const std::pair<const char*, bool> job_fields[] = {
      {"jobName", !req.job_name().empty()},
      {"containerOverrides", req.container_overrides().ByteSizeLong() > 0},
      {"parameters", !req.parameters().empty()},
      {"tags", !req.tags().empty()},
  };
  for (const auto& [field, given] : job_fields) {
    if (given) {
      ThrowInvalid(field,
                   "belongs to the job a schedule submits; a schedule with a stateMachine starts "
                   "an execution instead");
    }
  }
  ParseStateMachineRef("stateMachine", req.state_machine());
}

}  // namespace batchd::api
