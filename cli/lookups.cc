#include "cli/lookups.h"

#include "api/names.h"
#include "cli/errors.h"

namespace batchd::cli {

using namespace batch::v1;
using Stub = Client::Stub;

std::optional<ComputeEnvironmentDetail> FindComputeEnvironment(Client& client,
                                                               std::string_view name) {
  DescribeComputeEnvironmentsRequest req;
  req.add_compute_environments(std::string(name));
  auto resp = client.Call(&Stub::DescribeComputeEnvironments, req);
  if (resp.compute_environments_size() == 0) return std::nullopt;
  return resp.compute_environments(0);
}

std::optional<JobQueueDetail> FindJobQueue(Client& client, std::string_view name) {
  DescribeJobQueuesRequest req;
  req.add_job_queues(std::string(name));
  auto resp = client.Call(&Stub::DescribeJobQueues, req);
  if (resp.job_queues_size() == 0) return std::nullopt;
  return resp.job_queues(0);
}

std::optional<ScheduleDetail> FindSchedule(Client& client, std::string_view name, int runs) {
  DescribeSchedulesRequest req;
  req.add_schedules(std::string(name));
  req.set_runs(runs);
  auto resp = client.Call(&Stub::DescribeSchedules, req);
  if (resp.schedules_size() == 0) return std::nullopt;
  return resp.schedules(0);
}

ScheduleDetail GetSchedule(Client& client, std::string_view name) {
  auto schedule = FindSchedule(client, name);
  if (!schedule) throw CliError("schedule \"" + std::string(name) + "\" not found");
  return *schedule;
}

std::optional<JobDefinition> FindLatestActiveDefinition(Client& client, std::string_view name) {
  DescribeJobDefinitionsRequest req;
  req.set_job_definition_name(std::string(name));
  req.set_status("ACTIVE");
  std::optional<JobDefinition> latest;
  do {
    auto resp = client.Call(&Stub::DescribeJobDefinitions, req);
    for (auto& def : *resp.mutable_job_definitions()) {
      if (!latest || def.revision() > latest->revision()) latest = std::move(def);
    }
    req.set_next_token(resp.next_token());
  } while (!req.next_token().empty());
  return latest;
}

std::optional<JobDetail> FindJob(Client& client, std::string_view id) {
  DescribeJobsRequest req;
  req.add_jobs(std::string(id));
  auto resp = client.Call(&Stub::DescribeJobs, req);
  if (resp.jobs_size() == 0) return std::nullopt;
  return resp.jobs(0);
}

ComputeEnvironmentDetail GetComputeEnvironment(Client& client, std::string_view name) {
  auto ce = FindComputeEnvironment(client, name);
  if (!ce) throw CliError("compute environment \"" + std::string(name) + "\" not found");
  return *ce;
}

JobQueueDetail GetJobQueue(Client& client, std::string_view name) {
  auto queue = FindJobQueue(client, name);
  if (!queue) throw CliError("job queue \"" + std::string(name) + "\" not found");
  return *queue;
}

JobDefinition GetJobDefinition(Client& client, std::string_view ref) {
  const api::DefinitionRef parsed = api::ParseDefinitionRef("job definition", ref);
  if (!parsed.revision) {
    auto latest = FindLatestActiveDefinition(client, parsed.name);
    if (!latest) {
      throw CliError("job definition \"" + parsed.name + "\" not found (no ACTIVE revision)");
    }
    return *latest;
  }
  DescribeJobDefinitionsRequest req;
  req.add_job_definitions(parsed.name + ":" + std::to_string(*parsed.revision));
  auto resp = client.Call(&Stub::DescribeJobDefinitions, req);
  if (resp.job_definitions_size() == 0) {
    throw CliError("job definition \"" + parsed.name + ":" + std::to_string(*parsed.revision) +
                   "\" not found");
  }
  return resp.job_definitions(0);
}

JobDetail GetJob(Client& client, std::string_view id) {
  auto job = FindJob(client, id);
  if (!job) throw CliError("job \"" + std::string(id) + "\" not found");
  return *job;
}

}  // namespace batchd::cli
