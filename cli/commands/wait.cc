// batchctl wait ID...: block until jobs finish. Exit 0 if all SUCCEEDED, 1 if any FAILED,
// 2 when --timeout runs out first.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <thread>

#include <unistd.h>

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

// How far the arrays among the jobs waited for have come, all together.
struct ArrayProgress {
  int64_t children = 0;
  int64_t ended = 0;
  int64_t failed = 0;
  int64_t running = 0;
};

ArrayProgress ProgressOf(const std::map<std::string, JobDetail>& jobs,
                         const std::vector<std::string>& ids) {
  ArrayProgress p;
  for (const auto& id : ids) {
    auto it = jobs.find(id);
    if (it == jobs.end()) continue;
    const auto& array = it->second.array_properties();
    if (array.size() == 0 || array.has_index()) continue;
    auto count = [&](const char* status) -> int64_t {
      auto c = array.status_summary().find(status);
      return c == array.status_summary().end() ? 0 : c->second;
    };
    p.children += array.size();
    p.failed += count("FAILED");
    p.ended += count("SUCCEEDED") + count("FAILED");
    p.running += count("STARTING") + count("RUNNING");
  }
  return p;
}

std::string ProgressText(const ArrayProgress& p, bool bar) {
  std::string out;
  if (bar) {
    constexpr int kWidth = 30;
    const int filled = p.children > 0 ? static_cast<int>(p.ended * kWidth / p.children) : 0;
    out = "[" + std::string(filled, '#') + std::string(kWidth - filled, '.') + "] ";
  }
  return out + std::to_string(p.ended) + "/" + std::to_string(p.children) + " children ended (" +
         std::to_string(p.failed) + " failed), " + std::to_string(p.running) + " running";
}

// On a terminal, one line redrawn in place on stderr; elsewhere a line now and then.
class ProgressLine {
 public:
  // Off a terminal the first line comes after 10 s: short waits stay quiet for scripts.
  ProgressLine() : terminal_(isatty(STDERR_FILENO) != 0), last_at_(SteadyClock::now()) {}
  ~ProgressLine() { Clear(); }
  void Show(const ArrayProgress& p) {
    if (p.children == 0) return;
    const auto now = SteadyClock::now();
    if (terminal_) {
      std::cerr << "\r" << ProgressText(p, true) << "\x1b[K" << std::flush;
      shown_ = true;
      return;
    }
    if (p.ended == last_.ended && p.running == last_.running) return;
    if (now - last_at_ < std::chrono::seconds(10)) return;
    std::cerr << ProgressText(p, false) << '\n';
    last_ = p;
    last_at_ = now;
  }
  // Before a job's own line goes to stdout on the same terminal.
  void Clear() {
    if (!shown_) return;
    std::cerr << "\r\x1b[K" << std::flush;
    shown_ = false;
  }

 private:
  const bool terminal_;
  bool shown_ = false;
  ArrayProgress last_;
  SteadyClock::time_point last_at_;
};

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
  ProgressLine progress;
  while (true) {
    auto jobs = Describe(ctx.client(), pending);
    progress.Clear();
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
    progress.Show(ProgressOf(jobs, pending));

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
      "Wait until jobs finish; prints '<id> SUCCEEDED' or '<id> FAILED: reason' as each does, "
      "and how far array jobs have come (a progress bar on a terminal). "
      "Exit 0: all succeeded, 1: any failed, 2: timed out");
  cmd->add_option("ID", opts->ids, "Job ids or ARNs")->required();
  cmd->add_option("--timeout", opts->timeout_seconds, "Give up after this many seconds")
      ->check(Positive());
  OnSelected(cmd, ctx, [&ctx, opts] { return RunWait(ctx, *opts); });
}

}  // namespace batchd::cli
