#pragma once
// The agent's runtime: one event loop that ties the executor, the log shipper and the stream to
// batchd together. It dials batchd, says hello, runs what batchd launches, reports statuses and
// output, reconnects with backoff when the stream breaks (jobs keep running meanwhile; their
// results and logs wait on disk), and drains on request.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "agent/agent_options.h"
#include "agent/executor/executor.h"

namespace batchd::agent {

inline constexpr char kAgentVersion[] = "0.1.0";

// Exit codes of Run().
inline constexpr int kExitDrained = 0;
inline constexpr int kExitFatal = 1;  // batchd rejected the join token; attempts did not die

struct AgentTimings {
  std::chrono::milliseconds log_poll{50};
  // How long a busy agent may hold back a RUNNING report (LogShipper): they go up together,
  // and a short job's goes up only as its final status. Nomad's clients batch theirs by 200 ms.
  std::chrono::milliseconds running_hold{50};
  // From hello to Welcome; a batchd that accepts the stream but never answers is dialled again.
  std::chrono::milliseconds welcome_timeout{15000};
  std::chrono::milliseconds backoff_initial{100};
  std::chrono::milliseconds backoff_max{5000};
  // Drained: how long to wait for batchd to acknowledge the last results before Goodbye.
  std::chrono::milliseconds ack_wait{5000};
  // After Goodbye: how long batchd has to end the stream.
  std::chrono::milliseconds goodbye_wait{5000};
};

class Agent {
 public:
  using ExecutorFactory = std::function<std::unique_ptr<Executor>(Executor::StatusCallback)>;

  // Loads or creates the node id in options.work_dir and builds the executor (its callback
  // feeds this agent's loop). Throws std::runtime_error when the work dir is unusable.
  Agent(AgentOptions options, const ExecutorFactory& make_executor, AgentTimings timings = {});
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Runs the loop on the calling thread until the agent drained and said goodbye
  // (kExitDrained) or must stop (kExitFatal).
  int Run();

  // Thread-safe, what SIGTERM does: stop taking work, let running attempts finish within the
  // drain grace, report everything, say goodbye. A second request ends the grace at once.
  void RequestDrain();

  const std::string& node_id() const;

 private:
  class Loop;
  std::unique_ptr<Loop> loop_;
};

}  // namespace batchd::agent
