#include "workflows/engine.h"

#include <spdlog/spdlog.h>

#include "api/api_error.h"
#include "api/states_names.h"
#include "core/asl/states_error.h"
#include "core/asl/task_resource.h"

namespace batchd::workflows {
namespace {

using asl::Json;
using batch::v1::ExecutionStatus;

ExecutionStatus::Value StatusOf(asl::ExecutionStatus status) {
  switch (status) {
    case asl::ExecutionStatus::kRunning:
      return ExecutionStatus::RUNNING;
    case asl::ExecutionStatus::kSucceeded:
      return ExecutionStatus::SUCCEEDED;
    case asl::ExecutionStatus::kFailed:
      return ExecutionStatus::FAILED;
    case asl::ExecutionStatus::kTimedOut:
      return ExecutionStatus::TIMED_OUT;
    case asl::ExecutionStatus::kAborted:
      return ExecutionStatus::ABORTED;
  }
  return ExecutionStatus::FAILED;
}

store::HistoryEventRow EventRow(const asl::HistoryEvent& e) {
  store::HistoryEventRow row;
  row.event_id = e.id;
  row.previous_event_id = e.previous_id;
  row.type = e.type;
  row.ts_ms = e.timestamp_ms;
  if (!e.details.is_null()) row.details = asl::Compact(e.details);
  return row;
}

}  // namespace

WorkflowEngine::WorkflowEngine(store::Store& store, store::WorkflowStore& workflows,
                               service::ControlPlane& plane, const core::Clock& clock,
                               EngineOptions options)
    : store_(store),
      workflows_(workflows),
      plane_(plane),
      clock_(clock),
      options_(options),
      definitions_(workflows, clock) {}

WorkflowEngine::~WorkflowEngine() { Stop(); }

void WorkflowEngine::Start() {
  Recover();
  thread_ = std::thread([this] { Loop(); });
  // The recovery's effects go out with the first turn.
  Post([] {});
}

void WorkflowEngine::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WorkflowEngine::Post(std::function<void()> work) {
  {
    std::lock_guard lock(mu_);
    inbox_.push_back(std::move(work));
  }
  cv_.notify_one();
}

void WorkflowEngine::Loop() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait_until(lock, paced_until_, [&] { return stopping_; });
      if (!stopping_ && inbox_.empty() && !dirty_) {
        if (timers_.empty()) {
          cv_.wait(lock, [&] { return stopping_ || !inbox_.empty(); });
        } else {
          const int64_t wait = timers_.begin()->first - clock_.NowMillis();
          if (wait > 0) {
            cv_.wait_for(lock, std::chrono::milliseconds(wait),
                         [&] { return stopping_ || !inbox_.empty(); });
          }
        }
      }
      if (stopping_) return;
    }
    try {
      Turn();
    } catch (const std::exception& e) {
      spdlog::error("workflows: a turn failed: {}", e.what());
    }
  }
}

void WorkflowEngine::Turn() {
  std::vector<std::function<void()>> work;
  {
    std::lock_guard lock(mu_);
    work.swap(inbox_);
  }
  for (auto& w : std::exchange(deferred_, {})) w();
  for (auto& w : work) w();
  if (!job_ends_.empty()) OnJobsEnded(std::exchange(job_ends_, {}));
  FireTimers();
  Commit();
  dirty_ = Dirty();
}

bool WorkflowEngine::Dirty() const {
  if (!starts_.empty() || !deferred_.empty() || !job_ends_.empty() || !effects_.empty() ||
      !turn_.new_tasks.empty() || !turn_.finished_tasks.empty() || !turn_.heartbeats.empty()) {
    return true;
  }
  return !changed_.empty();
}

void WorkflowEngine::FireTimers() {
  const int64_t now = clock_.NowMillis();
  while (!timers_.empty() && timers_.begin()->first <= now) {
    const std::string arn = timers_.begin()->second;
    timers_.erase(timers_.begin());
    Live* live = Find(arn);
    if (!live) continue;
    live->due_ms = 0;
    asl::Transition t;
    live->definition->interpreter->Timers(live->state, t);
    Apply(arn, *live, t);
  }
}

void WorkflowEngine::MarkChanged(const std::string& arn, Live& live) {
  if (live.changed) return;
  live.changed = true;
  changed_.push_back(arn);
}

WorkflowEngine::Live* WorkflowEngine::Find(const std::string& arn) {
  auto it = live_.find(arn);
  return it == live_.end() ? nullptr : &it->second;
}

void WorkflowEngine::Reschedule(const std::string& arn, Live& live) {
  if (live.due_ms) timers_.erase({live.due_ms, arn});
  live.due_ms = asl::Interpreter::NextDue(live.state);
  if (live.due_ms) timers_.insert({live.due_ms, arn});
}

