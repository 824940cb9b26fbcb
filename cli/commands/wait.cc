// batchctl wait ID...: block until jobs finish. Exit 0 if all SUCCEEDED, 1 if any FAILED,
// 2 when --timeout runs out first.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <thread>

#include "api/job_states.h"
#include "api/names.h"
#include "cli/commands/command_util.h"
#include "cli/commands/commands.h"
#include "cli/errors.h"

namespace batchd::cli {
namespace {

using namespace batch::v1;
using SteadyClock = std::chrono::steady_clock;

// Short jobs are seen finishing quickly; long waits settle at one call a second.
constexpr std::chrono::milliseconds kFirstPoll{50};
constexpr std::chrono::milliseconds kMaxPoll{1000};
constexpr int kDescribeJobsBatch = 100;

struct WaitOptions {
  std::vector<std::string> ids;
  double timeout_seconds = 0;  // 0: no limit
};

std::map<std::string, JobDetail> Describe(Client& client, const std::vector<std::string>& ids) {
  std::map<std::string, JobDetail> jobs;
  for (size_t i = 0; i < ids.size(); i += kDescribeJobsBatch) {
    DescribeJobsRequest req;
    for (size_t k = i; k < ids.size() && k < i + kDescribeJobsBatch; ++k) req.add_jobs(ids[k]);
    auto resp = client.Call(&Client::Stub::DescribeJobs, req);
    for (auto& job : *resp.mutable_jobs()) jobs[job.job_id()] = std::move(job);
  }
  return jobs;
}

std::string FormatSeconds(double s) {
  std::string text = std::to_string(s);
  text.erase(text.find_last_not_of('0') + 1);
  if (text.back() == '.') text.pop_back();
  return text + " s";
}

int RunWait(Context& ctx, const WaitOptions& opts) {
  std::vector<std::string> pending;
  for (const auto& ref : opts.ids) {
    std::string id = api::JobIdFromRef("job id", ref);
    if (std::find(pending.begin(), pending.end(), id) == pending.end()) pending.push_back(id);
  }
  const auto start = SteadyClock::now();
  const auto deadline = opts.timeout_seconds > 0
                            ? start + std::chrono::duration_cast<SteadyClock::duration>(
                                          std::chrono::duration<double>(opts.timeout_seconds))
                            : SteadyClock::time_point::max();
  auto delay = kFirstPoll;
  bool any_failed = false;
  while (true) {
    auto jobs = Describe(ctx.client(), pending);
    std::vector<std::string> still;
    for (const auto& id : pending) {
      auto it = jobs.find(id);
      if (it == jobs.end()) throw CliError("job \"" + id + "\" not found");
      const JobDetail& job = it->second;
      if (job.status() == JobStatus::SUCCEEDED) {
        std::cout << id << " SUCCEEDED\n";
      } else if (job.status() == JobStatus::FAILED) {
        any_failed = true;
        std::cout << id << " FAILED" << (job.status_reason().empty() ? "" : ": ")
                  << job.status_reason() << '\n';
      } else {
        still.push_back(id);
        continue;
      }
      std::cout.flush();
    }
    pending = std::move(still);
    if (pending.empty()) return any_failed ? kExitFailure : kExitOk;

    const auto now = SteadyClock::now();
    if (now >= deadline) {
      std::string waiting;
      for (const auto& id : pending) {
        waiting += (waiting.empty() ? "" : ", ") + id + " (" +
                   std::string(api::JobStatusName(jobs[id].status())) + ")";
      }
      throw CliError("timed out after " + FormatSeconds(opts.timeout_seconds) + " waiting for " +
                         std::to_string(pending.size()) + " job(s): " + waiting,
                     kExitTimeout);
    }
    std::this_thread::sleep_for(std::min<SteadyClock::duration>(delay, deadline - now));
    delay = std::min(delay * 2, kMaxPoll);
  }
}

}  // namespace

void AddWaitCommand(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<WaitOptions>();
  auto* cmd = app.add_subcommand(
      "wait",
      "Wait until jobs finish; prints '<id> SUCCEEDED' or '<id> FAILED: reason' as each does. "
      "Exit 0: all succeeded, 1: any failed, 2: timed out");
  cmd->add_option("ID", opts->ids, "Job ids or ARNs")->required();
  cmd->add_option("--timeout", opts->timeout_seconds, "Give up after this many seconds")
      ->check(Positive());
  OnSelected(cmd, ctx, [&ctx, opts] { return RunWait(ctx, *opts); });
}

}  // namespace batchd::cli
