// What each kind of state does when entered: Pass, Choice, Wait, Succeed, Fail and Task.
// Parallel and Map are in interpreter_composite.cc.
#include <chrono>

#include "core/asl/interpreter_run.h"
#include "core/asl/payload.h"
#include "core/asl/states_error.h"
#include "core/asl/task_resource.h"
#include "core/asl/timestamp.h"

namespace batchd::asl {

void Run::Enter(Frame& f, const Machine& m) {
  const State* s = m.Find(f.state);
  if (!s) {
    // Only a definition changed under a stored execution could get here; executions keep
    // their revision, so this is a damaged document, not a user's mistake.
    f.phase = Phase::kFailed;
    f.error = errors::kRuntime;
    f.cause = "no state named \"" + f.state + "\"";
    return;
  }
  f.entered_ms = now_;
  f.retry_counts.clear();
  const std::string type = s->type == StateType::kFail
                               ? "FailStateEntered"
                               : std::string(StateTypeName(s->type)) + "StateEntered";
  Emit(f, type,
       {{"name", s->name}, {"input", Compact(f.input)}, {"inputDetails", {{"truncated", false}}}});
  Work(f, m, *s);
}

void Run::Work(Frame& f, const Machine& m, const State& s) {
  try {
    switch (s.type) {
      case StateType::kPass:
        return Pass(f, m, s);
      case StateType::kChoice:
        return Choice(f, m, s);
      case StateType::kWait:
        return Wait(f, m, s);
      case StateType::kSucceed:
        return Succeed(f, s);
      case StateType::kFail:
        return FailState(f, s);
      case StateType::kTask:
        return Task(f, s);
      case StateType::kParallel:
        return Parallel(f, m, s);
      case StateType::kMap:
        return Map(f, m, s);
    }
  } catch (const StatesError& e) {
    Fail(f, m, s, e.error(), e.cause());
  }
}

void Run::Pass(Frame& f, const Machine& m, const State& s) {
  Json context;
  const Json* ctx = ContextIfUsed(f, s, context);
  Json effective = ApplyPath(s.input_path, f.input, f, ctx);
  if (s.parameters)
    effective = ResolvePayload(*s.parameters, ScopeFor(f, effective, ctx), ip_.random_);
  Json result = s.result ? *s.result : std::move(effective);
  Complete(f, m, s, std::move(result), nullptr);
}

void Run::Choice(Frame& f, const Machine& m, const State& s) {
  Json context;
  const Json* ctx = ContextIfUsed(f, s, context);
  Json effective = ApplyPath(s.input_path, f.input, f, ctx);
  const Scope scope = ScopeFor(f, effective, ctx);
  std::string next;
  for (const auto& rule : s.choices) {
    if (Matches(rule, scope)) {
      next = rule.next;
      break;
    }
  }
  if (next.empty()) next = s.default_next;
  if (next.empty()) {
    throw StatesError(
        errors::kNoChoiceMatched,
        "No Choice Rules matched and no Default was specified in state '" + s.name + "'");
  }
  Json assigned = AssignVariables(f, s.assign, effective, s);
  Exit(f, m, s, ApplyPath(s.output_path, effective, f, ctx), next, assigned);
}

void Run::Wait(Frame& f, const Machine& m, const State& s) {
  Json effective = ApplyPath(s.input_path, f.input, f, nullptr);
  int64_t due = now_;
  if (s.seconds) {
    due = now_ + *s.seconds * 1000;
  } else if (!s.seconds_path.empty()) {
    Json v = Select(s.seconds_path, ScopeFor(f, effective, nullptr));
    if (!(v.is_number_integer() || v.is_number_unsigned()) || v.get<int64_t>() < 0) {
      throw StatesError(
          errors::kRuntime,
          "The SecondsPath parameter does not reference a valid integer value: " + Compact(v));
    }
    due = now_ + v.get<int64_t>() * 1000;
  } else {
    std::string text = s.timestamp;
    if (text.empty()) {
      Json v = Select(s.timestamp_path, ScopeFor(f, effective, nullptr));
      if (!v.is_string()) {
        throw StatesError(errors::kRuntime,
                          "The TimestampPath parameter does not reference a valid ISO-8601 "
                          "extended offset date-time format string: " +
                              Compact(v));
      }
      text = v.get<std::string>();
    }
    auto t = ParseTimestamp(text);
    if (!t) {
      throw StatesError(errors::kRuntime,
                        "The TimestampPath parameter does not reference a valid ISO-8601 "
                        "extended offset date-time format string: " +
                            text);
    }
    due = std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count();
  }
  if (due <= now_) {
    Json assigned = AssignVariables(f, s.assign, effective, s);
    Exit(f, m, s, ApplyPath(s.output_path, effective, f, nullptr), s.next, assigned);
    return;
  }
  f.phase = Phase::kWait;
  f.due_ms = due;
}

void Run::Succeed(Frame& f, const State& s) {
  Json effective = ApplyPath(s.input_path, f.input, f, nullptr);
  Json output = ApplyPath(s.output_path, effective, f, nullptr);
  Emit(f, "SucceedStateExited",
       {{"name", s.name}, {"output", Compact(output)}, {"outputDetails", {{"truncated", false}}}});
  f.phase = Phase::kSucceeded;
  f.output = std::move(output);
}

void Run::FailState(Frame& f, const State& s) {
  // ErrorPath and CausePath read the state's raw input; either may be an intrinsic call.
  Json context;
  const Json* ctx = ContextIfUsed(f, s, context);
  auto resolve = [&](const std::string& path, const char* field) -> std::string {
    Json tmpl = {{std::string(field) + ".$", path}};
    Json v = ResolvePayload(tmpl, ScopeFor(f, f.input, ctx), ip_.random_)[field];
    if (!v.is_string()) {
      throw StatesError(
          errors::kRuntime,
          std::string("The ") + field + "Path must reference a string, but was " + Compact(v));
    }
    return v.get<std::string>();
  };
  std::string error = s.error.value_or("");
  std::string cause = s.cause.value_or("");
  if (!s.error_path.empty()) error = resolve(s.error_path, "Error");
  if (!s.cause_path.empty()) cause = resolve(s.cause_path, "Cause");
  f.phase = Phase::kFailed;
  f.error = std::move(error);
  f.cause = std::move(cause);
}

void Run::Task(Frame& f, const State& s) {
  const std::string token = TakesToken(s.resource) ? NewToken() : "";
  Json context;
  const Json* ctx = nullptr;
  if (!token.empty() || ip_.UsesContext(s)) {
    context = ContextFor(f, s, token);
    ctx = &context;
  }
  Json effective = ApplyPath(s.input_path, f.input, f, ctx);
  Json parameters = s.parameters
                        ? ResolvePayload(*s.parameters, ScopeFor(f, effective, ctx), ip_.random_)
                        : effective;
  const int64_t timeout = ResolveInt(s.timeout_seconds, effective, f, "TimeoutSecondsPath");
  const int64_t heartbeat = ResolveInt(s.heartbeat_seconds, effective, f, "HeartbeatSecondsPath");

  TaskStart start;
  start.seq = ex_.next_task_seq++;
  start.state = s.name;
  start.resource = s.resource;
  start.token = token;
  start.timeout_seconds = timeout;
  start.heartbeat_seconds = heartbeat;
  for (int r : f.retry_counts) start.retry += r;

  if (s.resource.kind == TaskResource::Kind::kActivity) {
    Json details = {{"resource", s.resource.arn},
                    {"input", Compact(parameters)},
                    {"inputDetails", {{"truncated", false}}}};
    if (timeout) details["timeoutInSeconds"] = timeout;
    if (heartbeat) details["heartbeatInSeconds"] = heartbeat;
    Emit(f, "ActivityScheduled", std::move(details));
  } else {
    Json details = {{"resourceType", ResourceType(s.resource)},
                    {"resource", ResourceName(s.resource)},
                    {"region", "local"},
                    {"parameters", Compact(parameters)}};
    if (timeout) details["timeoutInSeconds"] = timeout;
    if (heartbeat) details["heartbeatInSeconds"] = heartbeat;
    Emit(f, "TaskScheduled", std::move(details));
    Emit(f, "TaskStarted",
         {{"resourceType", ResourceType(s.resource)}, {"resource", ResourceName(s.resource)}});
  }
  f.task_parameters = parameters;
  start.parameters = std::move(parameters);
  f.phase = Phase::kTask;
  f.task_seq = start.seq;
  f.token = token;
  f.due_ms = timeout ? now_ + timeout * 1000 : 0;
  f.heartbeat_ms = heartbeat * 1000;
  f.heartbeat_due_ms = heartbeat ? now_ + heartbeat * 1000 : 0;
  out_.starts.push_back(std::move(start));
}

}  // namespace batchd::asl
