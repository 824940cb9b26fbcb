#pragma once
// Fires schedules: a thread that sleeps until the earliest next time of a schedule that is
// not suspended, then decides each due one (core::PlanFirings) and writes its jobs, its run
// records and its next time in one transaction (Store::FireSchedule). Exactly once: that
// transaction only commits while the stored next time is the one it started from, and a
// run's (schedule, time) is a primary key.
//
// A schedule whose target is a state machine starts executions instead, through the workflow
// loop, which commits each start itself; so a run starts its execution first and is recorded
// after. The execution is named after the run: firing the same run again (batchd stopped in
// between, or another batchd fired it too) finds the execution already started, and that run
// is recorded naming it, rather than a second execution started.
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "batch/v1/batch_service.pb.h"
#include "batch/v1/types.pb.h"
#include "core/clock.h"
#include "service/workflow_hooks.h"
#include "store/store.h"
#include "store/workflow_store.h"

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
  // Fires `schedule` now, outside its expression; returns the job's id, or the execution's
  // ARN when its target is a state machine.
  std::string Trigger(const batch::v1::ScheduleDetail& schedule);
  // Set once at start-up, before Start(): what starts and stops executions, and where the
  // execution of a run that is not fired is looked for (see FindStarted).
  void SetWorkflowHooks(WorkflowHooks* workflows) { workflows_ = workflows; }
  void SetWorkflowStore(store::WorkflowStore* executions) { executions_ = executions; }

 private:
  void Loop();
  // Fires what is due; returns the earliest next time of the rest (epoch ms, 0: none).
  int64_t RunDue();
  void Fire(const batch::v1::ScheduleDetail& schedule, int64_t now);
  // Starts the execution of a fired run (or finds the one an earlier try of the same run
  // started) and records it in `firing`; a refusal that retrying would not change makes the
  // run SKIPPED.
  void FireExecution(const batch::v1::ScheduleDetail& schedule, int64_t scheduled_at,
                     store::Store::ScheduleFiring& firing);
  // Returns the ARN of the run's execution.
  std::string StartExecution(const batch::v1::ScheduleDetail& schedule, int64_t scheduled_at);
  // A run that is not fired now (missed after a restart, or skipped while the previous one
  // runs) may have had its execution started by an earlier try that stopped before recording
  // it: then it is recorded as fired, naming that execution.
  void FindStarted(const batch::v1::ScheduleDetail& schedule, store::Store::ScheduleFiring& firing);
  // Replace: ends the latest fired run, `running` (its job or its execution).
  void EndPrevious(const batch::v1::ScheduleDetail& schedule, const std::string& running,
                   int64_t scheduled_at);
  // The job or execution of the latest fired run while it has not ended, else "".
  static std::string RunningTarget(const batch::v1::ScheduleDetail& schedule);

  store::Store& store_;
  const core::Clock& clock_;
  ControlPlane& plane_;
  WorkflowHooks* workflows_ = nullptr;
  store::WorkflowStore* executions_ = nullptr;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool changed_ = false;
  std::thread thread_;
};

}  // namespace batchd::service
