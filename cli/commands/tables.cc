#include "cli/commands/tables.h"

#include <string>

#include "api/job_states.h"

namespace batchd::cli {

using namespace batch::v1;

namespace {

// Long enough for "image: registry/name:tag" or a short command line; the rest is in describe.
constexpr size_t kWhatWidth = 50;

std::string Word(const std::string& enum_name, const std::string& unspecified_prefix) {
  return enum_name.find(unspecified_prefix) == 0 ? "-" : enum_name;
}

std::string WhatItRuns(const ContainerProperties& c) {
  if (!c.image().empty()) return Truncate(c.image(), kWhatWidth);
  if (c.command_size() > 0) {
    return Truncate(ShellJoin({c.command().begin(), c.command().end()}), kWhatWidth);
  }
  if (!c.script().empty()) {
    const std::string first = c.script().substr(0, c.script().find('\n'));
    return Truncate("script: " + first, kWhatWidth);
  }
  return "-";
}

}  // namespace

Table ComputeEnvironmentTable() {
  return Table({"NAME", "TYPE", "STATE", "STATUS", "MINVCPUS", "DESIREDVCPUS", "MAXVCPUS"});
}

void AddComputeEnvironmentRow(Table* table, const ComputeEnvironmentDetail& ce) {
  const bool managed = ce.type() == CEType::MANAGED;
  const auto& cr = ce.compute_resources();
  table->AddRow({ce.compute_environment_name(), Word(CEType::Value_Name(ce.type()), "CE_"),
                 Word(CEState::Value_Name(ce.state()), "CE_"),
                 Word(CEStatus::Value_Name(ce.status()), "CE_"),
                 managed ? std::to_string(cr.minv_cpus()) : "-",
                 managed ? std::to_string(cr.desiredv_cpus()) : "-",
                 managed ? std::to_string(cr.maxv_cpus()) : "-"});
}

Table JobQueueTable() {
  return Table({"NAME", "STATE", "STATUS", "PRIORITY", "COMPUTE-ENVIRONMENTS"});
}

void AddJobQueueRow(Table* table, const JobQueueDetail& q) {
  std::string ces;
  for (const auto& o : q.compute_environment_order()) {
    ces += (ces.empty() ? "" : ",") + NameFromArn(o.compute_environment());
  }
  table->AddRow({q.job_queue_name(), Word(JQState::Value_Name(q.state()), "JQ_"),
                 Word(JQStatus::Value_Name(q.status()), "JQ_"), std::to_string(q.priority()),
                 ces.empty() ? "-" : ces});
}

Table JobDefinitionTable() { return Table({"NAME", "REVISION", "STATUS", "IMAGE/COMMAND"}); }

void AddJobDefinitionRow(Table* table, const JobDefinition& def) {
  table->AddRow({def.job_definition_name(), std::to_string(def.revision()), def.status(),
                 WhatItRuns(def.container_properties())});
}

Table JobTable() { return Table({"JOB-ID", "NAME", "QUEUE", "STATUS", "CREATED", "REASON"}); }

void AddJobRow(Table* table, const JobSummary& job) {
  table->AddRow({job.job_id(), job.job_name(), NameFromArn(job.job_queue()),
                 std::string(api::JobStatusName(job.status())), FormatTime(job.created_at()),
                 job.status_reason()});
}

void AddJobRow(Table* table, const JobDetail& job) {
  table->AddRow({job.job_id(), job.job_name(), NameFromArn(job.job_queue()),
                 std::string(api::JobStatusName(job.status())), FormatTime(job.created_at()),
                 job.status_reason()});
}

}  // namespace batchd::cli
