#pragma once
// Where an execution is: a tree of frames, one per running (sub)machine — the top level, each
// running Parallel branch and each running Map iteration — each at one state in one phase.
// It is plain data, written to the store as JSON after every transition so a restarted
// batchd carries on exactly where the last commit left it.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/asl/json.h"

namespace batchd::asl {

enum class Phase {
  kEnter,       // about to enter `state` (or re-run it after a retry's backoff)
  kTask,        // waiting for task `task_seq` to answer
  kWait,        // a Wait state until `due_ms`
  kBackoff,     // waiting until `due_ms` to retry `state`
  kBranches,    // a Parallel state's branches run in `children`
  kIterations,  // a Map state's iterations run in `children`
  kChild,       // a DISTRIBUTED Map's iteration, run as child execution `task_seq` with `input`
  kSucceeded,   // the frame ended with `output`
  kFailed,      // the frame ended with `error` and `cause`; `state` and `input` stay, so a
                // redrive enters that state again
};

struct Frame {
  Phase phase = Phase::kEnter;
  std::string state;
  Json input;  // the current state's raw input
  Json variables = Json::object();
  int64_t entered_ms = 0;
  std::vector<int> retry_counts;  // retries used per Retrier of the current state
  int64_t last_event_id = 0;      // previousEventId of this frame's next event
  int64_t due_ms = 0;             // kWait, kBackoff; kTask: its TimeoutSeconds deadline (0: none)

  // kTask
  int64_t task_seq = 0;
  std::string token;
  Json task_parameters;      // what the task was started with, to start it again after a restart
  int64_t heartbeat_ms = 0;  // HeartbeatSeconds, 0: none
  int64_t heartbeat_due_ms = 0;

  // kBranches, kIterations
  Json items;  // kIterations: the items (or batches) still to hand out
  std::vector<Frame> children;
  Json results = Json::array();  // by branch or item index
  int64_t item_index = -1;       // a Map iteration's index within its parent
  int64_t next_item = 0;
  int64_t done_items = 0;
  int64_t failed_items = 0;
  int64_t max_concurrency = 0;   // 0: no limit
  int64_t tolerated_count = -1;  // -1: none given
  double tolerated_percent = -1;

  // kSucceeded / kFailed
  Json output;
  std::string error;
  std::string cause;
};

enum class ExecutionStatus { kRunning, kSucceeded, kFailed, kTimedOut, kAborted };
const char* ExecutionStatusName(ExecutionStatus status);

// What an execution is, beside where it is.
struct ExecutionInfo {
  std::string arn;
  std::string name;
  std::string state_machine_arn;
  std::string state_machine_name;
  std::string role_arn;
  int64_t start_ms = 0;
  int redrive_count = 0;
  int64_t redrive_ms = 0;
  // Set for an execution a states:startExecution step started: that step answers when it ends.
  std::string parent_arn;
  int64_t parent_seq = 0;
  // Set for an iteration of a DISTRIBUTED Map: the Map state's location in the state
  // machine's definition, whose ItemProcessor this execution runs.
  std::string processor;
};

struct ExecutionState {
  ExecutionInfo info;
  Json input;
  ExecutionStatus status = ExecutionStatus::kRunning;
  Frame root;
  int64_t last_event_id = 0;
  int64_t next_task_seq = 1;
  int64_t timeout_ms = 0;  // the whole execution's deadline, 0: none
  int64_t stop_ms = 0;
  Json output;
  std::string error;
  std::string cause;
  // What each running task became outside the interpreter (a batch job's id, a child
  // execution's ARN), by task seq: written by the loop that drives the execution, so a
  // restarted batchd finds the jobs its steps wait on.
  std::map<int64_t, std::string> external_ids;
};

Json ToJson(const ExecutionState& state);
// Throws StatesError(States.Runtime) on a document that is not one ToJson wrote.
ExecutionState ExecutionStateFromJson(const Json& doc);

}  // namespace batchd::asl
