#pragma once
// A batch:submitJob step's two ends, as Step Functions gives them: its Parameters are AWS
// Batch's SubmitJob fields in PascalCase (JobName, ContainerOverrides.Command, ...), and its
// .sync output is the job as DescribeJobs gives it, keys in PascalCase too.
#include <cstdint>
#include <string>

#include "batch/v1/batch_service.pb.h"
#include "batch/v1/types.pb.h"
#include "core/asl/json.h"

namespace batchd::workflows {

// The job a step submits. `execution_arn` and `state` become the job's batchd:execution and
// batchd:state tags; the clientToken comes from the execution and the task's seq, so a
// restarted batchd that submits it again gets the same job. Throws api::ApiError
// (INVALID_ARGUMENT) for Parameters that are not a SubmitJob request.
batch::v1::SubmitJobRequest SubmitRequestFromParameters(const asl::Json& parameters,
                                                        const std::string& execution_arn,
                                                        const std::string& state, int64_t seq);

// The clientToken of task `seq` of an execution: at most 64 characters, as AWS allows.
std::string StepClientToken(const std::string& execution_arn, int64_t seq);

// DescribeJobs' form of the job with PascalCase keys (map keys such as Parameters' and
// Tags' are kept as written).
asl::Json JobOutput(const batch::v1::JobDetail& job);
// The SubmitJob response in PascalCase: {"JobArn", "JobId", "JobName"}.
asl::Json SubmitOutput(const batch::v1::SubmitJobResponse& response);

}  // namespace batchd::workflows
