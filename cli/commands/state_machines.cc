// batchctl get state-machines, describe state-machine, delete state-machine.
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "api/states_names.h"
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

// Executions listed under `describe state-machine`.
constexpr int kRecentExecutions = 10;

bool Names(const StateMachineListItem& sm, const std::string& ref) {
  return ref == sm.name() || ref == sm.state_machine_arn();
}

int GetStateMachines(Context& ctx, const std::vector<std::string>& names) {
  ListStateMachinesResponse all;
  for (auto& sm : ListAllStateMachines(ctx.client())) {
    bool wanted = names.empty();
    for (const auto& n : names) wanted = wanted || Names(sm, n);
    if (wanted) *all.add_state_machines() = std::move(sm);
  }
  // With names, every name must exist: a typo is an error, not an empty table.
  for (const auto& n : names) {
    bool found = false;
    for (const auto& sm : all.state_machines()) found = found || Names(sm, n);
    if (!found) throw CliError("state machine \"" + n + "\" not found");
  }
  if (PrintedAsData(ctx, all)) return kExitOk;
  Table table = StateMachineTable();
  for (const auto& sm : all.state_machines()) AddStateMachineRow(&table, sm);
  if (table.empty()) {
    std::cerr << "No state machines found.\n";
  } else {
    table.Print(std::cout);
  }
  return kExitOk;
}

// The definition as a YAML block scalar, so people read it as written while a YAML reader
// still gets the same string; nullopt for text a block cannot hold exactly.
std::optional<std::string> DefinitionBlock(const std::string& definition) {
  if (definition.empty() || definition.front() == ' ' || definition.front() == '\n' ||
      definition.back() == '\n' || definition.find_first_of("\t\r") != std::string::npos) {
    return std::nullopt;
  }
  std::string block = "definition: |-\n";
  std::istringstream lines(definition);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == ' ') return std::nullopt;
    block += (line.empty() ? "" : "  ") + line + "\n";
  }
  return block;
}

std::string RecentExecutions(Client& client, const std::string& arn) {
  ListExecutionsRequest req;
  // Without the revision: executions of every revision are the machine's.
  req.set_state_machine_arn(arn);
  req.set_max_results(kRecentExecutions);
  const auto resp = client.Call(&Stub::ListExecutions, req);
  if (resp.executions_size() == 0) return "# no executions yet\n";
  Table table = RecentExecutionTable();
  for (const auto& ex : resp.executions()) AddRecentExecutionRow(&table, ex);
  return CommentedTable("recent executions", table);
}

int DescribeStateMachine(Context& ctx, const std::string& ref) {
  DescribeStateMachineRequest req;
  req.set_state_machine_arn(StateMachineArnOf("NAME", ref));
  const auto sm = ctx.client().Call(&Stub::DescribeStateMachine, req);
  if (!ctx.output.empty()) {
    PrintMessage(std::cout, sm, ctx.Format(OutputFormat::kYaml));
    return kExitOk;
  }
  if (auto block = DefinitionBlock(sm.definition())) {
    DescribeStateMachineResponse fields = sm;
    fields.clear_definition();
    PrintMessage(std::cout, fields, OutputFormat::kYaml);
    std::cout << *block;
  } else {
    PrintMessage(std::cout, sm, OutputFormat::kYaml);
  }
  std::cout << RecentExecutions(ctx.client(), api::StateMachineArn(sm.name()));
  return kExitOk;
}

int DeleteStateMachine(Context& ctx, const std::string& ref) {
  DeleteStateMachineRequest req;
  req.set_state_machine_arn(StateMachineArnOf("NAME", ref));
  ctx.client().Call(&Stub::DeleteStateMachine, req);
  std::cout << "statemachine/" << StateMachineNameOf("NAME", ref) << " deleted\n";
  return kExitOk;
}

const std::vector<std::string> kAliases = {"state-machine", "statemachine", "statemachines", "sm",
                                           "sms"};

CLI::App* AddType(CLI::App* verb, const std::string& name, const std::string& help) {
  auto* cmd = verb->add_subcommand(name, help);
  for (const auto& a : kAliases) {
    if (a != name) cmd->alias(a);
  }
  return cmd;
}

}  // namespace

void AddStateMachineCommands(CLI::App& app, Context& ctx) {
  auto names = std::make_shared<std::vector<std::string>>();
  auto* get = AddType(Verb(app, "get"), "state-machines",
                      "List state machines: name, current revision, creation time");
  get->add_option("NAME", *names, "Only these (names or ARNs)");
  OnSelected(get, ctx, [&ctx, names] { return GetStateMachines(ctx, *names); });

  auto name = std::make_shared<std::string>();
  auto* describe = AddType(Verb(app, "describe"), "state-machine",
                           "Show a state machine and its definition; then, without -o, its "
                           "latest executions");
  describe->add_option("NAME", *name, "Name, NAME:REVISION or ARN")->required();
  OnSelected(describe, ctx, [&ctx, name] { return DescribeStateMachine(ctx, *name); });

  auto del_name = std::make_shared<std::string>();
  auto* del = AddType(Verb(app, "delete"), "state-machine", "Delete a state machine");
  del->add_option("NAME", *del_name, "Name or ARN")->required();
  OnSelected(del, ctx, [&ctx, del_name] { return DeleteStateMachine(ctx, *del_name); });
}

}  // namespace batchd::cli
