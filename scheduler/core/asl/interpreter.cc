#include "core/asl/interpreter.h"

#include <algorithm>
#include <cctype>
#include <functional>

#include "core/asl/interpreter_run.h"
#include "core/asl/states_error.h"
#include "core/asl/task_resource.h"
#include "core/asl/timestamp.h"

namespace batchd::asl {

std::string DetailsMember(const std::string& type) {
  if (type.ends_with("StateEntered")) return "stateEnteredEventDetails";
  if (type.ends_with("StateExited")) return "stateExitedEventDetails";
  // Types AWS gives no details.
  static const char* const kBare[] = {
      "ParallelStateStarted", "ParallelStateSucceeded", "ParallelStateFailed",
      "ParallelStateAborted", "MapStateSucceeded",      "MapStateFailed",
      "MapStateAborted",      "WaitStateAborted",       "TaskStateAborted",
      "PassStateAborted",     "MapRunSucceeded"};
  for (const char* bare : kBare) {
    if (type == bare) return "";
  }
  std::string member = type + "EventDetails";
  member[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(member[0])));
  return member;
}

Interpreter::Interpreter(std::shared_ptr<const Machine> machine, const core::Clock& clock,
                         Random& random)
    : machine_(std::move(machine)), clock_(clock), random_(random) {}

bool Interpreter::UsesContext(const State& state) {
  auto it = uses_context_.find(&state);
  if (it != uses_context_.end()) return it->second;
  // Building the context object copies the execution's input, so it is built only for
  // states whose templates or paths read it.
  Json fields = Json::array();
  for (const auto* j : {&state.parameters, &state.result_selector, &state.assign}) {
    if (*j) fields.push_back(**j);
  }
  for (const auto& c : state.catchers) {
    if (c.assign) fields.push_back(*c.assign);
  }
  for (const auto* p : {&state.input_path.path, &state.output_path.path, &state.result_path.path,
                        &state.items_path.path, &state.error_path, &state.cause_path,
                        &state.seconds_path, &state.timestamp_path}) {
    fields.push_back(*p);
  }
  std::function<void(const ChoiceRule&)> rule = [&](const ChoiceRule& r) {
    fields.push_back(r.variable);
    fields.push_back(r.operand);
    for (const auto& c : r.children) rule(c);
  };
  for (const auto& r : state.choices) rule(r);
  const bool uses = Compact(fields).find("$$") != std::string::npos;
  uses_context_.emplace(&state, uses);
  return uses;
}

ExecutionState Interpreter::Start(ExecutionInfo info, Json input, Transition& out) {
  ExecutionState ex;
  ex.info = std::move(info);
  ex.input = std::move(input);
  ex.root.state = machine_->start_at;
  ex.root.input = ex.input;
  if (machine_->timeout_seconds)
    ex.timeout_ms = ex.info.start_ms + *machine_->timeout_seconds * 1000;
  Run run(*this, ex, out);
  run.EmitExecution("ExecutionStarted", {{"input", Compact(ex.input)},
                                         {"inputDetails", {{"truncated", false}}},
                                         {"roleArn", ex.info.role_arn},
                                         {"stateMachineArn", ex.info.state_machine_arn}});
  // previousEventId of the first state is 0, as AWS records it.
  run.Drive(ex.root, *machine_);
  run.SettleRoot();
  return ex;
}

bool Interpreter::TaskSubmitted(ExecutionState& ex, int64_t seq, const Json& output,
                                Transition& out) {
  if (ex.status != ExecutionStatus::kRunning) return false;
  Run run(*this, ex, out);
  return run.WithTask(seq, [&](Frame& f, const Machine&, const State& s) {
    if (f.phase == Phase::kChild) return;
    run.Emit(f, "TaskSubmitted",
             {{"resourceType", ResourceType(s.resource)},
              {"resource", ResourceName(s.resource)},
              {"output", Compact(output)},
              {"outputDetails", {{"truncated", false}}}});
  });
}

bool Interpreter::TaskStarted(ExecutionState& ex, int64_t seq, const std::string& worker,
                              Transition& out) {
  if (ex.status != ExecutionStatus::kRunning) return false;
  Run run(*this, ex, out);
  return run.WithTask(seq, [&](Frame& f, const Machine&, const State&) {
    if (f.phase == Phase::kChild) return;
    run.Emit(f, "ActivityStarted", {{"workerName", worker}});
  });
}

