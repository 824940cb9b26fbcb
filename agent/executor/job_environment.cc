#include "agent/executor/job_environment.h"

#include <map>

namespace batchd::agent {
namespace {

bool IsUsableName(const std::string& name) {
  return !name.empty() && name.find('=') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

}  // namespace

std::vector<std::string> BuildJobEnvironment(const batch::v1::LaunchAttempt& attempt,
                                             const std::string& home) {
  std::map<std::string, std::string> env;
  env["PATH"] = kDefaultJobPath;
  env["HOME"] = home;
  for (const auto& variable : attempt.container().environment()) {
    // A name execve cannot carry would corrupt its neighbour; such variables are dropped.
    if (!IsUsableName(variable.name())) continue;
    env[variable.name()] = variable.value();
  }

  const std::string attempt_number = std::to_string(attempt.attempt_number());
  env["BATCH_JOB_ID"] = attempt.job_id();
  env["BATCH_JOB_ATTEMPT"] = attempt_number;
  env["BATCH_JOB_NAME"] = attempt.job_name();
  env["BATCH_JOB_QUEUE"] = attempt.job_queue();
  env["BATCH_CE_NAME"] = attempt.compute_environment();
  env["AWS_BATCH_JOB_ID"] = attempt.job_id();
  env["AWS_BATCH_JOB_ATTEMPT"] = attempt_number;
  env["AWS_BATCH_JQ_NAME"] = attempt.job_queue();
  env["AWS_BATCH_CE_NAME"] = attempt.compute_environment();
  if (attempt.has_array_index()) {
    const std::string index = std::to_string(attempt.array_index());
    const std::string size = std::to_string(attempt.array_size());
    env["BATCH_JOB_ARRAY_INDEX"] = index;
    env["BATCH_JOB_ARRAY_SIZE"] = size;
    env["AWS_BATCH_JOB_ARRAY_INDEX"] = index;
    env["AWS_BATCH_JOB_ARRAY_SIZE"] = size;
  }

  std::vector<std::string> entries;
  entries.reserve(env.size());
  for (auto& [name, value] : env) entries.push_back(name + "=" + value);
  return entries;
}

std::string LookupEnvironment(const std::vector<std::string>& environment,
                              const std::string& name) {
  const std::string prefix = name + "=";
  for (const auto& entry : environment) {
    if (entry.compare(0, prefix.size(), prefix) == 0) return entry.substr(prefix.size());
  }
  return {};
}

}  // namespace batchd::agent
