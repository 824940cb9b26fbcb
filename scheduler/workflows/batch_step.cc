#include "workflows/batch_step.h"

#include <cctype>
#include <cstdio>

#include "api/api_error.h"
#include "api/json_yaml.h"
#include "core/stable_hash.h"

namespace batchd::workflows {
namespace {

using asl::Json;

// Objects whose keys are the user's own, not field names.
bool IsUserMap(const std::string& key) {
  return key == "parameters" || key == "tags" || key == "Parameters" || key == "Tags";
}

Json Recase(const Json& value, bool upper) {
  if (value.is_array()) {
    Json out = Json::array();
    for (const auto& v : value) out.push_back(Recase(v, upper));
    return out;
  }
  if (!value.is_object()) return value;
  Json out = Json::object();
  for (const auto& [key, v] : value.items()) {
    std::string k = key;
    if (!k.empty()) {
      k[0] = static_cast<char>(upper ? std::toupper(static_cast<unsigned char>(k[0]))
                                     : std::tolower(static_cast<unsigned char>(k[0])));
    }
    out[k] = IsUserMap(key) ? v : Recase(v, upper);
  }
  return out;
}

}  // namespace

std::string StepClientToken(const std::string& execution_arn, int64_t seq) {
  // A stable hash, not std::hash: the token must be the same after an upgrade of batchd.
  char buf[64];
  std::snprintf(buf, sizeof buf, "sfn-%016llx-%lld",
                static_cast<unsigned long long>(core::StableHash64(execution_arn)),
                static_cast<long long>(seq));
  return buf;
}

batch::v1::SubmitJobRequest SubmitRequestFromParameters(const Json& parameters,
                                                        const std::string& execution_arn,
                                                        const std::string& state, int64_t seq) {
  if (!parameters.is_object()) {
    api::ThrowInvalid("Parameters",
                      "must be an object of SubmitJob fields (JobName, JobQueue, "
                      "JobDefinition, ...)");
  }
  Json request = Recase(parameters, false);
  // Step Functions' SubmitJob takes tags and parameters as objects of strings, as Batch does.
  batch::v1::SubmitJobRequest req;
  api::FromJson(request.dump(), &req);
  (*req.mutable_tags())["batchd:execution"] = execution_arn;
  (*req.mutable_tags())["batchd:state"] = state;
  // As AWS sets for jobs that Step Functions starts.
  auto* env = req.mutable_container_overrides()->add_environment();
  env->set_name("MANAGED_BY_AWS");
  env->set_value("STARTED_BY_STEP_FUNCTIONS");
  req.set_client_token(StepClientToken(execution_arn, seq));
  return req;
}

Json JobOutput(const batch::v1::JobDetail& job) {
  return Recase(Json::parse(api::ToJson(job, false)), true);
}

Json SubmitOutput(const batch::v1::SubmitJobResponse& response) {
  return Recase(Json::parse(api::ToJson(response, false)), true);
}

}  // namespace batchd::workflows
