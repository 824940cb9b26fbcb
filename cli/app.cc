#include "cli/app.h"

#include <iostream>

#include <CLI/CLI.hpp>

#include "api/api_error.h"
#include "cli/commands/commands.h"
#include "cli/context.h"
#include "cli/errors.h"
#include "cli/version.h"

namespace batchd::cli {
namespace {

int PrintError(const std::string& message, int code) {
  std::cout.flush();
  std::cerr << "batchctl: " << message << '\n';
  return code;
}

}  // namespace

int Run(int argc, const char* const* argv) {
  Context ctx;
  CLI::App app{"batchctl: the command line of batchd, a batch job scheduler.", "batchctl"};
  // Global flags are accepted after the command too ("batchctl get jobs -o json"); subcommands
  // created below inherit this.
  app.fallthrough();
  app.set_version_flag("--version", std::string("batchctl ") + kVersion);
  app.add_option("--server", ctx.server,
                 "batchd's address, HOST[:PORT] (default: $BATCHD_ADDR, else localhost:7100)")
      ->envname("BATCHD_ADDR");
  app.add_option("-o,--output", ctx.output, "Output format: table, json or yaml")
      ->check(CLI::IsMember({"table", "json", "yaml"}));

  AddApplyCommand(app, ctx);
  AddGetCommand(app, ctx);
  AddDescribeCommand(app, ctx);
  AddDeleteCommand(app, ctx);
  AddSubmitCommand(app, ctx);
  AddCancelCommands(app, ctx);
  AddWaitCommand(app, ctx);
  AddLogsCommand(app, ctx);
  AddExplainCommand(app, ctx);
  AddEventsCommand(app, ctx);
  AddReclaimCommand(app, ctx);
  AddCronCommand(app, ctx);
  AddScheduleCommands(app, ctx);
  AddValidateCommand(app, ctx);
  AddVersionCommand(app, ctx);
  AddWorkflowCommands(app, ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    PrintError(e.what(), kExitUsage);
    std::cerr << "Run 'batchctl --help' (or 'batchctl COMMAND --help') for usage.\n";
    return kExitUsage;
  } catch (const CliError& e) {
    return PrintError(e.what(), e.exit_code());
  }
  if (!ctx.action) {
    PrintError(
        "a command is required: apply, get, describe, delete, submit, cancel, terminate, "
        "wait, logs, explain, validate or version",
        kExitUsage);
    std::cerr << "Run 'batchctl --help' for usage.\n";
    return kExitUsage;
  }
  try {
    return ctx.action();
  } catch (const CliError& e) {
    return PrintError(e.what(), e.exit_code());
  } catch (const api::ApiError& e) {
    // The API helpers check names and references before anything is sent.
    return PrintError(std::string("invalid request: ") + e.what(), kExitFailure);
  } catch (const std::exception& e) {
    return PrintError(std::string("unexpected error: ") + e.what(), kExitFailure);
  }
}

}  // namespace batchd::cli
