#include "service/submit_batcher.h"

#include <algorithm>

namespace batchd::service {

using batch::v1::SubmitJobResponse;

SubmitBatcher::SubmitBatcher(Insert insert, size_t max_jobs, int max_writers)
    : insert_(std::move(insert)), max_jobs_(max_jobs), max_writers_(std::max(1, max_writers)) {}

std::vector<SubmitJobResponse> SubmitBatcher::Write(const std::vector<store::NewJob>& jobs) {
  Call me{&jobs, {}, nullptr, false, {}};
  std::unique_lock lock(mu_);
  waiting_.push_back(&me);
  while (!me.done) {
    if (writers_ >= max_writers_ || waiting_.empty()) {
      me.cv.wait(lock);
      continue;
    }
    // Whoever finds a writer's place free writes for everyone waiting, in arrival order.
    std::vector<Call*> group;
    size_t count = 0;
    while (!waiting_.empty() &&
           (group.empty() || count + waiting_.front()->jobs->size() <= max_jobs_)) {
      count += waiting_.front()->jobs->size();
      group.push_back(waiting_.front());
      waiting_.pop_front();
    }
    ++writers_;
    // Calls left over (the group was full) need not wait for this one when a place is free.
    if (writers_ < max_writers_ && !waiting_.empty()) waiting_.front()->cv.notify_one();
    lock.unlock();
    WriteGroup(group);
    lock.lock();
    --writers_;
    for (Call* call : group) {
      call->done = true;
      if (call != &me) call->cv.notify_one();
    }
    // The writer's place is free: the first caller waiting takes it (and all behind it).
    if (!waiting_.empty()) waiting_.front()->cv.notify_one();
  }
  if (me.error) std::rethrow_exception(me.error);
  return std::move(me.written);
}

size_t SubmitBatcher::waiting() {
  std::lock_guard lock(mu_);
  return waiting_.size();
}

void SubmitBatcher::WriteGroup(const std::vector<Call*>& group) {
  if (group.size() == 1) {
    WriteAlone(*group.front());
    return;
  }
  std::vector<store::NewJob> all;
  for (const Call* call : group) all.insert(all.end(), call->jobs->begin(), call->jobs->end());
  std::vector<SubmitJobResponse> written;
  try {
    written = insert_(all);
  } catch (...) {
    // One call's fault (a queue disabled meanwhile, a clientToken reused) is its own: the
    // others are written without it.
    for (Call* call : group) WriteAlone(*call);
    return;
  }
  size_t next = 0;
  for (Call* call : group) {
    const size_t n = call->jobs->size();
    call->written.assign(std::make_move_iterator(written.begin() + next),
                         std::make_move_iterator(written.begin() + next + n));
    next += n;
  }
}

void SubmitBatcher::WriteAlone(Call& call) {
  try {
    call.written = insert_(*call.jobs);
  } catch (...) {
    call.error = std::current_exception();
  }
}

}  // namespace batchd::service
