// batchctl events ce NAME: what the scheduler decided about a compute environment and why
// (scale out, scale in, nodes that did not register, provider failures), oldest first.
#include <algorithm>
#include <iostream>
#include <memory>

#include "api/names.h"
#include "cli/commands/command_util.h"
#include "cli/commands/commands.h"
#include "cli/commands/tables.h"
#include "cli/errors.h"
#include "cli/output.h"

namespace batchd::cli {
namespace {

// The server's page limit.
constexpr int kEventsPage = 1000;

struct EventsOptions {
  std::string compute_environment;
  int limit = 50;
};

int ShowEvents(Context& ctx, const EventsOptions& opts) {
  batch::v1::ListEventsRequest req;
  req.set_compute_environment(
      api::NameFromRef("NAME", opts.compute_environment, api::kComputeEnvironmentKind));
  batch::v1::ListEventsResponse all;
  do {
    req.set_max_results(std::min(opts.limit - all.events_size(), kEventsPage));
    auto page = ctx.client().Call(&Client::Stub::ListEvents, req);
    for (auto& e : *page.mutable_events()) *all.add_events() = std::move(e);
    req.set_next_token(page.next_token());
  } while (!req.next_token().empty() && all.events_size() < opts.limit);
  // Newest first from the server; read like a log.
  std::reverse(all.mutable_events()->begin(), all.mutable_events()->end());
  if (PrintedAsData(ctx, all)) return kExitOk;
  if (all.events_size() == 0) {
    std::cerr << "No events for compute environment " << req.compute_environment() << ".\n";
    return kExitOk;
  }
  Table table = EventTable();
  for (const auto& e : all.events()) AddEventRow(&table, e);
  table.Print(std::cout);
  return kExitOk;
}

}  // namespace

void AddEventsCommand(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<EventsOptions>();
  auto* events = app.add_subcommand(
      "events", "Show what the scheduler decided about a resource, and why (oldest first)");
  RequireResourceType(events, ctx, "compute-environment (ce)");
  auto* ce = events->add_subcommand("compute-environment",
                                    "Scaling decisions and provider failures of an environment");
  ce->alias("ce");
  ce->add_option("NAME", opts->compute_environment, "Compute environment name or ARN")->required();
  ce->add_option("--limit", opts->limit, "Show at most the latest N events (default 50)")
      ->check(CLI::Range(1, 100000));
  OnSelected(ce, ctx, [&ctx, opts] { return ShowEvents(ctx, *opts); });
}

}  // namespace batchd::cli
