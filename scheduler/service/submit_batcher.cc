#include "service/submit_batcher.h"

#include <algorithm>
#include <future>

namespace batchd::service {

using batch::v1::SubmitJobResponse;

SubmitBatcher::SubmitBatcher(Insert insert, size_t max_jobs, int max_writers)
    : insert_(std::move(insert)), max_jobs_(max_jobs) {
  for (int i = 0; i < std::max(1, max_writers); ++i) writers_.emplace_back([this] { RunWriter(); });
}

SubmitBatcher::~SubmitBatcher() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  queued_.notify_all();
  for (auto& writer : writers_) writer.join();
}

void SubmitBatcher::Submit(std::vector<store::NewJob> jobs, Done done) {
  Enqueue(Call{std::move(jobs), nullptr, std::move(done), {}, nullptr});
}

void SubmitBatcher::Enqueue(Call call) {
  {
    std::lock_guard lock(mu_);
    waiting_.push_back(std::move(call));
  }
  queued_.notify_one();
}

std::vector<SubmitJobResponse> SubmitBatcher::Write(const std::vector<store::NewJob>& jobs) {
  std::promise<std::vector<SubmitJobResponse>> answer;
  Enqueue(Call{
      {},
      &jobs,
      [&answer](const auto&, std::vector<SubmitJobResponse> written, std::exception_ptr error) {
        if (error) {
          answer.set_exception(error);
        } else {
          answer.set_value(std::move(written));
        }
      },
      {},
      nullptr});
  return answer.get_future().get();
}

size_t SubmitBatcher::waiting() {
  std::lock_guard lock(mu_);
  return waiting_.size();
}

void SubmitBatcher::RunWriter() {
  std::unique_lock lock(mu_);
  for (;;) {
    queued_.wait(lock, [&] { return stopping_ || !waiting_.empty(); });
    if (waiting_.empty()) return;  // stopping, and nothing is left to write
    // The writer takes everyone waiting, in arrival order, up to a group's worth of jobs.
    std::vector<Call> group;
    size_t count = 0;
    while (!waiting_.empty() &&
           (group.empty() || count + waiting_.front().jobs().size() <= max_jobs_)) {
      count += waiting_.front().jobs().size();
      group.push_back(std::move(waiting_.front()));
      waiting_.pop_front();
    }
    // Calls left over (the group was full) need not wait for this one when a writer is free.
    if (!waiting_.empty()) queued_.notify_one();
    lock.unlock();
    WriteGroup(group);
    for (Call& call : group) call.done(call.jobs(), std::move(call.written), call.error);
    lock.lock();
  }
}

void SubmitBatcher::WriteGroup(std::vector<Call>& group) {
  if (group.size() == 1) {
    WriteAlone(group.front());
    return;
  }
  std::vector<store::NewJob> all;
  for (const Call& call : group) all.insert(all.end(), call.jobs().begin(), call.jobs().end());
  std::vector<SubmitJobResponse> written;
  try {
    written = insert_(all);
  } catch (...) {
    // One call's fault (a queue disabled meanwhile, a clientToken reused) is its own: the
    // others are written without it.
    for (Call& call : group) WriteAlone(call);
    return;
  }
  size_t next = 0;
  for (Call& call : group) {
    const size_t n = call.jobs().size();
    call.written.assign(std::make_move_iterator(written.begin() + next),
                        std::make_move_iterator(written.begin() + next + n));
    next += n;
  }
}

void SubmitBatcher::WriteAlone(Call& call) {
  try {
    call.written = insert_(call.jobs());
  } catch (...) {
    call.error = std::current_exception();
  }
}

}  // namespace batchd::service
