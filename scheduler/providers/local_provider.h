#pragma once
// The local provider: each node is a batch-agent process on batchd's own machine, offering
// the shape's resources from its own work directory. The default provider, and what the
// quickstart and the tests use.
#include <sys/types.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <string>

#include "providers/node_provider.h"

namespace batchd::providers {

struct LocalProviderOptions {
  std::filesystem::path agent_binary;
  std::string scheduler_address;     // HOST:PORT the agents dial
  std::filesystem::path token_file;  // holds one join token
  std::filesystem::path nodes_dir;   // <nodes_dir>/<node id> is each agent's work dir
  // After the second SIGTERM (which ends an agent's drain grace period) this long until
  // SIGKILL: the agent's kill grace for its attempts, and some.
  int stop_grace_seconds = 30;
};

class LocalProvider final : public NodeProvider {
 public:
  explicit LocalProvider(LocalProviderOptions options);
  // Stops every agent it started: batchd's local nodes do not outlive it.
  ~LocalProvider() override;

  std::string Create(const NodeRequest& request) override;
  void Delete(const std::string& node_id) override;

 private:
  // Waits for an agent told twice to stop; SIGKILL after stop_grace_seconds.
  void Stop(pid_t pid);

  const LocalProviderOptions options_;
  std::mutex mu_;
  std::map<std::string, pid_t> agents_;
};

// batch-agent beside the running batchd (installed together), else in the build tree's agent/
// directory, else "batch-agent" on PATH.
std::filesystem::path DefaultAgentBinary();

}  // namespace batchd::providers
