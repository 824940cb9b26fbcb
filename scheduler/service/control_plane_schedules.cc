// Schedules: the resource's handlers. Firing is the ScheduleRunner's.
#include "api/api_error.h"
#include "api/names.h"
#include "api/states_names.h"
#include "core/asl/json.h"
#include "core/cron.h"
#include "service/control_plane.h"
#include "service/schedule_runner.h"
#include "service/workflow_hooks.h"
#include "store/workflow_store.h"

namespace batchd::service {

using namespace batch::v1;

namespace {

constexpr int kDefaultRunsToKeep = 20;
constexpr int kMaxRunsToKeep = 1000;
constexpr int kDescribedRuns = 10;

const date::time_zone* CheckTiming(const ScheduleRequest& req, core::CronSchedule* cron) {
  if (req.schedule_expression().empty()) api::ThrowInvalid("scheduleExpression", "is required");
  try {
    *cron = core::CronSchedule::Parse(req.schedule_expression());
  } catch (const core::CronSyntaxError& e) {
    api::ThrowInvalid("scheduleExpression", e.what());
  }
  try {
    return core::FindTimeZone(req.time_zone());
  } catch (const std::invalid_argument& e) {
    api::ThrowInvalid("timeZone", e.what());
  }
}

std::optional<int64_t> FirstRun(const core::CronSchedule& cron, const date::time_zone* zone,
                                int64_t now, int64_t anchor) {
  auto next = cron.NextAfter(now, zone, anchor);
  if (!next) api::ThrowInvalid("scheduleExpression", "never fires (no date matches it)");
  return next;
}

void ApplyRequest(const ScheduleRequest& req, ScheduleDetail* s) {
  s->set_schedule_name(req.schedule_name());
  s->set_schedule_arn(api::MakeArn(api::kScheduleKind, req.schedule_name()));
  s->set_schedule_expression(req.schedule_expression());
  s->set_time_zone(req.time_zone().empty() ? "UTC" : req.time_zone());
  s->set_job_queue(req.job_queue());
  s->set_job_definition(req.job_definition());
  s->set_state_machine(req.state_machine());
  if (req.state_machine().empty()) {
    s->set_job_name(req.job_name().empty() ? req.schedule_name() : req.job_name());
    s->clear_execution_input();
  } else {
    s->clear_job_name();
    s->set_execution_input(req.execution_input().empty() ? "{}" : req.execution_input());
  }
  // An execution has no job to override: the field is left out rather than shown empty.
  if (req.state_machine().empty()) {
    *s->mutable_container_overrides() = req.container_overrides();
  } else {
    s->clear_container_overrides();
  }
  *s->mutable_parameters() = req.parameters();
  *s->mutable_tags() = req.tags();
  s->set_concurrency_policy(req.concurrency_policy() ==
                                    ConcurrencyPolicy::CONCURRENCY_POLICY_UNSPECIFIED
                                ? ConcurrencyPolicy::Allow
                                : req.concurrency_policy());
  s->set_catch_up(req.catch_up() == CatchUpPolicy::CATCH_UP_POLICY_UNSPECIFIED ? CatchUpPolicy::Skip
                                                                               : req.catch_up());
  s->set_starting_deadline_seconds(req.starting_deadline_seconds());
  s->set_suspended(req.suspended());
  s->set_runs_to_keep(req.runs_to_keep() == 0 ? kDefaultRunsToKeep : req.runs_to_keep());
}

std::string NameOf(const std::string& ref) {
  return api::NameFromRef("schedule", ref, api::kScheduleKind);
}

}  // namespace

// Everything a schedule says is checked before it is stored, the job template too: a run
// should only fail for what changes later (a queue disabled, a definition deregistered).
void ControlPlane::CheckSchedule(const ScheduleRequest& req) {
  api::CheckResourceName("scheduleName", req.schedule_name());
  if (req.starting_deadline_seconds() < 0) {
    api::ThrowInvalid("startingDeadlineSeconds", "must be 0 (none) or more");
  }
  if (req.runs_to_keep() < 0 || req.runs_to_keep() > kMaxRunsToKeep) {
    api::ThrowInvalid("runsToKeep", "must be between 1 and " + std::to_string(kMaxRunsToKeep));
  }
  api::ValidateScheduleTarget(req);
  if (!req.state_machine().empty()) return CheckExecutionTarget(req);
  // The job exactly as a run submits it, batchd's tags included.
  ScheduleDetail detail;
  ApplyRequest(req, &detail);
  const SubmitJobRequest job = ScheduleRunner::JobRequest(detail, 0);
  api::ValidateSubmitJob(job, limits_);
  const std::string queue = api::NameFromRef("jobQueue", job.job_queue(), api::kJobQueueKind);
  if (!store_.GetJobQueue(queue)) api::ThrowNotFound("job queue \"" + queue + "\" not found");
  SubmitJobsRequest one;
  *one.add_jobs() = job;
  PrepareJobs(one);  // the definition exists and is ACTIVE
}

// The state machine exists now, so a run fails only for what changes later (the machine
// deleted), and the input is what StartExecution would take.
void ControlPlane::CheckExecutionTarget(const ScheduleRequest& req) {
  const api::StateMachineRef ref = api::ParseStateMachineRef("stateMachine", req.state_machine());
  if (workflows_ == nullptr) {
    api::ThrowFailedPrecondition("stateMachine: this batchd does not run workflows");
  }
  const auto machine = workflows_->GetStateMachine(ref.name);
  if (!machine) api::ThrowNotFound("state machine \"" + ref.name + "\" not found");
  if (machine->status == batch::v1::StateMachineStatus::DELETING) {
    api::ThrowFailedPrecondition("state machine \"" + ref.name + "\" is being deleted");
  }
  if (ref.revision && !workflows_->GetStateMachineRevision(ref.name, *ref.revision)) {
    api::ThrowNotFound("state machine \"" + ref.name + "\" has no revision " +
                       std::to_string(*ref.revision));
  }
  const std::string& input = req.execution_input();
  if (input.size() > kMaxStatesPayloadBytes) {
    api::ThrowInvalid("executionInput", "is " + std::to_string(input.size()) + " bytes; at most " +
                                            std::to_string(kMaxStatesPayloadBytes) +
                                            " are allowed");
  }
  if (!input.empty()) {
    try {
      const asl::Json parsed = asl::Json::parse(input);
      (void)parsed;
    } catch (const asl::Json::parse_error& e) {
      // nlohmann's message names the byte where the text stops being JSON.
      api::ThrowInvalid("executionInput", std::string("is not JSON text: ") + e.what());
    }
  }
}

ScheduleResponse ControlPlane::CreateSchedule(const ScheduleRequest& req) {
  core::CronSchedule cron;
  const auto* zone = CheckTiming(req, &cron);
  CheckSchedule(req);
  ScheduleDetail s;
  ApplyRequest(req, &s);
  const int64_t now = clock_.NowMillis();
  s.set_created_at(now);
  s.set_next_run_at(*FirstRun(cron, zone, now, now));
  store_.CreateSchedule(s);
  if (runner_ != nullptr) runner_->Changed();
  ScheduleResponse resp;
  *resp.mutable_schedule() = std::move(s);
  return resp;
}

ScheduleResponse ControlPlane::UpdateSchedule(const ScheduleRequest& req) {
  core::CronSchedule cron;
  const auto* zone = CheckTiming(req, &cron);
  CheckSchedule(req);
  const int64_t now = clock_.NowMillis();
  auto s = store_.UpdateSchedule(req.schedule_name(), [&](ScheduleDetail& s) {
    const bool timing = s.schedule_expression() != req.schedule_expression() ||
                        s.time_zone() != (req.time_zone().empty() ? "UTC" : req.time_zone());
    ApplyRequest(req, &s);
    // A new expression starts afresh; the same one keeps its place (and what it missed).
    if (timing) s.set_next_run_at(*FirstRun(cron, zone, now, s.created_at()));
  });
  if (runner_ != nullptr) runner_->Changed();
  ScheduleResponse resp;
  *resp.mutable_schedule() = std::move(s);
  return resp;
}

DeleteScheduleResponse ControlPlane::DeleteSchedule(const ScheduleRef& req) {
  store_.DeleteSchedule(NameOf(req.schedule()));
  if (runner_ != nullptr) runner_->Changed();
  return {};
}

DescribeSchedulesResponse ControlPlane::DescribeSchedules(const DescribeSchedulesRequest& req) {
  std::vector<std::string> names;
  for (int i = 0; i < req.schedules_size(); ++i) {
    names.push_back(api::NameFromRef("schedules[" + std::to_string(i) + "]", req.schedules(i),
                                     api::kScheduleKind));
  }
  api::ValidatePageSize("maxResults", req.max_results(), limits_.max_page_size);
  if (req.runs() < 0 || req.runs() > kMaxRunsToKeep) {
    api::ThrowInvalid("runs", "must be between 0 and " + std::to_string(kMaxRunsToKeep));
  }
  auto page = store_.DescribeSchedules(names, req.max_results(), req.next_token(),
                                       req.runs() == 0 ? kDescribedRuns : req.runs());
  DescribeSchedulesResponse resp;
  for (auto& s : page.items) *resp.add_schedules() = std::move(s);
  resp.set_next_token(page.next_token);
  return resp;
}

ScheduleResponse ControlPlane::SetSuspended(const ScheduleRef& req, bool suspended) {
  // On resuming, the times that passed meanwhile are caught up (or recorded missed) per
  // catchUp.
  auto s = store_.UpdateSchedule(NameOf(req.schedule()),
                                 [&](ScheduleDetail& s) { s.set_suspended(suspended); });
  if (runner_ != nullptr) runner_->Changed();
  ScheduleResponse resp;
  *resp.mutable_schedule() = std::move(s);
  return resp;
}

ScheduleResponse ControlPlane::SuspendSchedule(const ScheduleRef& req) {
  return SetSuspended(req, true);
}

ScheduleResponse ControlPlane::ResumeSchedule(const ScheduleRef& req) {
  return SetSuspended(req, false);
}

TriggerScheduleResponse ControlPlane::TriggerSchedule(const ScheduleRef& req) {
  const std::string name = NameOf(req.schedule());
  auto page = store_.DescribeSchedules({name}, 1, "", 0);
  if (page.items.empty()) api::ThrowNotFound("schedule \"" + name + "\" not found");
  if (runner_ == nullptr) api::ThrowFailedPrecondition("the scheduler is not running");
  TriggerScheduleResponse resp;
  const std::string started = runner_->Trigger(page.items.front());
  if (page.items.front().state_machine().empty()) {
    resp.set_job_id(started);
  } else {
    resp.set_execution_arn(started);
  }
  return resp;
}

}  // namespace batchd::service
