// What a step's task does outside the interpreter: batch jobs submitted and watched, child
// executions started and waited for, activity pollers woken. Runs on the loop thread, after
// the commit that scheduled the task.
#include <spdlog/spdlog.h>

#include <cstdio>

#include "api/api_error.h"
#include "api/job_states.h"
#include "api/states_names.h"
#include "core/asl/states_error.h"
#include "core/asl/task_resource.h"
#include "workflows/batch_step.h"
#include "workflows/engine.h"

namespace batchd::workflows {
namespace {

using asl::Json;
using Kind = asl::TaskResource::Kind;

constexpr size_t kRememberedJobEnds = 10'000;

std::string ApiErrorName(const std::string& service, std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const api::ApiError& e) {
    switch (e.code()) {
      case api::ErrorCode::kInvalidArgument:
      case api::ErrorCode::kNotFound:
      case api::ErrorCode::kAlreadyExists:
      case api::ErrorCode::kFailedPrecondition:
        return service + ".ClientException";
      case api::ErrorCode::kAborted:
      case api::ErrorCode::kUnavailable:
      case api::ErrorCode::kUnauthenticated:
      case api::ErrorCode::kResourceExhausted:
      case api::ErrorCode::kInternal:
        return service + ".ServerException";
    }
  } catch (...) {
  }
  return service + ".ServerException";
}

std::string Message(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown error";
  }
}

double Seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

}  // namespace

void WorkflowEngine::StartTask(const std::string& arn, const asl::TaskStart& start) {
  switch (start.resource.kind) {
    case Kind::kBatchSubmitJob:
    case Kind::kBatchSubmitJobSync:
      SubmitBatchJob(arn, start);
      return;
    case Kind::kActivity:
      WakePollers(api::ActivityArn(start.resource.activity_name));
      return;
    case Kind::kWaitForTaskToken:
      return;
    case Kind::kStartExecution:
    case Kind::kStartExecutionSync:
    case Kind::kStartExecutionSync2:
      StartChild(arn, start);
      return;
    case Kind::kMapIteration:
      StartIteration(arn, start);
      return;
  }
}

void WorkflowEngine::CancelTask(const std::string& arn, Live& live, const asl::TaskCancel& cancel) {
  auto ext = live.state.external_ids.find(cancel.seq);
  if (ext == live.state.external_ids.end()) return;
  const std::string id = ext->second;
  switch (cancel.resource.kind) {
    case Kind::kBatchSubmitJob:
    case Kind::kBatchSubmitJobSync:
      effects_.push_back([this, id, arn] {
        batch::v1::TerminateJobRequest req;
        req.set_job_id(id);
        req.set_reason("Its step of execution " + arn + " was stopped");
        try {
          plane_.TerminateJob(req);
        } catch (const std::exception& e) {
          spdlog::warn("workflows: cannot terminate job {} of {}: {}", id, arn, e.what());
        }
      });
      return;
    case Kind::kStartExecution:
    case Kind::kStartExecutionSync:
    case Kind::kStartExecutionSync2:
    case Kind::kMapIteration:
      effects_.push_back([this, id, arn] {
        Live* child = Find(id);
        if (!child) return;
        asl::Transition t;
        child->definition->interpreter->Stop(child->state, "States.Aborted",
                                             "Its parent execution " + arn + " stopped", t);
        Apply(id, *child, t);
      });
      return;
    case Kind::kActivity:
    case Kind::kWaitForTaskToken:
      return;
  }
}

void WorkflowEngine::SubmitBatchJob(const std::string& arn, const asl::TaskStart& start) {
  const int64_t seq = start.seq;
  const bool sync = start.resource.kind == Kind::kBatchSubmitJobSync;
  try {
    auto req = SubmitRequestFromParameters(start.parameters, arn, start.state, seq);
    plane_.SubmitJobAsync(req, [this, arn, seq, sync](const batch::v1::SubmitJobResponse* answer,
                                                      std::exception_ptr error) {
      std::optional<batch::v1::SubmitJobResponse> copy;
      if (answer) copy = *answer;
      Post([this, arn, seq, sync, copy, error] {
        OnSubmitted(arn, seq, copy ? &*copy : nullptr, error, sync);
      });
    });
  } catch (...) {
    OnSubmitted(arn, seq, nullptr, std::current_exception(), sync);
  }
}

void WorkflowEngine::OnSubmitted(const std::string& arn, int64_t seq,
                                 const batch::v1::SubmitJobResponse* answer,
                                 std::exception_ptr error, bool sync) {
  Live* live = Find(arn);
  const bool waiting = live && live->definition->interpreter->WaitingTask(live->state, seq);
  if (!waiting) {
    // Stopped while its job was being submitted: the job must not run on for nobody.
    if (answer) {
      batch::v1::TerminateJobRequest req;
      req.set_job_id(answer->job_id());
      req.set_reason("Its step of execution " + arn + " ended before the job was submitted");
      try {
        plane_.TerminateJob(req);
      } catch (const std::exception& e) {
        spdlog::warn("workflows: cannot terminate job {}: {}", answer->job_id(), e.what());
      }
    }
    return;
  }
  asl::Transition t;
  auto* ip = live->definition->interpreter.get();
  if (error) {
    ip->TaskFailed(live->state, seq, ApiErrorName("Batch", error), Message(error), t);
    Apply(arn, *live, t);
    return;
  }
  const std::string job_id = answer->job_id();
  live->state.external_ids[seq] = job_id;
  MarkChanged(arn, *live);
  jobs_[job_id] = {arn, seq};
  if (sync) {
    ip->TaskSubmitted(live->state, seq, SubmitOutput(*answer), t);
  } else {
    ip->TaskSucceeded(live->state, seq, SubmitOutput(*answer), t);
  }
  Apply(arn, *live, t);
  if (sync && ended_unknown_.erase(job_id)) job_ends_.push_back(job_id);
}

