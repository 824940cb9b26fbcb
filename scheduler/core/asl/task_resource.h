#pragma once
// How history names a Task's resource: "batch" and "submitJob.sync" for
// arn:aws:states:::batch:submitJob.sync, as AWS splits service integration ARNs.
#include <string>

#include "core/asl/definition.h"

namespace batchd::asl {

std::string ResourceType(const TaskResource& resource);
std::string ResourceName(const TaskResource& resource);
// Activities and callbacks answer with a task token; the others answer themselves.
bool TakesToken(const TaskResource& resource);

}  // namespace batchd::asl
