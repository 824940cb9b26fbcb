// Jobs: submission, queries, cancel and terminate.
#include <algorithm>
#include <charconv>
#include <map>
#include <unordered_map>

#include "api/api_error.h"
#include "api/array_jobs.h"
#include "api/job_states.h"
#include "api/names.h"
#include "core/dependencies.h"
#include "core/job_spec.h"
#include "service/control_plane.h"

namespace batchd::service {

using namespace batch::v1;

namespace {

constexpr int kListPageDefault = 100;
constexpr int kListPageCapWithFilters = 100;

// Definitions looked up once per distinct reference in a submission batch.
// Job details leave the API in AWS's form: the queue as an ARN.
void ToApiForm(JobDetail* job) {
  if (!job->job_queue().starts_with("arn:")) {
    job->set_job_queue(api::MakeArn(api::kJobQueueKind, job->job_queue()));
  }
}

int64_t ParseMillis(const std::string& field, const std::string& text) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v < 0) {
    api::ThrowInvalid(field, "must be a time in epoch milliseconds (got \"" + text + "\")");
  }
  return v;
}

// N_TO_N pairs child i with child i of an array of the same size.
void CheckNToN(const std::string& field, const JobDetail& dependency, int size) {
  if (!api::IsArrayParent(dependency)) {
    api::ThrowInvalid(field, "N_TO_N needs an array job; " + dependency.job_id() + " is not one");
  }
  if (dependency.array_properties().size() != size) {
    api::ThrowInvalid(field, "N_TO_N needs arrays of the same size; " + dependency.job_id() +
                                 " has " + std::to_string(dependency.array_properties().size()) +
                                 " children and this one " + std::to_string(size));
  }
}

void ApplyFilter(const KeyValuesPair& filter, store::JobQuery* q) {
  const std::string field = "filters[0]";
  if (filter.values_size() != 1) api::ThrowInvalid(field + ".values", "needs exactly one value");
  const std::string& v = filter.values(0);
  if (filter.name() == "JOB_NAME") {
    if (v.empty()) api::ThrowInvalid(field + ".values[0]", "must not be empty");
    if (v.ends_with("*")) {
      q->name_prefix = v.substr(0, v.size() - 1);
    } else {
      q->name_exact = v;
    }
  } else if (filter.name() == "JOB_DEFINITION") {
    std::string text = v;
    if (text.ends_with("*")) {
      q->definition_is_prefix = true;
      text.pop_back();
      q->definition_name = text;
      return;
    }
    auto ref = api::ParseDefinitionRef(field + ".values[0]", text);
    q->definition_name = ref.name;
    q->definition_revision = ref.revision;
  } else if (filter.name() == "BEFORE_CREATED_AT") {
    q->created_before = ParseMillis(field + ".values[0]", v);
  } else if (filter.name() == "AFTER_CREATED_AT") {
    q->created_after = ParseMillis(field + ".values[0]", v);
  } else {
    api::ThrowInvalid(
        field + ".name",
        "must be JOB_NAME, JOB_DEFINITION, BEFORE_CREATED_AT or AFTER_CREATED_AT (got \"" +
            filter.name() + "\")");
  }
}

}  // namespace

SubmitJobResponse ControlPlane::SubmitJob(const SubmitJobRequest& req) {
  SubmitJobsRequest batch;
  *batch.add_jobs() = req;
  auto resp = SubmitJobs(batch);
  return resp.jobs(0);
}

void ControlPlane::SubmitJobAsync(const SubmitJobRequest& req, SubmitJobDone done) {
  SubmitJobsRequest batch;
  *batch.add_jobs() = req;
  submits_.Submit(PrepareJobs(batch),
                  [this, done = std::move(done)](const std::vector<store::NewJob>& jobs,
                                                 std::vector<SubmitJobResponse> written,
                                                 std::exception_ptr error) {
                    if (!error) {
                      try {
                        JobsWritten(jobs, written);
                      } catch (...) {
                        error = std::current_exception();
                      }
                    }
                    done(error ? nullptr : &written.at(0), error);
                  });
}

SubmitJobsResponse ControlPlane::SubmitJobs(const SubmitJobsRequest& req) {
  std::vector<store::NewJob> jobs = PrepareJobs(req);
  auto written = submits_.Write(jobs);
  JobsWritten(jobs, written);
  SubmitJobsResponse resp;
  for (auto& w : written) *resp.add_jobs() = std::move(w);
  return resp;
}

void ControlPlane::JobsWritten(const std::vector<store::NewJob>& jobs,
                               const std::vector<SubmitJobResponse>& written) {
  if (hooks_ == nullptr) return;
  // A retried submit (same clientToken) answers with the stored job: only new ones count.
  std::vector<JobDetail> inserted;
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (written[i].job_id() == jobs[i].detail.job_id()) inserted.push_back(jobs[i].detail);
  }
  hooks_->JobsSubmitted(inserted);
}

