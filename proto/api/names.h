#pragma once
// Resource names, ARNs and identifiers. Wherever AWS accepts a name or an ARN, so do we.
#include <optional>
#include <string>
#include <string_view>

namespace batchd::api {

inline constexpr std::string_view kArnPrefix = "arn:batchd:batch:local:000000000000:";

// Resource kinds as they appear in ARNs.
inline constexpr std::string_view kComputeEnvironmentKind = "compute-environment";
inline constexpr std::string_view kJobQueueKind = "job-queue";
inline constexpr std::string_view kJobDefinitionKind = "job-definition";
inline constexpr std::string_view kJobKind = "job";
inline constexpr std::string_view kSchedulingPolicyKind = "scheduling-policy";
inline constexpr std::string_view kScheduleKind = "schedule";

std::string MakeArn(std::string_view kind, std::string_view name);
std::string JobDefinitionArn(std::string_view name, int revision);

// 1-128 characters of letters, digits, '-' and '_' (AWS's rule for CE, queue and definition
// names). Job names must also start with a letter or digit.
bool IsValidResourceName(std::string_view name);
bool IsValidJobName(std::string_view name);
void CheckResourceName(std::string_view field, std::string_view name);

// Accepts "name" or "arn:...:<kind>/name"; returns the name. Throws INVALID_ARGUMENT naming
// `field` when the reference is empty, an ARN of another kind, or not a valid name.
std::string NameFromRef(std::string_view field, std::string_view ref, std::string_view kind);

// "name", "name:rev" or an ARN of either. No revision = the latest ACTIVE one.
struct DefinitionRef {
  std::string name;
  std::optional<int> revision;
};
DefinitionRef ParseDefinitionRef(std::string_view field, std::string_view ref);

// A job id or a job ARN; array children are "<parent>:<index>".
std::string JobIdFromRef(std::string_view field, std::string_view ref);

// A random (version 4) UUID in its canonical text form.
std::string NewUuid();

}  // namespace batchd::api
