#pragma once
#include <chrono>
#include <functional>

namespace batchd::testing {

// Polls `done` every few milliseconds until it returns true or `timeout` passes; returns
// whether it became true. Tests wait with this, never with a fixed sleep.
// `interval` is the pause between tries: longer where each try is costly (a benchmark's
// progress query must not take the CPU it measures).
bool PollUntil(const std::function<bool()>& done,
               std::chrono::milliseconds timeout = std::chrono::seconds(20),
               std::chrono::milliseconds interval = std::chrono::milliseconds(3));

}  // namespace batchd::testing
