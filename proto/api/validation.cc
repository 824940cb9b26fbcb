// Validation of compute environments, job queues and job definitions.
#include "api/validation.h"

#include <charconv>
#include <cmath>
#include <set>

#include "api/api_error.h"
#include "api/names.h"

namespace batchd::api {
namespace {

using batch::v1::CEType;
using batch::v1::CRType;

std::string Indexed(std::string_view field, int i) {
  return std::string(field) + "[" + std::to_string(i) + "]";
}

std::string Sub(std::string_view field, std::string_view name) {
  return field.empty() ? std::string(name) : std::string(field) + "." + std::string(name);
}

bool IsEnvName(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  if (!(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

void ValidateNodeShapes(std::string_view field,
                        const google::protobuf::RepeatedPtrField<batch::v1::NodeShape>& shapes) {
  std::set<std::string> names;
  for (int i = 0; i < shapes.size(); ++i) {
    const auto& s = shapes[i];
    std::string f = Indexed(field, i);
    CheckResourceName(Sub(f, "name"), s.name());
    if (!names.insert(s.name()).second)
      ThrowInvalid(Sub(f, "name"), "duplicate shape \"" + s.name() + "\"");
    if (s.vcpus() < 1) ThrowInvalid(Sub(f, "vcpus"), "must be at least 1");
    if (s.memory_mib() < 1) ThrowInvalid(Sub(f, "memoryMiB"), "must be at least 1");
    if (s.gpus() < 0) ThrowInvalid(Sub(f, "gpus"), "must not be negative");
  }
}

void ValidateProvider(std::string_view field, const batch::v1::NodeProvider& p) {
  if (p.type().empty() || p.type() == "local") return;
  if (p.type() != "exec")
    ThrowInvalid(Sub(field, "type"), "must be local or exec (got \"" + p.type() + "\")");
  if (p.create_command().empty())
    ThrowInvalid(Sub(field, "createCommand"), "is required for an exec provider");
  if (p.delete_command().empty())
    ThrowInvalid(Sub(field, "deleteCommand"), "is required for an exec provider");
  if (p.command_timeout_seconds() < 0)
    ThrowInvalid(Sub(field, "commandTimeoutSeconds"), "must not be negative");
}

void ValidateComputeResources(const batch::v1::ComputeResource& cr) {
  const std::string f = "computeResources";
  switch (cr.type()) {
    case CRType::EC2:
    case CRType::SPOT:
      break;
    case CRType::FARGATE:
    case CRType::FARGATE_SPOT:
      ThrowInvalid(f + ".type", "FARGATE is not available in batchd: use EC2 (on-demand) or SPOT");
    case CRType::CR_TYPE_UNSPECIFIED:
      ThrowInvalid(f + ".type", "is required (EC2 or SPOT)");
    case batch::v1::CRType_Value_CRType_Value_INT_MIN_SENTINEL_DO_NOT_USE_:
    case batch::v1::CRType_Value_CRType_Value_INT_MAX_SENTINEL_DO_NOT_USE_:
      ThrowInvalid(f + ".type", "unknown value");
  }
  if (cr.minv_cpus() < 0) ThrowInvalid(f + ".minvCpus", "must not be negative");
  if (cr.maxv_cpus() < 1) ThrowInvalid(f + ".maxvCpus", "is required and must be at least 1");
  if (cr.minv_cpus() > cr.maxv_cpus()) {
    ThrowInvalid(f + ".minvCpus", "must not exceed maxvCpus (" + std::to_string(cr.minv_cpus()) +
                                      " > " + std::to_string(cr.maxv_cpus()) + ")");
  }
  if (cr.has_desiredv_cpus() &&
      (cr.desiredv_cpus() < cr.minv_cpus() || cr.desiredv_cpus() > cr.maxv_cpus())) {
    ThrowInvalid(f + ".desiredvCpus", "must be between minvCpus and maxvCpus (" +
                                          std::to_string(cr.minv_cpus()) + ".." +
                                          std::to_string(cr.maxv_cpus()) + "), got " +
                                          std::to_string(cr.desiredv_cpus()));
  }
  if (cr.bid_percentage() < 0 || cr.bid_percentage() > 100) {
    ThrowInvalid(f + ".bidPercentage", "must be between 0 and 100");
  }
  ValidateNodeShapes(f + ".nodeShapes", cr.node_shapes());
  std::set<std::string> shapes;
  for (const auto& s : cr.node_shapes()) shapes.insert(s.name());
  for (int i = 0; i < cr.instance_types_size(); ++i) {
    const std::string& t = cr.instance_types(i);
    if (t.empty()) ThrowInvalid(Indexed(f + ".instanceTypes", i), "must not be empty");
    if (!shapes.empty() && t != "optimal" && !shapes.count(t)) {
      ThrowInvalid(Indexed(f + ".instanceTypes", i),
                   "\"" + t + "\" is neither \"optimal\" nor a name in nodeShapes");
    }
  }
  ValidateProvider(f + ".provider", cr.provider());
  if (cr.scale_down_delay_seconds() < 0)
    ThrowInvalid(f + ".scaleDownDelaySeconds", "must not be negative");
  if (cr.node_boot_timeout_seconds() < 0)
    ThrowInvalid(f + ".nodeBootTimeoutSeconds", "must not be negative");
}

}  // namespace

void ValidateTags(std::string_view field,
                  const google::protobuf::Map<std::string, std::string>& tags,
                  const Limits& limits) {
  if (static_cast<int>(tags.size()) > limits.max_tags) {
    ThrowInvalid(field, "at most " + std::to_string(limits.max_tags) + " tags");
  }
  for (const auto& [k, v] : tags) {
    if (k.empty() || k.size() > 128) ThrowInvalid(Sub(field, k), "tag keys are 1-128 characters");
    if (v.size() > 256) ThrowInvalid(Sub(field, k), "tag values are at most 256 characters");
  }
}

void ValidatePageSize(std::string_view field, int max_results, int cap) {
  if (max_results < 0 || max_results > cap) {
    ThrowInvalid(field, "must be between 1 and " + std::to_string(cap));
  }
}

void ValidateEnvironment(std::string_view field,
                         const google::protobuf::RepeatedPtrField<batch::v1::KeyValuePair>& env) {
  std::set<std::string> seen;
  for (int i = 0; i < env.size(); ++i) {
    const std::string& name = env[i].name();
    std::string f = Sub(Indexed(field, i), "name");
    if (!IsEnvName(name)) {
      ThrowInvalid(f, "\"" + name +
                          "\" is not a valid variable name (letters, digits and '_', not starting "
                          "with a digit)");
    }
    if (name.starts_with("AWS_BATCH") || name.starts_with("BATCH_")) {
      ThrowInvalid(f, "names starting with AWS_BATCH or BATCH_ are reserved for batchd");
    }
    if (!seen.insert(name).second) ThrowInvalid(f, "duplicate variable \"" + name + "\"");
  }
}

void ValidateResourceRequirements(
    std::string_view field,
    const google::protobuf::RepeatedPtrField<batch::v1::ResourceRequirement>& reqs) {
  std::set<int> seen;
  for (int i = 0; i < reqs.size(); ++i) {
    const auto& r = reqs[i];
    std::string f = Indexed(field, i);
    const std::string& v = r.value();
    switch (r.type()) {
      case batch::v1::ResourceType::VCPU: {
        double d = 0;
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
        if (ec != std::errc() || p != v.data() + v.size() || !(d > 0) || d > 4096) {
          ThrowInvalid(Sub(f, "value"),
                       "VCPU must be a number above 0 and at most 4096 (got \"" + v + "\")");
        }
        break;
      }
      case batch::v1::ResourceType::MEMORY:
      case batch::v1::ResourceType::GPU: {
        int64_t n = 0;
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        bool memory = r.type() == batch::v1::ResourceType::MEMORY;
        if (ec != std::errc() || p != v.data() + v.size() || n < (memory ? 4 : 0)) {
          ThrowInvalid(Sub(f, "value"),
                       memory ? "MEMORY is a whole number of MiB, at least 4 (got \"" + v + "\")"
                              : "GPU is a whole number, 0 or more (got \"" + v + "\")");
        }
        break;
      }
      case batch::v1::ResourceType::RESOURCE_TYPE_UNSPECIFIED:
      case batch::v1::ResourceType_Value_ResourceType_Value_INT_MIN_SENTINEL_DO_NOT_USE_:
      case batch::v1::ResourceType_Value_ResourceType_Value_INT_MAX_SENTINEL_DO_NOT_USE_:
        ThrowInvalid(Sub(f, "type"), "is required (VCPU, MEMORY or GPU)");
    }
    if (!seen.insert(r.type()).second) {
      ThrowInvalid(Sub(f, "type"), "duplicate " + batch::v1::ResourceType::Value_Name(r.type()));
    }
  }
}

void ValidateRetryStrategy(std::string_view field, const batch::v1::RetryStrategy& retry) {
  if (retry.attempts() < 0 || retry.attempts() > 10) {
    ThrowInvalid(Sub(field, "attempts"), "must be between 1 and 10");
  }
  if (retry.evaluate_on_exit_size() > 5)
    ThrowInvalid(Sub(field, "evaluateOnExit"), "at most 5 entries");
  if (retry.evaluate_on_exit_size() > 0 && retry.attempts() == 0) {
    ThrowInvalid(Sub(field, "evaluateOnExit"), "requires retryStrategy.attempts");
  }
  for (int i = 0; i < retry.evaluate_on_exit_size(); ++i) {
    const auto& e = retry.evaluate_on_exit(i);
    std::string f = Indexed(Sub(field, "evaluateOnExit"), i);
    if (e.action() != batch::v1::RetryAction::RETRY && e.action() != batch::v1::RetryAction::EXIT) {
      ThrowInvalid(Sub(f, "action"), "is required (RETRY or EXIT)");
    }
    for (const auto* p : {&e.on_status_reason(), &e.on_reason(), &e.on_exit_code()}) {
      if (p->size() > 512) ThrowInvalid(f, "patterns are at most 512 characters");
    }
    const std::string& code = e.on_exit_code();
    for (size_t k = 0; k < code.size(); ++k) {
      bool last_star = k + 1 == code.size() && code[k] == '*';
      if (!std::isdigit(static_cast<unsigned char>(code[k])) && !last_star) {
        ThrowInvalid(Sub(f, "onExitCode"),
                     "digits only, optionally ending in '*' (got \"" + code + "\")");
      }
    }
  }
}

void ValidateCreateComputeEnvironment(const batch::v1::CreateComputeEnvironmentRequest& req) {
  CheckResourceName("computeEnvironmentName", req.compute_environment_name());
  if (req.type() != CEType::MANAGED && req.type() != CEType::UNMANAGED) {
    ThrowInvalid("type", "is required (MANAGED or UNMANAGED)");
  }
  if (!req.service_role().empty() && req.service_role().size() > 2048) {
    ThrowInvalid("serviceRole", "at most 2048 characters");
  }
  ValidateTags("tags", req.tags(), Limits{});
}

void ValidateComputeEnvironment(const batch::v1::ComputeEnvironmentDetail& ce) {
  CheckResourceName("computeEnvironmentName", ce.compute_environment_name());
  if (ce.unmanagedv_cpus() < 0) ThrowInvalid("unmanagedvCpus", "must not be negative");
  switch (ce.type()) {
    case CEType::MANAGED:
      if (!ce.has_compute_resources()) {
        ThrowInvalid("computeResources", "is required for a MANAGED compute environment");
      }
      if (ce.unmanagedv_cpus() != 0) {
        ThrowInvalid("unmanagedvCpus", "only an UNMANAGED compute environment has unmanagedvCpus");
      }
      ValidateComputeResources(ce.compute_resources());
      return;
    case CEType::UNMANAGED:
      if (ce.has_compute_resources()) {
        ThrowInvalid("computeResources",
                     "must not be set for an UNMANAGED compute environment (its nodes are agents "
                     "you run yourself)");
      }
      return;
    case CEType::CE_TYPE_UNSPECIFIED:
    case batch::v1::CEType_Value_CEType_Value_INT_MIN_SENTINEL_DO_NOT_USE_:
    case batch::v1::CEType_Value_CEType_Value_INT_MAX_SENTINEL_DO_NOT_USE_:
      ThrowInvalid("type", "is required (MANAGED or UNMANAGED)");
  }
}

void ValidateUpdateComputeEnvironment(const batch::v1::UpdateComputeEnvironmentRequest& req) {
  NameFromRef("computeEnvironment", req.compute_environment(), kComputeEnvironmentKind);
  if (req.has_unmanagedv_cpus() && req.unmanagedv_cpus() < 0) {
    ThrowInvalid("unmanagedvCpus", "must not be negative");
  }
}

void ValidateJobQueue(const batch::v1::JobQueueDetail& q, const Limits& limits) {
  CheckResourceName("jobQueueName", q.job_queue_name());
  if (q.priority() < 0 || q.priority() > 1000) {
    ThrowInvalid("priority", "must be between 0 and 1000 (higher is scheduled first)");
  }
  if (q.compute_environment_order_size() == 0) {
    ThrowInvalid("computeEnvironmentOrder", "needs at least one compute environment");
  }
  if (q.compute_environment_order_size() > limits.max_compute_environments_per_queue) {
    ThrowInvalid("computeEnvironmentOrder",
                 "at most " + std::to_string(limits.max_compute_environments_per_queue) +
                     " compute environments");
  }
  std::set<int> orders;
  std::set<std::string> ces;
  for (int i = 0; i < q.compute_environment_order_size(); ++i) {
    const auto& o = q.compute_environment_order(i);
    std::string f = Indexed("computeEnvironmentOrder", i);
    if (o.order() < 0) ThrowInvalid(Sub(f, "order"), "must not be negative");
    if (!orders.insert(o.order()).second) {
      ThrowInvalid(Sub(f, "order"),
                   "duplicate order " + std::to_string(o.order()) + ": each entry needs its own");
    }
    std::string name =
        NameFromRef(Sub(f, "computeEnvironment"), o.compute_environment(), kComputeEnvironmentKind);
    if (!ces.insert(name).second) {
      ThrowInvalid(Sub(f, "computeEnvironment"),
                   "compute environment \"" + name + "\" is listed twice");
    }
  }
  if (!q.scheduling_policy_arn().empty()) {
    ThrowInvalid("schedulingPolicyArn", "fair-share scheduling policies are not available yet");
  }
  if (q.job_state_time_limit_actions_size() > 0) {
    ThrowInvalid("jobStateTimeLimitActions", "are not available yet");
  }
  ValidateTags("tags", q.tags(), limits);
}

void ValidateCreateJobQueue(const batch::v1::CreateJobQueueRequest& req, const Limits& limits) {
  CheckResourceName("jobQueueName", req.job_queue_name());
  if (!req.has_priority())
    ThrowInvalid("priority", "is required (0-1000; higher is scheduled first)");
  batch::v1::JobQueueDetail q;
  q.set_job_queue_name(req.job_queue_name());
  q.set_priority(req.priority());
  *q.mutable_compute_environment_order() = req.compute_environment_order();
  q.set_scheduling_policy_arn(req.scheduling_policy_arn());
  *q.mutable_job_state_time_limit_actions() = req.job_state_time_limit_actions();
  *q.mutable_tags() = req.tags();
  ValidateJobQueue(q, limits);
}

void ValidateUpdateJobQueue(const batch::v1::UpdateJobQueueRequest& req, const Limits&) {
  NameFromRef("jobQueue", req.job_queue(), kJobQueueKind);
  if (!req.scheduling_policy_arn().empty()) {
    ThrowInvalid("schedulingPolicyArn", "fair-share scheduling policies are not available yet");
  }
}

}  // namespace batchd::api
