// batchctl describe TYPE NAME: one resource in full (YAML unless -o json).
#include <chrono>
#include <iostream>
#include <memory>

#include "api/text.h"
#include "cli/commands/command_util.h"
#include "cli/commands/commands.h"
#include "cli/commands/tables.h"
#include "cli/errors.h"
#include "cli/lookups.h"

namespace batchd::cli {
namespace {

// Events shown under a compute environment (`batchctl events ce NAME` shows more).
constexpr int kEventsShown = 10;

struct DescribeOptions {
  std::string name;
};

// Without -o, a resource may add notes for people after its YAML (as YAML comments, so the
// output still parses).
template <typename Resource>
std::string NoNotes(Client&, const Resource&) {
  return "";
}

// The environment's latest scaling decisions and provider failures.
std::string ComputeEnvironmentNotes(Client& client, const batch::v1::ComputeEnvironmentDetail& ce) {
  batch::v1::ListEventsRequest req;
  req.set_compute_environment(ce.compute_environment_name());
  req.set_max_results(kEventsShown);
  auto resp = client.Call(&Client::Stub::ListEvents, req);
  std::vector<batch::v1::EventDetail> events(resp.events().rbegin(), resp.events().rend());
  return EventsComment(events);
}

std::string ScheduleNotes(Client&, const batch::v1::ScheduleDetail& schedule) {
  return ScheduleComment(schedule, api::EpochMillisNow());
}

std::string JobNotes(Client&, const batch::v1::JobDetail& job) {
  return ArrayComment(job) + AttemptsComment(job, api::EpochMillisNow());
}

template <typename Fetch, typename Notes>
void AddType(CLI::App* describe, Context& ctx, const std::string& name,
             const std::vector<std::string>& aliases, const std::string& help,
             const std::string& arg_help, Fetch fetch, Notes notes) {
  auto opts = std::make_shared<DescribeOptions>();
  auto* cmd = describe->add_subcommand(name, help);
  for (const auto& a : aliases) cmd->alias(a);
  cmd->add_option("NAME", opts->name, arg_help)->required();
  OnSelected(cmd, ctx, [&ctx, opts, fetch, notes] {
    const auto resource = fetch(ctx.client(), opts->name);
    PrintMessage(std::cout, resource, ctx.Format(OutputFormat::kYaml));
    if (ctx.output.empty()) std::cout << notes(ctx.client(), resource);
    return kExitOk;
  });
}

}  // namespace

void AddDescribeCommand(CLI::App& app, Context& ctx) {
  auto* describe = app.add_subcommand(
      "describe",
      "Show one resource in full: compute-environment (ce), job-queue (jq), job-definition (jd), "
      "job, schedule, state-machine (sm) or execution");
  RequireResourceType(describe, ctx,
                      "compute-environment (ce), job-queue (jq), job-definition (jd), job, "
                      "schedule, state-machine (sm) or execution");
  AddType(
      describe, ctx, "schedule", {"schedules"},
      "Show a schedule; then, without -o, its next fire times and recent runs", "Name or ARN",
      [](Client& client, const std::string& name) { return GetSchedule(client, name); },
      ScheduleNotes);
  AddType(describe, ctx, "compute-environment",
          {"ce", "ces", "compute-environments", "computeenvironment"},
          "Show a compute environment; then, without -o, its latest events", "Name or ARN",
          GetComputeEnvironment, ComputeEnvironmentNotes);
  AddType(describe, ctx, "job-queue", {"jq", "jqs", "queue", "queues", "job-queues", "jobqueue"},
          "Show a job queue", "Name or ARN", GetJobQueue, NoNotes<batch::v1::JobQueueDetail>);
  AddType(describe, ctx, "job-definition",
          {"jd", "jds", "definition", "definitions", "job-definitions", "jobdefinition"},
          "Show a job definition revision", "NAME:REVISION, or NAME for its latest ACTIVE revision",
          GetJobDefinition, NoNotes<batch::v1::JobDefinition>);
  AddType(describe, ctx, "job", {"jobs"},
          "Show a job; then, without -o, a table of its attempts (node, result, duration, reason)",
          "Job id or ARN", GetJob, JobNotes);
}

}  // namespace batchd::cli
