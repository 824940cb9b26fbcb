#include "concurrent_calls.h"

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "bench_report.h"

namespace batchd::bench {

std::chrono::steady_clock::duration RunConcurrently(
    int threads, int calls, const std::function<void(int thread, int number)>& call,
    std::vector<double>& call_ms) {
  using SteadyClock = std::chrono::steady_clock;
  std::atomic<int> next{0};
  std::atomic<bool> failed{false};
  std::string failure;
  std::mutex mu;
  std::vector<std::thread> running;
  const auto start = SteadyClock::now();
  for (int t = 0; t < threads; ++t) {
    running.emplace_back([&, t] {
      std::vector<double> mine;
      try {
        for (int i = next++; i < calls && !failed; i = next++) {
          const auto before = SteadyClock::now();
          call(t, i);
          mine.push_back(Millis(SteadyClock::now() - before));
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(mu);
        failed = true;
        failure = e.what();
      }
      std::lock_guard lock(mu);
      call_ms.insert(call_ms.end(), mine.begin(), mine.end());
    });
  }
  for (auto& thread : running) thread.join();
  if (failed) throw std::runtime_error(failure);
  return SteadyClock::now() - start;
}

}  // namespace batchd::bench