void WorkflowEngine::OnJobsEnded(std::vector<std::string> job_ids) {
  std::vector<std::string> ours;
  for (auto& id : job_ids) {
    if (jobs_.count(id)) {
      ours.push_back(id);
    } else if (ended_unknown_.emplace(id, true).second) {
      ended_unknown_order_.push_back(id);
      if (ended_unknown_order_.size() > kRememberedJobEnds) {
        // The older half is forgotten from both, so the set stays bounded.
        const auto cut = ended_unknown_order_.begin() + kRememberedJobEnds / 2;
        for (auto it = ended_unknown_order_.begin(); it != cut; ++it) ended_unknown_.erase(*it);
        ended_unknown_order_.erase(ended_unknown_order_.begin(), cut);
      }
    }
  }
  if (ours.empty()) return;
  std::vector<batch::v1::JobDetail> jobs;
  try {
    jobs = store_.DescribeJobs(ours);
  } catch (const std::exception& e) {
    spdlog::error("workflows: cannot read {} ended jobs (retrying): {}", ours.size(), e.what());
    deferred_.push_back([this, ours] { OnJobsEnded(ours); });
    return;
  }
  for (const auto& job : jobs) {
    if (!api::IsTerminal(job.status())) continue;
    auto it = jobs_.find(job.job_id());
    if (it == jobs_.end()) continue;
    const auto [arn, seq] = it->second;
    Live* live = Find(arn);
    if (!live) continue;
    asl::Transition t;
    Json output = JobOutput(job);
    if (job.status() == batch::v1::JobStatus::SUCCEEDED) {
      live->definition->interpreter->TaskSucceeded(live->state, seq, std::move(output), t);
    } else {
      live->definition->interpreter->TaskFailed(live->state, seq, asl::errors::kTaskFailed,
                                                asl::Compact(output), t);
    }
    Apply(arn, *live, t);
  }
}

void WorkflowEngine::StartChild(const std::string& arn, const asl::TaskStart& start) {
  const int64_t seq = start.seq;
  const Kind kind = start.resource.kind;
  auto fail = [this, arn, seq](const std::string& error, const std::string& cause) {
    Live* live = Find(arn);
    if (!live) return;
    asl::Transition t;
    live->definition->interpreter->TaskFailed(live->state, seq, error, cause, t);
    Apply(arn, *live, t);
  };
  try {
    const Json& p = start.parameters;
    if (!p.is_object() || !p.contains("StateMachineArn") || !p["StateMachineArn"].is_string()) {
      api::ThrowInvalid("Parameters.StateMachineArn", "is required: the state machine to start");
    }
    auto ref = api::ParseStateMachineRef("Parameters.StateMachineArn",
                                         p["StateMachineArn"].get<std::string>());
    auto machine = workflows_.GetStateMachine(ref.name);
    if (!machine) api::ThrowNotFound("StateMachineDoesNotExist: state machine " + ref.name);
    std::string input = "{}";
    if (p.contains("Input"))
      input = p["Input"].is_string() ? p["Input"].get<std::string>() : asl::Compact(p["Input"]);
    std::string name;
    if (p.contains("Name") && p["Name"].is_string()) {
      name = p["Name"].get<std::string>();
    } else {
      // The same name every time this step starts it: after a restart, starting it again
      // finds the child instead of making a second.
      name = StepClientToken(arn, seq);
    }
    api::CheckStatesName("Parameters.Name", name);
    BeginExecution(*machine, ref.revision.value_or(machine->revision), name, input, arn, seq, "",
                   [this, arn, seq, kind, fail](const store::ExecutionInsert* outcome,
                                                std::exception_ptr error) {
                     if (error) return fail("StepFunctions.ServerException", Message(error));
                     switch (outcome->outcome) {
                       case store::ExecutionInsert::Outcome::kNoStateMachine:
                         return fail("StepFunctions.StateMachineDoesNotExistException",
                                     "no state machine " + outcome->row.state_machine);
                       case store::ExecutionInsert::Outcome::kStateMachineDeleting:
                         return fail(
                             "StepFunctions.StateMachineDeletingException",
                             "state machine " + outcome->row.state_machine + " is being deleted");
                       case store::ExecutionInsert::Outcome::kInserted:
                       case store::ExecutionInsert::Outcome::kExists:
                         return ChildStarted(arn, seq, kind, *outcome);
                     }
                   });
  } catch (...) {
    std::exception_ptr e = std::current_exception();
    fail("StepFunctions.ClientException", Message(e));
  }
}

