// Each state's own fields, by state type: which fields a type takes, their types and ranges,
// Task resources, Retry and Catch, and the machines inside Parallel and Map.
#include <cctype>
#include <limits>
#include <string>
#include <vector>

#include "core/asl/choice.h"
#include "core/asl/definition_parser.h"
#include "core/asl/intrinsics.h"
#include "core/asl/path.h"
#include "core/asl/payload.h"
#include "core/asl/timestamp.h"

namespace batchd::asl::definition_internal {
namespace {

// AWS: a batch's input is at most 256 KiB, the state payload limit.
constexpr int64_t kMaxInputBytesPerBatch = 262144;
constexpr size_t kMaxActivityNameLength = 80;
constexpr size_t kMaxLabelLength = 40;
constexpr size_t kMaxVariableNameLength = 80;
constexpr int64_t kUnlimited = std::numeric_limits<int64_t>::max();

constexpr const char* kTypeNames = "Pass, Task, Choice, Wait, Succeed, Fail, Parallel or Map";

constexpr const char* kSupportedResources =
    "batchd runs arn:aws:states:::batch:submitJob[.sync], "
    "arn:aws:states:::states:startExecution[.sync|.sync:2], "
    "arn:aws:states:::batchd:task.waitForTaskToken and activities "
    "(arn:<partition>:states:<region>:<account>:activity:<name>)";

std::optional<StateType> TypeNamed(const std::string& name) {
  for (StateType type :
       {StateType::kPass, StateType::kTask, StateType::kChoice, StateType::kWait,
        StateType::kSucceed, StateType::kFail, StateType::kParallel, StateType::kMap}) {
    if (name == StateTypeName(type)) return type;
  }
  return std::nullopt;
}

// The fields each state type takes besides Type, Comment and QueryLanguage (the digest's
// table), space-separated.
const char* TypeFields(StateType type) {
  switch (type) {
    case StateType::kPass:
      return "Next End InputPath OutputPath ResultPath Parameters Result Assign";
    case StateType::kTask:
      return "Next End InputPath OutputPath ResultPath Parameters ResultSelector Resource "
             "TimeoutSeconds TimeoutSecondsPath HeartbeatSeconds HeartbeatSecondsPath Retry "
             "Catch Credentials Assign";
    case StateType::kChoice:
      return "InputPath OutputPath Choices Default Assign";
    case StateType::kWait:
      return "Next End InputPath OutputPath Seconds SecondsPath Timestamp TimestampPath Assign";
    case StateType::kSucceed:
      return "InputPath OutputPath";
    case StateType::kFail:
      return "Error ErrorPath Cause CausePath";
    case StateType::kParallel:
      return "Next End InputPath OutputPath ResultPath ResultSelector Parameters Branches Retry "
             "Catch Assign";
    case StateType::kMap:
      return "Next End InputPath OutputPath ResultPath ResultSelector ItemsPath ItemProcessor "
             "Iterator ItemSelector Parameters MaxConcurrency MaxConcurrencyPath "
             "ToleratedFailureCount ToleratedFailureCountPath ToleratedFailurePercentage "
             "ToleratedFailurePercentagePath ItemReader ItemBatcher ResultWriter Label Retry "
             "Catch Assign";
  }
  return "";
}

std::vector<std::string_view> AllowedFields(StateType type) {
  std::vector<std::string_view> fields = {"Type", "Comment", "QueryLanguage"};
  std::string_view rest = TypeFields(type);
  while (!rest.empty()) {
    const size_t space = rest.find(' ');
    fields.push_back(rest.substr(0, space));
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
  }
  return fields;
}

bool TakesTransition(StateType type) {
  switch (type) {
    case StateType::kPass:
    case StateType::kTask:
    case StateType::kWait:
    case StateType::kParallel:
    case StateType::kMap:
      return true;
    case StateType::kChoice:
    case StateType::kSucceed:
    case StateType::kFail:
      return false;
  }
  return false;
}

// AWS's rule for names of activities (and state machines, executions): no whitespace,
// brackets, wildcards, most punctuation or control characters.
bool IsValidName(std::string_view name) {
  const size_t length = CharacterCount(name);
  if (length == 0 || length > kMaxActivityNameLength) return false;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F) return false;
    if (std::string_view("<>{}[]?*\"#%\\^|~`$&,;:/").find(c) != std::string_view::npos) {
      return false;
    }
  }
  return true;
}

