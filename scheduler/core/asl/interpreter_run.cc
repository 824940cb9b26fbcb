#include <chrono>
#include <cstdio>

#include "core/asl/interpreter_run.h"
#include "core/asl/path.h"
#include "core/asl/payload.h"
#include "core/asl/retry_policy.h"
#include "core/asl/states_error.h"
#include "core/asl/task_resource.h"
#include "core/asl/timestamp.h"

namespace batchd::asl {
namespace {

std::string Iso(int64_t ms) { return FormatTimestamp(TimePoint(std::chrono::milliseconds(ms))); }

}  // namespace

Run::Run(Interpreter& interpreter, ExecutionState& ex, Transition& out)
    : ip_(interpreter),
      ex_(ex),
      out_(out),
      now_(interpreter.clock_.NowMillis()),
      iterations_left_(interpreter.iterations_per_call_) {}

int64_t Run::Emit(Frame& f, const std::string& type, Json details) {
  HistoryEvent e;
  e.id = ++ex_.last_event_id;
  e.previous_id = f.last_event_id;
  e.timestamp_ms = now_;
  e.type = type;
  e.details = std::move(details);
  f.last_event_id = e.id;
  out_.events.push_back(std::move(e));
  return f.last_event_id;
}

int64_t Run::EmitExecution(const std::string& type, Json details) {
  HistoryEvent e;
  e.id = ++ex_.last_event_id;
  e.previous_id = e.id - 1;
  e.timestamp_ms = now_;
  e.type = type;
  e.details = std::move(details);
  out_.events.push_back(std::move(e));
  return ex_.last_event_id;
}

const Machine& Run::ChildMachine(const State& s, size_t branch) {
  return s.type == StateType::kParallel ? *s.branches.at(branch) : *s.processor;
}

void Run::Drive(Frame& f, const Machine& m) {
  // Each pass either moves the frame to its next state or leaves it blocked or ended, and a
  // definition's states are finite, so a loop of Pass states is the only way this spins: it is
  // the definition's loop, as it would be on AWS.
  while (f.phase == Phase::kEnter) Enter(f, m);
}

void Run::SettleRoot() {
  if (ex_.status != ExecutionStatus::kRunning) return;
  Frame& root = ex_.root;
  if (root.phase == Phase::kSucceeded) {
    ex_.status = ExecutionStatus::kSucceeded;
    ex_.output = root.output;
    ex_.stop_ms = now_;
    EmitExecution("ExecutionSucceeded",
                  {{"output", Compact(root.output)}, {"outputDetails", {{"truncated", false}}}});
  } else if (root.phase == Phase::kFailed) {
    ex_.status = ExecutionStatus::kFailed;
    ex_.error = root.error;
    ex_.cause = root.cause;
    ex_.stop_ms = now_;
    EmitExecution("ExecutionFailed", {{"error", root.error}, {"cause", root.cause}});
  }
}

bool Run::WithTask(int64_t seq,
                   const std::function<void(Frame&, const Machine&, const State&)>& act) {
  return WithTaskIn(ex_.root, ip_.machine(), seq, act);
}

bool Run::WithTaskIn(Frame& f, const Machine& m, int64_t seq,
                     const std::function<void(Frame&, const Machine&, const State&)>& act) {
  if ((f.phase == Phase::kTask || f.phase == Phase::kChild) && f.task_seq == seq) {
    act(f, m, *m.Find(f.state));
    Drive(f, m);
    return true;
  }
  if (f.phase != Phase::kBranches && f.phase != Phase::kIterations) return false;
  const State& s = *m.Find(f.state);
  for (size_t i = 0; i < f.children.size(); ++i) {
    const size_t branch = f.phase == Phase::kBranches ? i : 0;
    if (WithTaskIn(f.children[i], ChildMachine(s, branch), seq, act)) {
      SettleChild(f, m, i);
      Drive(f, m);
      return true;
    }
  }
  return false;
}

void Run::FireTimers() { TimersIn(ex_.root, ip_.machine()); }

void Run::TimersIn(Frame& f, const Machine& m) {
  switch (f.phase) {
    case Phase::kWait:
    case Phase::kBackoff:
    case Phase::kTask:
      Timer(f, m);
      Drive(f, m);
      return;
    case Phase::kBranches:
    case Phase::kIterations: {
      const State& s = *m.Find(f.state);
      // Settling a child may end the state and clear `children`; walk from the back, so the
      // iteration that takes an ended one's place (the last) has been visited already.
      for (size_t i = f.children.size(); i-- > 0;) {
        if (f.phase != Phase::kBranches && f.phase != Phase::kIterations) break;
        if (i >= f.children.size()) continue;
        const size_t branch = f.phase == Phase::kBranches ? i : 0;
        TimersIn(f.children[i], ChildMachine(s, branch));
        SettleChild(f, m, i);
      }
      // A Map that left items for a later call (see kIterationsPerCall) goes on with them.
      if (f.phase == Phase::kIterations && f.due_ms && now_ >= f.due_ms) {
        f.due_ms = 0;
        StartIterations(f, m, s);
      }
      Drive(f, m);
      return;
    }
    case Phase::kEnter:
    case Phase::kChild:
    case Phase::kSucceeded:
    case Phase::kFailed:
      return;
  }
}

void Run::Timer(Frame& f, const Machine& m) {
  const State& s = *m.Find(f.state);
  switch (f.phase) {
    case Phase::kWait:
      if (now_ < f.due_ms) return;
      Exit(f, m, s,
           ApplyPath(s.output_path, ApplyPath(s.input_path, f.input, f, nullptr), f, nullptr),
           s.next, Json());
      return;
    case Phase::kBackoff:
      if (now_ < f.due_ms) return;
      Work(f, m, s);
      return;
    case Phase::kTask: {
      const bool timed_out = f.due_ms && now_ >= f.due_ms;
      const bool heartbeat = !timed_out && f.heartbeat_due_ms && now_ >= f.heartbeat_due_ms;
      if (!timed_out && !heartbeat) return;
      // AWS reports a missed heartbeat as States.Timeout too (recorded); ErrorEquals may still
      // name it States.HeartbeatTimeout.
      const std::string cause = timed_out
                                    ? "The task ran longer than its TimeoutSeconds"
                                    : "The task sent no heartbeat within its HeartbeatSeconds";
      out_.cancels.push_back({f.task_seq, s.resource});
      out_.ended.push_back(f.task_seq);
      if (s.resource.kind == TaskResource::Kind::kActivity) {
        Emit(f, "ActivityTimedOut", {{"error", errors::kTimeout}, {"cause", cause}});
      } else {
        Emit(f, "TaskTimedOut",
             {{"resourceType", ResourceType(s.resource)},
              {"resource", ResourceName(s.resource)},
              {"error", errors::kTimeout},
              {"cause", cause}});
      }
      Fail(f, m, s, errors::kTimeout, cause, heartbeat);
      return;
    }
    case Phase::kEnter:
    case Phase::kBranches:
    case Phase::kIterations:
    case Phase::kChild:
    case Phase::kSucceeded:
    case Phase::kFailed:
      return;
  }
}

void Run::Abort(Frame& f, const Machine& m) {
  switch (f.phase) {
    case Phase::kTask: {
      const State& s = *m.Find(f.state);
      out_.cancels.push_back({f.task_seq, s.resource});
      out_.ended.push_back(f.task_seq);
      Emit(f, "TaskStateAborted", Json());
      break;
    }
    case Phase::kWait:
      Emit(f, "WaitStateAborted", Json());
      break;
    case Phase::kChild: {
      // Its child execution is stopped; the history of what it did is that execution's.
      TaskResource iteration;
      iteration.kind = TaskResource::Kind::kMapIteration;
      out_.cancels.push_back({f.task_seq, iteration});
      out_.ended.push_back(f.task_seq);
      break;
    }
    case Phase::kBranches:
    case Phase::kIterations: {
      const State& s = *m.Find(f.state);
      const bool parallel = f.phase == Phase::kBranches;
      for (size_t i = 0; i < f.children.size(); ++i) {
        Frame& c = f.children[i];
        if (c.phase == Phase::kSucceeded || c.phase == Phase::kFailed) continue;
        Abort(c, ChildMachine(s, parallel ? i : 0));
        if (!parallel && !s.distributed) {
          Emit(f, "MapIterationAborted", {{"name", s.name}, {"index", c.item_index}});
        }
      }
      f.children.clear();
      Emit(f, parallel ? "ParallelStateAborted" : "MapStateAborted", Json());
      break;
    }
    case Phase::kEnter:
    case Phase::kBackoff:
    case Phase::kSucceeded:
    case Phase::kFailed:
      break;
  }
  if (f.phase != Phase::kSucceeded && f.phase != Phase::kFailed) {
    f.phase = Phase::kFailed;
    f.error = "States.Aborted";
    f.cause = "aborted";
  }
}

void Run::TaskDone(Frame& f, const Machine& m, const State& s, Json result) {
  try {
    Complete(f, m, s, std::move(result), nullptr);
  } catch (const StatesError& e) {
    Fail(f, m, s, e.error(), e.cause());
  }
}

void Run::Fail(Frame& f, const Machine& m, const State& s, const std::string& error,
               const std::string& cause, bool heartbeat) {
  if (auto r = MatchingRetrier(s.retry, error, heartbeat)) {
    const Retrier& retrier = s.retry[*r];
    f.retry_counts.resize(s.retry.size(), 0);
    if (f.retry_counts[*r] < retrier.max_attempts) {
      const int64_t delay = RetryDelayMillis(retrier, f.retry_counts[*r], ip_.random_);
      f.retry_counts[*r]++;
      f.phase = Phase::kBackoff;
      f.due_ms = now_ + delay;
      f.task_seq = 0;
      f.token.clear();
      if (delay == 0) Work(f, m, s);
      return;
    }
  }
  if (auto c = MatchingCatcher(s.catchers, error, heartbeat)) {
    const Catcher& catcher = s.catchers[*c];
    Json error_output = {{"Error", error}, {"Cause", cause}};
    try {
      Json assigned = AssignVariables(f, catcher.assign, error_output, s);
      Json output =
          catcher.result_path.kind == PathField::Kind::kNull
              ? f.input
              : PlaceResult(f.input, catcher.result_path.present() ? catcher.result_path.path : "$",
                            std::move(error_output));
      Exit(f, m, s, std::move(output), catcher.next, assigned);
      return;
    } catch (const StatesError& e) {
      f.phase = Phase::kFailed;
      f.error = e.error();
      f.cause = e.cause();
      return;
    }
  }
  f.phase = Phase::kFailed;
  f.error = error;
  f.cause = cause;
}

void Run::Complete(Frame& f, const Machine& m, const State& s, Json result,
                   const Json* assign_input) {
  Json context;
  const Json* ctx = ContextIfUsed(f, s, context);
  if (s.result_selector) {
    Scope scope = ScopeFor(f, result, ctx);
    result = ResolvePayload(*s.result_selector, scope, ip_.random_);
  }
  Json assigned = AssignVariables(f, s.assign, assign_input ? *assign_input : result, s);
  Json placed;
  switch (s.result_path.kind) {
    case PathField::Kind::kNull:
      placed = f.input;
      break;
    case PathField::Kind::kAbsent:
      placed = std::move(result);
      break;
    case PathField::Kind::kPath:
      placed = PlaceResult(f.input, s.result_path.path, std::move(result));
      break;
  }
  Exit(f, m, s, ApplyPath(s.output_path, placed, f, ctx), s.next, assigned);
}

void Run::Exit(Frame& f, const Machine& m, const State& s, Json output, const std::string& next,
               const Json& assigned) {
  (void)m;
  Json details = {
      {"name", s.name}, {"output", Compact(output)}, {"outputDetails", {{"truncated", false}}}};
  if (assigned.is_object() && !assigned.empty()) {
    Json shown = Json::object();
    for (const auto& [k, v] : assigned.items()) shown[k] = Compact(v);
    details["assignedVariables"] = std::move(shown);
    details["assignedVariablesDetails"] = {{"truncated", false}};
    for (const auto& [k, v] : assigned.items()) f.variables[k] = v;
  }
  Emit(f, std::string(StateTypeName(s.type)) + "StateExited", std::move(details));
  f.retry_counts.clear();
  f.task_seq = 0;
  f.token.clear();
  f.task_parameters = Json();
  f.due_ms = 0;
  f.heartbeat_ms = 0;
  f.heartbeat_due_ms = 0;
  if (next.empty()) {
    f.phase = Phase::kSucceeded;
    f.output = std::move(output);
    return;
  }
  f.state = next;
  f.input = std::move(output);
  f.phase = Phase::kEnter;
}

Json Run::AssignVariables(Frame& f, const std::optional<Json>& assign, const Json& input,
                          const State& s) {
  if (!assign) return Json();
  Json context;
  const Json* ctx = ContextIfUsed(f, s, context);
  // Every value is evaluated against the variables as they were before the state, then all
  // are bound together (AWS's rule: assignments within one Assign do not see each other).
  return ResolvePayload(*assign, ScopeFor(f, input, ctx), ip_.random_);
}

Json Run::ContextFor(const Frame& f, const State& s, const std::string& token, const Json* map_item,
                     int64_t map_index) {
  int retries = 0;
  for (int r : f.retry_counts) retries += r;
  Json execution = {{"Id", ex_.info.arn},
                    {"Input", ex_.input},
                    {"Name", ex_.info.name},
                    {"RoleArn", ex_.info.role_arn},
                    {"StartTime", Iso(ex_.info.start_ms)},
                    {"RedriveCount", ex_.info.redrive_count}};
  if (ex_.info.redrive_ms) execution["RedriveTime"] = Iso(ex_.info.redrive_ms);
  Json context = {
      {"Execution", std::move(execution)},
      {"StateMachine", {{"Id", ex_.info.state_machine_arn}, {"Name", ex_.info.state_machine_name}}},
      {"State", {{"Name", s.name}, {"EnteredTime", Iso(f.entered_ms)}, {"RetryCount", retries}}}};
  if (!token.empty()) context["Task"] = {{"Token", token}};
  if (map_item) context["Map"] = {{"Item", {{"Index", map_index}, {"Value", *map_item}}}};
  return context;
}

const Json* Run::ContextIfUsed(const Frame& f, const State& s, Json& storage) {
  if (!ip_.UsesContext(s)) return nullptr;
  storage = ContextFor(f, s);
  return &storage;
}

Scope Run::ScopeFor(const Frame& f, const Json& input, const Json* context) const {
  return Scope{&input, context, &f.variables};
}

Json Run::ApplyPath(const PathField& path, const Json& value, const Frame& f, const Json* ctx) {
  switch (path.kind) {
    case PathField::Kind::kAbsent:
      return value;
    case PathField::Kind::kNull:
      return Json::object();
    case PathField::Kind::kPath:
      return Select(path.path, ScopeFor(f, value, ctx));
  }
  return value;
}

int64_t Run::ResolveInt(const IntField& field, const Json& input, const Frame& f,
                        const std::string& name) {
  if (field.value) return *field.value;
  if (field.path.empty()) return 0;
  Json v = Select(field.path, ScopeFor(f, input, nullptr));
  if (!v.is_number_integer() && !v.is_number_unsigned()) {
    throw StatesError(errors::kRuntime, "The value of " + name + " ('" + field.path +
                                            "') must be a non-negative integer, but was " +
                                            Compact(v));
  }
  const int64_t n = v.get<int64_t>();
  if (n < 0) {
    throw StatesError(errors::kRuntime, "The value of " + name + " ('" + field.path +
                                            "') must be a non-negative integer, but was " +
                                            std::to_string(n));
  }
  return n;
}

std::string Run::NewToken() {
  // 256 random bits: a task token is the only credential its answerer holds.
  char buf[65];
  for (int i = 0; i < 4; ++i) {
    std::snprintf(buf + i * 16, 17, "%016llx", static_cast<unsigned long long>(ip_.random_.Next()));
  }
  return std::string(buf, 64);
}

}  // namespace batchd::asl