void WorkflowEngine::ChildStarted(const std::string& arn, int64_t seq, Kind kind,
                                  const store::ExecutionInsert& outcome) {
  Live* live = Find(arn);
  // A child that ended within the turn that started it has answered its step already.
  if (!live || !live->definition->interpreter->WaitingTask(live->state, seq)) return;
  const store::ExecutionRow& row = outcome.row;
  live->state.external_ids[seq] = row.arn;
  MarkChanged(arn, *live);
  asl::Transition t;
  const Json started = {{"ExecutionArn", row.arn}, {"StartDate", Seconds(row.start_ms)}};
  if (kind == Kind::kStartExecution) {
    live->definition->interpreter->TaskSucceeded(live->state, seq, started, t);
  } else {
    if (kind != Kind::kMapIteration) {
      live->definition->interpreter->TaskSubmitted(live->state, seq, started, t);
    }
    if (row.status != batch::v1::ExecutionStatus::RUNNING &&
        outcome.outcome == store::ExecutionInsert::Outcome::kExists) {
      // Ended before this batchd learnt of it (a restart in between).
      deferred_.push_back([this, row] {
        Live ended;
        ended.state = asl::ExecutionStateFromJson(Json::parse(row.runtime));
        ChildEnded(ended);
      });
    }
  }
  Apply(arn, *live, t);
}

void WorkflowEngine::StartIteration(const std::string& arn, const asl::TaskStart& start) {
  const int64_t seq = start.seq;
  Live* parent = Find(arn);
  if (!parent) return;
  try {
    // Its own state machine and revision: the child runs a part of that definition.
    store::StateMachineRow machine;
    machine.name = parent->state_machine;
    machine.arn = parent->state.info.state_machine_arn;
    machine.role_arn = parent->state.info.role_arn;
    BeginExecution(
        machine, parent->revision, StepClientToken(arn, seq), asl::Compact(start.parameters), arn,
        seq, start.resource.arn,
        [this, arn, seq](const store::ExecutionInsert* outcome, std::exception_ptr error) {
          if (!error && (outcome->outcome == store::ExecutionInsert::Outcome::kInserted ||
                         outcome->outcome == store::ExecutionInsert::Outcome::kExists)) {
            return ChildStarted(arn, seq, Kind::kMapIteration, *outcome);
          }
          // The state machine went away under its running execution (or the store
          // failed): the iteration fails, and the Map's tolerance decides.
          Live* live = Find(arn);
          if (!live) return;
          asl::Transition t;
          live->definition->interpreter->TaskFailed(
              live->state, seq, "States.Runtime",
              error ? Message(error) : "its state machine is being deleted", t);
          Apply(arn, *live, t);
        });
  } catch (...) {
    asl::Transition t;
    parent->definition->interpreter->TaskFailed(parent->state, seq, "States.Runtime",
                                                Message(std::current_exception()), t);
    Apply(arn, *parent, t);
  }
}

void WorkflowEngine::ChildEnded(const Live& child) {
  const asl::ExecutionState& c = child.state;
  Live* parent = Find(c.info.parent_arn);
  if (!parent) return;
  const int64_t seq = c.info.parent_seq;
  const asl::State* task = parent->definition->interpreter->WaitingTask(parent->state, seq);
  if (!task) return;
  asl::Transition t;
  if (task->type == asl::StateType::kMap) {
    // An iteration of a DISTRIBUTED Map: its output or its error is the iteration's.
    if (c.status == asl::ExecutionStatus::kSucceeded) {
      parent->definition->interpreter->TaskSucceeded(parent->state, seq, c.output, t);
    } else {
      parent->definition->interpreter->TaskFailed(parent->state, seq, c.error, c.cause, t);
    }
    Apply(c.info.parent_arn, *parent, t);
    return;
  }
  if (task->resource.kind == Kind::kStartExecution) return;
  const Kind kind = task->resource.kind;
  const bool as_json = kind == Kind::kStartExecutionSync2;
  Json out = {{"ExecutionArn", c.info.arn},
              {"StateMachineArn", c.info.state_machine_arn},
              {"Name", c.info.name},
              {"StartDate", Seconds(c.info.start_ms)},
              {"StopDate", Seconds(c.stop_ms)},
              {"Status", asl::ExecutionStatusName(c.status)},
              {"Input", as_json ? c.input : Json(asl::Compact(c.input))}};
  if (c.status == asl::ExecutionStatus::kSucceeded) {
    out["Output"] = as_json ? c.output : Json(asl::Compact(c.output));
    parent->definition->interpreter->TaskSucceeded(parent->state, seq, std::move(out), t);
  } else {
    out["Error"] = c.error;
    out["Cause"] = c.cause;
    parent->definition->interpreter->TaskFailed(parent->state, seq, asl::errors::kTaskFailed,
                                                asl::Compact(out), t);
  }
  Apply(c.info.parent_arn, *parent, t);
}

}  // namespace batchd::workflows
