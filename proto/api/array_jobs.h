#pragma once
// Array jobs: a parent that never runs and `size` children "<parent>:<index>". A child is its
// parent's submission with its own id and index; of the parent's dependencies, N_TO_N and
// SEQUENTIAL ones become the child's own (the others hold back the whole array).
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "batch/v1/types.pb.h"

namespace batchd::api {

std::string ArrayChildId(std::string_view parent_id, int index);
// {parent id, index} of a child id; nullopt for any other id.
std::optional<std::pair<std::string, int>> SplitArrayChildId(std::string_view job_id);

bool IsArrayParent(const batch::v1::JobDetail& job);
bool IsArrayChild(const batch::v1::JobDetail& job);
// Whether some children wait on their own dependencies (N_TO_N or SEQUENTIAL).
bool HasPerChildDependencies(const batch::v1::JobDetail& parent);
// Whether the dependency holds back the whole array rather than one child.
bool IsWholeJobDependency(const batch::v1::JobDependency& dependency);

// Child `index`'s own dependencies: "<parent>:<index-1>" for SEQUENTIAL (none for child 0),
// "<dependency>:<index>" for N_TO_N; each keeps its condition.
google::protobuf::RepeatedPtrField<batch::v1::JobDependency> ChildDependsOn(
    const batch::v1::JobDetail& parent, int index);

// The child as its parent's submission describes it (status and attempts are the caller's).
batch::v1::JobDetail ArrayChildDetail(const batch::v1::JobDetail& parent, int index);

}  // namespace batchd::api