// `arn:<partition>:states:<region>:<account>:activity:<name>`: the name, or nullopt.
std::optional<std::string> ActivityName(const std::string& arn) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t colon; (colon = arn.find(':', start)) != std::string::npos; start = colon + 1) {
    parts.push_back(arn.substr(start, colon - start));
  }
  parts.push_back(arn.substr(start));
  if (parts.size() != 7 || parts[0] != "arn" || parts[1].empty() || parts[2] != "states" ||
      parts[3].empty() || parts[4].empty() || parts[5] != "activity") {
    return std::nullopt;
  }
  return parts[6];
}

// Whether a payload template hands $$.Task.Token to the worker somewhere.
bool PassesTaskToken(const Json& payload) {
  if (payload.is_array()) {
    for (const Json& element : payload) {
      if (PassesTaskToken(element)) return true;
    }
    return false;
  }
  if (!payload.is_object()) return false;
  for (const auto& [key, value] : payload.items()) {
    const bool dynamic = key.size() > 2 && key.compare(key.size() - 2, 2, ".$") == 0;
    if (dynamic && value.is_string() &&
        value.get<std::string>().find("$$.Task.Token") != std::string::npos) {
      return true;
    }
    if (PassesTaskToken(value)) return true;
  }
  return false;
}

// AWS: a variable name is an identifier of at most 80 characters. Letters and digits
// beyond ASCII are let through whole rather than classified.
bool IsVariableName(std::string_view name) {
  const size_t length = CharacterCount(name);
  if (length == 0 || length > kMaxVariableNameLength) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    const bool letter = std::isalpha(c) || c == '_' || c >= 0x80;
    if (!letter && !(i > 0 && std::isdigit(c))) return false;
  }
  return true;
}

}  // namespace

PathField Parser::ResultPath(const Json& node, const std::string& location) {
  PathField path = Path(node, location, "ResultPath", true, true);
  // A result is placed into the state input: not into the context object or a variable.
  const bool into_input = path.path.size() < 2 || path.path[1] == '.' || path.path[1] == '[';
  if (path.kind == PathField::Kind::kPath && !into_input) {
    Error(location + "/ResultPath",
          "ResultPath '" + path.path +
              "' must point into the state input (start with \"$.\" "
              "or \"$[\"): a result cannot be placed in the context object or a variable");
    return PathField{};
  }
  return path;
}

void Parser::Assign(const Json& node, const std::string& location, std::optional<Json>& out) {
  Payload(node, location, "Assign", out, true);
  if (!out) return;
  for (const auto& [key, value] : out->items()) {
    const bool dynamic = key.size() > 2 && key.compare(key.size() - 2, 2, ".$") == 0;
    const std::string name = dynamic ? key.substr(0, key.size() - 2) : key;
    if (!IsVariableName(name)) {
      Error(location + "/Assign/" + key,
            "variable name \"" + name +
                "\" must start with a letter or _, hold only letters, digits and _, and be at "
                "most 80 characters long");
    }
  }
}

