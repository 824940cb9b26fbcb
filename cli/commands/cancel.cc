// batchctl cancel / terminate ID...: cancel stops jobs that have not started; terminate also
// kills running ones.
#include <iostream>
#include <memory>

#include "api/array_jobs.h"
#include "api/job_states.h"
#include "cli/commands/command_util.h"
#include "cli/commands/commands.h"
#include "cli/errors.h"
#include "cli/lookups.h"

namespace batchd::cli {
namespace {

using namespace batch::v1;
using Stub = Client::Stub;

struct StopOptions {
  std::vector<std::string> ids;
  std::string reason;
};

// The API answers success even when nothing changed (AWS's contract), so the job is read
// before and after to tell the person what actually happened.
bool AlreadyFinished(Client& client, const std::string& id, const std::string& verb) {
  const JobDetail job = GetJob(client, id);
  if (!api::IsTerminal(job.status())) return false;
  std::cout << "job/" << job.job_id() << " already " << api::JobStatusName(job.status())
            << "; nothing to " << verb << '\n';
  return true;
}

int RunCancel(Context& ctx, const StopOptions& opts) {
  int exit_code = kExitOk;
  for (const auto& id : opts.ids) {
    if (AlreadyFinished(ctx.client(), id, "cancel")) continue;
    CancelJobRequest req;
    req.set_job_id(id);
    req.set_reason(opts.reason);
    ctx.client().Call(&Stub::CancelJob, req);
    const JobDetail job = GetJob(ctx.client(), id);
    const std::string status(api::JobStatusName(job.status()));
    if (api::IsTerminal(job.status())) {
      std::cout << "job/" << job.job_id() << " cancelled\n";
    } else if (job.is_cancelled()) {
      // An array parent: its children that have not started end now, running ones finish.
      std::cout << "job/" << job.job_id() << " cancelled; it ends when its running children do\n";
    } else {
      std::cout.flush();
      std::cerr << "batchctl: job " << job.job_id() << " is " << status
                << " and cannot be cancelled once started; use 'batchctl terminate " << job.job_id()
                << "'\n";
      exit_code = kExitFailure;
    }
  }
  return exit_code;
}

int RunTerminate(Context& ctx, const StopOptions& opts) {
  for (const auto& id : opts.ids) {
    if (AlreadyFinished(ctx.client(), id, "terminate")) continue;
    TerminateJobRequest req;
    req.set_job_id(id);
    req.set_reason(opts.reason);
    ctx.client().Call(&Stub::TerminateJob, req);
    const JobDetail job = GetJob(ctx.client(), id);
    const std::string status(api::JobStatusName(job.status()));
    if (api::IsTerminal(job.status())) {
      std::cout << "job/" << job.job_id() << " terminated\n";
    } else if (api::IsArrayParent(job)) {
      std::cout << "job/" << job.job_id() << " terminating (its running children are stopped)\n";
    } else {
      std::cout << "job/" << job.job_id() << " terminating (was " << status
                << "; its agent is stopping it)\n";
    }
  }
  return kExitOk;
}

void AddStop(CLI::App& app, Context& ctx, const std::string& name, const std::string& help,
             const std::string& default_reason, int (*run)(Context&, const StopOptions&)) {
  auto opts = std::make_shared<StopOptions>();
  opts->reason = default_reason;
  auto* cmd = app.add_subcommand(name, help);
  cmd->add_option("ID", opts->ids, "Job ids or ARNs")->required();
  cmd->add_option("--reason,-r", opts->reason, "Why (kept as the job's status reason)")
      ->capture_default_str();
  OnSelected(cmd, ctx, [&ctx, opts, run] { return run(ctx, *opts); });
}

}  // namespace

void AddCancelCommands(CLI::App& app, Context& ctx) {
  AddStop(app, ctx, "cancel", "Cancel jobs that have not started (SUBMITTED, PENDING, RUNNABLE)",
          "Cancelled by batchctl", RunCancel);
  AddStop(app, ctx, "terminate", "Terminate jobs, killing them if they are running",
          "Terminated by batchctl", RunTerminate);
}

}  // namespace batchd::cli
