#pragma once
// What a schedule does when its time comes: fire, skip because its previous run is still
// going (Forbid), or record times that passed while batchd was down or the schedule was
// suspended as missed, per its catch-up policy and starting deadline. Pure: the caller gives
// the times and whether the previous run has ended.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "batch/v1/types.pb.h"
#include "core/cron.h"

namespace batchd::core {

struct ScheduleRunPlan {
  enum class Outcome { kFire, kSkip, kMiss };
  int64_t scheduled_at = 0;
  Outcome outcome = Outcome::kFire;
  std::string reason;
  bool replace_previous = false;  // Replace: end the run still going
};

struct FiringPlan {
  std::vector<ScheduleRunPlan> runs;  // oldest first
  std::optional<int64_t> next_run_at;
};

// A time that comes due is fired on time if it is at most this late; older ones are catch-up.
inline constexpr int64_t kOnTimeMs = 10'000;
// At most this many missed times are recorded one by one (All fires at most this many).
inline constexpr int kMaxCatchUp = 100;

// `next_run_at` is the stored next time (due when <= now). `previous_running`: the job (or,
// for a schedule with a stateMachine, the execution) of the schedule's latest fired run has not
// ended (its id or ARN, for the reason).
FiringPlan PlanFirings(const batch::v1::ScheduleDetail& schedule, const CronSchedule& cron,
                       const date::time_zone* zone, int64_t next_run_at, int64_t now_ms,
                       const std::string& previous_running);

std::string_view OutcomeName(ScheduleRunPlan::Outcome outcome);

// The name of the execution that the run of `schedule` due at `scheduled_at` (epoch ms) starts,
// when the schedule's target is a state machine: "<schedule>-<epoch seconds>", with ".<ms>"
// when the time is not a whole second (an @every interval counts from the schedule's creation).
// The same run always gets the same name, so a run fired again finds the execution it started.
// Where the whole would pass AWS's 80 characters the schedule's part is cut and told apart from
// others that share its start by a hash of the whole.
std::string ScheduledExecutionName(const std::string& schedule, int64_t scheduled_at);

}  // namespace batchd::core