bool Interpreter::TaskSucceeded(ExecutionState& ex, int64_t seq, Json output, Transition& out) {
  if (ex.status != ExecutionStatus::kRunning) return false;
  Run run(*this, ex, out);
  bool found = run.WithTask(seq, [&](Frame& f, const Machine& m, const State& s) {
    out.ended.push_back(seq);
    if (f.phase == Phase::kChild) {
      // A DISTRIBUTED Map's iteration: its history is its child execution's.
      f.phase = Phase::kSucceeded;
      f.output = std::move(output);
      return;
    }
    if (s.resource.kind == TaskResource::Kind::kActivity) {
      run.Emit(f, "ActivitySucceeded",
               {{"output", Compact(output)}, {"outputDetails", {{"truncated", false}}}});
    } else {
      run.Emit(f, "TaskSucceeded",
               {{"resourceType", ResourceType(s.resource)},
                {"resource", ResourceName(s.resource)},
                {"output", Compact(output)},
                {"outputDetails", {{"truncated", false}}}});
    }
    run.TaskDone(f, m, s, std::move(output));
  });
  run.SettleRoot();
  return found;
}

bool Interpreter::TaskFailed(ExecutionState& ex, int64_t seq, const std::string& error,
                             const std::string& cause, Transition& out) {
  if (ex.status != ExecutionStatus::kRunning) return false;
  Run run(*this, ex, out);
  bool found = run.WithTask(seq, [&](Frame& f, const Machine& m, const State& s) {
    out.ended.push_back(seq);
    if (f.phase == Phase::kChild) {
      f.phase = Phase::kFailed;
      f.error = error;
      f.cause = cause;
      return;
    }
    if (s.resource.kind == TaskResource::Kind::kActivity) {
      run.Emit(f, "ActivityFailed", {{"error", error}, {"cause", cause}});
    } else {
      run.Emit(f, "TaskFailed",
               {{"resourceType", ResourceType(s.resource)},
                {"resource", ResourceName(s.resource)},
                {"error", error},
                {"cause", cause}});
    }
    run.Fail(f, m, s, error, cause);
  });
  run.SettleRoot();
  return found;
}

bool Interpreter::TaskHeartbeat(ExecutionState& ex, int64_t seq) {
  if (ex.status != ExecutionStatus::kRunning) return false;
  Transition ignored;
  Run run(*this, ex, ignored);
  return run.WithTask(seq, [&](Frame& f, const Machine&, const State&) {
    if (f.heartbeat_ms) f.heartbeat_due_ms = run.now() + f.heartbeat_ms;
  });
}

void Interpreter::Timers(ExecutionState& ex, Transition& out) {
  if (ex.status != ExecutionStatus::kRunning) return;
  Run run(*this, ex, out);
  if (ex.timeout_ms && run.now() >= ex.timeout_ms) {
    run.Abort(ex.root, *machine_);
    ex.status = ExecutionStatus::kTimedOut;
    ex.error = errors::kTimeout;
    ex.cause = "The execution ran longer than the state machine's TimeoutSeconds (" +
               std::to_string(machine_->timeout_seconds.value_or(0)) + ")";
    ex.stop_ms = run.now();
    run.EmitExecution("ExecutionTimedOut", {{"error", ex.error}, {"cause", ex.cause}});
    return;
  }
  run.FireTimers();
  run.SettleRoot();
}

void Interpreter::Stop(ExecutionState& ex, const std::string& error, const std::string& cause,
                       Transition& out) {
  if (ex.status != ExecutionStatus::kRunning) return;
  Run run(*this, ex, out);
  run.Abort(ex.root, *machine_);
  ex.status = ExecutionStatus::kAborted;
  ex.error = error;
  ex.cause = cause;
  ex.stop_ms = run.now();
  run.EmitExecution("ExecutionAborted", {{"error", error}, {"cause", cause}});
}

namespace {

// Failed frames enter their state again; frames that ended well keep their results.
void Reopen(Frame& f) {
  if (f.phase == Phase::kFailed) {
    f.phase = Phase::kEnter;
    f.error.clear();
    f.cause.clear();
    f.children.clear();
    f.retry_counts.clear();
  }
}

}  // namespace