bool Parser::ParseState(const Json& node, const std::string& location, State& state) {
  if (!node.is_object()) {
    Error(location, "a state must be an object, got " + Quote(node));
    return false;
  }
  const Json* type_field = Field(node, "Type");
  if (type_field == nullptr) {
    Error(location, "Field 'Type' is required");
    return false;
  }
  std::optional<StateType> type;
  if (type_field->is_string()) type = TypeNamed(type_field->get<std::string>());
  if (!type) {
    Error(location + "/Type",
          "unknown state type " + Quote(*type_field) + ": Type must be " + kTypeNames);
    return false;
  }
  state.type = *type;
  const std::string type_name = StateTypeName(*type);
  const std::vector<std::string_view> allowed = AllowedFields(*type);
  OnlyFields(node, location, allowed, "by state type " + type_name);
  // Fields the type does not take were refused above; they are not read again.
  auto takes = [&allowed](std::string_view field) {
    for (std::string_view name : allowed) {
      if (name == field) return true;
    }
    return false;
  };
  if (const Json* comment = Field(node, "Comment")) {
    state.comment = String(*comment, location + "/Comment", "Comment").value_or("");
  }
  QueryLanguage(node, location);

  if (TakesTransition(*type)) {
    const Json* next = Field(node, "Next");
    const Json* end = Field(node, "End");
    if (next != nullptr && end != nullptr) {
      Error(location, "a " + type_name + " state takes either Next or End, not both");
    } else if (next == nullptr && end == nullptr) {
      Error(location, "Field 'Next' or 'End' is required: a " + type_name +
                          " state must name the next state or say \"End\": true");
    }
    if (next != nullptr) state.next = String(*next, location + "/Next", "Next").value_or("");
    if (end != nullptr) {
      if (*end == true) {
        state.end = true;
      } else {
        Error(location + "/End", "End must be true when given, got " + Quote(*end));
      }
    }
  }

  if (takes("InputPath")) state.input_path = Path(node, location, "InputPath", false, true);
  if (takes("OutputPath")) state.output_path = Path(node, location, "OutputPath", false, true);
  if (takes("ResultPath")) state.result_path = ResultPath(node, location);
  // A Map's Parameters is the legacy ItemSelector, read with it.
  if (takes("Parameters") && state.type != StateType::kMap) {
    Payload(node, location, "Parameters", state.parameters, false);
  }
  if (takes("ResultSelector")) {
    Payload(node, location, "ResultSelector", state.result_selector, true);
  }
  if (takes("Assign")) Assign(node, location, state.assign);
  if (const Json* result = Field(node, "Result"); result && takes("Result")) state.result = *result;

  switch (state.type) {
    case StateType::kTask:
      ParseTask(node, location, state);
      break;
    case StateType::kChoice:
      ParseChoice(node, location, state);
      break;
    case StateType::kWait:
      ParseWait(node, location, state);
      break;
    case StateType::kFail:
      ParseFail(node, location, state);
      break;
    case StateType::kParallel:
      ParseParallel(node, location, state);
      break;
    case StateType::kMap:
      ParseMap(node, location, state);
      break;
    case StateType::kPass:
    case StateType::kSucceed:
      break;
  }
  if (takes("Retry")) ParseRetry(node, location, state);
  if (takes("Catch")) ParseCatch(node, location, state);
  return true;
}

void Parser::ParseTask(const Json& node, const std::string& location, State& state) {
  ParseResource(node, location, state);
  state.timeout_seconds = IntOrPath(node, location, "TimeoutSeconds", 1, kMaxStateInteger);
  state.heartbeat_seconds = IntOrPath(node, location, "HeartbeatSeconds", 1, kMaxStateInteger);
  if (state.timeout_seconds.value && state.heartbeat_seconds.value &&
      *state.heartbeat_seconds.value >= *state.timeout_seconds.value) {
    Error(location + "/HeartbeatSeconds", "HeartbeatSeconds (" +
                                              std::to_string(*state.heartbeat_seconds.value) +
                                              ") must be smaller than TimeoutSeconds (" +
                                              std::to_string(*state.timeout_seconds.value) + ")");
  }
}

