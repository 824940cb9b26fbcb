#include "core/asl/execution_state.h"

#include "core/asl/states_error.h"

namespace batchd::asl {
namespace {

// Short keys: the document is rewritten on every transition of a running execution.
const char* PhaseName(Phase phase) {
  switch (phase) {
    case Phase::kEnter:
      return "enter";
    case Phase::kTask:
      return "task";
    case Phase::kWait:
      return "wait";
    case Phase::kBackoff:
      return "backoff";
    case Phase::kBranches:
      return "branches";
    case Phase::kIterations:
      return "iterations";
    case Phase::kChild:
      return "child";
    case Phase::kSucceeded:
      return "succeeded";
    case Phase::kFailed:
      return "failed";
  }
  return "?";
}

Phase PhaseFromName(const std::string& name) {
  for (Phase p : {Phase::kEnter, Phase::kTask, Phase::kWait, Phase::kBackoff, Phase::kBranches,
                  Phase::kIterations, Phase::kChild, Phase::kSucceeded, Phase::kFailed}) {
    if (name == PhaseName(p)) return p;
  }
  throw StatesError(errors::kRuntime, "stored execution state has an unknown phase '" + name + "'");
}

// `started`: the execution's external_ids. What a task or child was started with is kept only
// until it has started: it is there to start it again after a restart, and a large Map's
// document is rewritten on every transition while its steps run.
Json FrameToJson(const Frame& f, const std::map<int64_t, std::string>& started) {
  const bool running_elsewhere = f.task_seq && started.count(f.task_seq);
  const bool child_started = f.phase == Phase::kChild && running_elsewhere;
  Json j = {{"p", PhaseName(f.phase)},
            {"s", f.state},
            {"i", child_started ? Json() : f.input},
            {"le", f.last_event_id}};
  if (!f.variables.empty()) j["v"] = f.variables;
  if (f.entered_ms) j["em"] = f.entered_ms;
  if (!f.retry_counts.empty()) j["rc"] = f.retry_counts;
  if (f.due_ms) j["due"] = f.due_ms;
  if (f.task_seq) j["ts"] = f.task_seq;
  if (!f.token.empty()) j["tok"] = f.token;
  if (f.phase == Phase::kTask && !running_elsewhere) j["tpar"] = f.task_parameters;
  if (f.heartbeat_ms) j["hb"] = f.heartbeat_ms;
  if (f.heartbeat_due_ms) j["hbd"] = f.heartbeat_due_ms;
  if (f.phase == Phase::kBranches || f.phase == Phase::kIterations) {
    j["it"] = f.items;
    Json children = Json::array();
    for (const auto& c : f.children) children.push_back(FrameToJson(c, started));
    j["ch"] = std::move(children);
    j["r"] = f.results;
    j["ni"] = f.next_item;
    j["di"] = f.done_items;
    j["fi"] = f.failed_items;
    j["mc"] = f.max_concurrency;
    j["tc"] = f.tolerated_count;
    j["tp"] = f.tolerated_percent;
  }
  if (f.item_index >= 0) j["ix"] = f.item_index;
  if (f.phase == Phase::kSucceeded) j["o"] = f.output;
  if (f.phase == Phase::kFailed) {
    j["e"] = f.error;
    j["c"] = f.cause;
  }
  return j;
}

Frame FrameFromJson(const Json& j) {
  Frame f;
  f.phase = PhaseFromName(j.at("p").get<std::string>());
  f.state = j.at("s").get<std::string>();
  f.input = j.at("i");
  f.last_event_id = j.at("le").get<int64_t>();
  f.variables = j.value("v", Json::object());
  f.entered_ms = j.value("em", int64_t{0});
  if (j.contains("rc")) f.retry_counts = j["rc"].get<std::vector<int>>();
  f.due_ms = j.value("due", int64_t{0});
  f.task_seq = j.value("ts", int64_t{0});
  f.token = j.value("tok", std::string());
  if (j.contains("tpar")) f.task_parameters = j["tpar"];
  f.heartbeat_ms = j.value("hb", int64_t{0});
  f.heartbeat_due_ms = j.value("hbd", int64_t{0});
  if (j.contains("ch")) {
    f.items = j.at("it");
    for (const auto& c : j["ch"]) f.children.push_back(FrameFromJson(c));
    f.results = j.at("r");
    f.next_item = j.at("ni").get<int64_t>();
    f.done_items = j.at("di").get<int64_t>();
    f.failed_items = j.at("fi").get<int64_t>();
    f.max_concurrency = j.at("mc").get<int64_t>();
    f.tolerated_count = j.at("tc").get<int64_t>();
    f.tolerated_percent = j.at("tp").get<double>();
  }
  f.item_index = j.value("ix", int64_t{-1});
  if (j.contains("o")) f.output = j["o"];
  f.error = j.value("e", std::string());
  f.cause = j.value("c", std::string());
  return f;
}

}  // namespace

const char* ExecutionStatusName(ExecutionStatus status) {
  switch (status) {
    case ExecutionStatus::kRunning:
      return "RUNNING";
    case ExecutionStatus::kSucceeded:
      return "SUCCEEDED";
    case ExecutionStatus::kFailed:
      return "FAILED";
    case ExecutionStatus::kTimedOut:
      return "TIMED_OUT";
    case ExecutionStatus::kAborted:
      return "ABORTED";
  }
  return "?";
}

Json ToJson(const ExecutionState& s) {
  Json info = {{"arn", s.info.arn},
               {"name", s.info.name},
               {"sm", s.info.state_machine_arn},
               {"smName", s.info.state_machine_name},
               {"role", s.info.role_arn},
               {"start", s.info.start_ms},
               {"redrives", s.info.redrive_count},
               {"redriveMs", s.info.redrive_ms}};
  if (!s.info.parent_arn.empty()) {
    info["parent"] = s.info.parent_arn;
    info["parentSeq"] = s.info.parent_seq;
  }
  if (!s.info.processor.empty()) {
    info["processor"] = s.info.processor;
  }
  Json j = {{"info", std::move(info)},
            {"input", s.input},
            {"status", ExecutionStatusName(s.status)},
            {"root", FrameToJson(s.root, s.external_ids)},
            {"lastEvent", s.last_event_id},
            {"nextTask", s.next_task_seq},
            {"timeout", s.timeout_ms},
            {"stop", s.stop_ms}};
  if (s.status == ExecutionStatus::kSucceeded) j["output"] = s.output;
  if (!s.error.empty() || !s.cause.empty()) {
    j["error"] = s.error;
    j["cause"] = s.cause;
  }
  if (!s.external_ids.empty()) {
    Json ids = Json::object();
    for (const auto& [seq, id] : s.external_ids) ids[std::to_string(seq)] = id;
    j["external"] = std::move(ids);
  }
  return j;
}

ExecutionState ExecutionStateFromJson(const Json& j) {
  try {
    ExecutionState s;
    const Json& info = j.at("info");
    s.info.arn = info.at("arn").get<std::string>();
    s.info.name = info.at("name").get<std::string>();
    s.info.state_machine_arn = info.at("sm").get<std::string>();
    s.info.state_machine_name = info.at("smName").get<std::string>();
    s.info.role_arn = info.at("role").get<std::string>();
    s.info.start_ms = info.at("start").get<int64_t>();
    s.info.redrive_count = info.at("redrives").get<int>();
    s.info.redrive_ms = info.at("redriveMs").get<int64_t>();
    s.info.parent_arn = info.value("parent", std::string());
    s.info.processor = info.value("processor", std::string());
    s.info.parent_seq = info.value("parentSeq", int64_t{0});
    s.input = j.at("input");
    const std::string status = j.at("status").get<std::string>();
    s.status = ExecutionStatus::kRunning;
    for (ExecutionStatus st : {ExecutionStatus::kSucceeded, ExecutionStatus::kFailed,
                               ExecutionStatus::kTimedOut, ExecutionStatus::kAborted}) {
      if (status == ExecutionStatusName(st)) s.status = st;
    }
    s.root = FrameFromJson(j.at("root"));
    s.last_event_id = j.at("lastEvent").get<int64_t>();
    s.next_task_seq = j.at("nextTask").get<int64_t>();
    s.timeout_ms = j.at("timeout").get<int64_t>();
    s.stop_ms = j.at("stop").get<int64_t>();
    if (j.contains("output")) s.output = j["output"];
    s.error = j.value("error", std::string());
    s.cause = j.value("cause", std::string());
    if (j.contains("external")) {
      for (const auto& [seq, id] : j["external"].items()) {
        s.external_ids[std::stoll(seq)] = id.get<std::string>();
      }
    }
    return s;
  } catch (const Json::exception& e) {
    throw StatesError(errors::kRuntime,
                      std::string("stored execution state is damaged: ") + e.what());
  }
}

}  // namespace batchd::asl