void Interpreter::Redrive(ExecutionState& ex, Transition& out) {
  if (ex.status == ExecutionStatus::kRunning || ex.status == ExecutionStatus::kSucceeded) return;
  Run run(*this, ex, out);
  ex.status = ExecutionStatus::kRunning;
  ex.info.redrive_count++;
  ex.info.redrive_ms = run.now();
  ex.error.clear();
  ex.cause.clear();
  ex.stop_ms = 0;
  if (ex.timeout_ms) ex.timeout_ms = run.now() + machine_->timeout_seconds.value_or(0) * 1000;
  run.EmitExecution("ExecutionRedriven", {{"redriveCount", ex.info.redrive_count}});
  Reopen(ex.root);
  run.Drive(ex.root, *machine_);
  run.SettleRoot();
}

namespace {

void MinDue(const Frame& f, int64_t& due) {
  auto take = [&](int64_t t) {
    if (t && (!due || t < due)) due = t;
  };
  switch (f.phase) {
    case Phase::kWait:
    case Phase::kBackoff:
      take(f.due_ms);
      break;
    case Phase::kTask:
      take(f.due_ms);
      take(f.heartbeat_due_ms);
      break;
    case Phase::kBranches:
    case Phase::kIterations:
      take(f.due_ms);  // a Map's items left for a later call
      for (const auto& c : f.children) MinDue(c, due);
      break;
    case Phase::kEnter:
    case Phase::kChild:
    case Phase::kSucceeded:
    case Phase::kFailed:
      break;
  }
}

}  // namespace

namespace {

// `parent`: the Map or Parallel state whose child `f` is, null at the top.
void CollectTasks(const Frame& f, const Machine& m, const State* parent,
                  std::vector<TaskStart>& out) {
  switch (f.phase) {
    case Phase::kTask: {
      const State& s = *m.Find(f.state);
      TaskStart t;
      t.seq = f.task_seq;
      t.state = s.name;
      t.resource = s.resource;
      t.parameters = f.task_parameters;
      t.token = f.token;
      t.heartbeat_seconds = f.heartbeat_ms / 1000;
      for (int r : f.retry_counts) t.retry += r;
      out.push_back(std::move(t));
      return;
    }
    case Phase::kChild:
      out.push_back(Run::IterationStart(*parent, f));
      return;
    case Phase::kBranches:
    case Phase::kIterations: {
      const State& s = *m.Find(f.state);
      for (size_t i = 0; i < f.children.size(); ++i) {
        CollectTasks(f.children[i], Run::ChildMachine(s, f.phase == Phase::kBranches ? i : 0), &s,
                     out);
      }
      return;
    }
    case Phase::kEnter:
    case Phase::kWait:
    case Phase::kBackoff:
    case Phase::kSucceeded:
    case Phase::kFailed:
      return;
  }
}

const State* FindWaiting(const Frame& f, const Machine& m, const State* parent, int64_t seq) {
  switch (f.phase) {
    case Phase::kTask:
      return f.task_seq == seq ? m.Find(f.state) : nullptr;
    case Phase::kChild:
      return f.task_seq == seq ? parent : nullptr;
    case Phase::kBranches:
    case Phase::kIterations: {
      const State& s = *m.Find(f.state);
      for (size_t i = 0; i < f.children.size(); ++i) {
        const Machine& child = Run::ChildMachine(s, f.phase == Phase::kBranches ? i : 0);
        if (const State* found = FindWaiting(f.children[i], child, &s, seq)) return found;
      }
      return nullptr;
    }
    case Phase::kEnter:
    case Phase::kWait:
    case Phase::kBackoff:
    case Phase::kSucceeded:
    case Phase::kFailed:
      return nullptr;
  }
  return nullptr;
}

}  // namespace

std::vector<TaskStart> Interpreter::RunningTasks(const ExecutionState& ex) const {
  std::vector<TaskStart> out;
  if (ex.status == ExecutionStatus::kRunning) CollectTasks(ex.root, *machine_, nullptr, out);
  return out;
}

const State* Interpreter::WaitingTask(const ExecutionState& ex, int64_t seq) const {
  if (ex.status != ExecutionStatus::kRunning) return nullptr;
  return FindWaiting(ex.root, *machine_, nullptr, seq);
}

int64_t Interpreter::NextDue(const ExecutionState& ex) {
  if (ex.status != ExecutionStatus::kRunning) return 0;
  int64_t due = 0;
  MinDue(ex.root, due);
  if (ex.timeout_ms && (!due || ex.timeout_ms < due)) due = ex.timeout_ms;
  return due;
}

}  // namespace batchd::asl
