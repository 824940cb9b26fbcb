#pragma once
// Finding one resource by name. The Describe calls answer an unknown name with an empty list
// (as AWS does); these turn that into nullopt, or with Get* into a "not found" CliError.
#include <optional>
#include <string>
#include <string_view>

#include "batch/v1/batch_service.pb.h"
#include "cli/client.h"

namespace batchd::cli {

std::optional<batch::v1::ComputeEnvironmentDetail> FindComputeEnvironment(Client& client,
                                                                          std::string_view name);
std::optional<batch::v1::JobQueueDetail> FindJobQueue(Client& client, std::string_view name);
// The ACTIVE revision with the highest number.
std::optional<batch::v1::JobDefinition> FindLatestActiveDefinition(Client& client,
                                                                   std::string_view name);
std::optional<batch::v1::JobDetail> FindJob(Client& client, std::string_view id);
// With its latest `runs` runs.
std::optional<batch::v1::ScheduleDetail> FindSchedule(Client& client, std::string_view name,
                                                      int runs = 10);

batch::v1::ComputeEnvironmentDetail GetComputeEnvironment(Client& client, std::string_view name);
batch::v1::JobQueueDetail GetJobQueue(Client& client, std::string_view name);
// "name:rev" (or its ARN) is that revision; a bare name, the latest ACTIVE revision.
batch::v1::JobDefinition GetJobDefinition(Client& client, std::string_view ref);
batch::v1::JobDetail GetJob(Client& client, std::string_view id);
batch::v1::ScheduleDetail GetSchedule(Client& client, std::string_view name);

}  // namespace batchd::cli
