#pragma once
// Many clients calling at once, each call timed: the shape of every throughput figure.
#include <chrono>
#include <functional>
#include <vector>

namespace batchd::bench {

// Runs `threads` threads, each taking the next of `calls` numbers and calling
// `call(thread, number)`; returns the time all took and adds each call's duration in ms to
// `call_ms`. The first exception stops every thread and is thrown again, as a runtime_error.
std::chrono::steady_clock::duration RunConcurrently(
    int threads, int calls, const std::function<void(int thread, int number)>& call,
    std::vector<double>& call_ms);

}  // namespace batchd::bench
