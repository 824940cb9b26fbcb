#pragma once
// Workflows in PostgreSQL: state machines with their numbered revisions, executions with their
// history, activities, and the task tokens that steps wait on. WorkflowStore shares the Store's
// connections and schema (the Store applies the migrations), so make the Store first. Each call
// is one transaction; errors are api::ApiError, as in Store. Timestamps are epoch ms.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "batch/v1/states.pb.h"
#include "store/store.h"

namespace batchd::store {

class ConnectionPool;

using Tags = std::map<std::string, std::string>;

struct StateMachineRow {
  std::string name;
  std::string arn;         // empty on create: made from the name
  std::string definition;  // verbatim, as the user wrote it
  std::string role_arn;
  batch::v1::StateMachineType::Value type = batch::v1::StateMachineType::STANDARD;
  batch::v1::StateMachineStatus::Value status = batch::v1::StateMachineStatus::ACTIVE;
  std::string description;
  Tags tags;
  int64_t creation_date = 0;
  int revision = 1;  // the current one; revisions are numbered 1..revision
  int64_t updated_at = 0;
};

struct StateMachineRevision {
  int revision = 0;
  std::string definition;
  std::string role_arn;
  int64_t created_at = 0;
};

struct ActivityRow {
  std::string name;
  std::string arn;  // empty on create: made from the name
  Tags tags;
  int64_t creation_date = 0;
};

struct ExecutionRow {
  int64_t id = 0;             // assigned when inserted
  std::string arn;            // empty on insert: made from the state machine and execution names
  std::string state_machine;  // its name
  std::string name;
  int revision = 0;  // of the state machine; 0 on insert = its current revision
  batch::v1::ExecutionStatus::Value status = batch::v1::ExecutionStatus::RUNNING;
  std::string input;   // JSON text
  std::string output;  // JSON text; empty until it succeeds
  std::string error;
  std::string cause;
  int64_t start_ms = 0;
  int64_t stop_ms = 0;  // 0 while it runs
  int redrive_count = 0;
  int64_t redrive_ms = 0;              // the latest redrive; 0 = never
  std::string parent_arn;              // the execution whose states:startExecution step started it
  std::string runtime;                 // the interpreter's state document (JSON text), opaque here
  std::optional<int64_t> next_due_ms;  // its next timer
  int64_t last_event_id = 0;
};

struct HistoryEventRow {
  int64_t event_id = 0;  // 1, 2, ... within the execution
  int64_t previous_event_id = 0;
  std::string type;  // AWS's event type name, e.g. "TaskScheduled"
  int64_t ts_ms = 0;
  std::string details;  // JSON text of the *EventDetails object; may be empty
};

struct ExecutionEvents {
  std::string execution_arn;
  std::vector<HistoryEventRow> events;
};

struct TaskRow {
  std::string token;  // a secret: never in messages or logs
  std::string execution_arn;
  int64_t task_seq = 0;  // unique within the execution (e.g. its TaskScheduled event id)
  std::string state_name;
  batch::v1::WorkflowTaskKind::Value kind = batch::v1::WorkflowTaskKind::CALLBACK;
  std::string resource;      // the Task state's Resource
  std::string activity_arn;  // ACTIVITY tasks only
  std::string input;         // JSON text
  batch::v1::WorkflowTaskStatus::Value status = batch::v1::WorkflowTaskStatus::SCHEDULED;
  std::string worker_name;
  int64_t scheduled_ms = 0;
  int64_t started_ms = 0;
  int heartbeat_seconds = 0;  // 0 = none
  std::optional<int64_t> heartbeat_due_ms;
  std::optional<int64_t> timeout_due_ms;
};

struct TaskHeartbeat {
  std::string token;
  int64_t heartbeat_due_ms = 0;
};

// What one turn of the workflow loop changed, written in one transaction.
struct WorkflowTurn {
  // Executions the turn starts (StartExecution, states:startExecution steps), inserted as
  // InsertExecutions does: one whose name is taken, or whose state machine is gone or
  // DELETING, is not written, and neither are the events and tasks of its ARN; the rest of the
  // turn is. An ARN may appear only once here and not among changed_executions (INTERNAL).
  std::vector<ExecutionRow> new_executions{};
  // Stored executions, matched by ARN; status, output, error, cause, stop_ms, runtime,
  // next_due_ms, last_event_id, redrive_count and redrive_ms are written.
  std::vector<ExecutionRow> changed_executions{};
  // Appended to each execution's history. An event id already stored is a bug of the caller:
  // it fails the whole turn (INTERNAL) with nothing written.
  std::vector<ExecutionEvents> events{};
  std::vector<TaskRow> new_tasks{};
  std::vector<std::string> finished_tasks{};  // tokens; ones already gone are ignored
  std::vector<TaskHeartbeat> heartbeats{};
};

struct ExecutionInsert {
  enum class Outcome {
    kInserted,              // `row` as stored (id, arn and revision filled in)
    kExists,                // `row` is the stored execution of that name
    kNoStateMachine,        // `row` is the input
    kStateMachineDeleting,  // `row` is the input
  };
  Outcome outcome = Outcome::kInserted;
  ExecutionRow row;
};

enum class DeleteOutcome {
  kNotFound,
  kDeleted,   // with its revisions, executions, their history and tasks
  kDeleting,  // marked DELETING: it goes when its last running execution ends
};

struct ExecutionQuery {
  std::string state_machine{};  // empty = every state machine
  std::optional<batch::v1::ExecutionStatus::Value> status{};
  int max_results = 100;
  std::string next_token{};
  // Set: only the children of this execution, whatever their status (state_machine unused).
  std::string parent_arn{};
};

struct HistoryQuery {
  std::string execution_arn{};
  bool reverse = false;  // newest first
  int max_results = 100;
  std::string next_token{};
};

struct TaskQuery {
  std::string execution_arn{};  // empty = every execution
  std::string activity_arn{};   // empty = every activity and callback
  std::optional<batch::v1::WorkflowTaskStatus::Value> status{};
  int max_results = 100;
  std::string next_token{};
};

class WorkflowStore {
 public:
  explicit WorkflowStore(ConnectionPool& pool) : pool_(pool) {}

