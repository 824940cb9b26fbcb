// batchctl get activities, delete activity, and `activity poll`: a worker's one
// GetActivityTask call, for scripts that do an activity's work.
#include <chrono>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/commands/command_util.h"
#include "cli/commands/workflow_commands.h"
#include "cli/commands/workflow_tables.h"
#include "cli/errors.h"
#include "cli/workflow_lookups.h"

namespace batchd::cli {
namespace {

using namespace batch::v1;
using Stub = Client::StatesStub;

// batchd holds a poll open for up to 60 s (as AWS does); the call may take a little longer.
constexpr std::chrono::seconds kPollDeadline{75};

int GetActivities(Context& ctx, const std::vector<std::string>& names) {
  std::vector<std::string> wanted;
  for (const auto& n : names) wanted.push_back(ActivityArnOf("NAME", n));
  ListActivitiesResponse all;
  for (auto& a : ListAllActivities(ctx.client())) {
    bool listed = wanted.empty();
    for (const auto& arn : wanted) listed = listed || arn == a.activity_arn();
    if (listed) *all.add_activities() = std::move(a);
  }
  for (size_t i = 0; i < wanted.size(); ++i) {
    bool found = false;
    for (const auto& a : all.activities()) found = found || a.activity_arn() == wanted[i];
    if (!found) throw CliError("activity \"" + names[i] + "\" not found");
  }
  if (PrintedAsData(ctx, all)) return kExitOk;
  Table table = ActivityTable();
  for (const auto& a : all.activities()) AddActivityRow(&table, a);
  if (table.empty()) {
    std::cerr << "No activities found.\n";
  } else {
    table.Print(std::cout);
  }
  return kExitOk;
}

int DeleteActivity(Context& ctx, const std::string& ref) {
  DeleteActivityRequest req;
  req.set_activity_arn(ActivityArnOf("NAME", ref));
  ctx.client().Call(&Stub::DeleteActivity, req);
  const std::string& arn = req.activity_arn();
  std::cout << "activity/" << arn.substr(arn.rfind(':') + 1) << " deleted\n";
  return kExitOk;
}

struct PollOptions {
  std::string activity;
  std::string worker;
};

// Prints {"taskToken": ..., "input": ...} with the input as the JSON value itself, so that
// `jq .input.x` reads it; nothing when no task came within the poll, exiting 2 (as `wait`
// does when its time runs out) so that a worker's loop can tell the two apart.
int Poll(Context& ctx, const PollOptions& opts) {
  GetActivityTaskRequest req;
  req.set_activity_arn(ActivityArnOf("ACTIVITY", opts.activity));
  req.set_worker_name(opts.worker);
  const auto task =
      ctx.client().Call(&Stub::GetActivityTask, req,
                        std::chrono::duration_cast<std::chrono::milliseconds>(kPollDeadline));
  if (task.task_token().empty()) {
    std::cout.flush();
    std::cerr << "batchctl: no task for activity " << opts.activity << " came within the poll\n";
    return kExitTimeout;
  }
  nlohmann::ordered_json input = nlohmann::ordered_json::parse(task.input(), nullptr, false);
  if (input.is_discarded()) input = task.input();
  const nlohmann::ordered_json out = {{"taskToken", task.task_token()}, {"input", input}};
  std::cout << out.dump() << '\n';
  return kExitOk;
}

}  // namespace

void AddActivityCommands(CLI::App& app, Context& ctx) {
  auto names = std::make_shared<std::vector<std::string>>();
  auto* get = Verb(app, "get")->add_subcommand("activities", "List activities");
  get->alias("activity");
  get->add_option("NAME", *names, "Only these (names or ARNs)");
  OnSelected(get, ctx, [&ctx, names] { return GetActivities(ctx, *names); });

  auto deleted = std::make_shared<std::string>();
  auto* del = Verb(app, "delete")->add_subcommand("activity", "Delete an activity");
  del->alias("activities");
  del->add_option("NAME", *deleted, "Name or ARN")->required();
  OnSelected(del, ctx, [&ctx, deleted] { return DeleteActivity(ctx, *deleted); });

  auto* activity = app.add_subcommand("activity", "Work on an activity's tasks: poll");
  activity->require_subcommand(1);
  auto poll = std::make_shared<PollOptions>();
  auto* poll_cmd = activity->add_subcommand(
      "poll",
      "Wait up to 60 s for one task of the activity and print it as JSON: "
      "{\"taskToken\": ..., \"input\": ...}. Answer it with 'batchctl task success|failure "
      "TOKEN'. When no task came: nothing on stdout, exit 2");
  poll_cmd->add_option("ACTIVITY", poll->activity, "Name or ARN")->required();
  poll_cmd->add_option("--worker", poll->worker, "The worker's name, recorded in the history");
  OnSelected(poll_cmd, ctx, [&ctx, poll] { return Poll(ctx, *poll); });
}

}  // namespace batchd::cli
