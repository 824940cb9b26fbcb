// workflows: Step Functions-style executions, each figure beside its target and beside a
// baseline measured in the same run on the same batchd:
//   start:       StartExecution of a one-Pass machine from many clients (executions/s, call
//                latency), beside single SubmitJob calls from the same clients
//   transitions: a 20-state Pass/Choice machine started from those clients; states entered
//                per second until every execution has ended
//   map:         one Map of many Pass iterations over an input of the items: start to
//                SUCCEEDED, and batchd's memory meanwhile
//   sync:        a one-step batch:submitJob.sync machine, one execution at a time on an idle
//                warm agent, beside a bare job measured the same way
//   map_jobs:    a Map of .sync batch jobs through two real agents, beside bare-job turnover
// AWS's default quotas are printed beside the figures they limit there (per account and
// region, standard workflows): what a user moving from Step Functions would compare against.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "batch/v1/states.grpc.pb.h"
#include "concurrent_calls.h"
#include "scenarios.h"
#include "support/wait.h"

namespace batchd::bench {
namespace {

using namespace batch::v1;
using SteadyClock = std::chrono::steady_clock;
using Json = nlohmann::json;

// No single call of the bench may hang it: a stuck batchd fails the run instead.
void Deadline(grpc::ClientContext& ctx, std::chrono::seconds limit = std::chrono::seconds(120)) {
  ctx.set_deadline(std::chrono::system_clock::now() + limit);
}

// Each client its own connection, as separate programs would have; both services on it.
struct Client {
  std::unique_ptr<BatchService::Stub> batch;
  std::unique_ptr<StatesService::Stub> states;
};

Client Connect(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto channel = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
  return {BatchService::NewStub(channel), StatesService::NewStub(channel)};
}

// One thread per client: see RunConcurrently.
SteadyClock::duration Concurrently(std::vector<Client>& clients, int calls,
                                   const std::function<void(Client&, int)>& call,
                                   std::vector<double>& call_ms) {
  return RunConcurrently(
      static_cast<int>(clients.size()), calls, [&](int t, int i) { call(clients[t], i); }, call_ms);
}

void CreateMachine(StatesService::Stub& states, const std::string& name,
                   const std::string& definition) {
  CreateStateMachineRequest req;
  req.set_name(name);
  req.set_definition(definition);
  CreateStateMachineResponse resp;
  grpc::ClientContext ctx;
  Deadline(ctx);
  Check(states.CreateStateMachine(&ctx, req, &resp), "CreateStateMachine");
}

std::string Start(StatesService::Stub& states, const std::string& machine,
                  const std::string& input) {
  StartExecutionRequest req;
  req.set_state_machine_arn(machine);
  req.set_input(input);
  StartExecutionResponse resp;
  grpc::ClientContext ctx;
  Deadline(ctx);
  Check(states.StartExecution(&ctx, req, &resp), "StartExecution");
  return resp.execution_arn();
}

DescribeExecutionResponse Describe(StatesService::Stub& states, const std::string& arn,
                                   bool with_data = false) {
  DescribeExecutionRequest req;
  req.set_execution_arn(arn);
  // Polls leave the payloads out: the map's output alone is megabytes.
  if (!with_data) req.set_included_data(IncludedData::METADATA_ONLY);
  DescribeExecutionResponse resp;
  grpc::ClientContext ctx;
  Deadline(ctx);
  Check(states.DescribeExecution(&ctx, req, &resp), "DescribeExecution");
  return resp;
}

// Polls (gently: the poll must not take the CPU it measures) until the execution has ended;
// throws unless it SUCCEEDED.
DescribeExecutionResponse WaitSucceeded(StatesService::Stub& states, const std::string& arn,
                                        std::chrono::seconds timeout,
                                        std::chrono::milliseconds interval) {
  DescribeExecutionResponse last;
  if (!testing::PollUntil(
          [&] {
            last = Describe(states, arn);
            return last.status() != ExecutionStatus::RUNNING;
          },
          timeout, interval)) {
    throw std::runtime_error("execution " + arn + " did not end within " +
                             std::to_string(timeout.count()) + " s");
  }
  if (last.status() != ExecutionStatus::SUCCEEDED) {
    throw std::runtime_error("execution " + arn + " ended " +
                             ExecutionStatus::Value_Name(last.status()) + ": " + last.error() +
                             " " + last.cause());
  }
  return last;
}

// Whether any execution of `machine` has `status` (one row asked for: a cheap index scan).
bool AnyWith(StatesService::Stub& states, const std::string& machine,
             ExecutionStatus::Value status) {
  ListExecutionsRequest req;
  req.set_state_machine_arn(machine);
  req.set_status_filter(status);
  req.set_max_results(1);
  ListExecutionsResponse resp;
  grpc::ClientContext ctx;
  Deadline(ctx);
  Check(states.ListExecutions(&ctx, req, &resp), "ListExecutions");
  return resp.executions_size() > 0;
}

// Waits until no execution of `machine` runs; throws if any ended otherwise than SUCCEEDED.
void WaitAllSucceeded(StatesService::Stub& states, const std::string& machine,
                      std::chrono::seconds timeout) {
  if (!testing::PollUntil([&] { return !AnyWith(states, machine, ExecutionStatus::RUNNING); },
                          timeout, std::chrono::milliseconds(20))) {
    throw std::runtime_error("executions of " + machine + " still running after " +
                             std::to_string(timeout.count()) + " s");
  }
  for (auto status :
       {ExecutionStatus::FAILED, ExecutionStatus::TIMED_OUT, ExecutionStatus::ABORTED}) {
    if (AnyWith(states, machine, status)) {
      throw std::runtime_error("an execution of " + machine + " ended " +
                               ExecutionStatus::Value_Name(status));
    }
  }
}

double StartToStopMs(const DescribeExecutionResponse& e) {
  return (e.stop_date() - e.start_date()) * 1000;
}

// A job's epoch milliseconds in a step's output: proto3 JSON may write an int64 as text.
double EpochMs(const Json& value) {
  return value.is_string() ? std::stod(value.get<std::string>()) : value.get<double>();
}

// A chain of `states` states alternating Choice and Pass, every one entered once: each Pass
// adds one to $.n with States.MathAdd, each Choice tests it and goes on to the next Pass while
// it is below 1000 (always), else skips to the last. Input {"n": 0}; output {"n": states/2}.
std::string Chain(int states) {
  std::string out = R"({"StartAt": "S0", "States": {)";
  for (int i = 0; i < states; ++i) {
    const std::string name = "S" + std::to_string(i);
    const std::string next = "S" + std::to_string(i + 1);
    const std::string last = "S" + std::to_string(states - 1);
    if (i > 0) out += ", ";
    if (i % 2 == 0) {
      out += R"js(")js" + name + R"js(": {"Type": "Choice", "Choices": [{"Variable": "$.n", )js" +
             R"js("NumericLessThan": 1000, "Next": ")js" + next + R"js("}], "Default": ")js" +
             last + R"js("})js";
    } else {
      out += R"js(")js" + name +
             R"js(": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, )js" +
             (i == states - 1 ? std::string(R"js("End": true})js")
                              : R"js("Next": ")js" + next + R"js("})js");
    }
  }
  return out + "}}";
}

