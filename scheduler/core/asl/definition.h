#pragma once
// A state machine definition, parsed once from its JSON into a typed form the interpreter
// runs. Parsing checks it the way AWS's ValidateStateMachineDefinition does and reports every
// problem with its location; a definition with any ERROR diagnostic is never run.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/asl/choice.h"
#include "core/asl/diagnostic.h"
#include "core/asl/json.h"

namespace batchd::asl {

enum class StateType { kPass, kTask, kChoice, kWait, kSucceed, kFail, kParallel, kMap };

// "Pass", "Task", ... as written in definitions and history ("PassStateEntered").
const char* StateTypeName(StateType type);

// A path field: absent (the default applies), JSON null, or a path.
struct PathField {
  enum class Kind { kAbsent, kNull, kPath };
  Kind kind = Kind::kAbsent;
  std::string path;
  bool present() const { return kind != Kind::kAbsent; }
};

// An integer field given literally or by a reference path ("TimeoutSecondsPath").
struct IntField {
  std::optional<int64_t> value;
  std::string path;  // non-empty: read at run time
  bool present() const { return value.has_value() || !path.empty(); }
};

// A number-or-path field (ToleratedFailurePercentage may be fractional).
struct NumberField {
  std::optional<double> value;
  std::string path;
  bool present() const { return value.has_value() || !path.empty(); }
};

struct Retrier {
  std::vector<std::string> error_equals;
  double interval_seconds = 1;
  int max_attempts = 3;
  double backoff_rate = 2.0;
  std::optional<int64_t> max_delay_seconds;
  bool full_jitter = false;  // JitterStrategy FULL
};

struct Catcher {
  std::vector<std::string> error_equals;
  std::string next;
  PathField result_path;  // absent = "$"
  std::optional<Json> assign;
};

struct Machine;

// Where a Task's Resource points, decoded once.
struct TaskResource {
  enum class Kind {
    kBatchSubmitJob,       // arn:aws:states:::batch:submitJob
    kBatchSubmitJobSync,   // arn:aws:states:::batch:submitJob.sync
    kActivity,             // arn:aws:states:<region>:<account>:activity:NAME
    kWaitForTaskToken,     // arn:aws:states:::batchd:task.waitForTaskToken
    kStartExecution,       // arn:aws:states:::states:startExecution
    kStartExecutionSync,   // arn:aws:states:::states:startExecution.sync (output as a string)
    kStartExecutionSync2,  // arn:aws:states:::states:startExecution.sync:2 (output as JSON)
    // Not a Resource anyone writes: an iteration of a DISTRIBUTED Map, run as a child
    // execution of the Map's ItemProcessor; `arn` holds the Map state's location.
    kMapIteration,
  };
  Kind kind = Kind::kBatchSubmitJob;
  std::string arn;            // as written
  std::string activity_name;  // kActivity
};

// Distributed Map's ItemBatcher.
struct ItemBatcher {
  IntField max_items_per_batch;
  IntField max_input_bytes_per_batch;
  std::optional<Json> batch_input;
};

struct State {
  std::string name;
  std::string location;  // where the definition has it: "/States/Each/ItemProcessor/States/Step"
  StateType type = StateType::kPass;
  std::string comment;
  std::string next;  // empty when End or a Choice/Succeed/Fail
  bool end = false;

  PathField input_path;            // absent = "$"; null = {}
  PathField output_path;           // absent = "$"; null = {}
  PathField result_path;           // absent = "$"; null = discard the result
  std::optional<Json> parameters;  // Parameters; for Map also ItemSelector (legacy Parameters)
  std::optional<Json> result_selector;
  std::optional<Json> result;  // Pass
  std::optional<Json> assign;

  // Task
  TaskResource resource;
  IntField timeout_seconds;
  IntField heartbeat_seconds;
  std::vector<Retrier> retry;  // Task, Parallel, Map
  std::vector<Catcher> catchers;

  // Choice
  std::vector<ChoiceRule> choices;
  std::string default_next;

  // Wait: exactly one of these.
  std::optional<int64_t> seconds;
  std::string seconds_path;
  std::string timestamp;  // validated RFC 3339
  std::string timestamp_path;

  // Fail: literal or path (a path may be an intrinsic call).
  std::optional<std::string> error;
  std::optional<std::string> cause;
  std::string error_path;
  std::string cause_path;

  // Parallel
  std::vector<std::shared_ptr<const Machine>> branches;

  // Map
  std::shared_ptr<const Machine> processor;  // ItemProcessor (legacy Iterator)
  bool distributed = false;                  // ProcessorConfig.Mode DISTRIBUTED
  PathField items_path;                      // absent = "$"
  IntField max_concurrency;                  // 0 or absent = no limit
  IntField tolerated_failure_count;
  NumberField tolerated_failure_percentage;
  std::optional<ItemBatcher> item_batcher;
  std::string label;
};

// A StartAt plus its States: the whole definition, a Parallel branch or a Map's processor.
struct Machine {
  std::string start_at;
  std::vector<State> states;               // in the order written
  std::optional<int64_t> timeout_seconds;  // top level only
  std::string comment;
  // The state named `name`, or null.
  const State* Find(std::string_view name) const;
  std::map<std::string, size_t, std::less<>> index;  // name -> position in `states`
};

// The ItemProcessor of the Map state at `location` anywhere in `top` (a State's `location`),
// sharing `top`'s ownership; null when there is none.
std::shared_ptr<const Machine> FindProcessor(const std::shared_ptr<const Machine>& top,
                                             std::string_view location);

struct ParsedDefinition {
  std::shared_ptr<const Machine> machine;  // null when any ERROR diagnostic was found
  Diagnostics diagnostics;                 // errors and warnings, in document order
};

// Parses and checks a definition's text (JSON). Checks what AWS checks: JSON syntax, required
// and unknown fields, field types and ranges, StartAt/Next/Default/catch targets that exist,
// every state reachable, End xor Next, paths, payload templates and intrinsic calls, Choice
// rules, Retry/Catch order (States.ALL alone and last), Task resources batchd can run, and
// QueryLanguage JSONata (refused: not supported yet).
ParsedDefinition ParseDefinition(std::string_view text);
ParsedDefinition ParseDefinition(const Json& document);
// Text held in a std::string or a literal: without these, Json's converting constructor makes
// ParseDefinition(text) ambiguous.
inline ParsedDefinition ParseDefinition(const std::string& text) {
  return ParseDefinition(std::string_view(text));
}
inline ParsedDefinition ParseDefinition(const char* text) {
  return ParseDefinition(std::string_view(text));
}

}  // namespace batchd::asl
