// batchctl history EXECUTION [-f]: the execution's events, oldest first; -f follows a running
// execution until it ends.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <set>
#include <thread>

#include "cli/commands/command_util.h"
#include "cli/commands/workflow_commands.h"
#include "cli/commands/workflow_tables.h"
#include "cli/errors.h"
#include "cli/workflow_lookups.h"
#include "cli/yaml_json.h"

namespace batchd::cli {
namespace {

using namespace batch::v1;
using Json = nlohmann::ordered_json;

constexpr std::chrono::milliseconds kFollowPoll{500};

struct HistoryOptions {
  std::string execution;
  bool follow = false;
};

Json EventsJson(const HistoryEvents& events) {
  Json list = Json::array();
  for (const auto& e : events) list.push_back(EventJson(e));
  return Json{{"events", std::move(list)}};
}

int PrintHistory(Context& ctx, const std::string& arn) {
  const HistoryEvents events = FetchHistory(ctx.client(), arn);
  switch (ctx.Format(OutputFormat::kTable)) {
    case OutputFormat::kJson:
      std::cout << EventsJson(events).dump(2) << '\n';
      return kExitOk;
    case OutputFormat::kYaml:
      std::cout << JsonToYaml(EventsJson(events));
      return kExitOk;
    case OutputFormat::kTable:
      break;
  }
  const auto states = StateOfEvents(events);
  Table table = HistoryTable();
  for (size_t i = 0; i < events.size(); ++i) AddHistoryRow(&table, events[i], states[i]);
  table.Print(std::cout);
  return kExitOk;
}

// Rows come as the events do, so columns cannot be sized to the widest cell: they are sized
// for the usual cells, and a longer one pushes the rest of its row along.
std::string FollowedLine(const std::vector<std::string>& cells) {
  static constexpr size_t kWidths[] = {4, 24, 16, 24};
  std::string line;
  for (size_t c = 0; c < cells.size(); ++c) {
    line += cells[c];
    if (c + 1 < cells.size()) {
      line += std::string(std::max(kWidths[c], cells[c].size()) - cells[c].size() + 3, ' ');
    }
  }
  line.erase(line.find_last_not_of(' ') + 1);
  return line + "\n";
}

void PrintFollowedEvent(const HistoryEvent& event, const std::string& state, bool json) {
  if (json) {
    std::cout << EventJson(event).dump() << std::endl;
    return;
  }
  std::cout << FollowedLine(HistoryCells(event, state)) << std::flush;
}

int FollowHistory(Context& ctx, const std::string& arn) {
  const bool json = ctx.Format(OutputFormat::kTable) == OutputFormat::kJson;
  if (ctx.Format(OutputFormat::kTable) == OutputFormat::kYaml) {
    throw CliError("history -f prints a table, or with -o json one event per line", kExitUsage);
  }
  Client& client = ctx.client();
  if (!json) std::cout << FollowedLine({"ID", "TYPE", "STEP", "TIME", "DETAIL"});
  StateTracker states;
  std::set<int64_t> printed;
  // A page without a next token may still grow: it is read again from where it began.
  std::string page_start;
  for (;;) {
    const auto status = DescribeExecution(client, arn).status();
    // Read after the status, so an execution that had ended has all its events stored.
    for (;;) {
      auto page = FetchHistoryPage(client, arn, page_start);
      for (const auto& e : page.events()) {
        if (printed.insert(e.id()).second) PrintFollowedEvent(e, states.StateOf(e), json);
      }
      if (page.next_token().empty()) break;
      page_start = page.next_token();
    }
    if (status != ExecutionStatus::RUNNING) return kExitOk;
    std::this_thread::sleep_for(kFollowPoll);
  }
}

}  // namespace

void AddHistoryCommand(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<HistoryOptions>();
  auto* cmd = app.add_subcommand(
      "history",
      "Print an execution's events, oldest first: id, type, state, time and a short detail "
      "(-o json: AWS's GetExecutionHistory events in full)");
  cmd->add_option("EXECUTION", opts->execution, "Execution ARN, or STATE_MACHINE:EXECUTION")
      ->required();
  cmd->add_flag("-f,--follow", opts->follow,
                "Keep printing new events until the execution ends (-o json: one event per line)");
  OnSelected(cmd, ctx, [&ctx, opts] {
    const std::string arn = ExecutionArnOf("EXECUTION", opts->execution);
    return opts->follow ? FollowHistory(ctx, arn) : PrintHistory(ctx, arn);
  });
}

}  // namespace batchd::cli
