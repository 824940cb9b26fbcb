// The definition as a whole: JSON text, the top-level fields, each machine's StartAt and
// States, and the checks that need every state of a machine at once (transition targets, a
// terminal state, reachability); also the field readers and the Retry/Catch handlers the
// state types share. Each state's own fields are read in definition_states.cc.
#include "core/asl/definition.h"

#include <deque>
#include <set>
#include <utility>

#include "core/asl/definition_parser.h"
#include "core/asl/path.h"
#include "core/asl/payload.h"
#include "core/asl/states_error.h"

namespace batchd::asl {
namespace definition_internal {
namespace {

// AWS: MaxDelaySeconds must stay under a year and a day.
constexpr int64_t kMaxDelaySeconds = 31622400;
// AWS caps an execution at one year; batchd lets a workflow run for up to ten.
constexpr int64_t kMaxExecutionSeconds = int64_t{10} * 365 * 24 * 3600;
constexpr size_t kMaxStateNameLength = 80;
constexpr size_t kMaxQuotedLength = 60;

std::string DuplicateNameMessage(const std::string& name) {
  return "duplicate state name \"" + name +
         "\": state names must be unique in the whole definition, branches and Map "
         "processors included";
}

// nlohmann keeps the last of two equal keys without a word. Two states of one name must be
// refused (AWS: DUPLICATE_STATE_NAME), so the text is watched key by key as it is parsed.
class DuplicateStateWatcher {
 public:
  explicit DuplicateStateWatcher(Diagnostics& out) : out_(out) {}

  void On(Json::parse_event_t event, const Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
        Enter(false);
        break;
      case Json::parse_event_t::array_start:
        Enter(true);
        break;
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end:
        frames_.pop_back();
        break;
      case Json::parse_event_t::key:
        Key(parsed.get<std::string>());
        break;
      case Json::parse_event_t::value:
        Step();
        break;
    }
  }

 private:
  struct Frame {
    bool array = false;
    int64_t index = -1;  // arrays: the element being read
    std::string key;     // objects: the key being read
    std::set<std::string> keys;
  };

  void Step() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
  }

  void Enter(bool array) {
    Step();
    frames_.push_back(Frame{array, -1, {}, {}});
  }

  void Key(std::string key) {
    Frame& object = frames_.back();
    object.key = key;
    if (object.keys.insert(key).second) return;
    // Only the members of a machine's "States" are state names; other repeated keys are
    // left to nlohmann's rule: the last one wins.
    if (!InMachineStates()) return;
    std::string location;
    for (const Frame& frame : frames_) {
      location += "/" + (frame.array ? std::to_string(frame.index) : frame.key);
    }
    out_.push_back(Diagnostic{kDuplicateStateName, DuplicateNameMessage(key), location});
  }

  // Whether the innermost object is the States of the top level, of a Parallel branch or of
  // a Map processor (and not, say, a "States" key inside Parameters).
  bool InMachineStates() const {
    const size_t n = frames_.size();
    if (n < 2 || frames_[n - 2].array || frames_[n - 2].key != "States") return false;
    if (n == 2) return true;
    const Frame& holder = frames_[n - 3];
    if (!holder.array) return holder.key == "ItemProcessor" || holder.key == "Iterator";
    return n >= 4 && !frames_[n - 4].array && frames_[n - 4].key == "Branches";
  }

  Diagnostics& out_;
  std::vector<Frame> frames_;
};

// Every state name in the definition, read from the raw JSON before parsing so that a
// transition to a state of another branch can be explained.
void CollectNames(const Json& machine, std::set<std::string, std::less<>>& names) {
  const Json* states = Field(machine, "States");
  if (states == nullptr || !states->is_object()) return;
  for (const auto& [name, state] : states->items()) {
    names.insert(name);
    if (!state.is_object()) continue;
    if (const Json* branches = Field(state, "Branches"); branches && branches->is_array()) {
      for (const Json& branch : *branches) CollectNames(branch, names);
    }
    for (const char* processor : {"ItemProcessor", "Iterator"}) {
      if (const Json* inner = Field(state, processor)) CollectNames(*inner, names);
    }
  }
}

bool IsTerminal(const State& state) {
  return state.end || state.type == StateType::kSucceed || state.type == StateType::kFail;
}

// The states a state can go to next, with the field that names each.
std::vector<std::pair<std::string, std::string>> Transitions(const State& state) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!state.next.empty()) out.emplace_back(state.next, "/Next");
  for (size_t i = 0; i < state.choices.size(); ++i) {
    if (!state.choices[i].next.empty()) {
      out.emplace_back(state.choices[i].next, "/Choices/" + std::to_string(i) + "/Next");
    }
  }
  if (!state.default_next.empty()) out.emplace_back(state.default_next, "/Default");
  for (size_t i = 0; i < state.catchers.size(); ++i) {
    if (!state.catchers[i].next.empty()) {
      out.emplace_back(state.catchers[i].next, "/Catch/" + std::to_string(i) + "/Next");
    }
  }
  return out;
}