// A JSON array of the numbers 0 .. n-1.
std::string Items(int n) {
  std::string out = "[";
  for (int i = 0; i < n; ++i) out += (i ? "," : "") + std::to_string(i);
  return out + "]";
}

constexpr char kSyncStep[] = R"("Type": "Task", "Resource": "arn:aws:states:::batch:submitJob.sync",
    "Parameters": {"JobName": "step", "JobQueue": "bench", "JobDefinition": "true"})";

// Where a map's time went: the earliest and latest creation and the latest stop (epoch ms) of
// the jobs of `queue` created at or after `since_ms`.
struct Span {
  int64_t first_created = 0;
  int64_t last_created = 0;
  int64_t last_stopped = 0;
};
Span JobSpan(BenchCluster& cluster, const std::string& queue, int64_t since_ms) {
  ListJobsRequest req;
  req.set_job_queue(queue);
  req.add_job_statuses(JobStatus::SUCCEEDED);
  req.set_max_results(100);
  auto* after = req.add_filters();
  after->set_name("AFTER_CREATED_AT");
  after->add_values(std::to_string(since_ms - 1));
  Span span;
  do {
    ListJobsResponse resp;
    grpc::ClientContext ctx;
    Deadline(ctx);
    Check(cluster.api().ListJobs(&ctx, req, &resp), "ListJobs");
    for (const auto& job : resp.job_summary_list()) {
      if (job.created_at() < since_ms) continue;
      if (!span.first_created || job.created_at() < span.first_created) {
        span.first_created = job.created_at();
      }
      span.last_created = std::max<int64_t>(span.last_created, job.created_at());
      span.last_stopped = std::max<int64_t>(span.last_stopped, job.stopped_at());
    }
    req.set_next_token(resp.next_token());
  } while (!req.next_token().empty());
  return span;
}

