#include "core/asl/task_resource.h"

namespace batchd::asl {

std::string ResourceType(const TaskResource& resource) {
  switch (resource.kind) {
    case TaskResource::Kind::kBatchSubmitJob:
    case TaskResource::Kind::kBatchSubmitJobSync:
      return "batch";
    case TaskResource::Kind::kActivity:
      return "activity";
    case TaskResource::Kind::kWaitForTaskToken:
      return "batchd";
    case TaskResource::Kind::kStartExecution:
    case TaskResource::Kind::kStartExecutionSync:
    case TaskResource::Kind::kStartExecutionSync2:
    case TaskResource::Kind::kMapIteration:
      return "states";
  }
  return "";
}

std::string ResourceName(const TaskResource& resource) {
  switch (resource.kind) {
    case TaskResource::Kind::kBatchSubmitJob:
      return "submitJob";
    case TaskResource::Kind::kBatchSubmitJobSync:
      return "submitJob.sync";
    case TaskResource::Kind::kActivity:
      return resource.arn;
    case TaskResource::Kind::kWaitForTaskToken:
      return "task.waitForTaskToken";
    case TaskResource::Kind::kStartExecution:
      return "startExecution";
    case TaskResource::Kind::kStartExecutionSync:
      return "startExecution.sync";
    case TaskResource::Kind::kStartExecutionSync2:
      return "startExecution.sync:2";
    case TaskResource::Kind::kMapIteration:
      return "mapIteration";
  }
  return "";
}

bool TakesToken(const TaskResource& resource) {
  switch (resource.kind) {
    case TaskResource::Kind::kActivity:
    case TaskResource::Kind::kWaitForTaskToken:
      return true;
    case TaskResource::Kind::kBatchSubmitJob:
    case TaskResource::Kind::kBatchSubmitJobSync:
    case TaskResource::Kind::kStartExecution:
    case TaskResource::Kind::kStartExecutionSync:
    case TaskResource::Kind::kStartExecutionSync2:
    case TaskResource::Kind::kMapIteration:
      return false;
  }
  return false;
}

}  // namespace batchd::asl