void WorkflowEngine::Apply(const std::string& arn, Live& live, asl::Transition& t) {
  if (t.events.empty() && t.starts.empty() && t.cancels.empty()) return;
  MarkChanged(arn, live);
  for (auto& e : t.events) live.events.push_back(std::move(e));
  for (const auto& cancel : t.cancels) CancelTask(arn, live, cancel);
  // Tasks no longer waited on: their tokens and jobs are forgotten.
  for (int64_t seq : t.ended) {
    auto ext = live.state.external_ids.find(seq);
    if (ext != live.state.external_ids.end()) {
      jobs_.erase(ext->second);
      live.state.external_ids.erase(ext);
    }
    auto token = live.tokens.find(seq);
    if (token != live.tokens.end()) {
      turn_.finished_tasks.push_back(token->second);
      tokens_.erase(token->second);
      live.tokens.erase(token);
    }
  }
  for (const auto& start : t.starts) {
    if (!start.token.empty()) {
      tokens_[start.token] = {arn, start.seq};
      live.tokens[start.seq] = start.token;
      turn_.new_tasks.push_back(TaskRowOf(arn, start));
    }
    effects_.push_back([this, arn, start] { StartTask(arn, start); });
  }
  Reschedule(arn, live);
}

void WorkflowEngine::Commit() {
  const auto commit_start = std::chrono::steady_clock::now();
  // New executions go first in the turn: the store writes their events and tasks only where
  // their name was free.
  auto starts = std::exchange(starts_, {});
  for (auto& start : starts) {
    turn_.new_executions.push_back(start.row);
    store::ExecutionEvents events;
    events.execution_arn = start.row.arn;
    for (const auto& e : start.events) events.events.push_back(EventRow(e));
    turn_.events.push_back(std::move(events));
    for (const auto& task : start.starts) {
      if (!task.token.empty()) turn_.new_tasks.push_back(TaskRowOf(start.row.arn, task));
    }
  }
  bool any = !turn_.new_tasks.empty() || !turn_.finished_tasks.empty() ||
             !turn_.heartbeats.empty() || !turn_.new_executions.empty();
  std::vector<std::string> ended;
  for (const std::string& arn : std::exchange(changed_, {})) {
    Live* found = Find(arn);
    if (!found || !found->changed) continue;
    Live& live = *found;
    any = true;
    store::ExecutionRow row;
    row.arn = arn;
    row.state_machine = live.state_machine;
    row.revision = live.revision;
    StateIntoRow(live.state, live.due_ms, row);
    turn_.changed_executions.push_back(std::move(row));
    store::ExecutionEvents events;
    events.execution_arn = arn;
    for (const auto& e : live.events) events.events.push_back(EventRow(e));
    turn_.events.push_back(std::move(events));
    live.events.clear();
    live.changed = false;
    if (live.state.status != asl::ExecutionStatus::kRunning) ended.push_back(arn);
  }
  if (!any && after_commit_.empty() && effects_.empty()) return;
  std::exception_ptr error;
  std::vector<store::ExecutionInsert> outcomes;
  size_t document_bytes = 0;
  for (const auto& row : turn_.changed_executions) document_bytes += row.runtime.size();
  try {
    if (any) outcomes = workflows_.CommitTurn(turn_);
  } catch (...) {
    error = std::current_exception();
  }
  if (document_bytes > options_.pace_document_bytes) {
    const auto now = std::chrono::steady_clock::now();
    paced_until_ = now + (now - commit_start);
  }
  turn_ = {};
  auto after = std::exchange(after_commit_, {});
  auto effects = std::exchange(effects_, {});
  if (error) {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      spdlog::error("workflows: cannot store a turn (reloading running executions): {}", e.what());
    }
    // What the loop holds is ahead of the store now: it starts again from what is stored,
    // and the effects that were waiting go out again from there.
    for (auto& start : starts) start.done(nullptr, error);
    for (auto& a : after) a(error);
    live_.clear();
    timers_.clear();
    tokens_.clear();
    jobs_.clear();
    try {
      Recover();
    } catch (const std::exception& e) {
      spdlog::error("workflows: cannot reload running executions: {}", e.what());
    }
    return;
  }
  for (size_t i = 0; i < starts.size() && i < outcomes.size(); ++i) Started(starts[i], outcomes[i]);
  for (auto& a : after) a(nullptr);
  for (const auto& arn : ended) {
    auto it = live_.find(arn);
    if (it == live_.end()) continue;
    if (it->second.due_ms) timers_.erase({it->second.due_ms, arn});
    if (!it->second.state.info.parent_arn.empty()) ChildEnded(it->second);
    live_.erase(it);
  }
  for (auto& effect : effects) effect();
}

void WorkflowEngine::Started(PendingStart& start, const store::ExecutionInsert& outcome) {
  if (outcome.outcome == store::ExecutionInsert::Outcome::kInserted) {
    const std::string arn = start.row.arn;
    const bool running = start.state.status == asl::ExecutionStatus::kRunning;
    if (running) {
      Insert(outcome.row, std::move(start.state), start.definition);
      for (const auto& task : start.starts) {
        effects_.push_back([this, arn, task] { StartTask(arn, task); });
      }
    } else if (!start.state.info.parent_arn.empty()) {
      Live ended;
      ended.state = std::move(start.state);
      ChildEnded(ended);
    }
  }
  start.done(&outcome, nullptr);
}

