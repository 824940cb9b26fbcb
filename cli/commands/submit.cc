// batchctl submit: prints the new job's id alone, so `id=$(batchctl submit ...)` works.
#include <iostream>
#include <memory>

#include "cli/commands/command_util.h"
#include "cli/commands/commands.h"
#include "cli/errors.h"
#include "cli/submit_request.h"

namespace batchd::cli {
namespace {

int RunSubmit(Context& ctx, const SubmitOptions& opts) {
  const auto req = BuildSubmitRequest(opts);
  const auto resp = ctx.client().Call(&Client::Stub::SubmitJob, req);
  if (!PrintedAsData(ctx, resp)) std::cout << resp.job_id() << '\n';
  return kExitOk;
}

}  // namespace

void AddSubmitCommand(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<SubmitOptions>();
  auto* cmd = app.add_subcommand(
      "submit", "Submit a job and print its id; a command after -- replaces the definition's");
  cmd->add_option("--queue,-q", opts->queue, "Job queue (name or ARN)")->required();
  cmd->add_option("--definition,-d", opts->definition,
                  "Job definition: NAME (latest ACTIVE revision), NAME:REVISION or ARN")
      ->required();
  cmd->add_option("--name,-n", opts->name, "Job name (default: the definition's name)");
  cmd->add_option("--env,-e", opts->env, "Environment variable KEY=VALUE (repeatable)")
      ->allow_extra_args(false);  // one value per flag, so "--env A=1 -- cmd" keeps "--"
  cmd->add_option("--param,-p", opts->params,
                  "Parameter KEY=VALUE, substituted for Ref::KEY in the command (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--vcpus", opts->vcpus, "vCPUs for the job (overrides the definition)");
  cmd->add_option("--memory", opts->memory_mib, "Memory in MiB (overrides the definition)")
      ->check(Positive());
  cmd->add_option("--timeout", opts->timeout_seconds, "Stop an attempt after this many seconds")
      ->check(Positive());
  cmd->add_option("--attempts", opts->attempts, "Tries before the job fails (retry strategy)")
      ->check(Positive());
  cmd->add_option("--array-size", opts->array_size, "Submit an array job of N children")
      ->check(Positive());
  cmd->add_option("--depends-on", opts->depends_on,
                  "Wait for job ID[:N_TO_N|SEQUENTIAL][:afterok|afterany|afternotok] "
                  "(repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--client-token", opts->client_token,
                  "Idempotency token: resubmitting with the same token returns the same job");
  cmd->add_option("COMMAND", opts->command, "Command and arguments (after --)");
  OnSelected(cmd, ctx, [&ctx, opts] { return RunSubmit(ctx, *opts); });
}

}  // namespace batchd::cli