void Parser::ParseResource(const Json& node, const std::string& location, State& state) {
  const Json* resource = Field(node, "Resource");
  if (resource == nullptr) {
    Error(location, "Field 'Resource' is required");
    return;
  }
  const std::string resource_location = location + "/Resource";
  auto arn = String(*resource, resource_location, "Resource");
  if (!arn) return;
  using Kind = TaskResource::Kind;
  static const std::vector<std::pair<std::string_view, Kind>> kIntegrations = {
      {"arn:aws:states:::batch:submitJob", Kind::kBatchSubmitJob},
      {"arn:aws:states:::batch:submitJob.sync", Kind::kBatchSubmitJobSync},
      {"arn:aws:states:::batchd:task.waitForTaskToken", Kind::kWaitForTaskToken},
      {"arn:aws:states:::states:startExecution", Kind::kStartExecution},
      {"arn:aws:states:::states:startExecution.sync", Kind::kStartExecutionSync},
      {"arn:aws:states:::states:startExecution.sync:2", Kind::kStartExecutionSync2},
  };
  state.resource.arn = *arn;
  bool known = false;
  for (const auto& [integration, kind] : kIntegrations) {
    if (*arn == integration) {
      state.resource.kind = kind;
      known = true;
    }
  }
  if (!known) {
    auto name = ActivityName(*arn);
    if (!name) {
      Error(resource_location, "unknown resource \"" + *arn + "\": " + kSupportedResources);
      return;
    }
    if (!IsValidName(*name)) {
      Error(resource_location,
            "activity name \"" + *name +
                "\" must be 1 to 80 characters with no whitespace, brackets, wildcards or "
                "punctuation other than - _ . + = @ ' ! ( )");
      return;
    }
    state.resource.kind = Kind::kActivity;
    state.resource.activity_name = *name;
  }
  // AWS refuses a callback task that cannot hand its token to anyone.
  if (state.resource.kind == Kind::kWaitForTaskToken &&
      !(state.parameters && PassesTaskToken(*state.parameters))) {
    Error(state.parameters ? location + "/Parameters" : location,
          "a .waitForTaskToken task must pass $$.Task.Token in its Parameters, e.g. "
          "\"TaskToken.$\": \"$$.Task.Token\"");
  }
}

void Parser::ParseChoice(const Json& node, const std::string& location, State& state) {
  const Json* choices = Field(node, "Choices");
  const std::string choices_location = location + "/Choices";
  if (choices == nullptr) {
    Error(location, "Field 'Choices' is required");
  } else if (!choices->is_array() || choices->empty()) {
    Error(choices_location, "Choices must be a non-empty array of rules, got " + Quote(*choices));
  } else {
    for (size_t i = 0; i < choices->size(); ++i) {
      state.choices.push_back(
          ParseChoiceRule((*choices)[i], choices_location + "/" + std::to_string(i), true, out_));
    }
  }
  if (const Json* fallback = Field(node, "Default")) {
    state.default_next = String(*fallback, location + "/Default", "Default").value_or("");
  }
}

void Parser::ParseWait(const Json& node, const std::string& location, State& state) {
  std::vector<std::string> given;
  for (const char* field : {"Seconds", "SecondsPath", "Timestamp", "TimestampPath"}) {
    if (Field(node, field) != nullptr) given.push_back(field);
  }
  if (given.size() != 1) {
    std::string message =
        "a Wait state takes exactly one of Seconds, SecondsPath, Timestamp or TimestampPath";
    if (!given.empty()) {
      message += ", got";
      for (size_t i = 0; i < given.size(); ++i) message += (i == 0 ? " " : ", ") + given[i];
    }
    Error(location, message);
  }
  if (const Json* seconds = Field(node, "Seconds")) {
    state.seconds = Integer(*seconds, location + "/Seconds", "Seconds", 0, kMaxStateInteger);
  }
  state.seconds_path = Path(node, location, "SecondsPath", true, false).path;
  if (const Json* timestamp = Field(node, "Timestamp")) {
    auto text = String(*timestamp, location + "/Timestamp", "Timestamp");
    if (text && ParseTimestamp(*text)) {
      state.timestamp = *text;
    } else if (text) {
      Error(location + "/Timestamp", "Timestamp \"" + *text +
                                         "\" is not an RFC 3339 timestamp such as "
                                         "\"2016-03-14T01:59:00Z\"");
    }
  }
  state.timestamp_path = Path(node, location, "TimestampPath", true, false).path;
}

