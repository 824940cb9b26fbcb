#pragma once
// Starting one job process (Boost.Process; its headers stay inside spawn.cc).
#include <sys/types.h>

#include <string>
#include <vector>

#include "agent/executor/child_setup.h"

namespace batchd::agent {

struct SpawnRequest {
  std::string executable;                // the path given to execve
  std::vector<std::string> argv;         // argv[0] included
  std::vector<std::string> environment;  // NAME=value, the whole environment
  ChildPlan plan;
};

struct SpawnResult {
  pid_t pid = -1;     // > 0: the process exec'd the job (it may have exited since)
  std::string error;  // otherwise: why it did not start
  bool infrastructure = false;
};

// Forks, prepares the child (ChildPlan) and execs; returns once exec succeeded or failed.
// A failed child is reaped here; a started one is the caller's to wait for.
SpawnResult SpawnProcess(const SpawnRequest& request);

}  // namespace batchd::agent
