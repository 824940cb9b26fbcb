#pragma once
// Group commit for submissions: calls that arrive while a submission is being written wait,
// and the next free writer writes all that waited in one transaction. Under load one commit
// (one WAL flush) then acknowledges many SubmitJob calls; alone, a call is written at once.
// The writers are the batcher's own threads, so that a gRPC callback handler only queues its
// call and returns: no thread is parked per call in flight.
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "store/store.h"

namespace batchd::service {

class SubmitBatcher {
 public:
  // Writes jobs in one transaction, all or none (Store::InsertJobs).
  using Insert =
      std::function<std::vector<batch::v1::SubmitJobResponse>(const std::vector<store::NewJob>&)>;
  // Told, on a writer's thread, what Insert(jobs) answered: `written`, or `error` set.
  using Done = std::function<void(const std::vector<store::NewJob>& jobs,
                                  std::vector<batch::v1::SubmitJobResponse> written,
                                  std::exception_ptr error)>;

  // `max_jobs`: the most jobs one grouped transaction takes (a caller's own call may exceed it
  // and is then written alone). `max_writers`: transactions in flight at once; more than one
  // keeps the database busy while a commit waits for its WAL flush.
  SubmitBatcher(Insert insert, size_t max_jobs, int max_writers = 1);
  // Writes what is queued, then stops the writers.
  ~SubmitBatcher();
  SubmitBatcher(const SubmitBatcher&) = delete;
  SubmitBatcher& operator=(const SubmitBatcher&) = delete;

  // Queues `jobs` and returns; `done` is called once they are committed or refused. A group
  // that fails is written again one call at a time, so each caller gets its own answer.
  void Submit(std::vector<store::NewJob> jobs, Done done);

  // Blocks until `jobs` are committed; answers as Insert(jobs) would.
  std::vector<batch::v1::SubmitJobResponse> Write(const std::vector<store::NewJob>& jobs);

  // Calls waiting for a writer (for tests).
  size_t waiting();

 private:
  struct Call {
    // Submit's jobs are the call's own; Write's stay the blocked caller's, not copied.
    std::vector<store::NewJob> owned;
    const std::vector<store::NewJob>* borrowed = nullptr;
    Done done;
    std::vector<batch::v1::SubmitJobResponse> written;
    std::exception_ptr error;
    const std::vector<store::NewJob>& jobs() const { return borrowed ? *borrowed : owned; }
  };
  void Enqueue(Call call);
  void RunWriter();
  void WriteGroup(std::vector<Call>& group);
  void WriteAlone(Call& call);

  const Insert insert_;
  const size_t max_jobs_;
  std::mutex mu_;
  std::condition_variable queued_;
  std::deque<Call> waiting_;
  bool stopping_ = false;
  std::vector<std::thread> writers_;
};

}  // namespace batchd::service
