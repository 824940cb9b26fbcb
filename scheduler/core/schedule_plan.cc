#include "core/schedule_plan.h"

#include <cstdio>

#include "core/stable_hash.h"

namespace batchd::core {
namespace {

// AWS's longest execution name.
constexpr size_t kMaxExecutionName = 80;

}  // namespace

using batch::v1::CatchUpPolicy;
using batch::v1::ConcurrencyPolicy;

std::string_view OutcomeName(ScheduleRunPlan::Outcome outcome) {
  switch (outcome) {
    case ScheduleRunPlan::Outcome::kFire:
      return "FIRED";
    case ScheduleRunPlan::Outcome::kSkip:
      return "SKIPPED";
    case ScheduleRunPlan::Outcome::kMiss:
      return "MISSED";
  }
  return "MISSED";
}

FiringPlan PlanFirings(const batch::v1::ScheduleDetail& schedule, const CronSchedule& cron,
                       const date::time_zone* zone, int64_t next_run_at, int64_t now_ms,
                       const std::string& previous_running) {
  FiringPlan plan;
  std::vector<int64_t> due;
  std::optional<int64_t> t = next_run_at;
  while (t && *t <= now_ms && static_cast<int>(due.size()) < kMaxCatchUp) {
    due.push_back(*t);
    t = cron.NextAfter(*t, zone, schedule.created_at());
  }
  // Beyond the cap the times are not recorded one by one.
  plan.next_run_at = t && *t <= now_ms ? cron.NextAfter(now_ms, zone, schedule.created_at()) : t;
  if (due.empty()) return plan;

  const int64_t deadline_ms = static_cast<int64_t>(schedule.starting_deadline_seconds()) * 1000;
  const auto catch_up = schedule.catch_up() == CatchUpPolicy::CATCH_UP_POLICY_UNSPECIFIED
                            ? CatchUpPolicy::Skip
                            : schedule.catch_up();
  const char* kind = schedule.state_machine().empty() ? "job " : "execution ";
  std::string running = previous_running.empty() ? "" : kind + previous_running;
  for (size_t i = 0; i < due.size(); ++i) {
    ScheduleRunPlan run;
    run.scheduled_at = due[i];
    const int64_t late = now_ms - due[i];
    const bool latest = i + 1 == due.size();
    const bool on_time = latest && late <= kOnTimeMs;
    bool wanted = on_time;
    if (!on_time) {
      switch (catch_up) {
        case CatchUpPolicy::All:
          wanted = true;
          break;
        case CatchUpPolicy::Latest:
          wanted = latest;
          break;
        case CatchUpPolicy::Skip:
        case CatchUpPolicy::CATCH_UP_POLICY_UNSPECIFIED:
        case batch::v1::CatchUpPolicy_Value_CatchUpPolicy_Value_INT_MIN_SENTINEL_DO_NOT_USE_:
        case batch::v1::CatchUpPolicy_Value_CatchUpPolicy_Value_INT_MAX_SENTINEL_DO_NOT_USE_:
          wanted = false;
          break;
      }
    }
    if (!wanted) {
      run.outcome = ScheduleRunPlan::Outcome::kMiss;
      run.reason = "missed while batchd was down or the schedule suspended (catchUp " +
                   batch::v1::CatchUpPolicy::Value_Name(catch_up) + ")";
      plan.runs.push_back(std::move(run));
      continue;
    }
    if (deadline_ms > 0 && late > deadline_ms) {
      run.outcome = ScheduleRunPlan::Outcome::kMiss;
      run.reason = "more than startingDeadlineSeconds (" +
                   std::to_string(schedule.starting_deadline_seconds()) + ") late";
      plan.runs.push_back(std::move(run));
      continue;
    }
    if (!running.empty()) {
      switch (schedule.concurrency_policy()) {
        case ConcurrencyPolicy::Forbid:
          run.outcome = ScheduleRunPlan::Outcome::kSkip;
          run.reason = "the previous run (" + running + ") has not finished (Forbid)";
          plan.runs.push_back(std::move(run));
          continue;
        case ConcurrencyPolicy::Replace:
          run.replace_previous = true;
          break;
        case ConcurrencyPolicy::Allow:
        case ConcurrencyPolicy::CONCURRENCY_POLICY_UNSPECIFIED:
        case batch::v1::
            ConcurrencyPolicy_Value_ConcurrencyPolicy_Value_INT_MIN_SENTINEL_DO_NOT_USE_:
        case batch::v1::
            ConcurrencyPolicy_Value_ConcurrencyPolicy_Value_INT_MAX_SENTINEL_DO_NOT_USE_:
          break;
      }
    }
    run.outcome = ScheduleRunPlan::Outcome::kFire;
    if (!on_time) run.reason = "caught up " + std::to_string(late / 1000) + " s late";
    // Later times in this plan see this run as the one still going.
    running = "the one due at " + std::to_string(due[i]);
    plan.runs.push_back(std::move(run));
  }
  return plan;
}

std::string ScheduledExecutionName(const std::string& schedule, int64_t scheduled_at) {
  std::string suffix = "-" + std::to_string(scheduled_at / 1000);
  if (scheduled_at % 1000 != 0) {
    char ms[8];
    std::snprintf(ms, sizeof ms, ".%03d", static_cast<int>(scheduled_at % 1000));
    suffix += ms;
  }
  if (schedule.size() + suffix.size() <= kMaxExecutionName) return schedule + suffix;
  char hash[16];
  const int hash_size = std::snprintf(hash, sizeof hash, "-%08x", StableHash32(schedule));
  const size_t keep = kMaxExecutionName - suffix.size() - static_cast<size_t>(hash_size);
  return schedule.substr(0, keep) + hash + suffix;
}

}  // namespace batchd::core
