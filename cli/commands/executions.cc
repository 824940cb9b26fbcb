// batchctl get executions, describe execution, stop and redrive.
#include <cctype>
#include <iostream>
#include <memory>

#include "api/text.h"
#include "cli/commands/command_util.h"
#include "cli/commands/tables.h"
#include "cli/commands/workflow_commands.h"
#include "cli/commands/workflow_tables.h"
#include "cli/errors.h"
#include "cli/workflow_lookups.h"

namespace batchd::cli {
namespace {

using namespace batch::v1;
using Stub = Client::StatesStub;

struct ListOptions {
  std::string state_machine;
  std::string status;
  std::string map_run;
};

ExecutionStatus::Value ParseStatus(const std::string& text) {
  std::string upper;
  for (char c : text) {
    upper += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  ExecutionStatus::Value status;
  if (!ExecutionStatus::Value_Parse(upper, &status) ||
      status == ExecutionStatus::EXECUTION_STATUS_UNSPECIFIED) {
    throw CliError("--status: unknown status \"" + text +
                       "\"; expected RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED or "
                       "PENDING_REDRIVE",
                   kExitUsage);
  }
  return status;
}

void ListInto(Client& client, ListExecutionsRequest req, ListExecutionsResponse* all) {
  do {
    auto page = client.Call(&Stub::ListExecutions, req);
    for (auto& ex : *page.mutable_executions()) *all->add_executions() = std::move(ex);
    req.set_next_token(page.next_token());
  } while (!req.next_token().empty());
}

int GetExecutions(Context& ctx, const ListOptions& opts) {
  ListExecutionsRequest req;
  if (!opts.status.empty()) req.set_status_filter(ParseStatus(opts.status));
  // Without a state machine batchd lists every machine's executions (AWS needs one).
  if (!opts.state_machine.empty()) {
    req.set_state_machine_arn(StateMachineArnOf("--state-machine", opts.state_machine));
  }
  req.set_map_run_arn(opts.map_run);
  ListExecutionsResponse all;
  ListInto(ctx.client(), req, &all);
  if (PrintedAsData(ctx, all)) return kExitOk;
  Table table = ExecutionTable();
  for (const auto& ex : all.executions()) AddExecutionRow(&table, ex);
  if (table.empty()) {
    std::cerr << "No executions found.\n";
  } else {
    table.Print(std::cout);
  }
  return kExitOk;
}

int DescribeExecutionCommand(Context& ctx, const std::string& ref) {
  const std::string arn = ExecutionArnOf("EXECUTION", ref);
  const auto ex = DescribeExecution(ctx.client(), arn);
  PrintMessage(std::cout, ex, ctx.Format(OutputFormat::kYaml));
  if (!ctx.output.empty()) return kExitOk;
  const auto steps = StepsOf(FetchHistory(ctx.client(), arn));
  if (steps.empty()) return kExitOk;
  std::cout << CommentedTable("states (see 'batchctl history " + ShortExecution(arn) + "')",
                              StepTable(steps, api::EpochMillisNow()));
  return kExitOk;
}

struct StopOptions {
  std::string execution;
  std::string error;
  std::string cause;
};

int Stop(Context& ctx, const StopOptions& opts) {
  StopExecutionRequest req;
  req.set_execution_arn(ExecutionArnOf("EXECUTION", opts.execution));
  req.set_error(opts.error);
  req.set_cause(opts.cause);
  const auto resp = ctx.client().Call(&Stub::StopExecution, req);
  if (PrintedAsData(ctx, resp)) return kExitOk;
  std::cout << "execution/" << ShortExecution(req.execution_arn()) << " stopped\n";
  return kExitOk;
}

int Redrive(Context& ctx, const std::string& ref) {
  RedriveExecutionRequest req;
  req.set_execution_arn(ExecutionArnOf("EXECUTION", ref));
  const auto resp = ctx.client().Call(&Stub::RedriveExecution, req);
  if (PrintedAsData(ctx, resp)) return kExitOk;
  std::cout << "execution/" << ShortExecution(req.execution_arn()) << " redriven\n";
  return kExitOk;
}

constexpr char kExecutionHelp[] = "Execution ARN, or STATE_MACHINE:EXECUTION";

}  // namespace

void AddExecutionCommands(CLI::App& app, Context& ctx) {
  auto list = std::make_shared<ListOptions>();
  auto* get =
      Verb(app, "get")
          ->add_subcommand("executions",
                           "List executions: name, state machine, status, start and stop times");
  get->alias("execution");
  get->alias("ex");
  get->add_option("--state-machine,--sm", list->state_machine,
                  "Only this state machine's (name or ARN)");
  get->add_option("--status,-s", list->status,
                  "Only executions in this status (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, "
                  "ABORTED or PENDING_REDRIVE)");
  get->add_option("--map-run", list->map_run,
                  "Only the child executions of this DISTRIBUTED Map run (EXECUTION_ARN/STATE, "
                  "as its MapRunStarted event names it)");
  OnSelected(get, ctx, [&ctx, list] { return GetExecutions(ctx, *list); });

  auto described = std::make_shared<std::string>();
  auto* describe = Verb(app, "describe")
                       ->add_subcommand("execution",
                                        "Show an execution; then, without -o, each state it "
                                        "entered: status, duration, retries and batch job");
  describe->alias("executions");
  describe->alias("ex");
  describe->add_option("EXECUTION", *described, kExecutionHelp)->required();
  OnSelected(describe, ctx,
             [&ctx, described] { return DescribeExecutionCommand(ctx, *described); });

  auto stop = std::make_shared<StopOptions>();
  auto* stop_cmd = app.add_subcommand("stop", "Stop a running execution: it ends ABORTED");
  stop_cmd->add_option("EXECUTION", stop->execution, kExecutionHelp)->required();
  stop_cmd->add_option("--error", stop->error, "The error code recorded");
  stop_cmd->add_option("--cause", stop->cause, "The cause recorded");
  OnSelected(stop_cmd, ctx, [&ctx, stop] { return Stop(ctx, *stop); });

  auto redriven = std::make_shared<std::string>();
  auto* redrive = app.add_subcommand(
      "redrive",
      "Restart a FAILED, TIMED_OUT or ABORTED execution from the states that did not succeed");
  redrive->add_option("EXECUTION", *redriven, kExecutionHelp)->required();
  OnSelected(redrive, ctx, [&ctx, redriven] { return Redrive(ctx, *redriven); });
}

}  // namespace batchd::cli
