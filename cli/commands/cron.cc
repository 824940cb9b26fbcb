// batchctl cron next 'EXPR' [--tz ZONE] [-n N]: when an expression fires, worked out here with
// the same code batchd uses, so a schedule can be checked before it is applied.
#include <date/tz.h>

#include <iostream>
#include <memory>

#include "cli/commands/command_util.h"
#include "cli/commands/commands.h"
#include "cli/errors.h"
#include "cli/output.h"
#include "core/cron.h"

namespace batchd::cli {
namespace {

struct CronOptions {
  std::string expression;
  std::string zone;
  int count = 5;
};

int RunNext(const CronOptions& opts) {
  core::CronSchedule schedule;
  const date::time_zone* zone = nullptr;
  try {
    schedule = core::CronSchedule::Parse(opts.expression);
    zone = core::FindTimeZone(opts.zone);
  } catch (const std::invalid_argument& e) {
    throw CliError(e.what(), kExitUsage);
  }
  const auto now = std::chrono::system_clock::now();
  int64_t after =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const int64_t anchor = after;
  Table table({"UTC", "LOCAL (" + std::string(zone->name()) + ")"});
  for (int i = 0; i < opts.count; ++i) {
    const auto next = schedule.NextAfter(after, zone, anchor);
    if (!next) break;
    const auto at = date::sys_seconds{
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::milliseconds(*next))};
    table.AddRow(
        {date::format("%FT%TZ", at), date::format("%F %T %Z", date::make_zoned(zone, at))});
    after = *next;
  }
  if (table.empty()) {
    throw CliError("\"" + opts.expression + "\" never fires (no date matches it)");
  }
  table.Print(std::cout);
  return kExitOk;
}

}  // namespace

void AddCronCommand(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<CronOptions>();
  auto* cron = app.add_subcommand("cron", "Work with cron expressions");
  cron->require_subcommand(1);
  auto* next = cron->add_subcommand(
      "next", "Print the next times an expression fires (computed here, as batchd would)");
  next->add_option("EXPRESSION", opts->expression,
                   "5 fields (minute hour day-of-month month day-of-week), 6 with seconds first, "
                   "@daily and the other macros, or @every 90s")
      ->required();
  next->add_option("--tz", opts->zone, "IANA time zone the expression is read in (default UTC)");
  next->add_option("-n", opts->count, "How many fire times (default 5)")
      ->check(CLI::Range(1, 1000));
  OnSelected(next, ctx, [opts] { return RunNext(*opts); });
}

}  // namespace batchd::cli
