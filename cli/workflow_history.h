#pragma once
// Reading an execution's history the way people ask about it: which states ran, how each
// ended, how often it was retried and which batch job it ran. Pure functions of the events
// GetExecutionHistory returns (oldest first), so they are tested without a server.
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "batch/v1/states.pb.h"

namespace batchd::cli {

using HistoryEvents = std::vector<batch::v1::HistoryEvent>;

// The event's *EventDetails member as AWS writes it ({} for types without details), and that
// member's name ("" for none).
nlohmann::ordered_json EventDetails(const batch::v1::HistoryEvent& event);
std::string EventDetailsMember(const batch::v1::HistoryEvent& event);

// The event as AWS's GetExecutionHistory JSON writes it: timestamp, type, id,
// previousEventId and its details member.
nlohmann::ordered_json EventJson(const batch::v1::HistoryEvent& event);

// One line's worth of what the event says: the state's name, an error and cause, a job id, a
// worker, an input or output (cut to `max` characters).
std::string EventSummary(const batch::v1::HistoryEvent& event, size_t max);

// The state an event belongs to ("" for the execution's own events), by following
// previousEventId back to a *StateEntered event. Events are given oldest first.
class StateTracker {
 public:
  std::string StateOf(const batch::v1::HistoryEvent& event);

 private:
  std::unordered_map<int64_t, std::string> state_of_;  // event id -> its state
};
std::vector<std::string> StateOfEvents(const HistoryEvents& events);

// One entry into a state.
struct StepEntry {
  std::string name;
  std::string type;    // "Task", "Pass", "Choice", ...
  std::string status;  // succeeded, failed, caught, running, aborted or timed out
  double entered = 0;  // epoch seconds
  double ended = 0;    // 0 while running
  int retries = 0;     // tasks scheduled after the first one of this entry
  std::string job_id;  // the batch job it ran last, if any
};

std::vector<StepEntry> StepsOf(const HistoryEvents& events);

// Every batch job the execution's steps submitted, in the order submitted, each once.
std::vector<std::string> JobIdsOf(const HistoryEvents& events);

// The job of the latest entry into `state` that ran one; nullopt if none did.
std::optional<std::string> JobOfState(const HistoryEvents& events, const std::string& state);

}  // namespace batchd::cli
