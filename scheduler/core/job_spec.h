#pragma once
// How a submission and its job definition combine into the job that is stored and run, as
// AWS Batch defines it: overrides replace the command, add or replace environment variables
// by name and resource requirements by type; `Ref::name` in the command takes the submitted
// parameters, falling back to the definition's defaults.
#include <cstdint>
#include <map>
#include <string>

#include "batch/v1/batch_service.pb.h"

namespace batchd::core {

// What a job asks for when neither its definition nor its submission says: enough to fit the
// smallest default node (1 vCPU, 1024 MiB).
inline constexpr double kDefaultVcpus = 1;
inline constexpr int64_t kDefaultMemoryMiB = 1024;

struct Resources {
  double vcpus = 0;
  int64_t memory_mib = 0;
  int gpus = 0;
  // Not an amount but a capability: a job with an image needs a node with a container
  // runtime; a node that has one offers it to every job at once.
  bool container = false;
};

// Reads the resource requirements of a merged container (every type is present after
// BuildJobDetail).
Resources EffectiveResources(const batch::v1::ContainerDetail& container);

// Replaces each argument that contains `Ref::name` for a known name.
google::protobuf::RepeatedPtrField<std::string> SubstituteParameters(
    const google::protobuf::RepeatedPtrField<std::string>& command,
    const google::protobuf::Map<std::string, std::string>& params);

// Builds the stored job from its definition and submission. The caller sets the status.
batch::v1::JobDetail BuildJobDetail(const batch::v1::JobDefinition& definition,
                                    const batch::v1::SubmitJobRequest& request,
                                    const std::string& job_id, int64_t now_ms);

// Identifies a request's content, so a retried submit with the same clientToken can be told
// apart from a different request that reuses the token.
std::string RequestFingerprint(const batch::v1::SubmitJobRequest& request);

}  // namespace batchd::core
