#pragma once
// `batchctl apply` input: a multi-document YAML stream, each document a resource with a
// `kind:` and otherwise the API's JSON form written as YAML.
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "batch/v1/batch_service.pb.h"
#include "batch/v1/states.pb.h"

namespace batchd::cli {

// Declared in dependency order: queues name environments, jobs name queues and definitions,
// state machines name queues, definitions and activities, schedules name queues and
// definitions or a state machine.
enum class ResourceKind {
  kComputeEnvironment,
  kJobQueue,
  kJobDefinition,
  kActivity,
  kStateMachine,
  kSchedule
};

// Case-insensitive; '-', '_' and a plural 's' are ignored; short forms (ce, jq, jd) accepted.
std::optional<ResourceKind> ParseResourceKind(std::string_view text);
// "ComputeEnvironment": as written in files and messages.
std::string_view KindName(ResourceKind kind);
// "computeenvironment": the prefix of "computeenvironment/NAME" in apply's output.
std::string_view KindLabel(ResourceKind kind);

struct ResourceDocument {
  ResourceKind kind;
  int line = 0;  // 1-based line where the document's mapping starts
  std::string name;
  std::variant<batch::v1::CreateComputeEnvironmentRequest, batch::v1::CreateJobQueueRequest,
               batch::v1::RegisterJobDefinitionRequest, batch::v1::ScheduleRequest,
               batch::v1::CreateActivityRequest, batch::v1::CreateStateMachineRequest>
      request;
};

// Parses and validates every document before returning any, so a bad file applies nothing.
// Throws CliError "SOURCE:LINE: message" (SOURCE is how errors name the input: a path, or
// "stdin"). Empty documents are skipped; the same kind and name twice is an error.
std::vector<ResourceDocument> ParseResourceDocuments(const std::string& text,
                                                     const std::string& source);

// Dependency order (by kind), keeping the file's order within a kind.
void SortForApply(std::vector<ResourceDocument>* docs);

}  // namespace batchd::cli
