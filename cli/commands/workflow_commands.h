#pragma once
// The workflow command files, one per resource. Each adds its verbs to the app and its types
// to the `get`, `describe` and `delete` verbs, which must already exist.
#include <CLI/CLI.hpp>

#include "cli/context.h"

namespace batchd::cli {

void AddStateMachineCommands(CLI::App& app, Context& ctx);  // get/describe/delete state-machine
void AddStartCommand(CLI::App& app, Context& ctx);          // start [--wait]
void AddExecutionCommands(CLI::App& app, Context& ctx);     // stop, redrive, get/describe
void AddHistoryCommand(CLI::App& app, Context& ctx);        // history
void AddActivityCommands(CLI::App& app, Context& ctx);      // get/delete activity, activity poll
void AddTaskCommands(CLI::App& app, Context& ctx);          // get tasks, task success|failure|...

// The verb's subcommand: `get`, `describe` or `delete`.
CLI::App* Verb(CLI::App& app, const std::string& name);

}  // namespace batchd::cli
