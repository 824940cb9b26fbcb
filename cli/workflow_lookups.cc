#include "cli/workflow_lookups.h"

#include "api/api_error.h"
#include "api/states_names.h"
#include "cli/errors.h"

namespace batchd::cli {
namespace {

using namespace batch::v1;
using Stub = Client::StatesStub;

// The server's largest page; fewer round trips for long histories.
constexpr int kHistoryPage = 1000;

template <typename F>
auto UsageOnBadName(F parse) {
  try {
    return parse();
  } catch (const api::ApiError& e) {
    throw CliError(e.what(), kExitUsage);
  }
}

}  // namespace

std::string StateMachineArnOf(std::string_view what, std::string_view ref) {
  return UsageOnBadName([&] {
    const api::StateMachineRef parsed = api::ParseStateMachineRef(what, ref);
    std::string arn = api::StateMachineArn(parsed.name);
    if (parsed.revision) arn += ":" + std::to_string(*parsed.revision);
    return arn;
  });
}

std::string StateMachineNameOf(std::string_view what, std::string_view ref) {
  return UsageOnBadName([&] { return api::ParseStateMachineRef(what, ref).name; });
}

std::string ExecutionArnOf(std::string_view what, std::string_view ref) {
  if (!ref.starts_with("arn:") && ref.find(':') == std::string_view::npos) {
    throw CliError(std::string(what) +
                       ": expected an execution ARN or STATE_MACHINE:EXECUTION, got \"" +
                       std::string(ref) + "\"",
                   kExitUsage);
  }
  return UsageOnBadName([&] {
    const api::ExecutionRef parsed = api::ParseExecutionRef(what, ref);
    return api::ExecutionArn(parsed.state_machine, parsed.name);
  });
}

std::string ActivityArnOf(std::string_view what, std::string_view ref) {
  return UsageOnBadName([&] { return api::ActivityArn(api::ActivityNameFromRef(what, ref)); });
}

std::vector<StateMachineListItem> ListAllStateMachines(Client& client) {
  std::vector<StateMachineListItem> all;
  ListStateMachinesRequest req;
  do {
    auto page = client.Call(&Stub::ListStateMachines, req);
    for (auto& item : *page.mutable_state_machines()) all.push_back(std::move(item));
    req.set_next_token(page.next_token());
  } while (!req.next_token().empty());
  return all;
}

std::vector<ActivityListItem> ListAllActivities(Client& client) {
  std::vector<ActivityListItem> all;
  ListActivitiesRequest req;
  do {
    auto page = client.Call(&Stub::ListActivities, req);
    for (auto& item : *page.mutable_activities()) all.push_back(std::move(item));
    req.set_next_token(page.next_token());
  } while (!req.next_token().empty());
  return all;
}

std::optional<DescribeStateMachineResponse> FindStateMachine(Client& client,
                                                             const std::string& name) {
  for (const auto& item : ListAllStateMachines(client)) {
    if (item.name() != name) continue;
    DescribeStateMachineRequest req;
    req.set_state_machine_arn(item.state_machine_arn());
    return client.Call(&Stub::DescribeStateMachine, req);
  }
  return std::nullopt;
}

std::optional<ActivityListItem> FindActivity(Client& client, const std::string& name) {
  for (auto& item : ListAllActivities(client)) {
    if (item.name() == name) return std::move(item);
  }
  return std::nullopt;
}

GetExecutionHistoryResponse FetchHistoryPage(Client& client, const std::string& execution_arn,
                                             const std::string& next_token) {
  GetExecutionHistoryRequest req;
  req.set_execution_arn(execution_arn);
  req.set_max_results(kHistoryPage);
  req.set_next_token(next_token);
  return client.Call(&Stub::GetExecutionHistory, req);
}

HistoryEvents FetchHistory(Client& client, const std::string& execution_arn) {
  HistoryEvents events;
  std::string token;
  do {
    auto page = FetchHistoryPage(client, execution_arn, token);
    for (auto& e : *page.mutable_events()) events.push_back(std::move(e));
    token = page.next_token();
  } while (!token.empty());
  return events;
}

DescribeExecutionResponse DescribeExecution(Client& client, const std::string& execution_arn) {
  DescribeExecutionRequest req;
  req.set_execution_arn(execution_arn);
  return client.Call(&Stub::DescribeExecution, req);
}

}  // namespace batchd::cli
