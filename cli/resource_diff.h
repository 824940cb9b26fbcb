#pragma once
// What `batchctl apply` must change to make a stored resource match a file. A field the file
// leaves out (proto3 default) keeps its stored value, as with `aws batch update-*`: a file never
// resets what the server defaulted or the autoscaler moved.
#include <optional>
#include <string>
#include <vector>

#include "batch/v1/batch_service.pb.h"

namespace batchd::cli {

struct ComputeEnvironmentChange {
  // Holds only the differing updatable fields; nullopt = unchanged.
  std::optional<batch::v1::UpdateComputeEnvironmentRequest> update;
  // JSON paths of fields that differ but cannot be updated in place (e.g. "tags").
  std::vector<std::string> not_updatable;
};

// Throws CliError when the type (MANAGED/UNMANAGED) differs: that needs delete and create.
ComputeEnvironmentChange DiffComputeEnvironment(
    const batch::v1::CreateComputeEnvironmentRequest& desired,
    const batch::v1::ComputeEnvironmentDetail& current);

struct JobQueueChange {
  std::optional<batch::v1::UpdateJobQueueRequest> update;
  std::vector<std::string> not_updatable;
};

JobQueueChange DiffJobQueue(const batch::v1::CreateJobQueueRequest& desired,
                            const batch::v1::JobQueueDetail& current);

// Whether registering `desired` would store what `stored` holds, ignoring the revision's
// identity (ARN, revision, status, createdAt). Definitions are immutable, so any other
// difference means a new revision.
// Whether applying `desired` would leave the stored schedule as it is (defaults filled in as
// batchd fills them).
bool SameSchedule(const batch::v1::ScheduleRequest& desired,
                  const batch::v1::ScheduleDetail& stored);

bool SameJobDefinition(const batch::v1::RegisterJobDefinitionRequest& desired,
                       const batch::v1::JobDefinition& stored);

}  // namespace batchd::cli
