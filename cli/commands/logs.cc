// batchctl logs JOB_ID: an attempt's output as the job wrote it; -f follows it to the end.
// With --state, the job is the one a workflow step ran.
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include "api/job_states.h"
#include "api/names.h"
#include "cli/commands/command_util.h"
#include "cli/commands/commands.h"
#include "cli/errors.h"
#include "cli/log_printer.h"
#include "cli/lookups.h"
#include "cli/workflow_lookups.h"

namespace batchd::cli {
namespace {

using namespace batch::v1;
using Stub = Client::Stub;

constexpr std::chrono::milliseconds kFollowPoll{200};

struct LogsOptions {
  std::string job;
  std::string state;  // with it, `job` is an execution
  std::optional<int> attempt;
  bool follow = false;
  bool timestamps = false;
};

void Notice(const std::string& message) {
  std::cout.flush();
  std::cerr << "batchctl: " << message << '\n';
}

void ReportTruncated(bool truncated) {
  if (truncated) Notice("log truncated: the attempt reached its log limit");
}

class LogsRun {
 public:
  LogsRun(Context& ctx, const LogsOptions& opts, const std::string& job)
      : ctx_(ctx),
        opts_(opts),
        id_(api::JobIdFromRef("JOB_ID", job)),
        printer_(std::cout, std::cerr, opts.timestamps) {
    request_.set_job_id(id_);
    if (opts.attempt) request_.set_attempt(*opts.attempt);
  }

  int Run() {
    bool told_waiting = false;
    for (;;) {
      const auto response = ctx_.client().Call(&Stub::GetJobLogs, request_);
      if (response.attempt() == 0) {
        if (!opts_.follow) {
          Notice("job " + id_ + " has not started yet");
          return kExitOk;
        }
        const JobDetail job = GetJob(ctx_.client(), id_);
        if (api::IsTerminal(job.status())) {
          Notice("job " + id_ + " is " + std::string(api::JobStatusName(job.status())) +
                 " and never started: it has no logs");
          return kExitOk;
        }
        if (!told_waiting) Notice("job " + id_ + " has not started yet; waiting for it to start");
        told_waiting = true;
        std::this_thread::sleep_for(kFollowPoll);
        continue;
      }
      // A later attempt may start while we read: stay on the one we began with.
      if (!request_.has_attempt()) request_.set_attempt(response.attempt());
      for (const auto& event : response.events()) printer_.Print(event);
      printer_.Flush();
      truncated_ = truncated_ || response.truncated();
      request_.set_next_token(response.next_token());
      if (response.events_size() > 0) continue;  // more may be stored already

      if (!opts_.follow) break;
      if (response.attempt_finished() && !MoveOn(response.attempt())) break;
      std::this_thread::sleep_for(kFollowPoll);
    }
    ReportTruncated(truncated_);
    return kExitOk;
  }

 private:
  // The followed attempt is over and fully printed: false when there is nothing more to
  // follow; true when the job goes on (a retry), switching to its next attempt once it exists.
  bool MoveOn(int finished_attempt) {
    if (opts_.attempt) return false;
    const JobDetail job = GetJob(ctx_.client(), id_);
    if (api::IsTerminal(job.status())) return false;
    GetJobLogsRequest latest;
    latest.set_job_id(id_);
    latest.set_max_bytes(1);
    const int attempt = ctx_.client().Call(&Stub::GetJobLogs, latest).attempt();
    if (attempt > finished_attempt) {
      ReportTruncated(truncated_);
      truncated_ = false;
      printer_.Flush();
      Notice("job " + id_ + " is retrying: attempt " + std::to_string(attempt));
      request_.set_attempt(attempt);
      request_.clear_next_token();
    }
    return true;
  }

  Context& ctx_;
  const LogsOptions& opts_;
  const std::string id_;
  LogPrinter printer_;
  GetJobLogsRequest request_;
  bool truncated_ = false;
};

// The job the latest entry into the state ran (a batch:submitJob step's).
std::string JobOfStep(Context& ctx, const LogsOptions& opts) {
  const std::string arn = ExecutionArnOf("EXECUTION", opts.job);
  const HistoryEvents events = FetchHistory(ctx.client(), arn);
  if (auto job = JobOfState(events, opts.state)) return *job;
  for (const StepEntry& step : StepsOf(events)) {
    if (step.name == opts.state) {
      throw CliError("state \"" + opts.state + "\" of " + opts.job + " ran no batch job");
    }
  }
  throw CliError("execution " + opts.job + " has not entered a state \"" + opts.state + "\"");
}

int RunLogs(Context& ctx, const LogsOptions& opts) {
  const std::string job = opts.state.empty() ? opts.job : JobOfStep(ctx, opts);
  return LogsRun(ctx, opts, job).Run();
}

}  // namespace

void AddLogsCommand(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<LogsOptions>();
  auto* cmd = app.add_subcommand(
      "logs", "Print a job attempt's output (the job's stdout to stdout, its stderr to stderr)");
  cmd->add_option("JOB_ID", opts->job,
                  "Job id or ARN; with --state, an execution (ARN, or STATE_MACHINE:EXECUTION)")
      ->required();
  cmd->add_option("--state", opts->state,
                  "The logs of the batch job this state of the execution ran (its latest entry)");
  cmd->add_option("--attempt", opts->attempt, "Attempt number, from 1 (default: the latest)")
      ->check(Positive());
  cmd->add_flag("-f,--follow", opts->follow,
                "Keep printing new output until the job finishes (waits for it to start)");
  cmd->add_flag("--timestamps", opts->timestamps,
                "Start each line with the time (ISO 8601, UTC) its output was read");
  OnSelected(cmd, ctx, [&ctx, opts] { return RunLogs(ctx, *opts); });
}

}  // namespace batchd::cli
