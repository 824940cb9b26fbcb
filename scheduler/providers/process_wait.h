#pragma once
#include <sys/types.h>

#include <chrono>
#include <optional>

namespace batchd::providers {

// Waits for the child `pid` to exit, polling, for at most `patience`; reaps it. Its wait
// status, or nullopt when it still runs. A child reaped elsewhere counts as exited (0).
std::optional<int> WaitForExit(pid_t pid, std::chrono::milliseconds patience);

}  // namespace batchd::providers