// 1 and 2: starts and state transitions, on one batchd with a parked queue for the baseline.
void Starts(BenchDatabase& db, const Args& args, Report& report) {
  BenchCluster cluster(db.Fresh());
  cluster.CreateUnmanagedQueue("parked", "parked");
  cluster.RegisterDefinition("true", {"/bin/true"});
  std::vector<Client> clients;
  for (int i = 0; i < args.clients; ++i) clients.push_back(Connect(cluster.address()));
  StatesService::Stub& states = *clients[0].states;
  CreateMachine(states, "pass",
                R"({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}})");
  constexpr int kChainStates = 20;
  CreateMachine(states, "chain", Chain(kChainStates));
  // Warms the connection pool, the definition caches and the engine's loop.
  cluster.Submit(cluster.Request("parked"));
  WaitSucceeded(states, Start(states, "pass", "{}"), std::chrono::seconds(30),
                std::chrono::milliseconds(5));
  const std::string warm = Start(states, "chain", R"({"n": 0})");
  WaitSucceeded(states, warm, std::chrono::seconds(30), std::chrono::milliseconds(5));
  const std::string output = Describe(states, warm, true).output();
  if (output != R"({"n":10})" && output != R"({"n": 10})") {
    throw std::runtime_error("the chain machine answered " + output);
  }

  const int n = args.workflow_executions;
  report.Add("workflows.start.clients", args.clients, "clients");
  report.Add("workflows.start.executions", n, "executions");
  const SubmitJobRequest job = cluster.Request("parked");
  // batchd's CPU in each phase, as a share of one core: whether a rate is bound by CPU or by
  // waiting (commits, hand-offs between threads).
  auto cpu_share = [&](const ProcessUsage& from, SteadyClock::duration took) {
    const ProcessUsage now = UsageOf(cluster.batchd_pid());
    return 100 * (now.cpu_seconds - from.cpu_seconds) / (Millis(took) / 1000);
  };
  std::vector<double> submit_ms;
  const ProcessUsage before_submits = UsageOf(cluster.batchd_pid());
  const auto submits = Concurrently(
      clients, n,
      [&](Client& c, int) {
        SubmitJobResponse resp;
        grpc::ClientContext ctx;
        Deadline(ctx);
        Check(c.batch->SubmitJob(&ctx, job, &resp), "SubmitJob");
      },
      submit_ms);
  const double submit_cpu = cpu_share(before_submits, submits);
  std::vector<double> start_ms;
  const ProcessUsage before_starts = UsageOf(cluster.batchd_pid());
  const auto starts = Concurrently(
      clients, n, [&](Client& c, int) { Start(*c.states, "pass", "{}"); }, start_ms);
  const double start_cpu = cpu_share(before_starts, starts);
  WaitAllSucceeded(states, "pass", std::chrono::seconds(120));
  report.Add("workflows.start.per_second", PerSecond(n, starts), "executions/s");
  report.Add("workflows.start.per_second.target_min", 2000, "executions/s");
  report.Add("workflows.start.per_second.aws_quota", 300, "executions/s");
  report.Add("workflows.start.per_second.aws_burst", 1300, "executions/s");
  report.Add("workflows.start.baseline.submit_per_second", PerSecond(n, submits), "jobs/s");
  report.Add("workflows.start.call.median", Percentile(start_ms, 0.5), "ms");
  report.Add("workflows.start.baseline.submit_call.median", Percentile(submit_ms, 0.5), "ms");
  report.Add("workflows.start.call.p99", Percentile(start_ms, 0.99), "ms");
  report.Add("workflows.start.baseline.submit_call.p99", Percentile(submit_ms, 0.99), "ms");
  report.Add("workflows.start.batchd_cpu", start_cpu, "% of a core");
  report.Add("workflows.start.baseline.batchd_cpu", submit_cpu, "% of a core");

  // The chain ends within its StartExecution's turn (no state waits), so the wall time runs
  // until the listing shows none still running, whichever way the engine goes about it.
  const int chains = args.chain_executions;
  std::vector<double> chain_ms;
  const ProcessUsage before_chains = UsageOf(cluster.batchd_pid());
  const auto chain_start = SteadyClock::now();
  Concurrently(
      clients, chains, [&](Client& c, int) { Start(*c.states, "chain", R"({"n": 0})"); }, chain_ms);
  WaitAllSucceeded(states, "chain", std::chrono::seconds(300));
  const auto chain_wall = SteadyClock::now() - chain_start;
  const double chain_cpu = cpu_share(before_chains, chain_wall);
  report.Add("workflows.transitions.executions", chains, "executions");
  report.Add("workflows.transitions.states_per_execution", kChainStates, "states");
  report.Add("workflows.transitions.per_second",
             PerSecond(double(chains) * kChainStates, chain_wall), "transitions/s");
  report.Add("workflows.transitions.per_second.target_min", 10000, "transitions/s");
  report.Add("workflows.transitions.per_second.aws_quota", 1500, "transitions/s");
  report.Add("workflows.transitions.per_second.aws_burst", 5000, "transitions/s");
  report.Add("workflows.transitions.executions_per_second", PerSecond(chains, chain_wall),
             "executions/s");
  report.Add("workflows.transitions.call.median", Percentile(chain_ms, 0.5), "ms");
  report.Add("workflows.transitions.call.p99", Percentile(chain_ms, 0.99), "ms");
  report.Add("workflows.transitions.batchd_cpu", chain_cpu, "% of a core");
}

