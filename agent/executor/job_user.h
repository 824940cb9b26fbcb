#pragma once
// The identity a job runs as (ContainerDetail.user), resolved in the agent before fork: the
// child may only make raw set*id calls, never read /etc/passwd (not async-signal-safe).
#include <sys/types.h>

#include <string>
#include <vector>

namespace batchd::agent {

struct JobUser {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups (initgroups' list)
  std::string home;           // empty when the user has no passwd entry
};

// `spec` is "user", "uid", "user:group" or "uid:gid" (Docker's forms). A uid with no passwd
// entry runs with gid = uid unless a group is given. Throws LaunchError naming the user or
// group when it does not exist on this machine.
JobUser ResolveJobUser(const std::string& spec);

}  // namespace batchd::agent
