#pragma once
// The loop that drives executions, as the dispatcher drives jobs. One thread owns every
// running execution's state; API threads and the job loop post work to it. Each turn it asks
// the interpreter what the gathered events lead to, writes the transitions and history of all
// executions changed in the turn in one transaction, and only then lets their effects out:
// jobs submitted or terminated, activity pollers woken, callers answered.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "batch/v1/states.pb.h"
#include "core/asl/interpreter.h"
#include "core/clock.h"
#include "service/control_plane.h"
#include "service/workflow_hooks.h"
#include "store/store.h"
#include "store/workflow_store.h"
#include "workflows/definitions.h"

namespace batchd::workflows {

struct EngineOptions {
  // A commit that writes more execution documents than this paces the loop (see paced_until_).
  size_t pace_document_bytes = 256 * 1024;
  // A GetActivityTask call waits this long for a task (AWS: 60 s).
  std::chrono::milliseconds activity_poll{60'000};
  size_t max_payload_bytes = service::kMaxStatesPayloadBytes;
};

class WorkflowEngine final : public service::WorkflowHooks {
 public:
  WorkflowEngine(store::Store& store, store::WorkflowStore& workflows, service::ControlPlane& plane,
                 const core::Clock& clock, EngineOptions options = {});
  ~WorkflowEngine() override;
  WorkflowEngine(const WorkflowEngine&) = delete;
  WorkflowEngine& operator=(const WorkflowEngine&) = delete;

  // Loads running executions and starts the loop.
  void Start();
  void Stop();

  // StartExecution: the state machine's current revision (or `revision`) runs `input`.
  // Answers once the start is committed; AWS's rules: the same name and input while RUNNING
  // is the same execution, otherwise ExecutionAlreadyExists (ALREADY_EXISTS).
  batch::v1::StartExecutionResponse StartExecution(const std::string& state_machine,
                                                   std::optional<int> revision,
                                                   const std::string& name,
                                                   const std::string& input) override;
  // Answers once the stop is committed; NOT_FOUND when missing. Stopping an execution that
  // has ended changes nothing and answers its stop date.
  double StopExecution(const std::string& arn, const std::string& error,
                       const std::string& cause) override;
  double RedriveExecution(const std::string& arn) override;

  // Task tokens. Unknown tokens are NOT_FOUND ("TaskDoesNotExist"); INVALID_ARGUMENT for
  // output that is not JSON.
  void SendTaskSuccess(const std::string& token, const std::string& output) override;
  void SendTaskFailure(const std::string& token, const std::string& error,
                       const std::string& cause) override;
  void SendTaskHeartbeat(const std::string& token) override;
  // Waits up to the poll time for a task of the activity; nullopt when none came, or at once
  // after ClosePolls().
  std::optional<store::TaskRow> GetActivityTask(const std::string& activity_arn,
                                                const std::string& worker) override;

  // Wakes every waiting GetActivityTask and answers later ones at once: for shutdown, so the
  // API can stop without waiting out a minute's poll.
  void ClosePolls();

  // The job loop's report that a job ended (committed). Called on its thread; cheap.
  void JobEnded(const std::string& job_id);

 private:
  struct Live {
    asl::ExecutionState state;
    std::shared_ptr<const Definition> definition;
    std::string state_machine;  // its name
    int revision = 0;
    int64_t due_ms = 0;                               // in timers_
    bool changed = false;                             // in changed_
    std::vector<asl::HistoryEvent> events;            // gathered for the next commit
    std::unordered_map<int64_t, std::string> tokens;  // task seq -> its token, while it waits
  };
  // Executions started in this turn: written with it, unless their name is taken.
  struct PendingStart {
    store::ExecutionRow row;
    asl::ExecutionState state;
    std::shared_ptr<const Definition> definition;
    std::vector<asl::HistoryEvent> events;
    std::vector<asl::TaskStart> starts;
    std::function<void(const store::ExecutionInsert*, std::exception_ptr)> done;
  };
  // Work for after the next commit.
  using AfterCommit = std::function<void(std::exception_ptr commit_error)>;

  void Post(std::function<void()> work);
  template <typename T>
  T Ask(std::function<void(std::function<void(T, std::exception_ptr)>)> question);
  void Loop();
  void Turn();
  void Recover();
  void Commit();

  // Applies a call's transition to `live`: gathers its events, its effects for after the
  // commit, and the rows of its tasks.
  void Apply(const std::string& arn, Live& live, asl::Transition& t);
  store::TaskRow TaskRowOf(const std::string& arn, const asl::TaskStart& start) const;
  // What the store keeps of where an execution is: status, outcome, the interpreter's
  // document and its next timer (`due_ms`, 0: none).
  static void StateIntoRow(const asl::ExecutionState& state, int64_t due_ms,
                           store::ExecutionRow& row);
  void Reschedule(const std::string& arn, Live& live);
  void ForgetIfEnded(const std::string& arn, Live& live);
  Live* Find(const std::string& arn);
  // `live` has something to write with the next commit.
  void MarkChanged(const std::string& arn, Live& live);
  // The execution and task seq a token names, or NOT_FOUND.
  std::pair<std::string, int64_t> TaskOfToken(const std::string& token);
  void FireTimers();

