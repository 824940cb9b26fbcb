// batchctl suspend|resume|trigger SCHEDULE: a schedule's own verbs.
#include <iostream>
#include <memory>

#include "cli/commands/command_util.h"
#include "cli/commands/commands.h"
#include "cli/errors.h"
#include "cli/output.h"

namespace batchd::cli {
namespace {

using Stub = Client::Stub;

struct ScheduleOptions {
  std::string name;
};

batch::v1::ScheduleRef RefTo(const std::string& name) {
  batch::v1::ScheduleRef ref;
  ref.set_schedule(name);
  return ref;
}

CLI::App* AddVerb(CLI::App& app, const std::string& verb, const std::string& help,
                  std::shared_ptr<ScheduleOptions> opts) {
  auto* cmd = app.add_subcommand(verb, help);
  cmd->add_option("SCHEDULE", opts->name, "Schedule name or ARN")->required();
  return cmd;
}

}  // namespace

void AddScheduleCommands(CLI::App& app, Context& ctx) {
  auto suspend_opts = std::make_shared<ScheduleOptions>();
  auto* suspend = AddVerb(app, "suspend",
                          "Stop a schedule from firing until resumed (times that pass are "
                          "caught up per its catchUp policy)",
                          suspend_opts);
  OnSelected(suspend, ctx, [&ctx, suspend_opts] {
    const auto resp = ctx.client().Call(&Stub::SuspendSchedule, RefTo(suspend_opts->name));
    if (!PrintedAsData(ctx, resp)) std::cout << "schedule/" << suspend_opts->name << " suspended\n";
    return kExitOk;
  });

  auto resume_opts = std::make_shared<ScheduleOptions>();
  auto* resume = AddVerb(app, "resume", "Let a suspended schedule fire again", resume_opts);
  OnSelected(resume, ctx, [&ctx, resume_opts] {
    const auto resp = ctx.client().Call(&Stub::ResumeSchedule, RefTo(resume_opts->name));
    if (!PrintedAsData(ctx, resp)) {
      std::cout << "schedule/" << resume_opts->name << " resumed; next run "
                << (resp.schedule().next_run_at() > 0 ? FormatTime(resp.schedule().next_run_at())
                                                      : std::string("never"))
                << "\n";
    }
    return kExitOk;
  });

  auto trigger_opts = std::make_shared<ScheduleOptions>();
  auto* trigger = AddVerb(app, "trigger",
                          "Fire a schedule once now, outside its expression; prints the job id "
                          "(or the execution ARN, for a schedule with a stateMachine)",
                          trigger_opts);
  OnSelected(trigger, ctx, [&ctx, trigger_opts] {
    const auto resp = ctx.client().Call(&Stub::TriggerSchedule, RefTo(trigger_opts->name));
    if (!PrintedAsData(ctx, resp)) {
      std::cout << (resp.execution_arn().empty() ? resp.job_id() : resp.execution_arn()) << "\n";
    }
    return kExitOk;
  });
}

}  // namespace batchd::cli
