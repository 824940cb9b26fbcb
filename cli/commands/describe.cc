// batchctl describe TYPE NAME: one resource in full (YAML unless -o json).
#include <chrono>
#include <iostream>
#include <memory>

#include "cli/commands/command_util.h"
#include "cli/commands/commands.h"
#include "cli/commands/tables.h"
#include "cli/errors.h"
#include "cli/lookups.h"

namespace batchd::cli {
namespace {

struct DescribeOptions {
  std::string name;
};

// Without -o, a resource may add notes for people after its YAML (as YAML comments, so the
// output still parses).
template <typename Resource>
std::string NoNotes(const Resource&) {
  return "";
}

std::string JobNotes(const batch::v1::JobDetail& job) {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return AttemptsComment(job, now);
}

template <typename Fetch, typename Notes>
void AddType(CLI::App* describe, Context& ctx, const std::string& name,
             const std::vector<std::string>& aliases, const std::string& help,
             const std::string& arg_help, Fetch fetch, Notes notes) {
  auto opts = std::make_shared<DescribeOptions>();
  auto* cmd = describe->add_subcommand(name, help);
  for (const auto& a : aliases) cmd->alias(a);
  cmd->add_option("NAME", opts->name, arg_help)->required();
  OnSelected(cmd, ctx, [&ctx, opts, fetch, notes] {
    const auto resource = fetch(ctx.client(), opts->name);
    PrintMessage(std::cout, resource, ctx.Format(OutputFormat::kYaml));
    if (ctx.output.empty()) std::cout << notes(resource);
    return kExitOk;
  });
}

}  // namespace

void AddDescribeCommand(CLI::App& app, Context& ctx) {
  auto* describe = app.add_subcommand(
      "describe",
      "Show one resource in full: compute-environment (ce), job-queue (jq), job-definition (jd) "
      "or job");
  RequireResourceType(describe, ctx,
                      "compute-environment (ce), job-queue (jq), job-definition (jd) or job");
  AddType(describe, ctx, "compute-environment",
          {"ce", "ces", "compute-environments", "computeenvironment"}, "Show a compute environment",
          "Name or ARN", GetComputeEnvironment, NoNotes<batch::v1::ComputeEnvironmentDetail>);
  AddType(describe, ctx, "job-queue", {"jq", "jqs", "queue", "queues", "job-queues", "jobqueue"},
          "Show a job queue", "Name or ARN", GetJobQueue, NoNotes<batch::v1::JobQueueDetail>);
  AddType(describe, ctx, "job-definition",
          {"jd", "jds", "definition", "definitions", "job-definitions", "jobdefinition"},
          "Show a job definition revision", "NAME:REVISION, or NAME for its latest ACTIVE revision",
          GetJobDefinition, NoNotes<batch::v1::JobDefinition>);
  AddType(describe, ctx, "job", {"jobs"},
          "Show a job; then, without -o, a table of its attempts (node, result, duration, reason)",
          "Job id or ARN", GetJob, JobNotes);
}

}  // namespace batchd::cli
