#pragma once
// Fires schedules: a thread that sleeps until the earliest next time of a schedule that is
// not suspended, then decides each due one (core::PlanFirings) and writes its jobs, its run
// records and its next time in one transaction (Store::FireSchedule). Exactly once: that
// transaction only commits while the stored next time is the one it started from, and a
// run's (schedule, time) is a primary key.
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "batch/v1/batch_service.pb.h"
#include "batch/v1/types.pb.h"
#include "core/clock.h"
#include "store/store.h"

namespace batchd::service {

class ControlPlane;

class ScheduleRunner {
 public:
  ScheduleRunner(store::Store& store, const core::Clock& clock, ControlPlane& plane);
  ~ScheduleRunner();
  ScheduleRunner(const ScheduleRunner&) = delete;
  ScheduleRunner& operator=(const ScheduleRunner&) = delete;

  void Start();
  void Stop();
  // A schedule was created, changed or deleted: look again.
  void Changed();
  // The job a run of `schedule` due at `scheduled_at` submits (also what a schedule's
  // template is validated as).
  static batch::v1::SubmitJobRequest JobRequest(const batch::v1::ScheduleDetail& schedule,
                                                int64_t scheduled_at);
  // Fires `schedule` now, outside its expression; returns the job's id.
  std::string Trigger(const batch::v1::ScheduleDetail& schedule);

 private:
  void Loop();
  // Fires what is due; returns the earliest next time of the rest (epoch ms, 0: none).
  int64_t RunDue();
  void Fire(const batch::v1::ScheduleDetail& schedule, int64_t now);
  // The job of the latest fired run while it has not ended, else "".
  static std::string RunningJob(const batch::v1::ScheduleDetail& schedule);

  store::Store& store_;
  const core::Clock& clock_;
  ControlPlane& plane_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool changed_ = false;
  std::thread thread_;
};

}  // namespace batchd::service