// 3: one Map of Pass iterations, on a batchd of its own so that its peak memory is the map's.
void PassMap(BenchDatabase& db, const Args& args, Report& report) {
  BenchCluster cluster(db.Fresh());
  Client client = Connect(cluster.address());
  CreateMachine(*client.states, "map", R"({"StartAt": "Each", "States": {"Each": {"Type": "Map",
      "ItemProcessor": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": true}}},
      "End": true}}})");
  WaitSucceeded(*client.states, Start(*client.states, "map", "[1]"), std::chrono::seconds(30),
                std::chrono::milliseconds(5));
  const std::string input = Items(args.map_items);
  const ProcessUsage before = UsageOf(cluster.batchd_pid());

  // VmHWM is the peak since batchd started; sampling VmRSS as well shows the map's own
  // peak against what batchd held before it.
  std::atomic<bool> done{false};
  double sampled_peak = before.rss_mib;
  std::thread sampler([&] {
    testing::PollUntil(
        [&] {
          sampled_peak = std::max(sampled_peak, UsageOf(cluster.batchd_pid()).rss_mib);
          return done.load();
        },
        std::chrono::seconds(900), std::chrono::milliseconds(10));
  });
  // Timed by the client, from the call to the poll that sees SUCCEEDED: a map of Pass
  // states may end within its first turn, when its stored start and stop are the same.
  SteadyClock::duration call{}, to_succeeded{};
  std::string arn_of_map;
  // ExecutionStarted, MapStateEntered, MapStateStarted, then four an item, then three more.
  const int64_t events_of_map = 6 + 4 * int64_t(args.map_items);
  try {
    const auto start = SteadyClock::now();
    arn_of_map = Start(*client.states, "map", input);
    call = SteadyClock::now() - start;
    WaitSucceeded(*client.states, arn_of_map, std::chrono::seconds(600),
                  std::chrono::milliseconds(5));
    to_succeeded = SteadyClock::now() - start;
  } catch (...) {
    done = true;
    sampler.join();
    throw;
  }
  done = true;
  sampler.join();
  const ProcessUsage after = UsageOf(cluster.batchd_pid());
  report.Add("workflows.map.items", args.map_items, "items");
  report.Add("workflows.map.input", double(input.size()) / 1024, "KiB");
  report.Add("workflows.map.start_call", Millis(call), "ms");
  report.Add("workflows.map.start_to_succeeded", Millis(to_succeeded), "ms");
  report.Add("workflows.map.start_to_succeeded.target_max", 30000, "ms");
  report.Add("workflows.map.batchd_rss_before", before.rss_mib, "MiB");
  report.Add("workflows.map.batchd_rss_peak_sampled", sampled_peak, "MiB");
  report.Add("workflows.map.batchd_peak_rss", after.peak_rss_mib, "MiB");
  report.Add("workflows.map.batchd_rss_after", after.rss_mib, "MiB");

  // Its history (4 events an item): the first page, the last (newest first), and ten pages
  // followed on from the middle of the run's events, each of 1,000 events.
  const auto page = [&](bool reverse, const std::string& token) {
    GetExecutionHistoryRequest req;
    req.set_execution_arn(arn_of_map);
    req.set_max_results(1000);
    req.set_reverse_order(reverse);
    req.set_next_token(token);
    GetExecutionHistoryResponse resp;
    grpc::ClientContext ctx;
    Deadline(ctx);
    const auto t0 = SteadyClock::now();
    Check(client.states->GetExecutionHistory(&ctx, req, &resp), "GetExecutionHistory");
    return std::make_pair(Millis(SteadyClock::now() - t0), resp.next_token());
  };
  const auto first = page(false, "");
  const auto last = page(true, "");
  std::string token = first.second;
  double ten_pages = 0;
  for (int i = 0; i < 10 && !token.empty(); ++i) {
    const auto p = page(false, token);
    ten_pages += p.first;
    token = p.second;
  }
  report.Add("workflows.map.history_events", double(events_of_map), "events");
  report.Add("workflows.map.history_first_page", first.first, "ms");
  report.Add("workflows.map.history_last_page", last.first, "ms");
  report.Add("workflows.map.history_page_followed", ten_pages / 10, "ms");
}

