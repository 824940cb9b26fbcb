#pragma once
// The table form of each resource: one header and one row builder per kind.
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

}  // namespace batchd::cli
