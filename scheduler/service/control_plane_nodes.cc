// Nodes, explanations and logs: what the scheduler's live view and the stored attempts say.
#include <algorithm>

#include "api/api_error.h"
#include "api/job_states.h"
#include "api/names.h"
#include "api/validation.h"
#include "service/control_plane.h"

namespace batchd::service {

using namespace batch::v1;

namespace {

constexpr int kLogPageDefaultBytes = 1 << 20;
constexpr int kLogPageMaxBytes = 4 << 20;

JobDetail LoadJob(store::Store& store, const std::string& field, const std::string& ref) {
  const std::string id = api::JobIdFromRef(field, ref);
  auto jobs = store.DescribeJobs({id});
  if (jobs.empty()) api::ThrowNotFound("job " + id + " not found");
  return std::move(jobs.front());
}

std::string DescribeAttempt(const AttemptDetail& a) {
  std::string line = "attempt " + std::to_string(a.attempt_number());
  if (!a.node_id().empty()) line += " on node " + a.node_id();
  if (a.stopped_at() == 0) return line + ": in progress";
  line += ": " + a.status_reason();
  if (a.infrastructure_failure()) line += " (not counted against retryStrategy.attempts)";
  return line;
}

}  // namespace

ListNodesResponse ControlPlane::ListNodes(const ListNodesRequest& req) {
  std::string ce;
  if (!req.compute_environment().empty()) {
    ce = api::NameFromRef("computeEnvironment", req.compute_environment(),
                          api::kComputeEnvironmentKind);
  }
  for (int i = 0; i < req.states_size(); ++i) {
    if (req.states(i) == NodeState::NODE_STATE_UNSPECIFIED) {
      api::ThrowInvalid("states[" + std::to_string(i) + "]", "must name a node state");
    }
  }
  std::vector<NodeDetail> nodes = hooks_ != nullptr ? hooks_->Nodes() : store_.LoadNodes();
  ListNodesResponse resp;
  for (auto& node : nodes) {
    if (!ce.empty() && node.compute_environment() != ce) continue;
    if (req.states_size() > 0 &&
        std::find(req.states().begin(), req.states().end(), node.state()) == req.states().end()) {
      continue;
    }
    *resp.add_nodes() = std::move(node);
  }
  return resp;
}

ListEventsResponse ControlPlane::ListEvents(const ListEventsRequest& req) {
  if (req.compute_environment().empty()) {
    api::ThrowInvalid("computeEnvironment", "is required (a name or ARN)");
  }
  const std::string ce = api::NameFromRef("computeEnvironment", req.compute_environment(),
                                          api::kComputeEnvironmentKind);
  api::ValidatePageSize("maxResults", req.max_results(), 1000);
  auto page = store_.ListEvents(ce, req.max_results(), req.next_token());
  ListEventsResponse resp;
  for (auto& event : page.items) *resp.add_events() = std::move(event);
  resp.set_next_token(page.next_token);
  return resp;
}

ReclaimNodeResponse ControlPlane::ReclaimNode(const ReclaimNodeRequest& req) {
  if (req.node_id().empty()) api::ThrowInvalid("nodeId", "is required");
  if (req.reason().size() > 1024) api::ThrowInvalid("reason", "at most 1024 characters");
  if (hooks_ == nullptr) api::ThrowFailedPrecondition("the scheduler is not running");
  auto node = hooks_->ReclaimNode(
      req.node_id(), req.reason().empty() ? "reclaimed by its provider" : req.reason());
  if (!node) api::ThrowNotFound("node \"" + req.node_id() + "\" not found");
  ReclaimNodeResponse resp;
  *resp.mutable_node() = std::move(*node);
  return resp;
}

ExplainJobResponse ControlPlane::ExplainJob(const ExplainJobRequest& req) {
  const JobDetail job = LoadJob(store_, "jobId", req.job_id());
  ExplainJobResponse resp;
  switch (job.status()) {
    case JobStatus::RUNNABLE:
    case JobStatus::STARTING:
    case JobStatus::RUNNING:
      if (hooks_ != nullptr) {
        resp = hooks_->Explain(job);
      } else {
        resp.set_summary("the scheduler is not running");
      }
      break;
    case JobStatus::PENDING: {
      // The scheduler knows what is still unmet (and, for an array, how its children fare).
      if (hooks_ != nullptr) resp = hooks_->Explain(job);
      if (resp.summary().empty()) resp.set_summary("waiting on dependencies");
      std::vector<std::string> ids;
      for (const auto& dep : job.depends_on()) {
        if (!dep.job_id().empty()) ids.push_back(dep.job_id());
      }
      std::map<std::string, JobStatus::Value> statuses;
      for (const auto& dep : store_.DescribeJobs(ids)) statuses[dep.job_id()] = dep.status();
      for (const auto& dep : job.depends_on()) {
        if (dep.job_id().empty()) continue;
        auto it = statuses.find(dep.job_id());
        resp.add_details("depends on " + dep.job_id() + ": " +
                         (it == statuses.end() ? std::string("no longer stored")
                                               : std::string(api::JobStatusName(it->second))));
      }
      break;
    }
    case JobStatus::SUBMITTED:
      resp.set_summary("being submitted");
      break;
    case JobStatus::SUCCEEDED:
      resp.set_summary("succeeded");
      break;
    case JobStatus::FAILED:
      resp.set_summary(job.status_reason().empty() ? "failed" : job.status_reason());
      break;
    case JobStatus::JOB_STATUS_UNSPECIFIED:
    case batch::v1::JobStatus_Value_JobStatus_Value_INT_MIN_SENTINEL_DO_NOT_USE_:
    case batch::v1::JobStatus_Value_JobStatus_Value_INT_MAX_SENTINEL_DO_NOT_USE_:
      break;
  }
  resp.set_job_id(job.job_id());
  resp.set_status(job.status());
  for (const auto& attempt : job.attempts()) resp.add_details(DescribeAttempt(attempt));
  return resp;
}

GetJobLogsResponse ControlPlane::GetJobLogs(const GetJobLogsRequest& req) {
  const JobDetail job = LoadJob(store_, "jobId", req.job_id());
  if (req.max_bytes() < 0 || req.max_bytes() > kLogPageMaxBytes) {
    api::ThrowInvalid("maxBytes", "must be between 1 and " + std::to_string(kLogPageMaxBytes));
  }
  GetJobLogsResponse resp;
  if (req.has_attempt() && (req.attempt() < 1 || req.attempt() > job.attempts_size())) {
    api::ThrowInvalid("attempt", "job " + job.job_id() + " has " +
                                     std::to_string(job.attempts_size()) +
                                     " attempt(s); give a number from 1");
  }
  if (job.attempts_size() == 0) {
    resp.set_attempt_finished(api::IsTerminal(job.status()));
    resp.set_next_token(req.next_token());
    return resp;
  }
  const int index = req.has_attempt() ? req.attempt() - 1 : job.attempts_size() - 1;
  const AttemptDetail& attempt = job.attempts(index);
  auto page = store_.ReadLogs(attempt.attempt_id(), req.next_token(),
                              req.max_bytes() == 0 ? kLogPageDefaultBytes : req.max_bytes());
  for (auto& record : page.records) {
    LogEvent* event = resp.add_events();
    event->set_timestamp(record.at);
    event->set_stream(record.stream);
    event->set_message(std::move(record.data));
  }
  resp.set_next_token(page.next_token);
  resp.set_attempt(attempt.attempt_number() != 0 ? attempt.attempt_number() : index + 1);
  resp.set_truncated(page.truncated);
  // Logs are stored no later than the attempt's end, so a stopped attempt has them all.
  resp.set_attempt_finished(attempt.stopped_at() != 0);
  return resp;
}

}  // namespace batchd::service
