#include "cli/arguments.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "api/api_error.h"
#include "api/job_states.h"
#include "cli/errors.h"

namespace batchd::cli {
namespace {

using batch::v1::ArrayJobDependency;
using batch::v1::DependencyCondition;
using batch::v1::JobStatus;

[[noreturn]] void UsageError(std::string_view flag, const std::string& what) {
  throw CliError(std::string(flag) + ": " + what, kExitUsage);
}

std::string Upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

}  // namespace

std::pair<std::string, std::string> ParseKeyValue(std::string_view flag, std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos) {
    UsageError(flag, "expected KEY=VALUE, got \"" + std::string(text) + "\"");
  }
  if (eq == 0)
    UsageError(flag, "the KEY in KEY=VALUE is empty (got \"" + std::string(text) + "\")");
  return {std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
}

batch::v1::JobDependency ParseDependency(std::string_view flag, std::string_view text) {
  batch::v1::JobDependency dep;
  std::string_view id = text;
  // SEQUENTIAL names no job: each child of the array waits on the one before it.
  if (Upper(text.substr(0, text.find(':'))) == "SEQUENTIAL") {
    dep.set_type(ArrayJobDependency::SEQUENTIAL);
    const auto colon = text.find(':');
    if (colon != std::string_view::npos) {
      const std::string word = Upper(text.substr(colon + 1));
      if (word == "AFTEROK" || word == "AFTERANY" || word == "AFTERNOTOK") {
        dep.set_condition(word == "AFTEROK"    ? DependencyCondition::afterok
                          : word == "AFTERANY" ? DependencyCondition::afterany
                                               : DependencyCondition::afternotok);
      } else {
        UsageError(flag, "expected SEQUENTIAL[:afterok|afterany|afternotok], got \"" +
                             std::string(text) + "\"");
      }
    }
    return dep;
  }
  for (int i = 0; i < 2; ++i) {
    const auto colon = id.rfind(':');
    if (colon == std::string_view::npos) break;
    const std::string word = Upper(id.substr(colon + 1));
    if (dep.type() == ArrayJobDependency::ARRAY_JOB_DEPENDENCY_UNSPECIFIED &&
        (word == "N_TO_N" || word == "SEQUENTIAL")) {
      dep.set_type(word == "N_TO_N" ? ArrayJobDependency::N_TO_N : ArrayJobDependency::SEQUENTIAL);
    } else if (dep.condition() == DependencyCondition::DEPENDENCY_CONDITION_UNSPECIFIED &&
               (word == "AFTEROK" || word == "AFTERANY" || word == "AFTERNOTOK")) {
      dep.set_condition(word == "AFTEROK"    ? DependencyCondition::afterok
                        : word == "AFTERANY" ? DependencyCondition::afterany
                                             : DependencyCondition::afternotok);
    } else {
      break;
    }
    id = id.substr(0, colon);
  }
  if (id.empty()) {
    UsageError(flag, "expected JOB_ID[:N_TO_N|SEQUENTIAL][:afterok|afterany|afternotok], got \"" +
                         std::string(text) + "\"");
  }
  dep.set_job_id(std::string(id));
  return dep;
}

namespace {

// The non-empty items of repeated, comma-separated flag values ("a,b" "c"), each once, in order.
std::vector<std::string_view> CommaItems(const std::vector<std::string>& values) {
  std::vector<std::string_view> out;
  for (const auto& value : values) {
    std::string_view rest = value;
    while (true) {
      const auto comma = rest.find(',');
      const std::string_view item = rest.substr(0, comma);
      if (!item.empty() && std::find(out.begin(), out.end(), item) == out.end()) {
        out.push_back(item);
      }
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return out;
}

}  // namespace

std::vector<JobStatus::Value> ParseStatuses(std::string_view flag,
                                            const std::vector<std::string>& values) {
  std::vector<JobStatus::Value> out;
  for (const std::string_view item : CommaItems(values)) {
    JobStatus::Value status;
    try {
      status = api::ParseJobStatus(flag, item);
    } catch (const api::ApiError& e) {
      throw CliError(e.what(), kExitUsage);
    }
    if (std::find(out.begin(), out.end(), status) == out.end()) out.push_back(status);
  }
  if (out.empty()) out = api::AllJobStatuses();
  return out;
}

std::vector<batch::v1::NodeState::Value> ParseNodeStates(std::string_view flag,
                                                         const std::vector<std::string>& values) {
  using batch::v1::NodeState;
  std::vector<NodeState::Value> out;
  for (const std::string_view item : CommaItems(values)) {
    NodeState::Value state;
    if (!NodeState::Value_Parse(Upper(item), &state) ||
        state == NodeState::NODE_STATE_UNSPECIFIED) {
      UsageError(flag, "must be one of LAUNCHING, READY, DRAINING, LOST, TERMINATED; got \"" +
                           std::string(item) + "\"");
    }
    if (std::find(out.begin(), out.end(), state) == out.end()) out.push_back(state);
  }
  return out;
}

std::string ParseVcpus(std::string_view flag, std::string_view text) {
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(value) ||
      value <= 0) {
    UsageError(flag, "expected a positive number of vCPUs, got \"" + std::string(text) + "\"");
  }
  return std::string(text);
}

}  // namespace batchd::cli
