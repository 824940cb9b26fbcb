// batchctl delete TYPE NAME: compute environments and queues are deleted, job definition
// revisions deregistered.
#include <iostream>
#include <memory>

#include "api/names.h"
#include "cli/commands/command_util.h"
#include "cli/commands/commands.h"
#include "cli/errors.h"

namespace batchd::cli {
namespace {

using namespace batch::v1;
using Stub = Client::Stub;

struct DeleteOptions {
  std::string name;
  bool disable = false;
};

// The server refuses to delete an ENABLED resource; point at the flag that does both steps.
CliError WithDisableHint(const CliError& e, bool disabled_first, const std::string& what,
                         const std::string& name) {
  std::string message = e.what();
  if (!disabled_first && message.find("DISABLED") != std::string::npos) {
    message += " (or run 'batchctl delete " + what + " " + name + " --disable')";
  } else if (disabled_first) {
    message += " (it was left DISABLED)";
  }
  return CliError(message, e.exit_code());
}

int DeleteComputeEnvironment(Context& ctx, const DeleteOptions& opts) {
  Client& client = ctx.client();
  if (opts.disable) {
    UpdateComputeEnvironmentRequest update;
    update.set_compute_environment(opts.name);
    update.set_state(CEState::DISABLED);
    client.Call(&Stub::UpdateComputeEnvironment, update);
  }
  DeleteComputeEnvironmentRequest req;
  req.set_compute_environment(opts.name);
  try {
    client.Call(&Stub::DeleteComputeEnvironment, req);
  } catch (const CliError& e) {
    throw WithDisableHint(e, opts.disable, "compute-environment", opts.name);
  }
  std::cout << "computeenvironment/" << NameFromArn(opts.name) << " deleted\n";
  return kExitOk;
}

int DeleteJobQueue(Context& ctx, const DeleteOptions& opts) {
  Client& client = ctx.client();
  if (opts.disable) {
    UpdateJobQueueRequest update;
    update.set_job_queue(opts.name);
    update.set_state(JQState::DISABLED);
    client.Call(&Stub::UpdateJobQueue, update);
  }
  DeleteJobQueueRequest req;
  req.set_job_queue(opts.name);
  try {
    client.Call(&Stub::DeleteJobQueue, req);
  } catch (const CliError& e) {
    throw WithDisableHint(e, opts.disable, "job-queue", opts.name);
  }
  std::cout << "jobqueue/" << NameFromArn(opts.name) << " deleted\n";
  return kExitOk;
}

int DeregisterJobDefinition(Context& ctx, const DeleteOptions& opts) {
  const auto ref = api::ParseDefinitionRef("job definition", opts.name);
  if (!ref.revision) {
    throw CliError("delete job-definition needs NAME:REVISION (e.g. " + ref.name +
                       ":1); 'batchctl get jd " + ref.name + "' lists the revisions",
                   kExitUsage);
  }
  DeregisterJobDefinitionRequest req;
  req.set_job_definition(ref.name + ":" + std::to_string(*ref.revision));
  ctx.client().Call(&Stub::DeregisterJobDefinition, req);
  std::cout << "jobdefinition/" << ref.name << ':' << *ref.revision << " deregistered\n";
  return kExitOk;
}

}  // namespace

void AddDeleteCommand(CLI::App& app, Context& ctx) {
  auto* del = app.add_subcommand(
      "delete",
      "Delete a compute-environment (ce), job-queue (jq), schedule, state-machine (sm) or "
      "activity; deregister a job-definition (jd) revision");
  RequireResourceType(del, ctx,
                      "compute-environment (ce), job-queue (jq), job-definition (jd), schedule, "
                      "state-machine (sm) or activity");

  auto ce_opts = std::make_shared<DeleteOptions>();
  auto* ce = del->add_subcommand("compute-environment", "Delete a compute environment");
  for (const char* a : {"ce", "ces", "compute-environments", "computeenvironment"}) ce->alias(a);
  ce->add_option("NAME", ce_opts->name, "Name or ARN")->required();
  ce->add_flag("--disable", ce_opts->disable, "Set its state to DISABLED first");
  OnSelected(ce, ctx, [&ctx, ce_opts] { return DeleteComputeEnvironment(ctx, *ce_opts); });

  auto jq_opts = std::make_shared<DeleteOptions>();
  auto* jq =
      del->add_subcommand("job-queue", "Delete a job queue (it must have no unfinished jobs)");
  for (const char* a : {"jq", "jqs", "queue", "queues", "job-queues", "jobqueue"}) jq->alias(a);
  jq->add_option("NAME", jq_opts->name, "Name or ARN")->required();
  jq->add_flag("--disable", jq_opts->disable, "Set its state to DISABLED first");
  OnSelected(jq, ctx, [&ctx, jq_opts] { return DeleteJobQueue(ctx, *jq_opts); });

  auto jd_opts = std::make_shared<DeleteOptions>();
  auto* jd = del->add_subcommand("job-definition", "Deregister a job definition revision");
  for (const char* a :
       {"jd", "jds", "definition", "definitions", "job-definitions", "jobdefinition"}) {
    jd->alias(a);
  }
  jd->add_option("NAME", jd_opts->name, "NAME:REVISION or its ARN")->required();
  OnSelected(jd, ctx, [&ctx, jd_opts] { return DeregisterJobDefinition(ctx, *jd_opts); });

  auto schedule_opts = std::make_shared<DeleteOptions>();
  auto* schedule = del->add_subcommand(
      "schedule", "Delete a schedule and its run records (jobs it fired are left alone)");
  schedule->alias("schedules");
  schedule->add_option("NAME", schedule_opts->name, "Name or ARN")->required();
  OnSelected(schedule, ctx, [&ctx, schedule_opts] {
    batch::v1::ScheduleRef ref;
    ref.set_schedule(schedule_opts->name);
    ctx.client().Call(&Client::Stub::DeleteSchedule, ref);
    std::cout << "schedule/" << schedule_opts->name << " deleted\n";
    return kExitOk;
  });
}

}  // namespace batchd::cli
