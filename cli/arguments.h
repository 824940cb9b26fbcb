#pragma once
// Parsers for flag values that CLI11 cannot check by type. Each throws CliError with
// kExitUsage and a message that starts with the flag, e.g. "--env: expected KEY=VALUE, ...".
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "batch/v1/types.pb.h"

namespace batchd::cli {

// "KEY=VALUE" (VALUE may be empty or contain '='); KEY must be non-empty.
std::pair<std::string, std::string> ParseKeyValue(std::string_view flag, std::string_view text);

// "ID", "ID:N_TO_N", "ID:SEQUENTIAL", optionally followed by ":afterok|afterany|afternotok"
// (in either order). IDs of array children contain ':' themselves ("<parent>:<index>"), so
// only recognised words are taken from the end.
batch::v1::JobDependency ParseDependency(std::string_view flag, std::string_view text);

// Each value may be a comma list ("RUNNABLE,running"); case does not matter; duplicates are
// dropped; empty input = every status.
std::vector<batch::v1::JobStatus::Value> ParseStatuses(std::string_view flag,
                                                       const std::vector<std::string>& values);

// Node states, read like ParseStatuses; empty input = every state (an empty list).
std::vector<batch::v1::NodeState::Value> ParseNodeStates(std::string_view flag,
                                                         const std::vector<std::string>& values);

// A positive count of vCPUs: "2", "0.5".
std::string ParseVcpus(std::string_view flag, std::string_view text);

}  // namespace batchd::cli
