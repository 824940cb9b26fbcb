#include "cli/workflow_history.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string_view>
#include <unordered_map>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/struct.pb.h>

#include "cli/output.h"

namespace batchd::cli {
namespace {

using batch::v1::HistoryEvent;
using google::protobuf::FieldDescriptor;
using Json = nlohmann::ordered_json;

Json ValueJson(const google::protobuf::Value& value);

Json StructJson(const google::protobuf::Struct& s) {
  // A Struct's map has no order; sorted keys keep the output the same from run to run.
  std::map<std::string, const google::protobuf::Value*> sorted;
  for (const auto& [key, value] : s.fields()) sorted.emplace(key, &value);
  Json out = Json::object();
  for (const auto& [key, value] : sorted) out[key] = ValueJson(*value);
  return out;
}

Json ValueJson(const google::protobuf::Value& value) {
  switch (value.kind_case()) {
    case google::protobuf::Value::kNullValue:
    case google::protobuf::Value::KIND_NOT_SET:
      return nullptr;
    case google::protobuf::Value::kNumberValue: {
      // Struct numbers are doubles; AWS's counts and indexes are integers.
      const double d = value.number_value();
      if (std::trunc(d) == d && std::fabs(d) < 9.0e15) return static_cast<int64_t>(d);
      return d;
    }
    case google::protobuf::Value::kStringValue:
      return value.string_value();
    case google::protobuf::Value::kBoolValue:
      return value.bool_value();
    case google::protobuf::Value::kStructValue:
      return StructJson(value.struct_value());
    case google::protobuf::Value::kListValue: {
      Json out = Json::array();
      for (const auto& v : value.list_value().values()) out.push_back(ValueJson(v));
      return out;
    }
  }
  return nullptr;
}

// The set Struct member of the event: at most one is set.
const FieldDescriptor* DetailsField(const HistoryEvent& event) {
  const auto* reflection = event.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(event, &fields);
  for (const FieldDescriptor* f : fields) {
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
        f->message_type() == google::protobuf::Struct::descriptor()) {
      return f;
    }
  }
  return nullptr;
}

std::string Text(const Json& details, const char* key) {
  auto it = details.find(key);
  if (it == details.end()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// The "JobId" of a batch step's TaskSubmitted or TaskSucceeded output (the SubmitJob response,
// or with .sync the job as DescribeJobs gives it).
std::string JobIdOf(const HistoryEvent& event) {
  if (event.type() != "TaskSubmitted" && event.type() != "TaskSucceeded") return "";
  const Json details = EventDetails(event);
  if (Text(details, "resourceType") != "batch") return "";
  const Json output = Json::parse(Text(details, "output"), nullptr, /*allow_exceptions=*/false);
  if (!output.is_object()) return "";
  auto it = output.find("JobId");
  return it != output.end() && it->is_string() ? it->get<std::string>() : "";
}

bool IsStateEntered(const HistoryEvent& e) { return e.type().ends_with("StateEntered"); }

bool IsExecutionEvent(const HistoryEvent& e) { return e.type().starts_with("Execution"); }

// The failure of what a state was doing, which a Retry or Catch may still handle.
bool IsStepFailure(const HistoryEvent& e) {
  return !IsExecutionEvent(e) && (e.type().ends_with("Failed") || e.type().ends_with("TimedOut"));
}

bool IsTaskScheduled(const HistoryEvent& e) {
  return e.type() == "TaskScheduled" || e.type() == "ActivityScheduled";
}

// "FailStateEntered" -> "Fail", "TaskStateEntered" -> "Task".
std::string StateTypeOf(const HistoryEvent& entered) {
  std::string_view type = entered.type();
  type.remove_suffix(std::string_view("StateEntered").size());
  return std::string(type);
}

}  // namespace

Json EventDetails(const HistoryEvent& event) {
  const FieldDescriptor* f = DetailsField(event);
  if (!f) return Json::object();
  const auto& s =
      static_cast<const google::protobuf::Struct&>(event.GetReflection()->GetMessage(event, f));
  return StructJson(s);
}

std::string EventDetailsMember(const HistoryEvent& event) {
  const FieldDescriptor* f = DetailsField(event);
  return f ? f->json_name() : "";
}

Json EventJson(const HistoryEvent& event) {
  Json out = {{"timestamp", event.timestamp()},
              {"type", event.type()},
              {"id", event.id()},
              {"previousEventId", event.previous_event_id()}};
  if (const std::string member = EventDetailsMember(event); !member.empty()) {
    out[member] = EventDetails(event);
  }
  return out;
}

std::string EventSummary(const HistoryEvent& event, size_t max) {
  const Json d = EventDetails(event);
  std::string text;
  if (d.contains("error") || d.contains("cause")) {
    text = Text(d, "error");
    const std::string cause = Text(d, "cause");
    if (!cause.empty()) text += (text.empty() ? "" : ": ") + cause;
  } else if (const std::string job = JobIdOf(event); !job.empty()) {
    text = "job " + job;
  } else if (d.contains("workerName")) {
    text = "worker " + Text(d, "workerName");
  } else if (d.contains("index")) {
    text = "index " + Text(d, "index");
  } else if (d.contains("length")) {
    text = "length " + Text(d, "length");
  } else if (d.contains("resourceType")) {
    text = Text(d, "resourceType") + ":" + Text(d, "resource");
  } else if (d.contains("resource")) {
    text = Text(d, "resource");
  } else if (d.contains("output")) {
    text = "output " + Text(d, "output");
  } else if (d.contains("input")) {
    text = "input " + Text(d, "input");
  }
  std::replace(text.begin(), text.end(), '\n', ' ');
  return Truncate(text, max);
}

std::string StateTracker::StateOf(const HistoryEvent& e) {
  std::string state;
  if (IsStateEntered(e)) {
    state = Text(EventDetails(e), "name");
  } else if (!IsExecutionEvent(e)) {
    auto it = state_of_.find(e.previous_event_id());
    if (it != state_of_.end()) state = it->second;
  }
  state_of_[e.id()] = state;
  return state;
}

std::vector<std::string> StateOfEvents(const HistoryEvents& events) {
  StateTracker tracker;
  std::vector<std::string> states;
  for (const HistoryEvent& e : events) states.push_back(tracker.StateOf(e));
  return states;
}

std::vector<StepEntry> StepsOf(const HistoryEvents& events) {
  std::vector<StepEntry> steps;
  std::vector<int> scheduled;  // per step: tasks scheduled
  std::vector<bool> failing;   // per step: its last task failed and nothing handled it yet
  std::unordered_map<int64_t, size_t> step_of;  // event id -> step
  auto end_running = [&](double at, auto status_of) {
    for (size_t i = 0; i < steps.size(); ++i) {
      if (steps[i].status != "running") continue;
      steps[i].status = status_of(i);
      steps[i].ended = at;
    }
  };
  for (const HistoryEvent& e : events) {
    if (IsStateEntered(e)) {
      step_of[e.id()] = steps.size();
      steps.push_back({.name = Text(EventDetails(e), "name"),
                       .type = StateTypeOf(e),
                       .status = "running",
                       .entered = e.timestamp(),
                       .ended = 0,
                       .retries = 0,
                       .job_id = ""});
      scheduled.push_back(0);
      failing.push_back(false);
      continue;
    }
    if (e.type() == "ExecutionFailed") {
      // States still open when the execution fails: the one that failed it, and any a
      // Parallel or Map was running beside it, which were stopped.
      end_running(e.timestamp(), [&](size_t i) {
        return failing[i] || steps[i].type == "Fail" ? "failed" : "aborted";
      });
    } else if (e.type() == "ExecutionAborted") {
      end_running(e.timestamp(), [](size_t) { return "aborted"; });
    } else if (e.type() == "ExecutionTimedOut") {
      end_running(e.timestamp(), [](size_t) { return "timed out"; });
    }
    if (IsExecutionEvent(e)) continue;
    auto owner = step_of.find(e.previous_event_id());
    if (owner == step_of.end()) continue;
    const size_t i = owner->second;
    step_of[e.id()] = i;
    StepEntry& step = steps[i];
    if (e.type().ends_with("StateExited")) {
      step.status = failing[i] ? "caught" : "succeeded";
      step.ended = e.timestamp();
    } else if (e.type().ends_with("StateAborted")) {
      step.status = "aborted";
      step.ended = e.timestamp();
    } else if (IsTaskScheduled(e)) {
      if (++scheduled[i] > 1) ++step.retries;
      failing[i] = false;
    } else if (IsStepFailure(e)) {
      failing[i] = true;
    } else if (std::string job = JobIdOf(e); !job.empty()) {
      step.job_id = std::move(job);
    }
  }
  return steps;
}

std::vector<std::string> JobIdsOf(const HistoryEvents& events) {
  std::vector<std::string> ids;
  for (const HistoryEvent& e : events) {
    std::string job = JobIdOf(e);
    if (!job.empty() && std::find(ids.begin(), ids.end(), job) == ids.end()) {
      ids.push_back(std::move(job));
    }
  }
  return ids;
}

std::optional<std::string> JobOfState(const HistoryEvents& events, const std::string& state) {
  std::optional<std::string> job;
  for (const StepEntry& step : StepsOf(events)) {
    if (step.name == state && !step.job_id.empty()) job = step.job_id;
  }
  return job;
}

}  // namespace batchd::cli
