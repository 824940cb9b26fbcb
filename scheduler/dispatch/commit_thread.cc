#include "dispatch/commit_thread.h"

#include <stdexcept>

namespace batchd::dispatch {

CommitThread::CommitThread() : thread_([this] { Loop(); }) {}

CommitThread::~CommitThread() { Stop(); }

void CommitThread::Run(std::function<void()> work) {
  std::lock_guard lock(mu_);
  // The caller waits for each commit: two at once could lock one job in the wrong order.
  if (work_) throw std::logic_error("CommitThread: the last commit has not started");
  work_ = std::move(work);
  cv_.notify_one();
}

void CommitThread::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

void CommitThread::Loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || work_.has_value(); });
    if (!work_) return;  // stopping, with nothing left to finish
    // Taken before it runs: the work's last step may let the caller hand in the next.
    std::function<void()> work = std::move(*work_);
    work_.reset();
    lock.unlock();
    work();
    lock.lock();
  }
}

}  // namespace batchd::dispatch