void Parser::ParseFail(const Json& node, const std::string& location, State& state) {
  struct Pair {
    const char* literal;
    std::optional<std::string>& value;
    std::string& path;
  };
  for (Pair pair : {Pair{"Error", state.error, state.error_path},
                    Pair{"Cause", state.cause, state.cause_path}}) {
    const std::string path_field = std::string(pair.literal) + "Path";
    const Json* literal = Field(node, pair.literal);
    const Json* path = Field(node, path_field);
    if (literal != nullptr && path != nullptr) {
      Error(location, std::string(pair.literal) + " and " + path_field + " cannot both be given");
    }
    if (literal != nullptr) {
      pair.value = String(*literal, location + "/" + pair.literal, pair.literal);
    }
    if (path == nullptr) continue;
    const std::string path_location = location + "/" + path_field;
    auto text = String(*path, path_location, path_field);
    if (!text) continue;
    // AWS takes an intrinsic call here as well as a path (recorded).
    auto problem = LooksLikeIntrinsic(*text) ? CheckIntrinsic(*text) : CheckPath(*text, true);
    if (problem) {
      Error(path_location, *problem);
    } else {
      pair.path = *text;
    }
  }
}

void Parser::ParseParallel(const Json& node, const std::string& location, State& state) {
  const Json* branches = Field(node, "Branches");
  const std::string branches_location = location + "/Branches";
  if (branches == nullptr) {
    Error(location, "Field 'Branches' is required");
    return;
  }
  if (!branches->is_array() || branches->empty()) {
    Error(branches_location,
          "Branches must be a non-empty array of machines, got " + Quote(*branches));
    return;
  }
  for (size_t i = 0; i < branches->size(); ++i) {
    const Json& branch = (*branches)[i];
    const std::string branch_location = branches_location + "/" + std::to_string(i);
    if (!branch.is_object()) {
      Error(branch_location,
            "a branch must be an object with StartAt and States, got " + Quote(branch));
      continue;
    }
    OnlyFields(branch, branch_location, {"StartAt", "States", "Comment"}, "in a Parallel branch");
    state.branches.push_back(ParseMachine(branch, branch_location, MachineKind::kBranch));
  }
}

