// batchctl apply -f FILE: make the server's compute environments, job queues, job
// definitions, schedules, activities and state machines match a YAML file, touching only what
// differs.
#include <iostream>
#include <memory>

#include "cli/commands/apply_workflows.h"
#include "cli/commands/command_util.h"
#include "cli/commands/commands.h"
#include "cli/errors.h"
#include "cli/lookups.h"
#include "cli/resource_diff.h"
#include "cli/yaml_documents.h"

namespace batchd::cli {
namespace {

using namespace batch::v1;
using Stub = Client::Stub;

struct ApplyOptions {
  std::string file;
  bool dry_run = false;
};

struct Outcome {
  std::string label;  // "jobqueue/high", "jobdefinition/hello:2"
  std::string verb;   // created, updated, unchanged, registered
};

void WarnNotUpdatable(const std::string& label, const std::vector<std::string>& fields) {
  for (const auto& field : fields) {
    Warn(label + ": " + field +
         " differs from the file but cannot be updated in place; delete and re-apply to change it");
  }
}

Outcome ApplyComputeEnvironment(Client& client, const CreateComputeEnvironmentRequest& req,
                                bool dry_run) {
  Outcome out{"computeenvironment/" + req.compute_environment_name(), ""};
  auto current = FindComputeEnvironment(client, req.compute_environment_name());
  if (!current) {
    if (!dry_run) client.Call(&Stub::CreateComputeEnvironment, req);
    out.verb = "created";
    return out;
  }
  auto change = DiffComputeEnvironment(req, *current);
  WarnNotUpdatable(out.label, change.not_updatable);
  if (!change.update) {
    out.verb = "unchanged";
    return out;
  }
  if (!dry_run) client.Call(&Stub::UpdateComputeEnvironment, *change.update);
  out.verb = "updated";
  return out;
}

Outcome ApplyJobQueue(Client& client, const CreateJobQueueRequest& req, bool dry_run) {
  Outcome out{"jobqueue/" + req.job_queue_name(), ""};
  auto current = FindJobQueue(client, req.job_queue_name());
  if (!current) {
    if (!dry_run) client.Call(&Stub::CreateJobQueue, req);
    out.verb = "created";
    return out;
  }
  auto change = DiffJobQueue(req, *current);
  WarnNotUpdatable(out.label, change.not_updatable);
  if (!change.update) {
    out.verb = "unchanged";
    return out;
  }
  if (!dry_run) client.Call(&Stub::UpdateJobQueue, *change.update);
  out.verb = "updated";
  return out;
}

Outcome ApplyJobDefinition(Client& client, const RegisterJobDefinitionRequest& req, bool dry_run) {
  const std::string& name = req.job_definition_name();
  auto latest = FindLatestActiveDefinition(client, name);
  if (latest && SameJobDefinition(req, *latest)) {
    return {"jobdefinition/" + name + ":" + std::to_string(latest->revision()), "unchanged"};
  }
  // The next revision number is the server's to choose (deregistered revisions count too).
  if (dry_run) return {"jobdefinition/" + name, "registered"};
  auto resp = client.Call(&Stub::RegisterJobDefinition, req);
  return {"jobdefinition/" + name + ":" + std::to_string(resp.revision()), "registered"};
}

Outcome ApplySchedule(Client& client, const ScheduleRequest& req, bool dry_run) {
  Outcome out{"schedule/" + req.schedule_name(), ""};
  auto current = FindSchedule(client, req.schedule_name(), 0);
  if (!current) {
    if (!dry_run) client.Call(&Stub::CreateSchedule, req);
    out.verb = "created";
    return out;
  }
  if (SameSchedule(req, *current)) {
    out.verb = "unchanged";
    return out;
  }
  if (!dry_run) client.Call(&Stub::UpdateSchedule, req);
  out.verb = "updated";
  return out;
}

int RunApply(Context& ctx, const ApplyOptions& opts) {
  const std::string source = opts.file == "-" ? "stdin" : opts.file;
  auto docs = ParseResourceDocuments(ReadInput(opts.file), source);
  if (docs.empty()) throw CliError(source + ": no resources to apply");
  SortForApply(&docs);
  Client& client = ctx.client();
  for (const auto& doc : docs) {
    Outcome outcome;
    try {
      outcome = std::visit(
          [&](const auto& req) -> Outcome {
            using T = std::decay_t<decltype(req)>;
            if constexpr (std::is_same_v<T, CreateComputeEnvironmentRequest>) {
              return ApplyComputeEnvironment(client, req, opts.dry_run);
            } else if constexpr (std::is_same_v<T, CreateJobQueueRequest>) {
              return ApplyJobQueue(client, req, opts.dry_run);
            } else if constexpr (std::is_same_v<T, ScheduleRequest>) {
              return ApplySchedule(client, req, opts.dry_run);
            } else if constexpr (std::is_same_v<T, CreateActivityRequest>) {
              const Applied applied = ApplyActivity(client, req, opts.dry_run);
              return {applied.label, applied.verb};
            } else if constexpr (std::is_same_v<T, CreateStateMachineRequest>) {
              const Applied applied = ApplyStateMachine(client, req, opts.dry_run);
              return {applied.label, applied.verb};
            } else {
              static_assert(std::is_same_v<T, RegisterJobDefinitionRequest>);
              return ApplyJobDefinition(client, req, opts.dry_run);
            }
          },
          doc.request);
    } catch (const CliError& e) {
      throw CliError(source + ":" + std::to_string(doc.line) + ": " +
                         std::string(KindLabel(doc.kind)) + "/" + doc.name + ": " + e.what(),
                     e.exit_code());
    }
    std::cout << outcome.label << ' ' << outcome.verb << (opts.dry_run ? " (dry run)" : "") << '\n';
  }
  return kExitOk;
}

}  // namespace

void AddApplyCommand(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<ApplyOptions>();
  auto* cmd = app.add_subcommand(
      "apply",
      "Create or update compute environments, job queues, job definitions, schedules, "
      "activities and state machines from a YAML file (one resource per document, each with a "
      "'kind:')");
  cmd->add_option("-f,--filename", opts->file, "YAML file to apply, or - for stdin")->required();
  cmd->add_flag("--dry-run", opts->dry_run, "Show what would change without changing anything");
  OnSelected(cmd, ctx, [&ctx, opts] { return RunApply(ctx, *opts); });
}

}  // namespace batchd::cli
