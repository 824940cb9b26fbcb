#pragma once
// Group commit for submissions: callers that arrive while a submission is being written wait,
// and the next of them writes all that waited in one transaction. Under load one commit (one
// WAL flush) then acknowledges many SubmitJob calls; alone, a call is written at once.
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <vector>

#include "store/store.h"

namespace batchd::service {

class SubmitBatcher {
 public:
  // Writes jobs in one transaction, all or none (Store::InsertJobs).
  using Insert =
      std::function<std::vector<batch::v1::SubmitJobResponse>(const std::vector<store::NewJob>&)>;

  // `max_jobs`: the most jobs one grouped transaction takes (a caller's own call may exceed it
  // and is then written alone). `max_writers`: transactions in flight at once; more than one
  // keeps the database busy while a commit waits for its WAL flush.
  SubmitBatcher(Insert insert, size_t max_jobs, int max_writers = 1);

  // Blocks until `jobs` are committed; answers as Insert(jobs) would. A group that fails is
  // written again one call at a time, so each caller gets its own answer or error.
  std::vector<batch::v1::SubmitJobResponse> Write(const std::vector<store::NewJob>& jobs);

  // Calls waiting for a writer (for tests).
  size_t waiting();

 private:
  struct Call {
    const std::vector<store::NewJob>* jobs;
    std::vector<batch::v1::SubmitJobResponse> written;
    std::exception_ptr error;
    bool done = false;
    // Its own: a finished group wakes its callers and at most one next writer, not every
    // caller waiting (with 16 clients, waking all for each commit cost more than the SQL).
    std::condition_variable cv;
  };
  void WriteGroup(const std::vector<Call*>& group);
  void WriteAlone(Call& call);

  const Insert insert_;
  const size_t max_jobs_;
  const int max_writers_;
  std::mutex mu_;
  std::deque<Call*> waiting_;
  int writers_ = 0;
};

}  // namespace batchd::service
