// batchctl get tasks (the steps waiting on a task token) and `task success|failure|heartbeat
// TOKEN`, the answers an activity worker or a .waitForTaskToken callback gives.
#include <iostream>
#include <memory>

#include "cli/commands/command_util.h"
#include "cli/commands/workflow_commands.h"
#include "cli/commands/workflow_tables.h"
#include "cli/errors.h"
#include "cli/workflow_lookups.h"

namespace batchd::cli {
namespace {

using namespace batch::v1;
using Stub = Client::StatesStub;

struct ListOptions {
  std::string execution;
  std::string activity;
};

int GetTasks(Context& ctx, const ListOptions& opts) {
  ListTasksRequest req;
  if (!opts.execution.empty()) req.set_execution_arn(ExecutionArnOf("--execution", opts.execution));
  if (!opts.activity.empty()) req.set_activity_arn(ActivityArnOf("--activity", opts.activity));
  ListTasksResponse all;
  do {
    auto page = ctx.client().Call(&Stub::ListTasks, req);
    for (auto& t : *page.mutable_tasks()) *all.add_tasks() = std::move(t);
    req.set_next_token(page.next_token());
  } while (!req.next_token().empty());
  if (PrintedAsData(ctx, all)) return kExitOk;
  Table table = TaskTable();
  for (const auto& t : all.tasks()) AddTaskRow(&table, t);
  if (table.empty()) {
    std::cerr << "No tasks found.\n";
  } else {
    table.Print(std::cout);
  }
  return kExitOk;
}

void RequireToken(const std::string& token) {
  // Tables show tokens cut short; only the whole token names a task.
  if (token.ends_with("…")) {
    throw CliError(
        "TOKEN: that is a token as tables shorten it; 'batchctl get tasks -o json' "
        "shows whole tokens",
        kExitUsage);
  }
}

struct AnswerOptions {
  std::string token;
  std::string output = "{}";
  std::string error;
  std::string cause;
};

int Succeed(Context& ctx, const AnswerOptions& opts) {
  RequireToken(opts.token);
  SendTaskSuccessRequest req;
  req.set_task_token(opts.token);
  req.set_output(JsonArgument("--output", opts.output));
  ctx.client().Call(&Stub::SendTaskSuccess, req);
  std::cout << "task " << ShortToken(opts.token) << " succeeded\n";
  return kExitOk;
}

int Fail(Context& ctx, const AnswerOptions& opts) {
  RequireToken(opts.token);
  SendTaskFailureRequest req;
  req.set_task_token(opts.token);
  req.set_error(opts.error);
  req.set_cause(opts.cause);
  ctx.client().Call(&Stub::SendTaskFailure, req);
  std::cout << "task " << ShortToken(opts.token) << " failed\n";
  return kExitOk;
}

int Heartbeat(Context& ctx, const AnswerOptions& opts) {
  RequireToken(opts.token);
  SendTaskHeartbeatRequest req;
  req.set_task_token(opts.token);
  ctx.client().Call(&Stub::SendTaskHeartbeat, req);
  std::cout << "task " << ShortToken(opts.token) << " heartbeat sent\n";
  return kExitOk;
}

}  // namespace

void AddTaskCommands(CLI::App& app, Context& ctx) {
  auto list = std::make_shared<ListOptions>();
  auto* get =
      Verb(app, "get")
          ->add_subcommand(
              "tasks",
              "List the steps waiting on a task token (activity tasks and .waitForTaskToken "
              "callbacks); tokens are cut short in the table, whole with -o json");
  get->alias("task");
  get->add_option("--execution", list->execution,
                  "Only this execution's (ARN, or STATE_MACHINE:EXECUTION)");
  get->add_option("--activity", list->activity, "Only this activity's (name or ARN)");
  OnSelected(get, ctx, [&ctx, list] { return GetTasks(ctx, *list); });

  auto* task = app.add_subcommand(
      "task", "Answer a task: success, failure or heartbeat (an activity's or a callback's)");
  task->require_subcommand(1);

  auto ok = std::make_shared<AnswerOptions>();
  auto* success = task->add_subcommand("success", "The task succeeded with --output");
  success->add_option("TOKEN", ok->token, "The task token")->required();
  success->add_option("--output", ok->output,
                      "The task's result: JSON text, or @FILE (@- for stdin); default {}");
  OnSelected(success, ctx, [&ctx, ok] { return Succeed(ctx, *ok); });

  auto failed = std::make_shared<AnswerOptions>();
  auto* failure = task->add_subcommand("failure", "The task failed: Retry and Catch see --error");
  failure->add_option("TOKEN", failed->token, "The task token")->required();
  failure->add_option("--error", failed->error, "The error name (what Retry and Catch match)");
  failure->add_option("--cause", failed->cause, "What went wrong, for people");
  OnSelected(failure, ctx, [&ctx, failed] { return Fail(ctx, *failed); });

  auto beat = std::make_shared<AnswerOptions>();
  auto* heartbeat = task->add_subcommand(
      "heartbeat", "The task is still being worked on (resets its HeartbeatSeconds clock)");
  heartbeat->add_option("TOKEN", beat->token, "The task token")->required();
  OnSelected(heartbeat, ctx, [&ctx, beat] { return Heartbeat(ctx, *beat); });
}

}  // namespace batchd::cli