  // ---- state machines
  // Stores revision 1. A machine of that name with the same definition text and role is
  // returned as it is (AWS's idempotency); any other is ALREADY_EXISTS, and one being deleted
  // FAILED_PRECONDITION.
  StateMachineRow CreateStateMachine(const StateMachineRow& row);
  // Reads the row, applies `mutate` (which may throw) and writes it back; a changed definition
  // or role becomes a new revision. NOT_FOUND when missing.
  StateMachineRow UpdateStateMachine(const std::string& name,
                                     const std::function<void(StateMachineRow&)>& mutate);
  std::optional<StateMachineRow> GetStateMachine(const std::string& name);
  std::optional<StateMachineRevision> GetStateMachineRevision(const std::string& name,
                                                              int revision);
  // By name; items come without their definition and role.
  Page<StateMachineRow> ListStateMachines(int max_results, const std::string& next_token);
  // A machine with running executions is marked DELETING rather than refused (as AWS does):
  // it takes no new executions, and CommitTurn deletes it once its last one ends.
  DeleteOutcome DeleteStateMachine(const std::string& name);

  // ---- activities
  // An activity of that name is returned as stored, whatever the tags (AWS's idempotency).
  ActivityRow CreateActivity(const ActivityRow& row);
  std::optional<ActivityRow> GetActivity(const std::string& name);
  Page<ActivityRow> ListActivities(int max_results, const std::string& next_token);
  // Its waiting tasks stay: their steps time out or fail as their executions decide.
  bool DeleteActivity(const std::string& name);

  // ---- tags of state machines and activities, by ARN (NOT_FOUND when missing)
  Tags ListTags(const std::string& resource_arn);
  // Adds or replaces; INVALID_ARGUMENT when the resource would have more than `max_tags`.
  void TagResource(const std::string& resource_arn, const Tags& tags, size_t max_tags = 50);
  void UntagResource(const std::string& resource_arn, const std::vector<std::string>& keys);

  // ---- executions
  // For each row, in order: inserted, unless an execution of that name exists (the caller
  // applies AWS's rule: same input and still RUNNING is the same start) or the state machine
  // is missing or DELETING. Rows repeated in one call: the first is inserted, the others
  // find it.
  std::vector<ExecutionInsert> InsertExecutions(const std::vector<ExecutionRow>& rows);
  // One transaction. Returns the outcome of each of `turn.new_executions`, in order.
  std::vector<ExecutionInsert> CommitTurn(const WorkflowTurn& turn);
  // Every RUNNING execution with its runtime document, in id order, a page at a time (one
  // transaction per page), for the loop to rebuild its view on start.
  void LoadRunningExecutions(const std::function<void(ExecutionRow&&)>& each);
  // `with_data`: false leaves out input, output and the interpreter's document, which may
  // hold megabytes while a large Map runs.
  std::optional<ExecutionRow> GetExecution(const std::string& arn, bool with_data = true);
  // Newest first; items come without input, output and runtime.
  Page<ExecutionRow> ListExecutions(const ExecutionQuery& query);
  // NOT_FOUND when the execution is missing.
  Page<HistoryEventRow> GetHistory(const HistoryQuery& query);

  // ---- task tokens
  std::optional<TaskRow> GetTask(const std::string& token);
  // Oldest scheduled first.
  Page<TaskRow> ListTasks(const TaskQuery& query);
  // Takes the oldest SCHEDULED task of the activity that no other caller is taking, marks it
  // STARTED by `worker_name` (its heartbeat deadline counted from `now_ms`) and returns it;
  // nullopt when there is none.
  std::optional<TaskRow> ClaimActivityTask(const std::string& activity_arn,
                                           const std::string& worker_name, int64_t now_ms);

 private:
  ConnectionPool& pool_;
};

}  // namespace batchd::store
