// batchctl describe TYPE NAME: one resource in full (YAML unless -o json).
#include <iostream>
#include <memory>

#include "cli/commands/command_util.h"
#include "cli/commands/commands.h"
#include "cli/errors.h"
#include "cli/lookups.h"

namespace batchd::cli {
namespace {

struct DescribeOptions {
  std::string name;
};

template <typename Fetch>
void AddType(CLI::App* describe, Context& ctx, const std::string& name,
             const std::vector<std::string>& aliases, const std::string& help,
             const std::string& arg_help, Fetch fetch) {
  auto opts = std::make_shared<DescribeOptions>();
  auto* cmd = describe->add_subcommand(name, help);
  for (const auto& a : aliases) cmd->alias(a);
  cmd->add_option("NAME", opts->name, arg_help)->required();
  OnSelected(cmd, ctx, [&ctx, opts, fetch] {
    PrintMessage(std::cout, fetch(ctx.client(), opts->name), ctx.Format(OutputFormat::kYaml));
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
          "Name or ARN", GetComputeEnvironment);
  AddType(describe, ctx, "job-queue", {"jq", "jqs", "queue", "queues", "job-queues", "jobqueue"},
          "Show a job queue", "Name or ARN", GetJobQueue);
  AddType(describe, ctx, "job-definition",
          {"jd", "jds", "definition", "definitions", "job-definitions", "jobdefinition"},
          "Show a job definition revision", "NAME:REVISION, or NAME for its latest ACTIVE revision",
          GetJobDefinition);
  AddType(describe, ctx, "job", {"jobs"}, "Show a job, with its attempts", "Job id or ARN", GetJob);
}

}  // namespace batchd::cli