void Parser::ParseMap(const Json& node, const std::string& location, State& state) {
  const Json* processor = Field(node, "ItemProcessor");
  const Json* iterator = Field(node, "Iterator");
  const char* processor_field = processor != nullptr ? "ItemProcessor" : "Iterator";
  if (processor != nullptr && iterator != nullptr) {
    Error(location, "ItemProcessor and Iterator (its legacy name) cannot both be given");
  } else if (processor == nullptr && iterator == nullptr) {
    Error(location, "Field 'ItemProcessor' is required");
  }
  if (processor == nullptr) processor = iterator;
  if (processor != nullptr) {
    const std::string processor_location = location + "/" + processor_field;
    if (!processor->is_object()) {
      Error(processor_location, std::string(processor_field) +
                                    " must be an object with StartAt and States, got " +
                                    Quote(*processor));
    } else {
      std::vector<std::string_view> fields = {"StartAt", "States", "Comment"};
      if (processor_field == std::string_view("ItemProcessor")) {
        fields.push_back("ProcessorConfig");
      }
      OnlyFields(*processor, processor_location, fields, "in " + std::string(processor_field));
      if (const Json* config = Field(*processor, "ProcessorConfig")) {
        const std::string config_location = processor_location + "/ProcessorConfig";
        if (!config->is_object()) {
          Error(config_location, "ProcessorConfig must be an object, got " + Quote(*config));
        } else {
          OnlyFields(*config, config_location, {"Mode", "ExecutionType"}, "in ProcessorConfig");
          const Json* mode = Field(*config, "Mode");
          const Json* execution_type = Field(*config, "ExecutionType");
          if (mode != nullptr && *mode != "INLINE" && *mode != "DISTRIBUTED") {
            Error(config_location + "/Mode",
                  "Mode must be INLINE or DISTRIBUTED, got " + Quote(*mode));
          }
          state.distributed = mode != nullptr && *mode == "DISTRIBUTED";
          if (execution_type != nullptr && *execution_type != "STANDARD" &&
              *execution_type != "EXPRESS") {
            Error(config_location + "/ExecutionType",
                  "ExecutionType must be STANDARD or EXPRESS, got " + Quote(*execution_type));
          } else if (execution_type == nullptr && state.distributed) {
            Error(config_location, "Field 'ExecutionType' is required when Mode is DISTRIBUTED");
          }
        }
      }
      state.processor = ParseMachine(*processor, processor_location, MachineKind::kProcessor);
    }
  }

  state.items_path = Path(node, location, "ItemsPath", true, false);
  if (Field(node, "ItemSelector") != nullptr && Field(node, "Parameters") != nullptr) {
    Error(location, "ItemSelector and Parameters (its legacy name) cannot both be given");
  }
  Payload(node, location, "ItemSelector", state.parameters, false);
  Payload(node, location, "Parameters", state.parameters, false);

  state.max_concurrency = IntOrPath(node, location, "MaxConcurrency", 0, kUnlimited);
  state.tolerated_failure_count = IntOrPath(node, location, "ToleratedFailureCount", 0, kUnlimited);
  const Json* percentage = Field(node, "ToleratedFailurePercentage");
  if (percentage != nullptr && Field(node, "ToleratedFailurePercentagePath") != nullptr) {
    Error(location,
          "ToleratedFailurePercentage and ToleratedFailurePercentagePath cannot both be given");
  } else if (percentage != nullptr) {
    if (percentage->is_number() && *percentage >= 0 && *percentage <= 100) {
      state.tolerated_failure_percentage.value = percentage->get<double>();
    } else {
      Error(location + "/ToleratedFailurePercentage",
            "ToleratedFailurePercentage must be a number from 0 to 100, got " + Quote(*percentage));
    }
  } else {
    state.tolerated_failure_percentage.path =
        Path(node, location, "ToleratedFailurePercentagePath", true, false).path;
  }

  if (const Json* batcher = Field(node, "ItemBatcher")) {
    const std::string batcher_location = location + "/ItemBatcher";
    if (!state.distributed) {
      Error(batcher_location, "ItemBatcher needs a DISTRIBUTED Map (ProcessorConfig Mode)");
    }
    if (!batcher->is_object()) {
      Error(batcher_location, "ItemBatcher must be an object, got " + Quote(*batcher));
    } else {
      OnlyFields(*batcher, batcher_location,
                 {"MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch",
                  "MaxInputBytesPerBatchPath", "BatchInput"},
                 "in ItemBatcher");
      ItemBatcher typed;
      typed.max_items_per_batch =
          IntOrPath(*batcher, batcher_location, "MaxItemsPerBatch", 1, kUnlimited);
      typed.max_input_bytes_per_batch =
          IntOrPath(*batcher, batcher_location, "MaxInputBytesPerBatch", 1, kMaxInputBytesPerBatch);
      Payload(*batcher, batcher_location, "BatchInput", typed.batch_input, true);
      const bool any_limit = Field(*batcher, "MaxItemsPerBatch") != nullptr ||
                             Field(*batcher, "MaxItemsPerBatchPath") != nullptr ||
                             Field(*batcher, "MaxInputBytesPerBatch") != nullptr ||
                             Field(*batcher, "MaxInputBytesPerBatchPath") != nullptr;
      if (!any_limit) {
        Error(batcher_location,
              "ItemBatcher needs MaxItemsPerBatch or MaxInputBytesPerBatch (or their Path)");
      }
      state.item_batcher = std::move(typed);
    }
  }
  // batchd has no S3: a Map's items come from its input, and its results go to its output.
  if (Field(node, "ItemReader") != nullptr) {
    Error(location + "/ItemReader",
          "ItemReader is not supported: it reads items from S3, which batchd has no equivalent "
          "of; pass the items in the state input and select them with ItemsPath");
  }
  if (Field(node, "ResultWriter") != nullptr) {
    Error(location + "/ResultWriter",
          "ResultWriter is not supported: it writes results to S3, which batchd has no "
          "equivalent of; the results are the Map state's output");
  }
  if (const Json* label = Field(node, "Label")) {
    auto text = String(*label, location + "/Label", "Label");
    if (text && (text->empty() || CharacterCount(*text) > kMaxLabelLength)) {
      Error(location + "/Label", "Label must be 1 to 40 characters long");
    } else if (text) {
      state.label = *text;
    }
  }
}

}  // namespace batchd::asl::definition_internal
