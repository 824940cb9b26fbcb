#include "cli/commands/tables.h"

#include <algorithm>
#include <sstream>
#include <string>

#include "api/job_states.h"
#include "core/cron.h"

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

std::string UsedOfTotal(int64_t used, int64_t total) {
  return std::to_string(used) + "/" + std::to_string(total);
}

std::string Outcome(const AttemptDetail& a) {
  if (a.has_signal()) return "signal " + std::to_string(a.signal());
  if (a.container().has_exit_code()) return "exit " + std::to_string(a.container().exit_code());
  return "-";
}

std::string Duration(const AttemptDetail& a, int64_t now_ms) {
  if (a.started_at() <= 0) return "-";
  if (a.stopped_at() <= 0) return FormatDuration(now_ms - a.started_at()) + " (running)";
  return FormatDuration(a.stopped_at() - a.started_at());
}

std::string AttemptReason(const AttemptDetail& a) {
  std::string reason = !a.status_reason().empty() ? a.status_reason() : a.container().reason();
  if (a.infrastructure_failure()) {
    reason += std::string(reason.empty() ? "" : " ") + "(infrastructure: not counted)";
  }
  return reason.empty() ? "-" : reason;
}

// Provider-made nodes are on-demand or spot; an operator's own node is neither.
std::string CapacityText(batch::v1::CRType::Value type) {
  switch (type) {
    case batch::v1::CRType::EC2:
      return "on-demand";
    case batch::v1::CRType::SPOT:
      return "spot";
    case batch::v1::CRType::FARGATE:
    case batch::v1::CRType::FARGATE_SPOT:
    case batch::v1::CRType::CR_TYPE_UNSPECIFIED:
    case batch::v1::CRType_Value_CRType_Value_INT_MIN_SENTINEL_DO_NOT_USE_:
    case batch::v1::CRType_Value_CRType_Value_INT_MAX_SENTINEL_DO_NOT_USE_:
      return "-";
  }
  return "-";
}

}  // namespace

std::string CommentedTable(const std::string& title, const Table& table) {
  std::ostringstream rows;
  table.Print(rows);
  std::string out = "# " + title + ":\n";
  std::istringstream lines(rows.str());
  for (std::string line; std::getline(lines, line);) out += "#   " + line + "\n";
  return out;
}

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

std::string ArrayStatusText(const ArrayPropertiesDetail& array) {
  std::string out;
  for (auto status : api::AllJobStatuses()) {
    auto it = array.status_summary().find(std::string(api::JobStatusName(status)));
    if (it == array.status_summary().end() || it->second == 0) continue;
    out += (out.empty() ? "" : ", ") + std::to_string(it->second) + " " + it->first;
  }
  return out;
}

std::string ArrayComment(const JobDetail& job) {
  if (job.array_properties().size() == 0 || job.array_properties().has_index()) return "";
  return "# array of " + std::to_string(job.array_properties().size()) +
         " children: " + ArrayStatusText(job.array_properties()) +
         " (list them: batchctl get jobs --array " + job.job_id() + ")\n";
}

namespace {

// A run names a job or, for a schedule with a stateMachine, an execution.
std::string RunTarget(const ScheduleRun& r) {
  if (!r.execution_arn().empty()) return r.execution_arn();
  return r.job_id().empty() ? "-" : r.job_id();
}

std::string RunStatus(const ScheduleRun& r) {
  if (!r.execution_arn().empty()) {
    // Unspecified: the execution went with its state machine.
    return r.execution_status() == batch::v1::ExecutionStatus::EXECUTION_STATUS_UNSPECIFIED
               ? "-"
               : batch::v1::ExecutionStatus::Value_Name(r.execution_status());
  }
  return r.job_id().empty() ? "-" : std::string(api::JobStatusName(r.status()));
}

}  // namespace

Table ScheduleTable() {
  return Table({"NAME", "EXPRESSION", "TIME-ZONE", "STATE", "NEXT-RUN", "LAST-RUN", "LAST-STATUS"});
}

void AddScheduleRow(Table* table, const ScheduleDetail& s) {
  const auto& last = s.last_fired();
  table->AddRow({s.schedule_name(), s.schedule_expression(), s.time_zone(),
                 s.suspended() ? "SUSPENDED" : "ACTIVE",
                 s.next_run_at() > 0 ? FormatTime(s.next_run_at()) : "never",
                 last.scheduled_at() > 0 ? FormatTime(last.scheduled_at()) : "-", RunStatus(last)});
}