std::vector<store::NewJob> ControlPlane::PrepareJobs(const SubmitJobsRequest& req) {
  const bool batched = req.jobs_size() > 1;
  if (req.jobs_size() == 0) api::ThrowInvalid("jobs", "needs at least one job");
  if (req.jobs_size() > limits_.max_batch_submit) {
    api::ThrowInvalid("jobs",
                      "at most " + std::to_string(limits_.max_batch_submit) + " jobs in one call");
  }
  auto prefix = [&](int i) { return batched ? "jobs[" + std::to_string(i) + "]." : std::string(); };
  // Everything is validated before anything is written: one bad job rejects the whole batch.
  for (int i = 0; i < req.jobs_size(); ++i) api::ValidateSubmitJob(req.jobs(i), limits_, prefix(i));
  std::vector<std::string> dep_ids;
  for (const auto& job : req.jobs()) {
    for (const auto& d : job.depends_on()) {
      if (d.type() != ArrayJobDependency::SEQUENTIAL) {
        dep_ids.push_back(api::JobIdFromRef("dependsOn", d.job_id()));
      }
    }
  }
  std::unordered_map<std::string, JobDetail> dep_jobs;
  if (!dep_ids.empty()) {
    std::sort(dep_ids.begin(), dep_ids.end());
    dep_ids.erase(std::unique(dep_ids.begin(), dep_ids.end()), dep_ids.end());
    for (auto& j : store_.DescribeJobs(dep_ids)) {
      std::string id = j.job_id();
      dep_jobs.emplace(std::move(id), std::move(j));
    }
  }

  const int64_t now = clock_.NowMillis();
  std::unordered_map<std::string, JobDefinition> used_definitions;
  std::vector<store::NewJob> jobs;
  jobs.reserve(req.jobs_size());
  for (int i = 0; i < req.jobs_size(); ++i) {
    SubmitJobRequest r = req.jobs(i);
    r.set_job_queue(api::NameFromRef(prefix(i) + "jobQueue", r.job_queue(), api::kJobQueueKind));
    // A batch of a thousand jobs names a few definitions: each is fetched (and copied) once.
    auto known = used_definitions.find(r.job_definition());
    if (known == used_definitions.end()) {
      known = used_definitions
                  .emplace(r.job_definition(),
                           definitions_.Get(prefix(i) + "jobDefinition", r.job_definition()))
                  .first;
    }
    const JobDefinition& def = known->second;
    std::vector<core::DependencyState> whole_job;
    for (int k = 0; k < r.depends_on_size(); ++k) {
      auto& d = *r.mutable_depends_on(k);
      if (d.type() == ArrayJobDependency::SEQUENTIAL) continue;
      const std::string field = prefix(i) + "dependsOn[" + std::to_string(k) + "].jobId";
      std::string id = api::JobIdFromRef("dependsOn", d.job_id());
      auto it = dep_jobs.find(id);
      if (it == dep_jobs.end()) api::ThrowInvalid(field, "job " + id + " does not exist");
      d.set_job_id(id);
      if (d.type() == ArrayJobDependency::N_TO_N) {
        CheckNToN(field, it->second, r.array_properties().size());
        continue;
      }
      whole_job.push_back({id, d.condition(), it->second.status()});
    }
    store::NewJob job;
    job.request_fingerprint = core::RequestFingerprint(req.jobs(i));
    job.detail = core::BuildJobDetail(def, r, api::NewUuid(), now);
    auto initial = core::DecideInitialState(whole_job);
    const bool array = api::IsArrayParent(job.detail);
    if (array && initial.status != JobStatus::FAILED) {
      // The parent never runs: it is PENDING while its children wait and run. An empty reason
      // tells the scheduler that its children are released already.
      const bool released =
          initial.status == JobStatus::RUNNABLE && !api::HasPerChildDependencies(job.detail);
      job.children_status = released ? JobStatus::RUNNABLE : JobStatus::PENDING;
      initial.status = JobStatus::PENDING;
    }
    job.detail.set_status(initial.status);
    job.detail.set_status_reason(initial.reason);
    if (initial.status == JobStatus::FAILED) job.detail.set_stopped_at(now);
    jobs.push_back(std::move(job));
  }
  return jobs;
}

