// bench: figures for batchd on real parts (a durable PostgreSQL, batchd, agents), one
// "name value unit" line each. Usage: bench [SCENARIO...] [flags]; --help lists them.
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "scenarios.h"

namespace batchd::bench {
namespace {

constexpr char kUsage[] = R"(usage: bench [SCENARIO...] [flags]
scenarios (default: all of them, in this order):
  machine   /bin/true spawned from two threads: the machine's own ceiling for turnover;
            what a system call and a wake-up of another thread cost here
  latency   submit -> RUNNING and -> SUCCEEDED on an idle warm agent (median, p99)
  turnover  trivial jobs through two agents (jobs/s); again with each job writing output
  submit    SubmitJob calls from concurrent clients, and SubmitJobs batches (jobs/s)
  depth     submit and turnover with many rows already stored, against an empty database
  agents    simulated agents over real gRPC: placements/s, batchd CPU and memory
  scale     a burst on a managed environment with no node yet
  array     one large array job: submit, taken in, described, cancelled
  workflows state machines: StartExecution from concurrent clients, Pass/Choice transitions,
            a large Map of Pass states, batch:submitJob.sync steps (one at a time, and a Map
            of them), each beside a baseline of plain jobs measured in the same run
flags:
  --samples N          latency: jobs (200)
  --jobs N             turnover and depth: jobs per run (2000)
  --submits N          submit: single SubmitJob calls (20000)
  --clients N          submit: concurrent clients making them (16)
  --batched N          submit: jobs sent in SubmitJobs calls (100000)
  --batch-size N       submit: jobs per SubmitJobs call (1000)
  --batch-clients N    submit: concurrent clients making those (2)
  --depth-rows N,...   depth: rows already stored, one run each (1000000)
  --agents N,...       agents: simulated agents, one run each (1000,10000)
  --agent-jobs N       agents: jobs per run (50000)
  --array-size N       array: children (100000)
  --burst N            scale: jobs (16)
  --executions N       workflows: one-Pass executions started, and SubmitJob calls (20000)
  --chains N           workflows: 20-state Pass/Choice executions started (20000)
  --map-items N        workflows: items of the Map of Pass states (100000)
  --sync-samples N     workflows: .sync executions and bare jobs, one at a time (200)
  --map-jobs N         workflows: .sync jobs of one Map, and bare jobs (4000)
  --agent-config FILE  passed to the real agents as --config
  --json FILE          also write the figures to FILE as JSON
  --statements N       then the N statements that took PostgreSQL longest (pg_stat_statements)
  --smoke              tiny numbers: checks that every scenario works (the test suite's run)
)";

int Positive(const std::string& flag, const std::string& value) {
  size_t used = 0;
  long n = 0;
  try {
    n = std::stol(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != value.size() || n <= 0 || n > 1000000000) {
    throw std::runtime_error(flag + ": must be a positive whole number (got \"" + value + "\")");
  }
  return static_cast<int>(n);
}

template <typename T>
std::vector<T> List(const std::string& flag, const std::string& value) {
  std::vector<T> out;
  std::stringstream in(value);
  for (std::string item; std::getline(in, item, ',');) out.push_back(Positive(flag, item));
  if (out.empty()) throw std::runtime_error(flag + ": needs at least one number");
  return out;
}

void Smoke(Args& a) {
  a.samples = 5;
  a.turnover_jobs = 50;
  a.submit_jobs = 200;
  a.clients = 4;
  a.batched_jobs = 1000;
  a.batch_size = 100;
  a.depth_rows = {10000};
  a.agent_counts = {20};
  a.agent_jobs = 200;
  a.array_size = 1000;
  a.burst = 2;
  a.workflow_executions = 200;
  a.chain_executions = 200;
  a.map_items = 1000;
  a.sync_samples = 10;
  a.map_jobs = 50;
}

Args Parse(int argc, char** argv) {
  Args a;
  const std::map<std::string, std::function<void(const std::string&, const std::string&)>> flags = {
      {"--samples", [&](auto& f, auto& v) { a.samples = Positive(f, v); }},
      {"--jobs", [&](auto& f, auto& v) { a.turnover_jobs = Positive(f, v); }},
      {"--submits", [&](auto& f, auto& v) { a.submit_jobs = Positive(f, v); }},
      {"--clients", [&](auto& f, auto& v) { a.clients = Positive(f, v); }},
      {"--batched", [&](auto& f, auto& v) { a.batched_jobs = Positive(f, v); }},
      {"--batch-size", [&](auto& f, auto& v) { a.batch_size = Positive(f, v); }},
      {"--batch-clients", [&](auto& f, auto& v) { a.batch_clients = Positive(f, v); }},
      {"--depth-rows", [&](auto& f, auto& v) { a.depth_rows = List<long>(f, v); }},
      {"--agents", [&](auto& f, auto& v) { a.agent_counts = List<int>(f, v); }},
      {"--agent-jobs", [&](auto& f, auto& v) { a.agent_jobs = Positive(f, v); }},
      {"--array-size", [&](auto& f, auto& v) { a.array_size = Positive(f, v); }},
      {"--burst", [&](auto& f, auto& v) { a.burst = Positive(f, v); }},
      {"--executions", [&](auto& f, auto& v) { a.workflow_executions = Positive(f, v); }},
      {"--chains", [&](auto& f, auto& v) { a.chain_executions = Positive(f, v); }},
      {"--map-items", [&](auto& f, auto& v) { a.map_items = Positive(f, v); }},
      {"--sync-samples", [&](auto& f, auto& v) { a.sync_samples = Positive(f, v); }},
      {"--map-jobs", [&](auto& f, auto& v) { a.map_jobs = Positive(f, v); }},
      {"--agent-config", [&](auto&, auto& v) { a.agent_config = v; }},
      {"--json", [&](auto&, auto& v) { a.json_path = v; }},
      {"--statements", [&](auto& f, auto& v) { a.statements = Positive(f, v); }},
  };
  bool smoke = false;
  std::vector<std::pair<std::string, std::string>> given;
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word == "--smoke") {
      smoke = true;
    } else if (word.rfind("--", 0) == 0) {
      if (flags.count(word) == 0) throw std::runtime_error("unknown flag " + word);
      if (i + 1 >= argc) throw std::runtime_error(word + " needs a value");
      given.emplace_back(word, argv[++i]);
    } else {
      a.scenarios.push_back(word);
    }
  }
  // The flags given win over --smoke's numbers, wherever they stand.
  if (smoke) Smoke(a);
  for (const auto& [flag, value] : given) flags.at(flag)(flag, value);
  return a;
}

int Run(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--help" || std::string(argv[i]) == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
  }
  Args args;
  try {
    args = Parse(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench: %s\n%s", e.what(), kUsage);
    return 2;
  }
  const std::vector<std::pair<std::string, std::function<void(BenchDatabase&, Report&)>>> all = {
      {"machine", [&](BenchDatabase&, Report& r) { Machine(args, r); }},
      {"latency", [&](BenchDatabase& db, Report& r) { Latency(db, args, r); }},
      {"turnover", [&](BenchDatabase& db, Report& r) { Turnover(db, args, r); }},
      {"submit", [&](BenchDatabase& db, Report& r) { Submit(db, args, r); }},
      {"depth", [&](BenchDatabase& db, Report& r) { Depth(db, args, r); }},
      {"agents", [&](BenchDatabase& db, Report& r) { Agents(db, args, r); }},
      {"scale", [&](BenchDatabase& db, Report& r) { Scale(db, args, r); }},
      {"array", [&](BenchDatabase& db, Report& r) { Array(db, args, r); }},
      {"workflows", [&](BenchDatabase& db, Report& r) { Workflows(db, args, r); }},
  };
  for (const auto& name : args.scenarios) {
    bool known = false;
    for (const auto& [scenario, run] : all) known |= scenario == name;
    if (!known) {
      std::fprintf(stderr, "bench: unknown scenario \"%s\"\n%s", name.c_str(), kUsage);
      return 2;
    }
  }
  Report report;
  try {
    BenchDatabase db(args.statements > 0);
    for (const auto& [scenario, run] : all) {
      const bool chosen =
          args.scenarios.empty() ||
          std::find(args.scenarios.begin(), args.scenarios.end(), scenario) != args.scenarios.end();
      if (chosen) run(db, report);
    }
    if (args.statements > 0) {
      for (const std::string& line : db.TopStatements(args.statements)) {
        std::printf("%s\n", line.c_str());
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench: %s\n", e.what());
    return 1;
  }
  if (!args.json_path.empty()) {
    std::ofstream out(args.json_path);
    out << report.Json();
    if (!out) {
      std::fprintf(stderr, "bench: cannot write %s\n", args.json_path.c_str());
      return 1;
    }
  }
  return 0;
}

}  // namespace
}  // namespace batchd::bench

int main(int argc, char** argv) { return batchd::bench::Run(argc, argv); }