std::string ScheduleComment(const ScheduleDetail& s, int64_t now_ms) {
  std::string out;
  try {
    const auto cron = core::CronSchedule::Parse(s.schedule_expression());
    const auto* zone = core::FindTimeZone(s.time_zone());
    Table next({"NEXT-FIRE-TIMES"});
    int64_t after = std::max(now_ms, s.next_run_at() - 1);
    for (int i = 0; i < 5; ++i) {
      auto t = cron.NextAfter(after, zone, s.created_at());
      if (!t) break;
      next.AddRow({FormatTime(*t)});
      after = *t;
    }
    if (!next.empty()) out += CommentedTable("next", next);
  } catch (const std::exception&) {
    // A schedule stored by another version: its runs still show.
  }
  if (s.recent_runs_size() == 0) return out;
  Table runs({"SCHEDULED", "OUTCOME", s.state_machine().empty() ? "JOB" : "EXECUTION", "STATUS",
              "REASON"});
  for (const auto& r : s.recent_runs()) {
    runs.AddRow(
        {FormatTime(r.scheduled_at()), r.outcome(), RunTarget(r), RunStatus(r), r.status_reason()});
  }
  return out + CommentedTable("recent runs", runs);
}

Table NodeTable() {
  return Table({"NODE", "CE", "STATE", "PROVIDER", "SHAPE", "CAPACITY", "VCPU", "MEMORY-MIB", "GPU",
                "RUNTIME", "JOBS", "HEARTBEAT"});
}

void AddNodeRow(Table* table, const NodeDetail& node, int64_t now_ms) {
  const auto& used = node.used();
  const auto& total = node.total();
  std::string runtimes;
  for (const std::string& runtime : node.container_runtimes()) {
    runtimes += (runtimes.empty() ? "" : ",") + runtime;
  }
  table->AddRow({node.node_id(),
                 node.compute_environment().empty() ? "-" : NameFromArn(node.compute_environment()),
                 Word(NodeState::Value_Name(node.state()), "NODE_STATE_"),
                 node.provider().empty() ? "-" : node.provider(),
                 node.shape().empty() ? "-" : node.shape(), CapacityText(node.capacity_type()),
                 UsedOfTotal(used.vcpus(), total.vcpus()),
                 UsedOfTotal(used.memory_mib(), total.memory_mib()),
                 total.gpus() > 0 ? UsedOfTotal(used.gpus(), total.gpus()) : "-",
                 runtimes.empty() ? "-" : runtimes, std::to_string(node.attempt_ids_size()),
                 FormatAge(node.last_heartbeat_at(), now_ms)});
}

std::string AttemptsComment(const JobDetail& job, int64_t now_ms) {
  if (job.attempts_size() == 0) return "";
  Table table({"ATTEMPT", "NODE", "STARTED", "DURATION", "RESULT", "REASON"});
  for (int i = 0; i < job.attempts_size(); ++i) {
    const AttemptDetail& a = job.attempts(i);
    const int number = a.attempt_number() > 0 ? a.attempt_number() : i + 1;
    table.AddRow({std::to_string(number), a.node_id().empty() ? "-" : a.node_id(),
                  FormatTime(a.started_at()), Duration(a, now_ms), Outcome(a), AttemptReason(a)});
  }
  return CommentedTable("attempts", table);
}

Table EventTable() { return Table({"TIME", "NODE", "EVENT"}); }

void AddEventRow(Table* table, const batch::v1::EventDetail& event) {
  table->AddRow({FormatTimeMillis(event.at()), event.node_id().empty() ? "-" : event.node_id(),
                 event.message()});
}

std::string EventsComment(const std::vector<batch::v1::EventDetail>& events) {
  if (events.empty()) return "";
  Table table = EventTable();
  for (const auto& event : events) AddEventRow(&table, event);
  return CommentedTable("events", table);
}

std::string ExplanationText(const ExplainJobResponse& e) {
  std::string out = e.job_id() + "  " + std::string(api::JobStatusName(e.status())) + "\n";
  if (!e.summary().empty()) out += e.summary() + "\n";
  for (const auto& detail : e.details()) out += "  " + detail + "\n";
  return out;
}

}  // namespace batchd::cli
