#include "providers/local_provider.h"

#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/io.hpp>
#include <chrono>
#include <fstream>
#include <vector>

#include "providers/child_setup.h"
#include "providers/process_wait.h"

namespace batchd::providers {
namespace {

namespace bp = boost::process;
namespace fs = std::filesystem;

constexpr auto kFirstTermPatience = std::chrono::seconds(2);

}  // namespace

fs::path DefaultAgentBinary() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (const fs::path& candidate : {self.parent_path() / "batch-agent",
                                      self.parent_path().parent_path() / "agent" / "batch-agent"}) {
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return "batch-agent";
}

LocalProvider::LocalProvider(LocalProviderOptions options) : options_(std::move(options)) {}

LocalProvider::~LocalProvider() {
  std::map<std::string, pid_t> agents;
  {
    std::lock_guard lock(mu_);
    agents.swap(agents_);
  }
  // With batchd gone the agents cannot report; a second SIGTERM ends their drain grace
  // period, so that shutting batchd down does not wait for the jobs (they are retried, as
  // on any lost node, when batchd is back). All of them are waited for at once.
  for (const auto& [id, pid] : agents) ::kill(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + kFirstTermPatience;
  std::vector<pid_t> left;
  for (const auto& [id, pid] : agents) {
    const auto patience = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (!WaitForExit(pid, std::max(patience, std::chrono::milliseconds(0)))) left.push_back(pid);
  }
  for (pid_t pid : left) ::kill(pid, SIGTERM);
  for (pid_t pid : left) Stop(pid);
}

std::string LocalProvider::Create(const NodeRequest& request) {
  const fs::path dir = options_.nodes_dir / request.node_id;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw ProviderError("local provider: creating " + dir.string() + ": " + ec.message());
  {
    // The agent takes the id batchd chose instead of making one up.
    std::ofstream out(dir / "node_id", std::ios::trunc);
    out << request.node_id << "\n";
    if (!out) throw ProviderError("local provider: cannot write " + (dir / "node_id").string());
  }
  const auto& r = request.shape.resources;
  std::vector<std::string> args = {"--scheduler",
                                   options_.scheduler_address,
                                   "--token-file",
                                   options_.token_file.string(),
                                   "--compute-environment",
                                   request.compute_environment,
                                   "--work-dir",
                                   dir.string(),
                                   "--vcpus",
                                   std::to_string(std::max(1, static_cast<int>(r.vcpus))),
                                   "--memory-mib",
                                   std::to_string(r.memory_mib),
                                   "--gpus",
                                   std::to_string(r.gpus),
                                   "--label",
                                   "batchd/shape=" + request.shape.name};
  const fs::path log = dir / "agent.log";
  std::error_code spawn_error;
  bp::child child(options_.agent_binary.string(), bp::args(args),
                  bp::std_in<bp::null, (bp::std_out & bp::std_err)> log.string(),
                  ProviderChildSetup{}, spawn_error);
  if (spawn_error) {
    throw ProviderError("local provider: starting " + options_.agent_binary.string() + ": " +
                        spawn_error.message());
  }
  const pid_t pid = child.id();
  child.detach();
  std::lock_guard lock(mu_);
  agents_[request.node_id] = pid;
  spdlog::debug("local provider: node {} is batch-agent pid {}", request.node_id, pid);
  return request.node_id;
}

void LocalProvider::Delete(const std::string& node_id) {
  pid_t pid = -1;
  {
    std::lock_guard lock(mu_);
    auto it = agents_.find(node_id);
    if (it != agents_.end()) {
      pid = it->second;
      agents_.erase(it);
    }
  }
  if (pid > 0) {
    // A node is deleted idle, lost or reclaimed: batchd no longer counts on anything it
    // runs, so its drain grace period is cut short as at shutdown.
    ::kill(pid, SIGTERM);
    if (!WaitForExit(pid, kFirstTermPatience)) {
      ::kill(pid, SIGTERM);
      Stop(pid);
    }
  }
  std::error_code ec;
  fs::remove_all(options_.nodes_dir / node_id, ec);
  if (ec) {
    throw ProviderError("local provider: removing " + (options_.nodes_dir / node_id).string() +
                        ": " + ec.message());
  }
}

void LocalProvider::Stop(pid_t pid) {
  // After the second SIGTERM the agent kills its attempts (kill grace) and leaves.
  if (WaitForExit(pid, std::chrono::seconds(options_.stop_grace_seconds))) return;
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace batchd::providers
