#include "dispatch/job_ops.h"

#include <iterator>
#include <unordered_map>
#include <utility>

#include "core/dependencies.h"

namespace batchd::dispatch {

using batch::v1::JobDetail;

bool ApplyJobOp(JobOp& op, JobDetail& job, const core::DispatchSettings& settings, int64_t now_ms) {
  switch (op.kind) {
    case JobOp::Kind::kStart:
      op.applied = core::StartAttempt(job, op.attempt_id, op.node_id, op.compute_environment,
                                      settings, &op.launch);
      break;
    case JobOp::Kind::kRunning:
      op.applied = core::MarkRunning(job, op.status);
      break;
    case JobOp::Kind::kFinish:
      op.applied = core::FinishAttempt(job, op.status, settings, now_ms).applied;
      break;
    case JobOp::Kind::kUnplaceable:
      op.applied = core::FailUnplaceable(job, op.reason, now_ms);
      break;
    case JobOp::Kind::kLeavePending:
      op.applied = core::LeavePending(job, op.to, op.reason, now_ms);
      break;
  }
  return op.applied;
}

JobOp InfrastructureFailure(const std::string& job_id, const std::string& attempt_id,
                            const std::string& reason, int64_t now_ms) {
  JobOp op;
  op.kind = JobOp::Kind::kFinish;
  op.job_id = job_id;
  op.attempt_id = attempt_id;
  op.status.set_attempt_id(attempt_id);
  op.status.set_infrastructure(true);
  op.status.set_reason(reason);
  op.status.set_at(now_ms);
  return op;
}

void JobWriteBatch::Add(JobOp op) { ops_.push_back(std::move(op)); }

void JobWriteBatch::AddLog(store::LogRecord log) { logs_.push_back(std::move(log)); }

std::map<std::string, JobDetail> JobWriteBatch::Commit(store::Store& store,
                                                       const core::DispatchSettings& settings,
                                                       int64_t now_ms) {
  std::unordered_map<std::string, std::vector<JobOp*>> by_job;
  std::vector<std::string> ids;
  for (JobOp& op : ops_) {
    auto& list = by_job[op.job_id];
    if (list.empty()) ids.push_back(op.job_id);
    list.push_back(&op);
  }
  auto changed = store.UpdateJobs(
      ids,
      [&](JobDetail& job) {
        bool any = false;
        for (JobOp* op : by_job[job.job_id()]) {
          op->applied = false;  // the transaction may run again after a conflict
          any |= ApplyJobOp(*op, job, settings, now_ms);
        }
        return any;
      },
      logs_);
  std::map<std::string, JobDetail> out;
  for (JobDetail& job : changed) {
    std::string id = job.job_id();
    out.emplace(std::move(id), std::move(job));
  }
  logs_.clear();
  return out;
}

std::vector<JobOp> JobWriteBatch::TakeCommitted() {
  std::vector<JobOp> out;
  out.swap(ops_);
  return out;
}

void JobWriteBatch::Prepend(JobWriteBatch earlier) {
  earlier.ops_.insert(earlier.ops_.end(), std::make_move_iterator(ops_.begin()),
                      std::make_move_iterator(ops_.end()));
  earlier.logs_.insert(earlier.logs_.end(), std::make_move_iterator(logs_.begin()),
                       std::make_move_iterator(logs_.end()));
  ops_ = std::move(earlier.ops_);
  logs_ = std::move(earlier.logs_);
}

}  // namespace batchd::dispatch
