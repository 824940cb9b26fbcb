// The engine's calls from the API: start, stop, redrive, task tokens and activity polls.
// Each runs on the loop thread and answers once what it changed is committed.
#include <spdlog/spdlog.h>

#include "api/api_error.h"
#include "api/names.h"
#include "api/states_names.h"
#include "workflows/engine.h"

namespace batchd::workflows {
namespace {

using asl::Json;

double Seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

Json ParsePayload(const std::string& field, const std::string& text, size_t limit) {
  if (text.size() > limit) {
    api::ThrowInvalid(field, "is " + std::to_string(text.size()) + " bytes; at most " +
                                 std::to_string(limit) + " are allowed");
  }
  try {
    return Json::parse(text.empty() ? "{}" : text);
  } catch (const Json::parse_error& e) {
    api::ThrowInvalid(field, std::string("must be JSON text: ") + e.what());
  }
}

}  // namespace

void WorkflowEngine::BeginExecution(
    const store::StateMachineRow& machine, int revision, const std::string& name,
    const std::string& input, const std::string& parent_arn, int64_t parent_seq,
    const std::string& processor,
    std::function<void(const store::ExecutionInsert*, std::exception_ptr)> done) {
  const std::string arn = api::ExecutionArn(machine.name, name);
  for (const auto& pending : starts_) {
    if (pending.row.arn == arn) {
      // The same name twice in one turn: the second is decided once the first is stored.
      deferred_.push_back([=, this] {
        BeginExecution(machine, revision, name, input, parent_arn, parent_seq, processor, done);
      });
      return;
    }
  }
  auto def = definitions_.Get(machine.name, revision, processor);
  Json parsed = ParsePayload("input", input, options_.max_payload_bytes);
  asl::ExecutionInfo info;
  info.arn = arn;
  info.name = name;
  info.state_machine_arn = machine.arn;
  info.state_machine_name = machine.name;
  info.role_arn = machine.role_arn;
  info.start_ms = clock_.NowMillis();
  info.parent_arn = parent_arn;
  info.parent_seq = parent_seq;
  info.processor = processor;
  asl::Transition t;
  PendingStart start;
  start.state = def->interpreter->Start(info, std::move(parsed), t);
  start.definition = def;
  start.events = std::move(t.events);
  start.starts = std::move(t.starts);
  start.done = std::move(done);
  store::ExecutionRow& row = start.row;
  row.arn = arn;
  row.state_machine = machine.name;
  row.name = name;
  row.revision = revision;
  row.input = input.empty() ? "{}" : input;
  row.start_ms = info.start_ms;
  row.parent_arn = parent_arn;
  StateIntoRow(start.state, asl::Interpreter::NextDue(start.state), row);
  starts_.push_back(std::move(start));
}

batch::v1::StartExecutionResponse WorkflowEngine::StartExecution(const std::string& state_machine,
                                                                 std::optional<int> revision,
                                                                 const std::string& name,
                                                                 const std::string& input) {
  using Response = batch::v1::StartExecutionResponse;
  const std::string execution_name = name.empty() ? api::NewUuid() : name;
  // Refused before it reaches the loop: the loop's turn is shared by everyone.
  ParsePayload("input", input, options_.max_payload_bytes);
  // Read on the caller's thread, so the loop does no reads of its own for a start; the
  // commit's insert checks again that the state machine is there and not being deleted.
  const auto machine = workflows_.GetStateMachine(state_machine);
  if (!machine) {
    api::ThrowNotFound("StateMachineDoesNotExist: state machine " + state_machine);
  }
  if (machine->status == batch::v1::StateMachineStatus::DELETING) {
    api::ThrowFailedPrecondition("StateMachineDeleting: state machine " + state_machine +
                                 " is being deleted");
  }
  return Ask<Response>([=, this](std::function<void(Response, std::exception_ptr)> reply) {
    const int rev = revision.value_or(machine->revision);
    const std::string normalized_input = input.empty() ? "{}" : input;
    const std::string arn = api::ExecutionArn(machine->name, execution_name);
    auto same_start = [=](const store::ExecutionRow& existing) {
      // AWS: the same name and input while it runs is the same start.
      if (existing.status == batch::v1::ExecutionStatus::RUNNING &&
          existing.input == normalized_input) {
        Response r;
        r.set_execution_arn(existing.arn);
        r.set_start_date(Seconds(existing.start_ms));
        return r;
      }
      throw api::ApiError(
          api::ErrorCode::kAlreadyExists,
          "ExecutionAlreadyExists: execution " + existing.arn + " already exists" +
              (existing.status == batch::v1::ExecutionStatus::RUNNING ? " with another input"
                                                                      : " and has ended"));
    };
    if (Live* live = Find(arn)) {
      store::ExecutionRow existing;
      existing.arn = arn;
      existing.status = batch::v1::ExecutionStatus::RUNNING;
      existing.input = asl::Compact(live->state.input);
      existing.start_ms = live->state.info.start_ms;
      if (existing.input != normalized_input) {
        // Stored text may differ from the compact form only in spacing.
        existing.input =
            Json::parse(normalized_input) == live->state.input ? normalized_input : existing.input;
      }
      reply(same_start(existing), nullptr);
      return;
    }
    BeginExecution(
        *machine, rev, execution_name, normalized_input, "", 0, "",
        [reply, same_start, rev](const store::ExecutionInsert* outcome, std::exception_ptr error) {
          if (error) return reply({}, error);
          try {
            switch (outcome->outcome) {
              case store::ExecutionInsert::Outcome::kInserted: {
                Response r;
                r.set_execution_arn(outcome->row.arn);
                r.set_start_date(Seconds(outcome->row.start_ms));
                return reply(r, nullptr);
              }
              case store::ExecutionInsert::Outcome::kExists:
                return reply(same_start(outcome->row), nullptr);
              case store::ExecutionInsert::Outcome::kNoStateMachine:
                api::ThrowNotFound("StateMachineDoesNotExist: state machine " +
                                   outcome->row.state_machine);
              case store::ExecutionInsert::Outcome::kStateMachineDeleting:
                api::ThrowFailedPrecondition("StateMachineDeleting: state machine " +
                                             outcome->row.state_machine + " is being deleted");
            }
            (void)rev;
          } catch (...) {
            reply({}, std::current_exception());
          }
        });
  });
}

double WorkflowEngine::StopExecution(const std::string& arn, const std::string& error,
                                     const std::string& cause) {
  return Ask<double>([=, this](std::function<void(double, std::exception_ptr)> reply) {
    Live* live = Find(arn);
    if (!live) {
      auto stored = workflows_.GetExecution(arn);
      if (!stored) api::ThrowNotFound("ExecutionDoesNotExist: execution " + arn);
      // Stopping an execution that has ended changes nothing (as AWS answers).
      reply(Seconds(stored->stop_ms), nullptr);
      return;
    }
    asl::Transition t;
    live->definition->interpreter->Stop(live->state, error, cause, t);
    const double stop = Seconds(live->state.stop_ms);
    Apply(arn, *live, t);
    after_commit_.push_back([reply, stop](std::exception_ptr e) { reply(stop, e); });
  });
}

double WorkflowEngine::RedriveExecution(const std::string& arn) {
  return Ask<double>([=, this](std::function<void(double, std::exception_ptr)> reply) {
    if (Find(arn)) {
      api::ThrowFailedPrecondition("ExecutionNotRedrivable: execution " + arn + " is running");
    }
    auto stored = workflows_.GetExecution(arn);
    if (!stored) api::ThrowNotFound("ExecutionDoesNotExist: execution " + arn);
    if (stored->status == batch::v1::ExecutionStatus::SUCCEEDED) {
      api::ThrowFailedPrecondition("ExecutionNotRedrivable: execution " + arn + " succeeded");
    }
    asl::ExecutionState state = asl::ExecutionStateFromJson(Json::parse(stored->runtime));
    auto def = definitions_.Get(stored->state_machine, stored->revision, state.info.processor);
    Live& live = Insert(*stored, std::move(state), def);
    asl::Transition t;
    def->interpreter->Redrive(live.state, t);
    const double at = Seconds(live.state.info.redrive_ms);
    Apply(arn, live, t);
    after_commit_.push_back([reply, at](std::exception_ptr e) { reply(at, e); });
  });
}

void WorkflowEngine::SendTaskSuccess(const std::string& token, const std::string& output) {
  Json parsed = ParsePayload("output", output, options_.max_payload_bytes);
  Ask<bool>([=, this](std::function<void(bool, std::exception_ptr)> reply) {
    auto [arn, seq] = TaskOfToken(token);
    Live& live = *Find(arn);
    asl::Transition t;
    live.definition->interpreter->TaskSucceeded(live.state, seq, parsed, t);
    Apply(arn, live, t);
    after_commit_.push_back([reply](std::exception_ptr e) { reply(true, e); });
  });
}

void WorkflowEngine::SendTaskFailure(const std::string& token, const std::string& error,
                                     const std::string& cause) {
  Ask<bool>([=, this](std::function<void(bool, std::exception_ptr)> reply) {
    auto [arn, seq] = TaskOfToken(token);
    Live& live = *Find(arn);
    asl::Transition t;
    live.definition->interpreter->TaskFailed(live.state, seq, error, cause, t);
    Apply(arn, live, t);
    after_commit_.push_back([reply](std::exception_ptr e) { reply(true, e); });
  });
}

void WorkflowEngine::SendTaskHeartbeat(const std::string& token) {
  Ask<bool>([=, this](std::function<void(bool, std::exception_ptr)> reply) {
    auto [arn, seq] = TaskOfToken(token);
    Live& live = *Find(arn);
    live.definition->interpreter->TaskHeartbeat(live.state, seq);
    MarkChanged(arn, live);
    Reschedule(arn, live);
    after_commit_.push_back([reply](std::exception_ptr e) { reply(true, e); });
  });
}

std::optional<store::TaskRow> WorkflowEngine::GetActivityTask(const std::string& activity_arn,
                                                              const std::string& worker) {
  const auto deadline = std::chrono::steady_clock::now() + options_.activity_poll;
  for (;;) {
    uint64_t generation;
    {
      std::lock_guard lock(poll_mu_);
      if (polls_closed_) return std::nullopt;
      generation = poll_generation_[activity_arn];
    }
    if (auto task = workflows_.ClaimActivityTask(activity_arn, worker, clock_.NowMillis())) {
      const std::string arn = task->execution_arn;
      const int64_t seq = task->task_seq;
      Post([this, arn, seq, worker] {
        Live* live = Find(arn);
        if (!live) return;
        asl::Transition t;
        live->definition->interpreter->TaskStarted(live->state, seq, worker, t);
        live->definition->interpreter->TaskHeartbeat(live->state, seq);
        Apply(arn, *live, t);
      });
      return task;
    }
    std::unique_lock lock(poll_mu_);
    if (!poll_cv_.wait_until(lock, deadline, [&] {
          return polls_closed_ || poll_generation_[activity_arn] != generation;
        })) {
      return std::nullopt;
    }
  }
}

void WorkflowEngine::WakePollers(const std::string& activity_arn) {
  {
    std::lock_guard lock(poll_mu_);
    poll_generation_[activity_arn]++;
  }
  poll_cv_.notify_all();
}

void WorkflowEngine::ClosePolls() {
  {
    std::lock_guard lock(poll_mu_);
    polls_closed_ = true;
  }
  poll_cv_.notify_all();
}

void WorkflowEngine::JobEnded(const std::string& job_id) {
  Post([this, job_id] { job_ends_.push_back(job_id); });
}

}  // namespace batchd::workflows
