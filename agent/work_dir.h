#pragma once
// What the agent keeps in its work directory besides the attempts (the executor's): the node
// id, so that a restarted agent is the same node to batchd, and a lock, so that two agents
// never share one directory.
#include <filesystem>
#include <string>

namespace batchd::agent {

// Holds an exclusive lock on <work_dir>/agent.lock (made, with work_dir, if missing) until
// destroyed. Throws std::runtime_error when another process holds it.
class WorkDirLock {
 public:
  explicit WorkDirLock(const std::filesystem::path& work_dir);
  ~WorkDirLock();
  WorkDirLock(const WorkDirLock&) = delete;
  WorkDirLock& operator=(const WorkDirLock&) = delete;

 private:
  int fd_ = -1;
};

// The id in <work_dir>/node_id; on first use "<hostname>-<8 random hex digits>", stored there.
std::string LoadOrCreateNodeId(const std::filesystem::path& work_dir);

std::string Hostname();

}  // namespace batchd::agent
