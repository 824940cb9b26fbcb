#include <iostream>

#include "cli/commands/command_util.h"
#include "cli/commands/commands.h"
#include "cli/errors.h"
#include "cli/version.h"

namespace batchd::cli {

void AddVersionCommand(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("version", "Print batchctl's version");
  OnSelected(cmd, ctx, [] {
    std::cout << "batchctl " << kVersion << '\n';
    return kExitOk;
  });
}

}  // namespace batchd::cli