DescribeJobsResponse ControlPlane::DescribeJobs(const DescribeJobsRequest& req) {
  if (req.jobs_size() == 0) api::ThrowInvalid("jobs", "needs at least one job id");
  if (req.jobs_size() > limits_.max_describe_jobs) {
    api::ThrowInvalid("jobs",
                      "at most " + std::to_string(limits_.max_describe_jobs) + " job ids per call");
  }
  std::vector<std::string> ids;
  for (int i = 0; i < req.jobs_size(); ++i) {
    ids.push_back(api::JobIdFromRef("jobs[" + std::to_string(i) + "]", req.jobs(i)));
  }
  DescribeJobsResponse resp;
  for (auto& job : store_.DescribeJobs(ids)) {
    ToApiForm(&job);
    *resp.add_jobs() = std::move(job);
  }
  return resp;
}

ListJobsResponse ControlPlane::ListJobs(const ListJobsRequest& req) {
  store::JobQuery q;
  if (!req.multi_node_job_id().empty()) {
    api::ThrowInvalid("multiNodeJobId", "multi-node jobs are not available in batchd");
  }
  if (!req.job_queue().empty() && !req.array_job_id().empty()) {
    api::ThrowInvalid("jobQueue", "give jobQueue or arrayJobId, not both");
  }
  if (!req.job_queue().empty()) {
    q.queue = api::NameFromRef("jobQueue", req.job_queue(), api::kJobQueueKind);
    if (!store_.GetJobQueue(q.queue)) api::ThrowNotFound("job queue \"" + q.queue + "\" not found");
  }
  if (!req.array_job_id().empty())
    q.array_job_id = api::JobIdFromRef("arrayJobId", req.array_job_id());
  if (req.filters_size() > 1) api::ThrowInvalid("filters", "at most one filter per call");
  const bool filtered = req.filters_size() == 1;
  if (filtered) ApplyFilter(req.filters(0), &q);

  for (int s : req.job_statuses()) {
    auto status = static_cast<JobStatus::Value>(s);
    if (status == JobStatus::JOB_STATUS_UNSPECIFIED)
      api::ThrowInvalid("jobStatuses", "must name statuses");
    q.statuses.push_back(status);
  }
  // AWS's defaults: a filter lists every status; otherwise only RUNNING unless asked.
  if (q.statuses.empty() && !filtered) {
    q.statuses.push_back(req.job_status() == JobStatus::JOB_STATUS_UNSPECIFIED ? JobStatus::RUNNING
                                                                               : req.job_status());
  }
  const int cap = filtered ? kListPageCapWithFilters : limits_.max_page_size;
  api::ValidatePageSize("maxResults", req.max_results(), cap);
  q.max_results = req.max_results() == 0 ? kListPageDefault : req.max_results();
  q.next_token = req.next_token();

  auto page = store_.ListJobs(q);
  ListJobsResponse resp;
  for (auto& s : page.items) *resp.add_job_summary_list() = std::move(s);
  resp.set_next_token(page.next_token);
  return resp;
}

CancelJobResponse ControlPlane::CancelJob(const CancelJobRequest& req) {
  api::ValidateCancelOrTerminate(req.job_id(), req.reason());
  const std::string id = api::JobIdFromRef("jobId", req.job_id());
  const int64_t now = clock_.NowMillis();
  auto job = store_.StopJob(
      id,
      [&](JobDetail& job) {
        // As in AWS: a job that has started is not cancelled (use TerminateJob), and the call
        // still succeeds; a finished job is left as it is. An array parent stays PENDING until
        // its running children end; the others end with it.
        if (!api::IsBeforeStart(job.status()) || job.is_cancelled()) return;
        job.set_is_cancelled(true);
        job.set_status_reason(req.reason());
        if (api::IsArrayParent(job)) return;
        api::CheckTransition(job.status(), JobStatus::FAILED);
        job.set_status(JobStatus::FAILED);
        job.set_stopped_at(now);
      },
      now);
  if (hooks_ != nullptr && job.is_cancelled()) hooks_->JobStopRequested(job);
  return {};
}

TerminateJobResponse ControlPlane::TerminateJob(const TerminateJobRequest& req) {
  api::ValidateCancelOrTerminate(req.job_id(), req.reason());
  const std::string id = api::JobIdFromRef("jobId", req.job_id());
  const int64_t now = clock_.NowMillis();
  auto job = store_.StopJob(
      id,
      [&](JobDetail& job) {
        if (api::IsTerminal(job.status()) || job.is_terminated()) return;
        job.set_is_terminated(true);
        job.set_status_reason(req.reason());
        if (api::IsBeforeStart(job.status()) && !api::IsArrayParent(job)) {
          api::CheckTransition(job.status(), JobStatus::FAILED);
          job.set_status(JobStatus::FAILED);
          job.set_stopped_at(now);
        }
        // A started job keeps its status until its agent reports the kill; the scheduler sees
        // isTerminated and stops the attempt. An array parent ends when its children have.
      },
      now);
  if (hooks_ != nullptr && job.is_terminated()) hooks_->JobStopRequested(job);
  return {};
}

}  // namespace batchd::service
