// The workflow commands, added after the verbs they extend.
#include "cli/commands/commands.h"
#include "cli/commands/workflow_commands.h"

namespace batchd::cli {

CLI::App* Verb(CLI::App& app, const std::string& name) { return app.get_subcommand(name); }

void AddWorkflowCommands(CLI::App& app, Context& ctx) {
  AddStateMachineCommands(app, ctx);
  AddStartCommand(app, ctx);
  AddExecutionCommands(app, ctx);
  AddHistoryCommand(app, ctx);
  AddActivityCommands(app, ctx);
  AddTaskCommands(app, ctx);
}

}  // namespace batchd::cli