void WorkflowEngine::StateIntoRow(const asl::ExecutionState& state, int64_t due_ms,
                                  store::ExecutionRow& row) {
  row.status = StatusOf(state.status);
  if (state.status == asl::ExecutionStatus::kSucceeded) row.output = asl::Compact(state.output);
  row.error = state.error;
  row.cause = state.cause;
  row.stop_ms = state.stop_ms;
  row.runtime = asl::ToJson(state).dump();
  if (due_ms) row.next_due_ms = due_ms;
  row.last_event_id = state.last_event_id;
  row.redrive_count = state.info.redrive_count;
  row.redrive_ms = state.info.redrive_ms;
}

store::TaskRow WorkflowEngine::TaskRowOf(const std::string& arn,
                                         const asl::TaskStart& start) const {
  store::TaskRow row;
  row.token = start.token;
  row.execution_arn = arn;
  row.task_seq = start.seq;
  row.state_name = start.state;
  row.resource = start.resource.arn;
  const bool activity = start.resource.kind == asl::TaskResource::Kind::kActivity;
  row.kind =
      activity ? batch::v1::WorkflowTaskKind::ACTIVITY : batch::v1::WorkflowTaskKind::CALLBACK;
  if (activity) row.activity_arn = api::ActivityArn(start.resource.activity_name);
  row.input = asl::Compact(start.parameters);
  row.status = batch::v1::WorkflowTaskStatus::SCHEDULED;
  row.scheduled_ms = clock_.NowMillis();
  row.heartbeat_seconds = static_cast<int>(start.heartbeat_seconds);
  if (start.heartbeat_seconds) {
    row.heartbeat_due_ms = row.scheduled_ms + start.heartbeat_seconds * 1000;
  }
  if (start.timeout_seconds) row.timeout_due_ms = row.scheduled_ms + start.timeout_seconds * 1000;
  return row;
}

WorkflowEngine::Live& WorkflowEngine::Insert(store::ExecutionRow row, asl::ExecutionState state,
                                             std::shared_ptr<const Definition> definition) {
  Live& live = live_[row.arn];
  live.state = std::move(state);
  live.definition = std::move(definition);
  live.state_machine = row.state_machine;
  live.revision = row.revision;
  for (const auto& task : live.definition->interpreter->RunningTasks(live.state)) {
    if (!task.token.empty()) {
      tokens_[task.token] = {row.arn, task.seq};
      live.tokens[task.seq] = task.token;
    }
    auto ext = live.state.external_ids.find(task.seq);
    if (ext != live.state.external_ids.end() &&
        asl::ResourceType(task.resource) == std::string("batch")) {
      jobs_[ext->second] = {row.arn, task.seq};
    }
  }
  Reschedule(row.arn, live);
  return live;
}

void WorkflowEngine::Recover() {
  std::vector<std::pair<std::string, asl::TaskStart>> restart;
  std::vector<std::string> job_ids;
  workflows_.LoadRunningExecutions([&](store::ExecutionRow&& row) {
    try {
      asl::ExecutionState state = asl::ExecutionStateFromJson(Json::parse(row.runtime));
      auto def = definitions_.Get(row.state_machine, row.revision, state.info.processor);
      Live& live = Insert(row, std::move(state), def);
      for (auto& task : def->interpreter->RunningTasks(live.state)) {
        auto ext = live.state.external_ids.find(task.seq);
        if (ext != live.state.external_ids.end()) {
          job_ids.push_back(ext->second);
        } else if (task.token.empty()) {
          // Scheduled, but whether its job or child started is unknown: starting it again
          // with the same client token or name finds it if it did.
          restart.emplace_back(row.arn, std::move(task));
        }
      }
    } catch (const std::exception& e) {
      spdlog::error("workflows: cannot resume execution {}: {}", row.arn, e.what());
    }
  });
  for (auto& [arn, task] : restart) {
    effects_.push_back([this, arn, task] { StartTask(arn, task); });
  }
  // Jobs that ended while no batchd was watching.
  if (!job_ids.empty()) {
    effects_.push_back([this, job_ids] { OnJobsEnded(job_ids); });
  }
  spdlog::info("workflows: {} running executions resumed", live_.size());
}

std::pair<std::string, int64_t> WorkflowEngine::TaskOfToken(const std::string& token) {
  auto it = tokens_.find(token);
  if (it == tokens_.end()) {
    // Never the token itself: it is a secret.
    throw api::ApiError(api::ErrorCode::kNotFound,
                        "TaskDoesNotExist: no step waits on this task token (it was answered, "
                        "timed out, or never existed)");
  }
  return it->second;
}

}  // namespace batchd::workflows
