#pragma once
#include <chrono>
#include <functional>

namespace batchd::testing {

// Polls `done` every few milliseconds until it returns true or `timeout` passes; returns
// whether it became true. Tests wait with this, never with a fixed sleep.
bool PollUntil(const std::function<bool()>& done,
               std::chrono::milliseconds timeout = std::chrono::seconds(20));

}  // namespace batchd::testing
