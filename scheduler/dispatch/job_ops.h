#pragma once
// Changes the loop wants written to jobs, gathered between commits so that many transitions
// share one transaction. Each op is applied to the locked row inside that transaction and
// records what it did, so the loop acts (launch, ack, retry) only on what was committed.
#include <map>
#include <string>
#include <vector>

#include "batch/v1/agent_service.pb.h"
#include "batch/v1/types.pb.h"
#include "core/attempt_transitions.h"
#include "store/store.h"

namespace batchd::dispatch {

struct JobOp {
  // kLeavePending: dependencies decided (RUNNABLE or FAILED), or an array's children ended.
  enum class Kind { kStart, kRunning, kFinish, kUnplaceable, kLeavePending };
  Kind kind = Kind::kStart;
  std::string job_id;
  std::string attempt_id;
  std::string node_id;
  std::string compute_environment;  // kStart
  batch::v1::AttemptStatus status;  // kRunning, kFinish
  std::string reason;               // kUnplaceable, kLeavePending
  batch::v1::JobStatus::Value to = batch::v1::JobStatus::JOB_STATUS_UNSPECIFIED;  // kLeavePending
  bool ack_to_agent = false;  // kFinish reported by the agent: ack once stored
  // Filled when applied inside the transaction.
  bool applied = false;
  batch::v1::LaunchAttempt launch;  // kStart
};

class JobWriteBatch {
 public:
  void Add(JobOp op);
  void AddLog(store::LogRecord log);
  bool empty() const { return ops_.empty() && logs_.empty(); }
  size_t size() const { return ops_.size(); }

  // One transaction for everything gathered; returns the committed jobs by id. Throws (and
  // keeps everything for the next try) when the store fails.
  std::map<std::string, batch::v1::JobDetail> Commit(store::Store& store,
                                                     const core::DispatchSettings& settings,
                                                     int64_t now_ms);
  // The ops of the last successful Commit, in the order they were added; clears the batch.
  std::vector<JobOp> TakeCommitted();
  // A batch whose commit failed goes in front of what was gathered since, to be tried again.
  void Prepend(JobWriteBatch earlier);

 private:
  std::vector<JobOp> ops_;
  std::vector<store::LogRecord> logs_;
};

// The attempt ended for a reason outside the job (node lost, ...): retried without using up
// one of its attempts.
JobOp InfrastructureFailure(const std::string& job_id, const std::string& attempt_id,
                            const std::string& reason, int64_t now_ms);

// Applies one op to the locked job; returns whether it changed the job.
bool ApplyJobOp(JobOp& op, batch::v1::JobDetail& job, const core::DispatchSettings& settings,
                int64_t now_ms);

}  // namespace batchd::dispatch
