#pragma once
// Runs a short helper command (the container runtime's info, inspect, rm, ps) and collects
// what it printed. For jobs the executor spawns processes itself; this is for the agent's
// own bookkeeping calls, which must end within a timeout.
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace batchd::agent {

struct ToolResult {
  int exit_code = -1;  // -1: it did not start, was killed by a signal, or ran out of time
  std::string output;  // stdout and stderr together, at most 64 KiB
  bool timed_out = false;
};

// argv[0] must be a path (no PATH search). `environment` empty = the agent's own.
ToolResult RunTool(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                   const std::vector<std::string>& environment = {});

// The path of `name` in the agent's PATH, empty when not found; a name with a slash as is.
std::string FindInPath(const std::string& name);

}  // namespace batchd::agent

namespace batchd::agent {

// Starts `argv` in its own process group with stdio on /dev/null and returns at once: its pid
// (the caller reaps it) or -1.
pid_t StartTool(const std::vector<std::string>& argv);

}  // namespace batchd::agent
