#pragma once
// Validation of API input: pure functions applied before anything is written. Each throws
// ApiError(kInvalidArgument) with "<field>: <rule>", the field as its JSON path.
#include <string>
#include <string_view>

#include "batch/v1/batch_service.pb.h"

namespace batchd::api {

struct Limits {
  int max_array_size = 100000;
  int max_depends_on = 1000;
  int max_job_definition_bytes = 64 * 1024;
  int max_submit_bytes = 64 * 1024;
  int max_compute_environments_per_queue = 16;
  int max_tags = 50;
  int max_batch_submit = 10000;
  int max_describe_jobs = 100;
  int max_page_size = 1000;
};

void ValidateCreateComputeEnvironment(const batch::v1::CreateComputeEnvironmentRequest& req);
// The environment as it will be stored (after defaults and updates are applied).
void ValidateComputeEnvironment(const batch::v1::ComputeEnvironmentDetail& ce);
void ValidateUpdateComputeEnvironment(const batch::v1::UpdateComputeEnvironmentRequest& req);

void ValidateCreateJobQueue(const batch::v1::CreateJobQueueRequest& req, const Limits& limits);
void ValidateJobQueue(const batch::v1::JobQueueDetail& queue, const Limits& limits);
void ValidateUpdateJobQueue(const batch::v1::UpdateJobQueueRequest& req, const Limits& limits);

void ValidateRegisterJobDefinition(const batch::v1::RegisterJobDefinitionRequest& req,
                                   const Limits& limits);
// `prefix` is prepended to field names, e.g. "jobs[3]." for a batched submission.
void ValidateSubmitJob(const batch::v1::SubmitJobRequest& req, const Limits& limits,
                       std::string_view prefix = "");
void ValidateCancelOrTerminate(std::string_view job_id, std::string_view reason);
// A schedule either submits a job (jobQueue, jobDefinition and the job's fields) or starts an
// execution (stateMachine, executionInput), never both. With a stateMachine, its reference is
// checked as a name or ARN; whether it exists is the server's to say.
void ValidateScheduleTarget(const batch::v1::ScheduleRequest& req);

// Shared rules, exposed for the other validators and their tests.
void ValidateEnvironment(std::string_view field,
                         const google::protobuf::RepeatedPtrField<batch::v1::KeyValuePair>& env);
void ValidateResourceRequirements(
    std::string_view field,
    const google::protobuf::RepeatedPtrField<batch::v1::ResourceRequirement>& reqs);
void ValidateRetryStrategy(std::string_view field, const batch::v1::RetryStrategy& retry);
void ValidateTags(std::string_view field,
                  const google::protobuf::Map<std::string, std::string>& tags,
                  const Limits& limits);
void ValidatePageSize(std::string_view field, int max_results, int cap);

}  // namespace batchd::api
