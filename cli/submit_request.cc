#include "cli/submit_request.h"

#include "api/api_error.h"
#include "api/names.h"
#include "cli/arguments.h"
#include "cli/errors.h"

namespace batchd::cli {

using namespace batch::v1;

SubmitJobRequest BuildSubmitRequest(const SubmitOptions& opts) {
  SubmitJobRequest req;
  req.set_job_queue(opts.queue);
  req.set_job_definition(opts.definition);
  if (!opts.name.empty()) {
    req.set_job_name(opts.name);
  } else {
    try {
      req.set_job_name(api::ParseDefinitionRef("--definition", opts.definition).name);
    } catch (const api::ApiError& e) {
      throw CliError(e.what(), kExitUsage);
    }
  }
  auto* overrides = req.mutable_container_overrides();
  for (const auto& kv : opts.env) {
    auto [key, value] = ParseKeyValue("--env", kv);
    auto* pair = overrides->add_environment();
    pair->set_name(key);
    pair->set_value(value);
  }
  for (const auto& kv : opts.params) {
    auto [key, value] = ParseKeyValue("--param", kv);
    (*req.mutable_parameters())[key] = value;
  }
  if (!opts.vcpus.empty()) {
    auto* r = overrides->add_resource_requirements();
    r->set_type(ResourceType::VCPU);
    r->set_value(ParseVcpus("--vcpus", opts.vcpus));
  }
  if (opts.memory_mib > 0) {
    auto* r = overrides->add_resource_requirements();
    r->set_type(ResourceType::MEMORY);
    r->set_value(std::to_string(opts.memory_mib));
  }
  for (const auto& word : opts.command) overrides->add_command(word);
  if (overrides->ByteSizeLong() == 0) req.clear_container_overrides();
  for (const auto& dep : opts.depends_on)
    *req.add_depends_on() = ParseDependency("--depends-on", dep);
  if (opts.timeout_seconds > 0)
    req.mutable_timeout()->set_attempt_duration_seconds(opts.timeout_seconds);
  if (opts.attempts > 0) req.mutable_retry_strategy()->set_attempts(opts.attempts);
  if (opts.array_size > 0) req.mutable_array_properties()->set_size(opts.array_size);
  req.set_client_token(opts.client_token);
  return req;
}

}  // namespace batchd::cli
