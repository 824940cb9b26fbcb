#pragma once
// The thread the loop's commits run on, one at a time, so that the loop goes on taking in
// agents' reports and placing jobs while PostgreSQL writes the last turn's changes.
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace batchd::dispatch {

class CommitThread {
 public:
  CommitThread();
  ~CommitThread();  // Stop()
  CommitThread(const CommitThread&) = delete;
  CommitThread& operator=(const CommitThread&) = delete;

  // Runs `work` on the thread; the caller waits for the work before it hands in the next.
  void Run(std::function<void()> work);
  // Finishes the work handed in, then ends the thread.
  void Stop();

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<std::function<void()>> work_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace batchd::dispatch
