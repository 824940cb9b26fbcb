#pragma once
// A pid alone does not name a process for long: after it exits the number is reused. The
// pid together with its start time (field 22 of /proc/<pid>/stat, clock ticks since boot)
// does, so a restarted agent never signals a stranger that inherited a job's pid.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace batchd::agent {

// An attempt's process, as its journal records it.
struct ProcessRecord {
  pid_t pid = 0;              // also the process group id: the job leads its own group
  uint64_t start_time = 0;    // /proc/<pid>/stat field 22
  int64_t started_at_ms = 0;  // epoch ms, for the status reported after a restart
  // The attempt's cgroup when not named by the attempt id (a standby's); empty otherwise.
  std::string cgroup;
};

std::string FormatProcessRecord(const ProcessRecord& record);
std::optional<ProcessRecord> ParseProcessRecord(std::string_view text);

struct ProcStat {
  char state = '?';  // R, S, D, Z, ...
  pid_t ppid = 0;
  uint64_t start_time = 0;
};
// Parses a /proc/<pid>/stat line (the command name may hold spaces and parentheses).
std::optional<ProcStat> ParseProcStat(std::string_view line);
std::optional<ProcStat> ReadProcStat(pid_t pid);

// Whether `record.pid` still names the recorded process (zombies included).
bool IsSameProcess(const ProcessRecord& record);

}  // namespace batchd::agent
