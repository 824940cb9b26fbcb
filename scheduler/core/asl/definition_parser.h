#pragma once
// Private to definition.cc (the machine-level checks) and definition_states.cc (each state's
// fields): the parser both fill, and the small readers of typed fields they share.
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/asl/definition.h"
#include "core/asl/diagnostic.h"
#include "core/asl/json.h"

namespace batchd::asl::definition_internal {

// AWS's diagnostic codes. Most problems are SCHEMA_VALIDATION_FAILED; transitions, unreachable
// states, duplicate names and a missing terminal state have codes of their own.
inline constexpr const char* kSchemaValidationFailed = "SCHEMA_VALIDATION_FAILED";
inline constexpr const char* kInvalidJsonDescription = "INVALID_JSON_DESCRIPTION";
inline constexpr const char* kMissingTransitionTarget = "MISSING_TRANSITION_TARGET";
inline constexpr const char* kDuplicateStateName = "DUPLICATE_STATE_NAME";
inline constexpr const char* kMissingEndState = "MISSING_END_STATE";

// AWS's ceiling for the integer fields of states and retriers (TimeoutSeconds,
// IntervalSeconds, MaxAttempts, Wait Seconds, MaxConcurrency).
inline constexpr int64_t kMaxStateInteger = 99999999;

// What a StartAt + States object is: the kind decides which extra fields it may carry and
// how a transition that leaves it is explained.
enum class MachineKind { kTop, kBranch, kProcessor };

class Parser {
 public:
  // `all_names`: every state name anywhere in the definition, to explain a transition that
  // tries to cross into or out of a branch.
  Parser(Diagnostics& out, std::set<std::string, std::less<>> all_names)
      : out_(out), all_names_(std::move(all_names)) {}

  // A machine's StartAt/States at `location` ("" for the top level, "/States/P/Branches/0").
  // Fields other than StartAt, States and Comment are the caller's to check.
  std::shared_ptr<Machine> ParseMachine(const Json& node, const std::string& location,
                                        MachineKind kind);

  void Error(const std::string& location, std::string message,
             const char* code = kSchemaValidationFailed);

  // Shared field readers. Each reports its own problems at `location` and returns nullopt
  // (or an absent field) when the value is missing or wrong.
  std::optional<std::string> String(const Json& value, const std::string& location,
                                    std::string_view field);
  std::optional<int64_t> Integer(const Json& value, const std::string& location,
                                 std::string_view field, int64_t min, int64_t max);
  PathField Path(const Json& node, const std::string& location, const char* field, bool reference,
                 bool nullable);
  IntField IntOrPath(const Json& node, const std::string& location, const char* field, int64_t min,
                     int64_t max);
  void Payload(const Json& node, const std::string& location, const char* field,
               std::optional<Json>& out, bool must_be_object);
  // ResultPath (a state's or a catcher's): a reference path into the state input, or null.
  PathField ResultPath(const Json& node, const std::string& location);
  // Assign (a state's or a catcher's): a payload template whose keys name variables.
  void Assign(const Json& node, const std::string& location, std::optional<Json>& out);
  void QueryLanguage(const Json& node, const std::string& location);
  // Refuses every field of `node` outside `allowed`, naming `owner` ("state type Pass").
  void OnlyFields(const Json& node, const std::string& location,
                  const std::vector<std::string_view>& allowed, const std::string& owner);

 private:
  // definition_states.cc: one state's fields into `state`. False when the state is not even
  // an object with a known Type, so its transitions are unknown.
  bool ParseState(const Json& node, const std::string& location, State& state);
  void ParseTask(const Json& node, const std::string& location, State& state);
  void ParseChoice(const Json& node, const std::string& location, State& state);
  void ParseWait(const Json& node, const std::string& location, State& state);
  void ParseFail(const Json& node, const std::string& location, State& state);
  void ParseParallel(const Json& node, const std::string& location, State& state);
  void ParseMap(const Json& node, const std::string& location, State& state);
  void ParseResource(const Json& node, const std::string& location, State& state);
  void ParseRetry(const Json& node, const std::string& location, State& state);
  void ParseCatch(const Json& node, const std::string& location, State& state);
  std::optional<std::vector<std::string>> ErrorEquals(const Json& handler,
                                                      const std::string& location);

  // definition.cc: the checks that need the whole machine.
  void CheckTransitions(const Machine& machine, const std::string& location, MachineKind kind);
  void CheckTarget(const Machine& machine, const std::string& target, const std::string& location,
                   MachineKind kind);

  Diagnostics& out_;
  std::set<std::string, std::less<>> all_names_;
  // Names met so far in this definition: AWS wants them unique across the whole definition,
  // branches and processors included.
  std::set<std::string, std::less<>> seen_names_;
};

// Field `name` of `node` (an object), or null when absent.
const Json* Field(const Json& node, std::string_view name);

// A value as a message quotes it: compact JSON, cut short when long.
std::string Quote(const Json& value);

// Length in characters (code points) of UTF-8 text.
size_t CharacterCount(std::string_view text);

}  // namespace batchd::asl::definition_internal