  // Effects, after the commit (engine_tasks.cc).
  void StartTask(const std::string& arn, const asl::TaskStart& start);
  void CancelTask(const std::string& arn, Live& live, const asl::TaskCancel& cancel);
  void SubmitBatchJob(const std::string& arn, const asl::TaskStart& start);
  void OnSubmitted(const std::string& arn, int64_t seq, const batch::v1::SubmitJobResponse* answer,
                   std::exception_ptr error, bool sync);
  void StartChild(const std::string& arn, const asl::TaskStart& start);
  // An iteration of a DISTRIBUTED Map: a child execution of the Map's ItemProcessor.
  void StartIteration(const std::string& arn, const asl::TaskStart& start);
  // Records the child a step started (or found started) and tells the interpreter what it
  // needs: whether it was submitted, and for a child found already ended, that it ended.
  void ChildStarted(const std::string& arn, int64_t seq, asl::TaskResource::Kind kind,
                    const store::ExecutionInsert& outcome);
  void ChildEnded(const Live& child);
  void OnJobsEnded(std::vector<std::string> job_ids);
  void WakePollers(const std::string& activity_arn);
  Live& Insert(store::ExecutionRow row, asl::ExecutionState state,
               std::shared_ptr<const Definition> definition);
  // Runs the first transitions of a new execution and queues it for the commit; `done` learns
  // whether it was written or its name was taken.
  // `processor`: for an iteration of a DISTRIBUTED Map, the Map state's location; "" runs the
  // whole machine.
  void BeginExecution(const store::StateMachineRow& machine, int revision, const std::string& name,
                      const std::string& input, const std::string& parent_arn, int64_t parent_seq,
                      const std::string& processor,
                      std::function<void(const store::ExecutionInsert*, std::exception_ptr)> done);
  void Started(PendingStart& start, const store::ExecutionInsert& outcome);
  // Whether the loop has work it made itself and must turn again for.
  bool Dirty() const;
  std::atomic<bool> dirty_{false};

  store::Store& store_;
  store::WorkflowStore& workflows_;
  service::ControlPlane& plane_;
  const core::Clock& clock_;
  const EngineOptions options_;
  Definitions definitions_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::function<void()>> inbox_;
  bool stopping_ = false;
  std::thread thread_;

  // Activity pollers wait on this, per activity: a new task bumps its generation.
  std::mutex poll_mu_;
  std::condition_variable poll_cv_;
  std::map<std::string, uint64_t> poll_generation_;
  bool polls_closed_ = false;

  // Owned by the loop thread.
  std::unordered_map<std::string, Live> live_;  // running executions by ARN
  std::vector<std::string> changed_;            // ARNs of those with `changed` set
  std::set<std::pair<int64_t, std::string>> timers_;
  std::unordered_map<std::string, std::pair<std::string, int64_t>> tokens_;  // token -> task
  std::unordered_map<std::string, std::pair<std::string, int64_t>> jobs_;    // job id -> task
  // Jobs that ended before the loop learnt they were a step's (the submit's answer was still
  // on its way): looked up when it comes.
  std::unordered_map<std::string, bool> ended_unknown_;
  std::vector<std::string> ended_unknown_order_;
  store::WorkflowTurn turn_;
  std::vector<PendingStart> starts_;
  std::vector<std::function<void()>> deferred_;  // work for the next turn
  std::vector<std::string> job_ends_;            // reported this turn
  std::vector<AfterCommit> after_commit_;
  std::vector<std::function<void()>> effects_;
  // After a commit that rewrote large documents (a Map of thousands of running steps), the
  // next turn waits as long as that commit took, so events gather and such documents are
  // written at most about half the time, whatever the rate of events.
  std::chrono::steady_clock::time_point paced_until_{};
};

// Runs `question` on the loop thread; it answers through `reply`, now or after a commit.
template <typename T>
inline T WorkflowEngine::Ask(
    std::function<void(std::function<void(T, std::exception_ptr)>)> question) {
  auto promise = std::make_shared<std::promise<T>>();
  std::future<T> answer = promise->get_future();
  Post([promise, question = std::move(question)] {
    auto reply = [promise](T value, std::exception_ptr error) {
      if (error) {
        promise->set_exception(error);
      } else {
        promise->set_value(std::move(value));
      }
    };
    try {
      question(reply);
    } catch (...) {
      promise->set_exception(std::current_exception());
    }
  });
  return answer.get();
}

}  // namespace batchd::workflows
