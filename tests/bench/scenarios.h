#pragma once
// The bench's scenarios. Each starts what it needs (a batchd on a fresh database, agents) and
// adds its figures to the report.
#include <string>
#include <vector>

#include "bench_cluster.h"
#include "bench_report.h"

namespace batchd::bench {

struct Args {
  std::vector<std::string> scenarios;
  int samples = 200;                         // latency: jobs, one at a time
  int turnover_jobs = 2000;                  // turnover: jobs through two agents
  int submit_jobs = 20000;                   // submit: single SubmitJob calls in all
  int clients = 16;                          // submit: concurrent clients making them
  int batched_jobs = 100000;                 // submit: jobs sent in SubmitJobs calls
  int batch_size = 1000;                     // submit: jobs per SubmitJobs call
  int batch_clients = 2;                     // submit: concurrent clients making those
  std::vector<long> depth_rows = {1000000};  // depth: rows already in the database, per run
  std::vector<int> agent_counts = {1000, 10000};
  int agent_jobs = 50000;  // agents: jobs placed on the simulated agents
  int array_size = 100000;
  int burst = 16;                   // scale: jobs submitted to an empty managed environment
  int workflow_executions = 20000;  // workflows: one-Pass executions started (and submits)
  int chain_executions = 20000;     // workflows: 20-state executions started
  int map_items = 100000;           // workflows: Pass iterations of one Map
  int sync_samples = 200;           // workflows: .sync executions, one at a time
  // workflows: .sync jobs of one Map. 4,000 rather than 10,000: the engine's work per step
  // event grows with the steps running, and a Map of 10,000 took 7.5 minutes.
  int map_jobs = 4000;
  std::string agent_config;
  std::string json_path;
  int statements = 0;  // how many of PostgreSQL's costliest statements to print at the end
};

void Machine(const Args& args, Report& report);
void Latency(BenchDatabase& db, const Args& args, Report& report);
void Turnover(BenchDatabase& db, const Args& args, Report& report);
void Submit(BenchDatabase& db, const Args& args, Report& report);
void Depth(BenchDatabase& db, const Args& args, Report& report);
void Agents(BenchDatabase& db, const Args& args, Report& report);
void Scale(BenchDatabase& db, const Args& args, Report& report);
void Array(BenchDatabase& db, const Args& args, Report& report);
void Workflows(BenchDatabase& db, const Args& args, Report& report);

// Measurements more than one scenario makes, with figures named `prefix` + ".…".
// Single SubmitJob calls from args.clients clients, then SubmitJobs calls; to `queue`.
void MeasureSubmit(BenchCluster& cluster, const std::string& queue, const Args& args,
                   Report& report, const std::string& prefix);
// `jobs` jobs of `definition` submitted in batches to `queue`, until all have ended.
void MeasureTurnover(BenchCluster& cluster, const std::string& queue, const std::string& definition,
                     int jobs, Report& report, const std::string& prefix);

}  // namespace batchd::bench
