#pragma once
// Naming and fetching workflow resources. People type names ("nightly", "nightly:run-1"), the
// API takes ARNs: these turn one into the other, checking the name first so a typo is a usage
// error rather than a round trip.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "batch/v1/states.pb.h"
#include "cli/client.h"
#include "cli/workflow_history.h"

namespace batchd::cli {

// A state machine name, "name:revision" or ARN -> its ARN. Throws CliError (usage) naming
// `what` when it is none of these.
std::string StateMachineArnOf(std::string_view what, std::string_view ref);
// Its name alone.
std::string StateMachineNameOf(std::string_view what, std::string_view ref);
// An execution ARN or "machine:execution" -> its ARN.
std::string ExecutionArnOf(std::string_view what, std::string_view ref);
// An activity name or ARN -> its ARN.
std::string ActivityArnOf(std::string_view what, std::string_view ref);

// Every state machine (or activity), all pages.
std::vector<batch::v1::StateMachineListItem> ListAllStateMachines(Client& client);
std::vector<batch::v1::ActivityListItem> ListAllActivities(Client& client);

// By name: nullopt when there is none, so `apply` can tell creating from updating whatever
// error the server gives for a missing one.
std::optional<batch::v1::DescribeStateMachineResponse> FindStateMachine(Client& client,
                                                                        const std::string& name);
std::optional<batch::v1::ActivityListItem> FindActivity(Client& client, const std::string& name);

// The execution's whole history, oldest first (all pages).
HistoryEvents FetchHistory(Client& client, const std::string& execution_arn);

// One page of it, from `next_token` ("" = the start).
batch::v1::GetExecutionHistoryResponse FetchHistoryPage(Client& client,
                                                        const std::string& execution_arn,
                                                        const std::string& next_token);

batch::v1::DescribeExecutionResponse DescribeExecution(Client& client,
                                                       const std::string& execution_arn);

}  // namespace batchd::cli