bool Contains(const std::vector<std::string>& names, std::string_view name) {
  for (const std::string& n : names) {
    if (n == name) return true;
  }
  return false;
}

}  // namespace

const Json* Field(const Json& node, std::string_view name) {
  if (!node.is_object()) return nullptr;
  auto it = node.find(name);
  return it == node.end() ? nullptr : &*it;
}

std::string Quote(const Json& value) {
  std::string text = Compact(value);
  if (text.size() <= kMaxQuotedLength) return text;
  // Cut between characters: a message must stay valid UTF-8 to be sent as JSON.
  size_t cut = kMaxQuotedLength - 3;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "...";
}

size_t CharacterCount(std::string_view text) {
  size_t count = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

void Parser::Error(const std::string& location, std::string message, const char* code) {
  out_.push_back(Diagnostic{code, std::move(message), location});
}

std::shared_ptr<Machine> Parser::ParseMachine(const Json& node, const std::string& location,
                                              MachineKind kind) {
  auto machine = std::make_shared<Machine>();
  if (const Json* comment = Field(node, "Comment")) {
    machine->comment = String(*comment, location + "/Comment", "Comment").value_or("");
  }
  if (const Json* start_at = Field(node, "StartAt")) {
    machine->start_at = String(*start_at, location + "/StartAt", "StartAt").value_or("");
  } else {
    Error(location, "Field 'StartAt' is required");
  }
  const Json* states = Field(node, "States");
  if (states == nullptr) {
    Error(location, "Field 'States' is required");
    return machine;
  }
  if (!states->is_object() || states->empty()) {
    Error(location + "/States",
          "States must be a non-empty object of state name to state, got " + Quote(*states));
    return machine;
  }
  bool all_typed = true;
  for (const auto& [name, body] : states->items()) {
    const std::string state_location = location + "/States/" + name;
    const size_t length = CharacterCount(name);
    if (length == 0 || length > kMaxStateNameLength) {
      Error(state_location, "state name \"" + name + "\" must be 1 to 80 characters long, not " +
                                std::to_string(length));
    }
    if (!seen_names_.insert(name).second) {
      Error(state_location, DuplicateNameMessage(name), kDuplicateStateName);
    }
    State state;
    state.name = name;
    state.location = state_location;
    all_typed = ParseState(body, state_location, state) && all_typed;
    machine->index.emplace(name, machine->states.size());
    machine->states.push_back(std::move(state));
  }
  CheckTransitions(*machine, location, kind);
  if (!all_typed) return machine;  // a state of unknown type may end or link anywhere

  bool has_terminal = false;
  for (const State& state : machine->states) has_terminal = has_terminal || IsTerminal(state);
  if (!has_terminal) {
    // AWS reports only this then, not every state as unreachable.
    Error(location,
          "Workflow has no terminal state: a machine needs a Succeed or Fail state or a state "
          "with \"End\": true",
          kMissingEndState);
    return machine;
  }
  std::vector<bool> reached(machine->states.size(), false);
  std::deque<size_t> queue;
  auto visit = [&](std::string_view name) {
    auto it = machine->index.find(name);
    if (it == machine->index.end() || reached[it->second]) return;
    reached[it->second] = true;
    queue.push_back(it->second);
  };
  visit(machine->start_at);
  while (!queue.empty()) {
    const State& state = machine->states[queue.front()];
    queue.pop_front();
    for (const auto& [target, field] : Transitions(state)) visit(target);
  }
  for (size_t i = 0; i < machine->states.size(); ++i) {
    if (reached[i]) continue;
    const std::string& name = machine->states[i].name;
    Error(location + "/States/" + name, "state \"" + name + "\" is not reachable from StartAt",
          kMissingTransitionTarget);
  }
  return machine;
}

void Parser::CheckTransitions(const Machine& machine, const std::string& location,
                              MachineKind kind) {
  if (!machine.start_at.empty()) {
    CheckTarget(machine, machine.start_at, location + "/StartAt", kind);
  }
  for (const State& state : machine.states) {
    for (const auto& [target, field] : Transitions(state)) {
      CheckTarget(machine, target, location + "/States/" + state.name + field, kind);
    }
  }
}

void Parser::CheckTarget(const Machine& machine, const std::string& target,
                         const std::string& location, MachineKind kind) {
  if (machine.Find(target) != nullptr) return;
  std::string message = "no state named \"" + target + "\"";
  if (all_names_.count(target) != 0) {
    switch (kind) {
      case MachineKind::kTop:
        message +=
            " at the top level: it is inside a Parallel branch or Map processor, "
            "which a transition cannot enter";
        break;
      case MachineKind::kBranch:
        message += " in this Parallel branch: a transition cannot leave its branch";
        break;
      case MachineKind::kProcessor:
        message += " in this Map processor: a transition cannot leave its processor";
        break;
    }
  }
  Error(location, std::move(message), kMissingTransitionTarget);
}

std::optional<std::string> Parser::String(const Json& value, const std::string& location,
                                          std::string_view field) {
  if (value.is_string()) return value.get<std::string>();
  Error(location, std::string(field) + " must be a string, got " + Quote(value));
  return std::nullopt;
}

std::optional<int64_t> Parser::Integer(const Json& value, const std::string& location,
                                       std::string_view field, int64_t min, int64_t max) {
  const bool in_range =
      value.is_number_integer() &&
      (value.is_number_unsigned() ? value.get<uint64_t>() <= static_cast<uint64_t>(max) &&
                                        static_cast<int64_t>(value.get<uint64_t>()) >= min
                                  : value.get<int64_t>() >= min && value.get<int64_t>() <= max);
  if (in_range) return value.get<int64_t>();
  Error(location, std::string(field) + " must be an integer from " + std::to_string(min) + " to " +
                      std::to_string(max) + ", got " + Quote(value));
  return std::nullopt;
}

PathField Parser::Path(const Json& node, const std::string& location, const char* field,
                       bool reference, bool nullable) {
  PathField out;
  const Json* value = Field(node, field);
  if (value == nullptr) return out;
  const std::string field_location = location + "/" + field;
  if (value->is_null() && nullable) {
    out.kind = PathField::Kind::kNull;
    return out;
  }
  if (!value->is_string()) {
    Error(field_location, std::string(field) + " must be a " +
                              (reference ? "reference path" : "path") +
                              (nullable ? " or null" : "") + ", got " + Quote(*value));
    return out;
  }
  const std::string path = value->get<std::string>();
  if (auto problem = CheckPath(path, reference)) {
    Error(field_location, *problem);
    return out;
  }
  out.kind = PathField::Kind::kPath;
  out.path = path;
  return out;
}

IntField Parser::IntOrPath(const Json& node, const std::string& location, const char* field,
                           int64_t min, int64_t max) {
  IntField out;
  const std::string path_field = std::string(field) + "Path";
  const Json* literal = Field(node, field);
  const Json* path = Field(node, path_field);
  if (literal != nullptr && path != nullptr) {
    Error(location, std::string(field) + " and " + path_field + " cannot both be given");
    return out;
  }
  if (literal != nullptr) {
    out.value = Integer(*literal, location + "/" + field, field, min, max);
  } else if (path != nullptr) {
    out.path = Path(node, location, path_field.c_str(), true, false).path;
  }
  return out;
}

void Parser::Payload(const Json& node, const std::string& location, const char* field,
                     std::optional<Json>& out, bool must_be_object) {
  const Json* value = Field(node, field);
  if (value == nullptr) return;
  const std::string field_location = location + "/" + field;
  if (must_be_object && !value->is_object()) {
    Error(field_location, std::string(field) + " must be an object, got " + Quote(*value));
    return;
  }
  CheckPayload(*value, field_location, out_);
  out = *value;
}

void Parser::QueryLanguage(const Json& node, const std::string& location) {
  const Json* value = Field(node, "QueryLanguage");
  if (value == nullptr || *value == "JSONPath") return;
  const std::string field_location = location + "/QueryLanguage";
  if (*value == "JSONata") {
    Error(field_location,
          "QueryLanguage JSONata is not supported yet: batchd runs JSONPath states only");
  } else {
    Error(field_location, "QueryLanguage must be JSONPath or JSONata, got " + Quote(*value));
  }
}

void Parser::OnlyFields(const Json& node, const std::string& location,
                        const std::vector<std::string_view>& allowed, const std::string& owner) {
  for (const auto& [key, value] : node.items()) {
    bool known = false;
    for (std::string_view name : allowed) known = known || key == name;
    if (!known) Error(location, "Field '" + key + "' is not supported " + owner);
  }
}

// Retry and Catch, shared by Task, Parallel and Map.

std::optional<std::vector<std::string>> Parser::ErrorEquals(const Json& handler,
                                                            const std::string& location) {
  const Json* names_field = Field(handler, "ErrorEquals");
  if (names_field == nullptr) {
    Error(location, "Field 'ErrorEquals' is required");
    return std::nullopt;
  }
  const std::string errors_location = location + "/ErrorEquals";
  bool strings = names_field->is_array() && !names_field->empty();
  for (const Json& name : *names_field) strings = strings && name.is_string() && name != "";
  if (!strings) {
    Error(errors_location,
          "ErrorEquals must be a non-empty array of error names, got " + Quote(*names_field));
    return std::nullopt;
  }
  auto names = names_field->get<std::vector<std::string>>();
  if (names.size() > 1 && Contains(names, errors::kAll)) {
    Error(errors_location, "States.ALL must stand alone in ErrorEquals");
  }
  return names;
}

void Parser::ParseRetry(const Json& node, const std::string& location, State& state) {
  const Json* retry = Field(node, "Retry");
  if (retry == nullptr) return;
  const std::string retry_location = location + "/Retry";
  if (!retry->is_array()) {
    Error(retry_location, "Retry must be an array of retriers, got " + Quote(*retry));
    return;
  }
  for (size_t i = 0; i < retry->size(); ++i) {
    const Json& node_i = (*retry)[i];
    const std::string at = retry_location + "/" + std::to_string(i);
    if (!node_i.is_object()) {
      Error(at, "a retrier must be an object, got " + Quote(node_i));
      continue;
    }
    OnlyFields(node_i, at,
               {"ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds",
                "JitterStrategy", "Comment"},
               "in a retrier");
    Retrier retrier;
    if (auto names = ErrorEquals(node_i, at)) retrier.error_equals = std::move(*names);
    if (Contains(retrier.error_equals, errors::kAll) && i + 1 != retry->size()) {
      Error(at + "/ErrorEquals", "States.ALL must be in the last retrier");
    }
    if (const Json* v = Field(node_i, "IntervalSeconds")) {
      auto value = Integer(*v, at + "/IntervalSeconds", "IntervalSeconds", 1, kMaxStateInteger);
      if (value) retrier.interval_seconds = static_cast<double>(*value);
    }
    if (const Json* v = Field(node_i, "MaxAttempts")) {
      auto value = Integer(*v, at + "/MaxAttempts", "MaxAttempts", 0, kMaxStateInteger);
      if (value) retrier.max_attempts = static_cast<int>(*value);
    }
    if (const Json* v = Field(node_i, "BackoffRate")) {
      if (v->is_number() && *v >= 1.0) {
        retrier.backoff_rate = v->get<double>();
      } else {
        Error(at + "/BackoffRate",
              "BackoffRate must be a number of at least 1.0, got " + Quote(*v));
      }
    }
    if (const Json* v = Field(node_i, "MaxDelaySeconds")) {
      retrier.max_delay_seconds =
          Integer(*v, at + "/MaxDelaySeconds", "MaxDelaySeconds", 1, kMaxDelaySeconds);
    }
    if (const Json* v = Field(node_i, "JitterStrategy")) {
      if (*v == "FULL" || *v == "NONE") {
        retrier.full_jitter = *v == "FULL";
      } else {
        Error(at + "/JitterStrategy", "JitterStrategy must be FULL or NONE, got " + Quote(*v));
      }
    }
    state.retry.push_back(std::move(retrier));
  }
}

void Parser::ParseCatch(const Json& node, const std::string& location, State& state) {
  const Json* catchers = Field(node, "Catch");
  if (catchers == nullptr) return;
  const std::string catch_location = location + "/Catch";
  if (!catchers->is_array()) {
    Error(catch_location, "Catch must be an array of catchers, got " + Quote(*catchers));
    return;
  }
  for (size_t i = 0; i < catchers->size(); ++i) {
    const Json& node_i = (*catchers)[i];
    const std::string at = catch_location + "/" + std::to_string(i);
    if (!node_i.is_object()) {
      Error(at, "a catcher must be an object, got " + Quote(node_i));
      continue;
    }
    OnlyFields(node_i, at, {"ErrorEquals", "Next", "ResultPath", "Assign", "Comment"},
               "in a catcher");
    Catcher catcher;
    if (auto names = ErrorEquals(node_i, at)) catcher.error_equals = std::move(*names);
    if (Contains(catcher.error_equals, errors::kAll) && i + 1 != catchers->size()) {
      Error(at + "/ErrorEquals", "States.ALL must be in the last catcher");
    }
    if (const Json* next = Field(node_i, "Next")) {
      catcher.next = String(*next, at + "/Next", "Next").value_or("");
    } else {
      Error(at, "Field 'Next' is required");
    }
    catcher.result_path = ResultPath(node_i, at);
    Assign(node_i, at, catcher.assign);
    state.catchers.push_back(std::move(catcher));
  }
}

}  // namespace definition_internal

