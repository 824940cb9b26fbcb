#pragma once
// The table form of each resource: one header and one row builder per kind.
#include <cstdint>
#include <string>

#include "batch/v1/batch_service.pb.h"
#include "cli/output.h"

namespace batchd::cli {

Table ComputeEnvironmentTable();
void AddComputeEnvironmentRow(Table* table, const batch::v1::ComputeEnvironmentDetail& ce);

Table JobQueueTable();
void AddJobQueueRow(Table* table, const batch::v1::JobQueueDetail& queue);

Table JobDefinitionTable();
void AddJobDefinitionRow(Table* table, const batch::v1::JobDefinition& def);

Table JobTable();
void AddJobRow(Table* table, const batch::v1::JobSummary& job);
void AddJobRow(Table* table, const batch::v1::JobDetail& job);

// Resources and usage as "used/total"; the heartbeat's age is measured against `now_ms`.
// An array parent's children by status, e.g. "990 SUCCEEDED, 8 RUNNING, 2 FAILED" (statuses
// with none left out, in lifecycle order).
std::string ArrayStatusText(const batch::v1::ArrayPropertiesDetail& array);
// "# array of N children: ..." for `describe job`; empty for other jobs.
std::string ArrayComment(const batch::v1::JobDetail& job);

Table ScheduleTable();
void AddScheduleRow(Table* table, const batch::v1::ScheduleDetail& schedule);
// For `describe schedule`: its next fire times (worked out here) and its recent runs.
std::string ScheduleComment(const batch::v1::ScheduleDetail& schedule, int64_t now_ms);

Table NodeTable();
void AddNodeRow(Table* table, const batch::v1::NodeDetail& node, int64_t now_ms);

// The job's attempts as a table inside YAML comments ("# ..."), so that describe's output
// stays one YAML document; "" when the job has no attempts. A running attempt's duration is
// measured against `now_ms`.
std::string AttemptsComment(const batch::v1::JobDetail& job, int64_t now_ms);

Table EventTable();
void AddEventRow(Table* table, const batch::v1::EventDetail& event);
// "# events:" and the events (oldest first) as YAML comments; empty for none.
std::string EventsComment(const std::vector<batch::v1::EventDetail>& events);

// `table` inside YAML comments ("# TITLE:" then "#   " and each line), for describe's notes:
// the output stays one YAML document.
std::string CommentedTable(const std::string& title, const Table& table);

// "JOB_ID  STATUS", the summary, then each detail indented by two spaces.
std::string ExplanationText(const batch::v1::ExplainJobResponse& explanation);

}  // namespace batchd::cli
