// batchctl start MACHINE: starts an execution and prints its ARN; with --wait, waits for its
// end and exits 0 only if it SUCCEEDED.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/commands/command_util.h"
#include "cli/commands/workflow_commands.h"
#include "cli/commands/workflow_tables.h"
#include "cli/errors.h"
#include "cli/workflow_lookups.h"

namespace batchd::cli {
namespace {

using namespace batch::v1;
using Stub = Client::StatesStub;
using SteadyClock = std::chrono::steady_clock;

// A machine of Pass and Choice states ends within milliseconds and is seen ending at once;
// long executions settle at one call a second.
constexpr std::chrono::milliseconds kFirstPoll{20};
constexpr std::chrono::milliseconds kMaxPoll{1000};

struct StartOptions {
  std::string state_machine;
  std::string input;
  std::string name;
  bool wait = false;
  double timeout_seconds = 0;  // 0: no limit
};

bool Ended(ExecutionStatus::Value status) {
  switch (status) {
    case ExecutionStatus::RUNNING:
    case ExecutionStatus::PENDING_REDRIVE:
    case ExecutionStatus::EXECUTION_STATUS_UNSPECIFIED:
    case ExecutionStatus_Value_ExecutionStatus_Value_INT_MIN_SENTINEL_DO_NOT_USE_:
    case ExecutionStatus_Value_ExecutionStatus_Value_INT_MAX_SENTINEL_DO_NOT_USE_:
      return false;
    case ExecutionStatus::SUCCEEDED:
    case ExecutionStatus::FAILED:
    case ExecutionStatus::TIMED_OUT:
    case ExecutionStatus::ABORTED:
      return true;
  }
  return false;
}

DescribeExecutionResponse WaitForEnd(Client& client, const std::string& arn,
                                     const StartOptions& opts) {
  const auto deadline =
      opts.timeout_seconds > 0
          ? SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(
                                     std::chrono::duration<double>(opts.timeout_seconds))
          : SteadyClock::time_point::max();
  auto delay = kFirstPoll;
  for (;;) {
    auto ex = DescribeExecution(client, arn);
    if (Ended(ex.status())) return ex;
    const auto now = SteadyClock::now();
    if (now >= deadline) {
      throw CliError(
          "timed out after " + FormatDuration(std::llround(opts.timeout_seconds * 1000)) +
              " waiting for " + ShortExecution(arn) + " (" + StatusName(ex.status()) + ")",
          kExitTimeout);
    }
    std::this_thread::sleep_for(std::min<SteadyClock::duration>(delay, deadline - now));
    delay = std::min(delay * 2, kMaxPoll);
  }
}

int RunStart(Context& ctx, const StartOptions& opts) {
  StartExecutionRequest req;
  req.set_state_machine_arn(StateMachineArnOf("STATE_MACHINE", opts.state_machine));
  if (!opts.name.empty()) {
    // Checked here so that a bad name is a usage error, not a server round trip.
    ExecutionArnOf("--name",
                   StateMachineNameOf("STATE_MACHINE", opts.state_machine) + ":" + opts.name);
    req.set_name(opts.name);
  }
  if (!opts.input.empty()) req.set_input(JsonArgument("--input", opts.input));
  const auto started = ctx.client().Call(&Stub::StartExecution, req);
  const OutputFormat format = ctx.Format(OutputFormat::kTable);
  if (!opts.wait) {
    if (!PrintedAsData(ctx, started)) std::cout << started.execution_arn() << '\n';
    return kExitOk;
  }
  if (format == OutputFormat::kTable) std::cout << started.execution_arn() << std::endl;
  const auto ex = WaitForEnd(ctx.client(), started.execution_arn(), opts);
  if (!PrintedAsData(ctx, ex)) {
    std::cout << StatusName(ex.status()) << '\n';
    if (ex.status() == ExecutionStatus::SUCCEEDED) std::cout << ex.output() << '\n';
  }
  if (ex.status() == ExecutionStatus::SUCCEEDED) return kExitOk;
  std::string why = ex.error();
  if (!ex.cause().empty()) why += (why.empty() ? "" : ": ") + ex.cause();
  throw CliError("execution " + ShortExecution(ex.execution_arn()) + " " + StatusName(ex.status()) +
                 (why.empty() ? "" : ": " + why));
}

}  // namespace

void AddStartCommand(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<StartOptions>();
  auto* cmd = app.add_subcommand(
      "start",
      "Start an execution of a state machine and print its ARN. With --wait, wait for it to "
      "end and print its status and output; exit 0 only if it SUCCEEDED (1 otherwise, with "
      "its error and cause; 2 when --timeout runs out first)");
  cmd->add_option("STATE_MACHINE", opts->state_machine,
                  "Name, NAME:REVISION (that revision's definition) or ARN")
      ->required();
  cmd->add_option("--input", opts->input, "The input: JSON text, or @FILE (@- for stdin)");
  cmd->add_option("--name", opts->name, "The execution's name (default: a generated UUID)");
  auto* wait = cmd->add_flag("--wait", opts->wait, "Wait until the execution ends");
  cmd->add_option("--timeout", opts->timeout_seconds,
                  "With --wait: give up after this many seconds")
      ->check(Positive())
      ->needs(wait);
  OnSelected(cmd, ctx, [&ctx, opts] { return RunStart(ctx, *opts); });
}

}  // namespace batchd::cli
