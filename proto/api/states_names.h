#pragma once
// Names and ARNs of workflow resources (state machines, executions, activities). AWS names
// them only by ARN; batchd also takes a bare name wherever an ARN is asked for, as the Batch API
// does. ARNs of any partition, region and account are accepted, since definitions written for
// AWS name activities as "arn:aws:states:<region>:<account>:activity:<name>".
#include <optional>
#include <string>
#include <string_view>

namespace batchd::api {

inline constexpr std::string_view kStatesArnPrefix = "arn:batchd:states:local:000000000000:";

inline constexpr std::string_view kStateMachineKind = "stateMachine";
inline constexpr std::string_view kExecutionKind = "execution";
inline constexpr std::string_view kActivityKind = "activity";

std::string StateMachineArn(std::string_view name);
std::string ExecutionArn(std::string_view state_machine, std::string_view name);
std::string ActivityArn(std::string_view name);

// AWS's rule for state machine, execution and activity names: 1-80 characters, no whitespace,
// none of < > { } [ ] ? * " # % \ ^ | ~ ` $ & , ; : / and no control characters. Characters
// are Unicode code points of UTF-8 text; text that is not UTF-8 is not a name.
bool IsValidStatesName(std::string_view name);
// Throws INVALID_ARGUMENT naming `field` and the rule.
void CheckStatesName(std::string_view field, std::string_view name);

// "name", "name:<revision>" or a state machine ARN of either form (AWS's version ARNs end in
// ":<version number>"; batchd's revisions take that place). Aliases are refused.
struct StateMachineRef {
  std::string name;
  std::optional<int> revision;
};
StateMachineRef ParseStateMachineRef(std::string_view field, std::string_view ref);

// An execution ARN, or "<state machine>:<execution>" for short.
struct ExecutionRef {
  std::string state_machine;
  std::string name;
};
ExecutionRef ParseExecutionRef(std::string_view field, std::string_view ref);

// An activity name or ARN; returns the name.
std::string ActivityNameFromRef(std::string_view field, std::string_view ref);

// Any taggable or addressable workflow ARN (TagResource and friends take all kinds). For an
// execution, `name` is the execution's and `state_machine` its machine's.
struct StatesResource {
  std::string_view kind;  // kStateMachineKind, kExecutionKind or kActivityKind
  std::string name;
  std::string state_machine;
  std::optional<int> revision;  // a state machine ARN's
};
StatesResource ParseStatesArn(std::string_view field, std::string_view arn);

}  // namespace batchd::api
