#pragma once
#include <chrono>
#include <string>

namespace batchd::server {

// SIGTERM and SIGINT are blocked from construction on, in this thread and in every thread it
// starts later (gRPC's, libpq's), so they arrive only through Wait(). Construct it first in
// main, before any thread exists. SIGPIPE is ignored: a peer that hangs up is an error return.
class ShutdownSignals {
 public:
  ShutdownSignals();
  // Leaves the signals blocked: a second SIGTERM still pending at exit must not turn a clean
  // exit 0 into death by signal.
  ~ShutdownSignals() = default;
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

  // The signal that arrived, or 0 when `timeout` passed first.
  int Wait(std::chrono::milliseconds timeout);
};

std::string SignalName(int sig);

}  // namespace batchd::server
