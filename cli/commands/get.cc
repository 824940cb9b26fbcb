// batchctl get TYPE [NAME...]: lists resources as a table, or the API's JSON/YAML.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>

#include "api/job_states.h"
#include "api/names.h"
#include "api/text.h"
#include "cli/arguments.h"
#include "cli/commands/command_util.h"
#include "cli/commands/commands.h"
#include "cli/commands/tables.h"
#include "cli/errors.h"
#include "cli/workflow_lookups.h"

namespace batchd::cli {
namespace {

using namespace batch::v1;
using Stub = Client::Stub;

// DescribeJobs takes at most this many ids per call (the server's limit).
constexpr int kDescribeJobsBatch = 100;
// ListJobs with a name filter pages at most this many (the server's limit).
constexpr int kListPage = 100;

struct GetOptions {
  std::vector<std::string> names;
  // job definitions
  bool all_revisions = false;
  // jobs
  std::string queue;
  std::string array;
  std::vector<std::string> statuses;
  std::string name_filter;
  int limit = 0;
  std::string execution;
  // nodes
  std::string compute_environment;
  std::vector<std::string> states;
};

template <typename Response>
int Print(Context& ctx, const Response& resp, const Table& table, const std::string& what) {
  if (PrintedAsData(ctx, resp)) return kExitOk;
  if (table.empty()) {
    std::cerr << "No " << what << " found.\n";
  } else {
    table.Print(std::cout);
  }
  return kExitOk;
}

// With names, every name must exist: a typo is an error, not an empty table.
void CheckAllFound(const std::vector<std::string>& wanted, const std::vector<std::string>& found,
                   const std::string& what) {
  for (const auto& name : wanted) {
    bool present = false;
    for (const auto& f : found) present = present || f == name || NameFromArn(name) == f;
    if (!present) throw CliError(what + " \"" + name + "\" not found");
  }
}

int GetComputeEnvironments(Context& ctx, const GetOptions& opts) {
  DescribeComputeEnvironmentsRequest req;
  for (const auto& n : opts.names) req.add_compute_environments(n);
  DescribeComputeEnvironmentsResponse all;
  do {
    auto page = ctx.client().Call(&Stub::DescribeComputeEnvironments, req);
    for (auto& ce : *page.mutable_compute_environments()) {
      *all.add_compute_environments() = std::move(ce);
    }
    req.set_next_token(page.next_token());
  } while (!req.next_token().empty());
  std::vector<std::string> found;
  Table table = ComputeEnvironmentTable();
  for (const auto& ce : all.compute_environments()) {
    found.push_back(ce.compute_environment_name());
    AddComputeEnvironmentRow(&table, ce);
  }
  CheckAllFound(opts.names, found, "compute environment");
  return Print(ctx, all, table, "compute environments");
}

int GetJobQueues(Context& ctx, const GetOptions& opts) {
  DescribeJobQueuesRequest req;
  for (const auto& n : opts.names) req.add_job_queues(n);
  DescribeJobQueuesResponse all;
  do {
    auto page = ctx.client().Call(&Stub::DescribeJobQueues, req);
    for (auto& q : *page.mutable_job_queues()) *all.add_job_queues() = std::move(q);
    req.set_next_token(page.next_token());
  } while (!req.next_token().empty());
  std::vector<std::string> found;
  Table table = JobQueueTable();
  for (const auto& q : all.job_queues()) {
    found.push_back(q.job_queue_name());
    AddJobQueueRow(&table, q);
  }
  CheckAllFound(opts.names, found, "job queue");
  return Print(ctx, all, table, "job queues");
}

int GetJobDefinitions(Context& ctx, const GetOptions& opts) {
  DescribeJobDefinitionsRequest req;
  for (const auto& n : opts.names) req.add_job_definitions(n);
  // Listing everything shows what can be submitted; named revisions are shown whatever
  // their status.
  if (opts.names.empty() && !opts.all_revisions) req.set_status("ACTIVE");
  DescribeJobDefinitionsResponse all;
  do {
    auto page = ctx.client().Call(&Stub::DescribeJobDefinitions, req);
    for (auto& d : *page.mutable_job_definitions()) *all.add_job_definitions() = std::move(d);
    req.set_next_token(page.next_token());
  } while (!req.next_token().empty());
  Table table = JobDefinitionTable();
  for (const auto& d : all.job_definitions()) AddJobDefinitionRow(&table, d);
  if (!opts.names.empty() && all.job_definitions_size() == 0) {
    throw CliError("no job definition matches " + opts.names.front());
  }
  return Print(ctx, all, table, "job definitions");
}

int GetJobsById(Context& ctx, const GetOptions& opts) {
  DescribeJobsResponse all;
  for (size_t i = 0; i < opts.names.size(); i += kDescribeJobsBatch) {
    DescribeJobsRequest req;
    for (size_t k = i; k < opts.names.size() && k < i + kDescribeJobsBatch; ++k) {
      req.add_jobs(opts.names[k]);
    }
    auto page = ctx.client().Call(&Stub::DescribeJobs, req);
    for (auto& j : *page.mutable_jobs()) *all.add_jobs() = std::move(j);
  }
  std::vector<std::string> found;
  Table table = JobTable();
  for (const auto& j : all.jobs()) {
    found.push_back(j.job_id());
    AddJobRow(&table, j);
  }
  CheckAllFound(opts.names, found, "job");
  return Print(ctx, all, table, "jobs");
}

// The jobs an execution's steps submitted, as its history records them (each step's
// TaskSubmitted output names its job): no listing of every job to filter on their
// batchd:execution tag.
int GetJobsOfExecution(Context& ctx, const GetOptions& opts) {
  GetOptions by_id;
  by_id.names = JobIdsOf(FetchHistory(ctx.client(), ExecutionArnOf("--execution", opts.execution)));
  if (by_id.names.empty()) {
    if (PrintedAsData(ctx, DescribeJobsResponse())) return kExitOk;
    std::cerr << "No jobs found.\n";
    return kExitOk;
  }
  return GetJobsById(ctx, by_id);
}

int GetJobs(Context& ctx, const GetOptions& opts) {
  if (!opts.names.empty()) return GetJobsById(ctx, opts);
  if (!opts.execution.empty()) return GetJobsOfExecution(ctx, opts);
  ListJobsRequest req;
  req.set_job_queue(opts.queue);
  req.set_array_job_id(opts.array);
  for (auto s : ParseStatuses("--status", opts.statuses)) req.add_job_statuses(s);
  if (!opts.name_filter.empty()) {
    auto* filter = req.add_filters();
    filter->set_name("JOB_NAME");
    filter->add_values(opts.name_filter);
  }
  ListJobsResponse all;
  do {
    const int remaining = opts.limit > 0 ? opts.limit - all.job_summary_list_size() : kListPage;
    req.set_max_results(std::min(remaining, kListPage));
    auto page = ctx.client().Call(&Stub::ListJobs, req);
    for (auto& j : *page.mutable_job_summary_list()) *all.add_job_summary_list() = std::move(j);
    req.set_next_token(page.next_token());
  } while (!req.next_token().empty() &&
           (opts.limit == 0 || all.job_summary_list_size() < opts.limit));
  Table table = JobTable();
  for (const auto& j : all.job_summary_list()) AddJobRow(&table, j);
  return Print(ctx, all, table, "jobs");
}

int GetSchedules(Context& ctx, const GetOptions& opts) {
  DescribeSchedulesRequest req;
  for (const auto& n : opts.names) req.add_schedules(n);
  req.set_runs(0);
  DescribeSchedulesResponse all;
  do {
    auto page = ctx.client().Call(&Stub::DescribeSchedules, req);
    for (auto& s : *page.mutable_schedules()) *all.add_schedules() = std::move(s);
    req.set_next_token(page.next_token());
  } while (!req.next_token().empty());
  Table table = ScheduleTable();
  std::vector<std::string> found;
  for (const auto& s : all.schedules()) {
    found.push_back(s.schedule_name());
    AddScheduleRow(&table, s);
  }
  CheckAllFound(opts.names, found, "schedule");
  return Print(ctx, all, table, "schedules");
}

int GetNodes(Context& ctx, const GetOptions& opts) {
  ListNodesRequest req;
  req.set_compute_environment(NameFromArn(opts.compute_environment));
  for (auto state : ParseNodeStates("--state", opts.states)) req.add_states(state);
  auto resp = ctx.client().Call(&Stub::ListNodes, req);
  if (!opts.names.empty()) {
    ListNodesResponse chosen;
    for (const auto& node : resp.nodes()) {
      if (std::find(opts.names.begin(), opts.names.end(), node.node_id()) != opts.names.end()) {
        *chosen.add_nodes() = node;
      }
    }
    resp = std::move(chosen);
  }
  std::vector<std::string> found;
  Table table = NodeTable();
  const int64_t now = api::EpochMillisNow();
  for (const auto& node : resp.nodes()) {
    found.push_back(node.node_id());
    AddNodeRow(&table, node, now);
  }
  CheckAllFound(opts.names, found, "node");
  return Print(ctx, resp, table, "nodes");
}

CLI::App* AddType(CLI::App* get, const std::string& name, const std::vector<std::string>& aliases,
                  const std::string& help, GetOptions& opts, const std::string& names_help) {
  auto* cmd = get->add_subcommand(name, help);
  for (const auto& a : aliases) cmd->alias(a);
  cmd->add_option("NAME", opts.names, names_help);
  return cmd;
}

}  // namespace

void AddGetCommand(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<GetOptions>();
  auto* get = app.add_subcommand("get",
                                 "List resources: compute-environments (ce), job-queues "
                                 "(jq), job-definitions (jd), jobs, schedules, nodes, "
                                 "state-machines (sm), executions, activities or tasks");
  RequireResourceType(get, ctx,
                      "compute-environments (ce), job-queues (jq), job-definitions (jd), jobs, "
                      "schedules, nodes, state-machines (sm), executions, activities or tasks");

  auto* ce = AddType(get, "compute-environments",
                     {"ce", "ces", "compute-environment", "computeenvironments"},
                     "List compute environments", *opts, "Only these (names or ARNs)");
  OnSelected(ce, ctx, [&ctx, opts] { return GetComputeEnvironments(ctx, *opts); });

  auto* jq = AddType(get, "job-queues", {"jq", "jqs", "queues", "queue", "job-queue", "jobqueues"},
                     "List job queues", *opts, "Only these (names or ARNs)");
  OnSelected(jq, ctx, [&ctx, opts] { return GetJobQueues(ctx, *opts); });

  auto* jd = AddType(get, "job-definitions",
                     {"jd", "jds", "definitions", "definition", "job-definition", "jobdefinitions"},
                     "List job definitions (ACTIVE revisions unless --all)", *opts,
                     "Only these: NAME (every revision) or NAME:REVISION");
  jd->add_flag("--all", opts->all_revisions, "Include INACTIVE (deregistered) revisions");
  OnSelected(jd, ctx, [&ctx, opts] { return GetJobDefinitions(ctx, *opts); });

  auto* jobs = AddType(get, "jobs", {"job"}, "List jobs (every status unless --status)", *opts,
                       "Only these job ids (the other filters are then ignored)");
  auto* queue = jobs->add_option("--queue,-q", opts->queue, "Only jobs of this queue");
  jobs->add_option("--array", opts->array, "The children of this array job, in index order")
      ->excludes(queue);
  jobs->add_option("--status,-s", opts->statuses,
                   "Only jobs in these statuses (repeat or comma-separate; e.g. RUNNABLE,RUNNING)")
      ->allow_extra_args(false);
  jobs->add_option("--name", opts->name_filter,
                   "Only jobs with this name, or names starting with PREFIX when given as PREFIX*");
  jobs->add_option("--limit", opts->limit, "Show at most N jobs")->check(Positive());
  jobs->add_option("--execution", opts->execution,
                   "The batch jobs this workflow execution's steps ran (ARN, or "
                   "STATE_MACHINE:EXECUTION)")
      ->excludes(queue);
  OnSelected(jobs, ctx, [&ctx, opts] { return GetJobs(ctx, *opts); });

  auto* schedules = AddType(get, "schedules", {"schedule"},
                            "List schedules: expression, next run, last run and its status", *opts,
                            "Only these (names or ARNs)");
  OnSelected(schedules, ctx, [&ctx, opts] { return GetSchedules(ctx, *opts); });

  auto* nodes = AddType(get, "nodes", {"node"},
                        "List the agents' machines: state, resources used/total, jobs, heartbeat",
                        *opts, "Only these node ids");
  nodes->add_option("--compute-environment,--ce", opts->compute_environment,
                    "Only nodes of this compute environment (name or ARN)");
  nodes
      ->add_option("--state", opts->states,
                   "Only nodes in these states (repeat or comma-separate; e.g. READY,DRAINING)")
      ->allow_extra_args(false);
  OnSelected(nodes, ctx, [&ctx, opts] { return GetNodes(ctx, *opts); });
}

}  // namespace batchd::cli
