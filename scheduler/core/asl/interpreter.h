#pragma once
// The interpreter: what an execution does next, as a pure function of where it is (an
// ExecutionState), what just happened (started, a task answered, timers due, stop) and the
// clock. Each call changes the state in place and reports what must be stored with it (the
// history events) and what must happen once that is committed (tasks to start or cancel).
// Synchronous states (Pass, Choice, Succeed, Fail, a Wait already due, whole Map iterations of
// them) run to completion inside one call.
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/asl/definition.h"
#include "core/asl/execution_state.h"
#include "core/asl/json.h"
#include "core/asl/random.h"
#include "core/clock.h"

namespace batchd::asl {

struct HistoryEvent {
  int64_t id = 0;
  int64_t previous_id = 0;
  int64_t timestamp_ms = 0;
  std::string type;  // AWS's event type, e.g. "TaskScheduled"
  Json details;      // its *EventDetails object; null for types that have none
};

// AWS's member name for a type's details: "TaskScheduled" -> "taskScheduledEventDetails",
// "PassStateEntered" -> "stateEnteredEventDetails"; "" for types without details.
std::string DetailsMember(const std::string& type);

// A task to start once the transition that scheduled it is committed.
struct TaskStart {
  int64_t seq = 0;  // unique within the execution: with its ARN it names the task everywhere
  std::string state;
  TaskResource resource;
  Json parameters;                // resolved Parameters (or the effective input without them)
  std::string token;              // activities and callbacks; "" otherwise
  int64_t timeout_seconds = 0;    // 0: none
  int64_t heartbeat_seconds = 0;  // 0: none
  int retry = 0;                  // how many retries of the state came before
};

struct TaskCancel {
  int64_t seq = 0;
  TaskResource resource;
};

// What one call produced, in order.
struct Transition {
  std::vector<HistoryEvent> events;
  std::vector<TaskStart> starts;
  std::vector<TaskCancel> cancels;
  // Tasks no longer waited on: answered, timed out or cancelled. Whoever drives the execution
  // forgets their jobs and tokens from these, without walking every running task.
  std::vector<int64_t> ended;
};

class Interpreter {
 public:
  Interpreter(std::shared_ptr<const Machine> machine, const core::Clock& clock, Random& random);

  ExecutionState Start(ExecutionInfo info, Json input, Transition& out);

  // The task's submission was answered (a batch job's SubmitJob response): TaskSubmitted.
  // False when the execution has no such task waiting (already answered, timed out, stopped).
  bool TaskSubmitted(ExecutionState& ex, int64_t seq, const Json& output, Transition& out);
  // An activity worker took the task.
  bool TaskStarted(ExecutionState& ex, int64_t seq, const std::string& worker, Transition& out);
  bool TaskSucceeded(ExecutionState& ex, int64_t seq, Json output, Transition& out);
  bool TaskFailed(ExecutionState& ex, int64_t seq, const std::string& error,
                  const std::string& cause, Transition& out);
  // SendTaskHeartbeat: the heartbeat deadline moves on. False when no such task waits.
  bool TaskHeartbeat(ExecutionState& ex, int64_t seq);
  // Fires every timer due at the clock's now: Wait ends, retry backoffs, task and heartbeat
  // timeouts, the execution's TimeoutSeconds.
  void Timers(ExecutionState& ex, Transition& out);
  // StopExecution: ABORTED, running tasks cancelled.
  void Stop(ExecutionState& ex, const std::string& error, const std::string& cause,
            Transition& out);
  // RedriveExecution: a FAILED, ABORTED or TIMED_OUT execution enters again the states it
  // ended in, with the input they had.
  void Redrive(ExecutionState& ex, Transition& out);

  // The tasks the execution waits on now, as they were started (for a restarted batchd, which
  // must find or start again what each waits on).
  std::vector<TaskStart> RunningTasks(const ExecutionState& ex) const;
  // The Task state whose frame waits on task `seq` (for an iteration of a DISTRIBUTED Map, the
  // Map state), or null: a walk of the frames that copies nothing, for callers that ask once
  // per task answer.
  const State* WaitingTask(const ExecutionState& ex, int64_t seq) const;

  // The earliest timer of a running execution, epoch ms; 0 when it has none.
  static int64_t NextDue(const ExecutionState& ex);

  const Machine& machine() const { return *machine_; }
  const std::shared_ptr<const Machine>& machine_ptr() const { return machine_; }

  // How many Map iterations one call may start (a DISTRIBUTED Map's count five each). A Map
  // of more items starts the rest in later calls, through a timer due at once: each call's
  // history events, held until they are committed, stay bounded however many items it has.
  static constexpr int64_t kIterationsPerCall = 5'000;
  void set_iterations_per_call(int64_t n) { iterations_per_call_ = n; }

 private:
  friend class Run;
  bool UsesContext(const State& state);

  std::shared_ptr<const Machine> machine_;
  const core::Clock& clock_;
  Random& random_;
  std::unordered_map<const State*, bool> uses_context_;
  int64_t iterations_per_call_ = kIterationsPerCall;
};

}  // namespace batchd::asl