using definition_internal::kInvalidJsonDescription;

const char* StateTypeName(StateType type) {
  switch (type) {
    case StateType::kPass:
      return "Pass";
    case StateType::kTask:
      return "Task";
    case StateType::kChoice:
      return "Choice";
    case StateType::kWait:
      return "Wait";
    case StateType::kSucceed:
      return "Succeed";
    case StateType::kFail:
      return "Fail";
    case StateType::kParallel:
      return "Parallel";
    case StateType::kMap:
      return "Map";
  }
  return "Unknown";
}

const State* Machine::Find(std::string_view name) const {
  auto it = index.find(name);
  return it == index.end() ? nullptr : &states[it->second];
}

namespace {

const Machine* ProcessorIn(const Machine& m, std::string_view location) {
  for (const State& s : m.states) {
    if (s.processor) {
      if (s.location == location) return s.processor.get();
      if (const Machine* found = ProcessorIn(*s.processor, location)) return found;
    }
    for (const auto& branch : s.branches) {
      if (const Machine* found = ProcessorIn(*branch, location)) return found;
    }
  }
  return nullptr;
}

}  // namespace

std::shared_ptr<const Machine> FindProcessor(const std::shared_ptr<const Machine>& top,
                                             std::string_view location) {
  const Machine* found = top ? ProcessorIn(*top, location) : nullptr;
  if (!found) return nullptr;
  return std::shared_ptr<const Machine>(top, found);
}