// 4 and 5: .sync batch steps on two real agents.
void SyncJobs(BenchDatabase& db, const Args& args, Report& report) {
  BenchCluster cluster(db.Fresh());
  cluster.CreateUnmanagedQueue("bench", "bench");
  cluster.RegisterDefinition("true", {"/bin/true"});
  cluster.StartAgents(2, "bench", args.agent_config);
  Client client = Connect(cluster.address());
  StatesService::Stub& states = *client.states;
  CreateMachine(states, "sync",
                std::string(R"({"StartAt": "Step", "States": {"Step": {)") + kSyncStep +
                    R"(, "End": true}}})");
  // ResultSelector keeps each iteration's result small: the map's output holds them all.
  CreateMachine(states, "fan",
                std::string(R"({"StartAt": "Each", "States": {"Each": {"Type": "Map",
      "MaxConcurrency": 0, "ResultPath": null, "ItemProcessor": {"StartAt": "Step", "States": {
      "Step": {)") + kSyncStep +
                    R"(, "ResultSelector": {"Status.$": "$.Status"}, "End": true}}},
      "End": true}}})");
  // The same as child executions: each iteration's state and history its own.
  CreateMachine(states, "fan-distributed",
                std::string(R"({"StartAt": "Each", "States": {"Each": {"Type": "Map",
      "MaxConcurrency": 0, "ResultPath": null, "ItemProcessor": {
      "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
      "StartAt": "Step", "States": {"Step": {)") +
                    kSyncStep +
                    R"(, "ResultSelector": {"Status.$": "$.Status"}, "End": true}}},
      "End": true}}})");
  // Warms the agents, the connection pool and the engine.
  cluster.Submit(cluster.Request("bench"));
  cluster.WaitIdle("bench", std::chrono::seconds(30));
  WaitSucceeded(states, Start(states, "sync", "{}"), std::chrono::seconds(30),
                std::chrono::milliseconds(5));

  // Alternating, so that a slow spell of the machine weighs on both alike. Both figures come
  // from batchd's own timestamps; the poll's pace only spares the CPU.
  std::vector<double> bare_ms, sync_ms, to_job_ms, job_ms, from_job_ms;
  // And as a client sees them: from its call to the poll (every millisecond, for both) that
  // first finds SUCCEEDED, so each includes the commit that made its end visible.
  std::vector<double> bare_seen_ms, sync_seen_ms;
  for (int i = 0; i < args.sync_samples; ++i) {
    const auto submitted = SteadyClock::now();
    const std::string id = cluster.Submit(cluster.Request("bench"));
    JobDetail job;
    if (!testing::PollUntil(
            [&] {
              job = cluster.Describe(id);
              return job.status() == JobStatus::SUCCEEDED || job.status() == JobStatus::FAILED;
            },
            std::chrono::seconds(30), std::chrono::milliseconds(1))) {
      throw std::runtime_error("job " + id + " did not end");
    }
    bare_seen_ms.push_back(Millis(SteadyClock::now() - submitted));
    if (job.status() != JobStatus::SUCCEEDED) throw std::runtime_error("job " + id + " failed");
    bare_ms.push_back(static_cast<double>(job.stopped_at() - job.created_at()));
    const auto started = SteadyClock::now();
    const std::string arn = Start(states, "sync", "{}");
    const DescribeExecutionResponse ended =
        WaitSucceeded(states, arn, std::chrono::seconds(30), std::chrono::milliseconds(1));
    sync_seen_ms.push_back(Millis(SteadyClock::now() - started));
    sync_ms.push_back(StartToStopMs(ended));
    // The step's output is the job's description: where the added time goes, before the job
    // was created and after it stopped.
    const Json step = Json::parse(Describe(states, arn, true).output());
    const double start_ms = ended.start_date() * 1000;
    to_job_ms.push_back(EpochMs(step.at("CreatedAt")) - start_ms);
    job_ms.push_back(EpochMs(step.at("StoppedAt")) - EpochMs(step.at("CreatedAt")));
    from_job_ms.push_back(ended.stop_date() * 1000 - EpochMs(step.at("StoppedAt")));
  }
  const double sync_median = Percentile(sync_ms, 0.5);
  const double bare_median = Percentile(bare_ms, 0.5);
  report.Add("workflows.sync.executions", args.sync_samples, "executions");
  report.Add("workflows.sync.start_to_succeeded.median", sync_median, "ms");
  report.Add("workflows.sync.baseline.submit_to_succeeded.median", bare_median, "ms");
  report.Add("workflows.sync.start_to_succeeded.p99", Percentile(sync_ms, 0.99), "ms");
  report.Add("workflows.sync.baseline.submit_to_succeeded.p99", Percentile(bare_ms, 0.99), "ms");
  report.Add("workflows.sync.added.median", sync_median - bare_median, "ms");
  report.Add("workflows.sync.added.median.target_max", 10, "ms");
  report.Add("workflows.sync.start_to_job_created.median", Percentile(to_job_ms, 0.5), "ms");
  report.Add("workflows.sync.job_created_to_stopped.median", Percentile(job_ms, 0.5), "ms");
  report.Add("workflows.sync.job_stopped_to_succeeded.median", Percentile(from_job_ms, 0.5), "ms");
  const double sync_seen = Percentile(sync_seen_ms, 0.5);
  const double bare_seen = Percentile(bare_seen_ms, 0.5);
  report.Add("workflows.sync.seen.start_to_succeeded.median", sync_seen, "ms");
  report.Add("workflows.sync.seen.baseline.submit_to_succeeded.median", bare_seen, "ms");
  report.Add("workflows.sync.seen.added.median", sync_seen - bare_seen, "ms");

  const int k = args.map_jobs;
  const ProcessUsage before_baseline = UsageOf(cluster.batchd_pid());
  const auto baseline_start = SteadyClock::now();
  MeasureTurnover(cluster, "bench", "true", k, report, "workflows.map_jobs.baseline");
  report.Add("workflows.map_jobs.baseline.batchd_cpu",
             100 * (UsageOf(cluster.batchd_pid()).cpu_seconds - before_baseline.cpu_seconds) /
                 (Millis(SteadyClock::now() - baseline_start) / 1000),
             "% of a core");
  const double baseline = report.Value("workflows.map_jobs.baseline.rate");
  for (const std::string mode : {"inline", "distributed"}) {
    const std::string machine = mode == "inline" ? "fan" : "fan-distributed";
    const std::string prefix =
        mode == "inline" ? "workflows.map_jobs" : "workflows.map_jobs_distributed";
    const ProcessUsage before = UsageOf(cluster.batchd_pid());
    const auto start = SteadyClock::now();
    const std::string arn = Start(states, machine, Items(k));
    // Polled through the listing, which leaves out the stored interpreter state: describing
    // a map of thousands of running steps reads megabytes. The children of a distributed map
    // are executions of the same machine, so this waits for them as well.
    WaitAllSucceeded(states, machine, std::chrono::seconds(600));
    const auto took = SteadyClock::now() - start;
    const double rate = PerSecond(k, took);
    const double cpu = 100 * (UsageOf(cluster.batchd_pid()).cpu_seconds - before.cpu_seconds) /
                       (Millis(took) / 1000);
    const auto ended =
        WaitSucceeded(states, arn, std::chrono::seconds(10), std::chrono::milliseconds(10));
    const Span span = JobSpan(cluster, "bench", static_cast<int64_t>(ended.start_date() * 1000));
    const double start_ms = ended.start_date() * 1000;
    report.Add(prefix + ".jobs", k, "jobs");
    report.Add(prefix + ".start_to_first_job", span.first_created - start_ms, "ms");
    report.Add(prefix + ".start_to_last_job_created", span.last_created - start_ms, "ms");
    report.Add(prefix + ".start_to_last_job_stopped", span.last_stopped - start_ms, "ms");
    report.Add(prefix + ".last_job_to_succeeded", ended.stop_date() * 1000 - span.last_stopped,
               "ms");
    report.Add(prefix + ".batchd_cpu", cpu, "% of a core");
    report.Add(prefix + ".rate", rate, "jobs/s");
    report.Add(prefix + ".of_baseline", 100 * rate / baseline, "%");
    report.Add(prefix + ".of_baseline.target_min", 80, "%");
  }
}

}  // namespace

void Workflows(BenchDatabase& db, const Args& args, Report& report) {
  Starts(db, args, report);
  PassMap(db, args, report);
  SyncJobs(db, args, report);
}

}  // namespace batchd::bench
