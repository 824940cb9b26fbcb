#pragma once
// What a job executes: its command as argv (looked up in the job's PATH as execvp would) or,
// when it has no command, its script run by /bin/sh -c.
#include <string>
#include <vector>

#include "batch/v1/types.pb.h"

namespace batchd::agent {

struct JobCommand {
  std::string executable;         // the file execve gets
  std::vector<std::string> argv;  // argv[0] as the job wrote it
};

// Throws LaunchError when there is nothing to run or argv[0] is not found in `path_env`
// (relative PATH entries count from `working_dir`).
JobCommand ResolveJobCommand(const batch::v1::ContainerDetail& container,
                             const std::string& path_env, const std::string& working_dir);

// The reason given when execve (or the PATH lookup) failed with `error` (an errno).
std::string ExecFailureReason(const std::string& argv0, int error);

}  // namespace batchd::agent
