#pragma once
// A standby job process: forked while the agent is idle, already inside a cgroup, waiting on
// a socket for the next attempt's SpawnRequest, which it then execs as the job.
//
// Why: moving a process into a cgroup takes cgroup_threadgroup_rwsem for writing, which waits
// for an RCU grace period whenever no other move happened just before. On a quiet machine
// that is 5-13 ms (measured on cgroup v1 here), most of an idle agent's submit->RUNNING. The
// standby pays it ahead of time; under load moves follow each other closely and cost little,
// so a job that finds no standby starts the ordinary way (SpawnProcess).
// The standby makes its cgroup itself (or joins an ended attempt's spare one) and the job
// keeps that cgroup's name: creating, joining and renaming cgroups all take cgroup_mutex,
// which a join holds for its grace period, and the agent's thread must not wait on it while
// another standby joins.
#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/executor/spawn.h"

namespace batchd::agent {

struct StandbyProcess {
  pid_t pid = -1;
  int socket = -1;     // ours; the standby holds the other end
  bool ready = false;  // it said it is in its cgroup
};

// Forks a standby that creates the directories `cgroup_dirs` (none for a cgroup that
// exists), joins the cgroup through `procs_files`, says so and waits. Nullopt when the fork
// failed. The standby dies with the thread that made it (PR_SET_PDEATHSIG).
std::optional<StandbyProcess> StartStandby(const std::vector<std::string>& cgroup_dirs,
                                           const std::vector<std::string>& procs_files);

// Waits until the standby is in its cgroup. False, with `why`, when it could not get there
// (it is then gone: discard it).
bool AwaitStandby(StandbyProcess& standby, std::string* why);

// Hands `request` to the standby (awaiting it first), which runs PrepareChild (without
// joining a cgroup: it is in one) and execs. Answers as SpawnProcess does, once exec succeeded or
// failed; nullopt when the standby was gone before it took the request (the caller starts the job
// otherwise). The standby is used up either way; one that failed is reaped here.
std::optional<SpawnResult> LaunchOnStandby(StandbyProcess& standby, const SpawnRequest& request);

// Kills and reaps a standby that will not be used.
void DiscardStandby(StandbyProcess& standby);

// The request's wire form between agent and standby: everything but the descriptors, which
// travel beside it (SCM_RIGHTS), and the cgroup files, which the standby has joined already.
std::string EncodeSpawnRequest(const SpawnRequest& request);
bool DecodeSpawnRequest(std::string_view wire, SpawnRequest* request);

}  // namespace batchd::agent