ParsedDefinition ParseDefinition(std::string_view text) {
  Diagnostics duplicates;
  definition_internal::DuplicateStateWatcher watcher(duplicates);
  Json document;
  try {
    document = Json::parse(text.begin(), text.end(),
                           [&watcher](int, Json::parse_event_t event, Json& parsed) {
                             watcher.On(event, parsed);
                             return true;
                           });
  } catch (const Json::parse_error& e) {
    // what() is "[json.exception.parse_error.101] parse error at line 1, column 2: ...".
    std::string message = e.what();
    if (auto end = message.find("] "); end != std::string::npos) message.erase(0, end + 2);
    return ParsedDefinition{
        nullptr,
        {Diagnostic{kInvalidJsonDescription, "the definition is not valid JSON: " + message, ""}}};
  }
  ParsedDefinition parsed = ParseDefinition(document);
  if (!duplicates.empty()) {
    parsed.diagnostics.insert(parsed.diagnostics.begin(), duplicates.begin(), duplicates.end());
    parsed.machine = nullptr;
  }
  return parsed;
}

ParsedDefinition ParseDefinition(const Json& document) {
  using definition_internal::Parser;
  ParsedDefinition parsed;
  if (!document.is_object()) {
    parsed.diagnostics.push_back(Diagnostic{
        kInvalidJsonDescription,
        "a definition must be a JSON object, got " + definition_internal::Quote(document), ""});
    return parsed;
  }
  std::set<std::string, std::less<>> names;
  definition_internal::CollectNames(document, names);
  Parser parser(parsed.diagnostics, std::move(names));
  parser.OnlyFields(document, "",
                    {"Comment", "StartAt", "States", "Version", "TimeoutSeconds", "QueryLanguage"},
                    "at the top level of a definition");
  if (const Json* version = definition_internal::Field(document, "Version")) {
    parser.String(*version, "/Version", "Version");
  }
  parser.QueryLanguage(document, "");
  std::optional<int64_t> timeout;
  if (const Json* value = definition_internal::Field(document, "TimeoutSeconds")) {
    timeout = parser.Integer(*value, "/TimeoutSeconds", "TimeoutSeconds", 1,
                             definition_internal::kMaxExecutionSeconds);
  }
  auto machine = parser.ParseMachine(document, "", definition_internal::MachineKind::kTop);
  machine->timeout_seconds = timeout;
  for (const Diagnostic& d : parsed.diagnostics) {
    if (d.severity == "ERROR") return parsed;
  }
  parsed.machine = std::move(machine);
  return parsed;
}

}  // namespace batchd::asl
