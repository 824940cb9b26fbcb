#pragma once
// Many agents in this process, each its own stream to batchd over real gRPC (a hundred
// streams per connection), with no thread per agent: they use gRPC's callback API. Each
// advertises its resources, heartbeats as the Welcome asks, and finishes every attempt it is
// given at once (RUNNING, then EXITED 0), so what is measured is batchd alone.
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "batch/v1/agent_service.grpc.pb.h"

namespace batchd::bench {

class SimulatedAgent;

struct FleetOptions {
  std::string scheduler;  // batchd's address
  std::string join_token;
  std::string compute_environment;
  int agents = 1000;
  int vcpus = 4;
  int64_t memory_mib = 8192;
  int agents_per_connection = 100;
};

class SimulatedFleet {
 public:
  explicit SimulatedFleet(FleetOptions options);
  ~SimulatedFleet();  // ends every stream and waits for it
  SimulatedFleet(const SimulatedFleet&) = delete;
  SimulatedFleet& operator=(const SimulatedFleet&) = delete;

  // Until every agent was welcomed, or one's stream failed (throws with its status).
  void WaitWelcomed(std::chrono::seconds timeout);
  int64_t attempts_finished() const { return finished_; }

 private:
  friend class SimulatedAgent;
  void Welcomed(int heartbeat_seconds);
  void Ended(const std::string& error);
  void Heartbeats();

  FleetOptions options_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
  std::vector<std::unique_ptr<batch::v1::AgentService::Stub>> stubs_;
  std::vector<std::unique_ptr<SimulatedAgent>> agents_;
  std::atomic<int64_t> finished_{0};

  std::mutex mu_;
  std::condition_variable cv_;
  int welcomed_ = 0;
  int ended_ = 0;
  int heartbeat_seconds_ = 5;
  bool stopping_ = false;
  std::string error_;
  std::thread heartbeats_;
};

}  // namespace batchd::bench
