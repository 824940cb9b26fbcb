// batchctl explain JOB_ID: why a job is where it is (for RUNNABLE: why it is not running).
#include <iostream>
#include <memory>

#include "api/names.h"
#include "cli/commands/command_util.h"
#include "cli/commands/commands.h"
#include "cli/commands/tables.h"
#include "cli/errors.h"

namespace batchd::cli {

void AddExplainCommand(CLI::App& app, Context& ctx) {
  auto job = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand(
      "explain", "Say why a job is in its status, with numbers (e.g. why it is not running yet)");
  cmd->add_option("JOB_ID", *job, "Job id or ARN")->required();
  OnSelected(cmd, ctx, [&ctx, job] {
    batch::v1::ExplainJobRequest req;
    req.set_job_id(api::JobIdFromRef("JOB_ID", *job));
    const auto resp = ctx.client().Call(&Client::Stub::ExplainJob, req);
    if (!PrintedAsData(ctx, resp)) std::cout << ExplanationText(resp);
    return kExitOk;
  });
}

}  // namespace batchd::cli
