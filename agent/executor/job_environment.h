#pragma once
// The environment a job sees. It starts clean (the agent's own environment, with whatever
// credentials it holds, never leaks into jobs), then takes the job definition's variables,
// then the BATCH_* / AWS_BATCH_* names, which win over the job's values of the same name.
#include <string>
#include <vector>

#include "batch/v1/agent_service.pb.h"

namespace batchd::agent {

inline constexpr char kDefaultJobPath[] =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// "NAME=value" entries sorted by name. `home` is the HOME the job gets unless it sets its own.
std::vector<std::string> BuildJobEnvironment(const batch::v1::LaunchAttempt& attempt,
                                             const std::string& home);

// The value of `name` in entries as BuildJobEnvironment returns them; empty when absent.
std::string LookupEnvironment(const std::vector<std::string>& environment, const std::string& name);

}  // namespace batchd::agent
