#pragma once
// One function per verb family adds its subcommands to the app; each subcommand sets
// Context::action, which Run() calls after parsing.
namespace CLI {
class App;
}

namespace batchd::cli {

class Context;

void AddApplyCommand(CLI::App& app, Context& ctx);
void AddGetCommand(CLI::App& app, Context& ctx);
void AddDescribeCommand(CLI::App& app, Context& ctx);
void AddDeleteCommand(CLI::App& app, Context& ctx);
void AddSubmitCommand(CLI::App& app, Context& ctx);
void AddCancelCommands(CLI::App& app, Context& ctx);
void AddWaitCommand(CLI::App& app, Context& ctx);
void AddLogsCommand(CLI::App& app, Context& ctx);
void AddExplainCommand(CLI::App& app, Context& ctx);
void AddEventsCommand(CLI::App& app, Context& ctx);
void AddReclaimCommand(CLI::App& app, Context& ctx);
void AddCronCommand(CLI::App& app, Context& ctx);
void AddScheduleCommands(CLI::App& app, Context& ctx);
void AddValidateCommand(CLI::App& app, Context& ctx);
void AddVersionCommand(CLI::App& app, Context& ctx);
// Workflows: start, stop, redrive, history, activity and task, and the workflow types of get,
// describe and delete; after those verbs are added.
void AddWorkflowCommands(CLI::App& app, Context& ctx);

}  // namespace batchd::cli
