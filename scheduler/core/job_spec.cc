#include "core/job_spec.h"

#include <cctype>
#include <charconv>
#include <cstdio>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "api/names.h"

namespace batchd::core {
namespace {

using batch::v1::ResourceRequirement;
using batch::v1::ResourceType;
using google::protobuf::RepeatedPtrField;

void SetResource(RepeatedPtrField<ResourceRequirement>* reqs, ResourceType::Value type,
                 const std::string& value) {
  for (auto& r : *reqs) {
    if (r.type() == type) {
      r.set_value(value);
      return;
    }
  }
  auto* r = reqs->Add();
  r->set_type(type);
  r->set_value(value);
}

std::string FindResource(const RepeatedPtrField<ResourceRequirement>& reqs,
                         ResourceType::Value type) {
  for (const auto& r : reqs) {
    if (r.type() == type) return r.value();
  }
  return "";
}

std::string NumberText(double d) {
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, res.ptr);
}

// Legacy vcpus/memory fields and resourceRequirements merged into one list with every type.
RepeatedPtrField<ResourceRequirement> MergeResources(const batch::v1::ContainerProperties& def,
                                                     const batch::v1::ContainerOverrides& o) {
  RepeatedPtrField<ResourceRequirement> reqs = def.resource_requirements();
  if (def.vcpus() > 0) SetResource(&reqs, ResourceType::VCPU, std::to_string(def.vcpus()));
  if (def.memory() > 0) SetResource(&reqs, ResourceType::MEMORY, std::to_string(def.memory()));
  if (o.has_vcpus()) SetResource(&reqs, ResourceType::VCPU, std::to_string(o.vcpus()));
  if (o.has_memory()) SetResource(&reqs, ResourceType::MEMORY, std::to_string(o.memory()));
  for (const auto& r : o.resource_requirements()) SetResource(&reqs, r.type(), r.value());
  if (FindResource(reqs, ResourceType::VCPU).empty()) {
    SetResource(&reqs, ResourceType::VCPU, NumberText(kDefaultVcpus));
  }
  if (FindResource(reqs, ResourceType::MEMORY).empty()) {
    SetResource(&reqs, ResourceType::MEMORY, std::to_string(kDefaultMemoryMiB));
  }
  return reqs;
}

}  // namespace

Resources EffectiveResources(const batch::v1::ContainerDetail& container) {
  Resources out;
  const auto& reqs = container.resource_requirements();
  std::string v = FindResource(reqs, ResourceType::VCPU);
  std::from_chars(v.data(), v.data() + v.size(), out.vcpus);
  std::string m = FindResource(reqs, ResourceType::MEMORY);
  std::from_chars(m.data(), m.data() + m.size(), out.memory_mib);
  std::string g = FindResource(reqs, ResourceType::GPU);
  std::from_chars(g.data(), g.data() + g.size(), out.gpus);
  out.container = !container.image().empty();
  return out;
}

RepeatedPtrField<std::string> SubstituteParameters(
    const RepeatedPtrField<std::string>& command,
    const google::protobuf::Map<std::string, std::string>& params) {
  RepeatedPtrField<std::string> out;
  for (const std::string& arg : command) {
    std::string result;
    size_t pos = 0;
    while (true) {
      size_t ref = arg.find("Ref::", pos);
      if (ref == std::string::npos) {
        result.append(arg, pos, std::string::npos);
        break;
      }
      result.append(arg, pos, ref - pos);
      size_t name_start = ref + 5;
      size_t name_end = name_start;
      while (name_end < arg.size() && (std::isalnum(static_cast<unsigned char>(arg[name_end])) ||
                                       arg[name_end] == '_' || arg[name_end] == '-')) {
        ++name_end;
      }
      auto it = params.find(arg.substr(name_start, name_end - name_start));
      // An unknown reference stays as written, as in AWS Batch.
      result += it != params.end() ? it->second : arg.substr(ref, name_end - ref);
      pos = name_end;
    }
    *out.Add() = std::move(result);
  }
  return out;
}

batch::v1::JobDetail BuildJobDetail(const batch::v1::JobDefinition& def,
                                    const batch::v1::SubmitJobRequest& req,
                                    const std::string& job_id, int64_t now_ms) {
  batch::v1::JobDetail job;
  job.set_job_id(job_id);
  job.set_job_arn(api::MakeArn(api::kJobKind, job_id));
  job.set_job_name(req.job_name());
  job.set_job_queue(req.job_queue());
  job.set_job_definition(def.job_definition_arn());
  job.set_created_at(now_ms);
  job.set_client_token(req.client_token());
  job.set_scheduling_priority(req.has_scheduling_priority_override()
                                  ? req.scheduling_priority_override()
                                  : def.scheduling_priority());
  *job.mutable_retry_strategy() =
      req.retry_strategy().attempts() > 0 ? req.retry_strategy() : def.retry_strategy();
  if (job.retry_strategy().attempts() == 0) job.mutable_retry_strategy()->set_attempts(1);
  if (req.timeout().attempt_duration_seconds() > 0) {
    *job.mutable_timeout() = req.timeout();
  } else if (def.timeout().attempt_duration_seconds() > 0) {
    *job.mutable_timeout() = def.timeout();
  }
  *job.mutable_parameters() = def.parameters();
  for (const auto& [k, v] : req.parameters()) (*job.mutable_parameters())[k] = v;
  *job.mutable_depends_on() = req.depends_on();
  *job.mutable_tags() = req.tags();
  job.set_propagate_tags(req.has_propagate_tags() ? req.propagate_tags() : def.propagate_tags());
  *job.mutable_platform_capabilities() = def.platform_capabilities();
  if (req.array_properties().size() > 0) {
    job.mutable_array_properties()->set_size(req.array_properties().size());
  }

  const auto& props = def.container_properties();
  const auto& o = req.container_overrides();
  auto* c = job.mutable_container();
  c->set_image(props.image());
  *c->mutable_command() =
      SubstituteParameters(o.command_size() > 0 ? o.command() : props.command(), job.parameters());
  c->set_script(props.script());
  c->set_working_directory(props.working_directory());
  c->set_image_pull_policy(props.image_pull_policy());
  c->set_network_mode(props.network_mode());
  *c->mutable_environment() = props.environment();
  for (const auto& e : o.environment()) {
    bool replaced = false;
    for (auto& existing : *c->mutable_environment()) {
      if (existing.name() == e.name()) {
        existing.set_value(e.value());
        replaced = true;
      }
    }
    if (!replaced) *c->add_environment() = e;
  }
  *c->mutable_resource_requirements() = MergeResources(props, o);
  Resources r = EffectiveResources(*c);
  c->set_vcpus(static_cast<int>(r.vcpus + 0.999));
  c->set_memory(static_cast<int>(r.memory_mib));
  *c->mutable_volumes() = props.volumes();
  *c->mutable_mount_points() = props.mount_points();
  *c->mutable_ulimits() = props.ulimits();
  c->set_readonly_root_filesystem(props.readonly_root_filesystem());
  c->set_privileged(props.privileged());
  c->set_user(props.user());
  c->set_instance_type(o.instance_type().empty() ? props.instance_type() : o.instance_type());
  if (props.has_linux_parameters()) *c->mutable_linux_parameters() = props.linux_parameters();
  return job;
}

std::string RequestFingerprint(const batch::v1::SubmitJobRequest& request) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    request.SerializeToCodedStream(&coded);
  }
  // FNV-1a, 64 bit: a fingerprint for equality, not a security measure.
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char ch : bytes) {
    h ^= ch;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace batchd::core
