// submit: how many jobs batchd acknowledges per second (each durably committed before the
// answer), from many clients making single SubmitJob calls, and from SubmitJobs batches. The
// jobs go to a queue whose environment has no nodes, so they stay RUNNABLE in the scheduler.
#include <grpcpp/grpcpp.h>

#include "concurrent_calls.h"
#include "scenarios.h"

namespace batchd::bench {
namespace {

using namespace batch::v1;
using SteadyClock = std::chrono::steady_clock;

// Each client its own connection, as separate programs would have.
std::unique_ptr<BatchService::Stub> OwnConnection(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return BatchService::NewStub(
      grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
}

// One connection per client: see RunConcurrently.
template <typename Call>
SteadyClock::duration RunClients(const std::string& address, int clients, int calls, Call call,
                                 std::vector<double>& call_ms) {
  std::vector<std::unique_ptr<BatchService::Stub>> stubs;
  for (int i = 0; i < clients; ++i) stubs.push_back(OwnConnection(address));
  return RunConcurrently(
      clients, calls, [&](int t, int i) { call(*stubs[t], i); }, call_ms);
}

}  // namespace

void MeasureSubmit(BenchCluster& cluster, const std::string& queue, const Args& args,
                   Report& report, const std::string& prefix) {
  const SubmitJobRequest one = cluster.Request(queue);
  std::vector<double> single_ms;
  const auto single = RunClients(
      cluster.address(), args.clients, args.submit_jobs,
      [&](BatchService::Stub& stub, int) {
        SubmitJobResponse resp;
        grpc::ClientContext ctx;
        Check(stub.SubmitJob(&ctx, one, &resp), "SubmitJob");
      },
      single_ms);
  report.Add(prefix + ".single.clients", args.clients, "clients");
  report.Add(prefix + ".single.rate", PerSecond(args.submit_jobs, single), "jobs/s");
  report.Add(prefix + ".single.call.median", Percentile(single_ms, 0.5), "ms");
  report.Add(prefix + ".single.call.p99", Percentile(single_ms, 0.99), "ms");

  SubmitJobsRequest batch;
  for (int i = 0; i < args.batch_size; ++i) *batch.add_jobs() = one;
  const int calls = std::max(1, args.batched_jobs / args.batch_size);
  std::vector<double> batch_ms;
  const auto batched = RunClients(
      cluster.address(), args.batch_clients, calls,
      [&](BatchService::Stub& stub, int) {
        SubmitJobsResponse resp;
        grpc::ClientContext ctx;
        Check(stub.SubmitJobs(&ctx, batch, &resp), "SubmitJobs");
      },
      batch_ms);
  report.Add(prefix + ".batched.jobs_per_call", args.batch_size, "jobs");
  report.Add(prefix + ".batched.rate", PerSecond(double(calls) * args.batch_size, batched),
             "jobs/s");
  report.Add(prefix + ".batched.call.median", Percentile(batch_ms, 0.5), "ms");
}

void Submit(BenchDatabase& db, const Args& args, Report& report) {
  BenchCluster cluster(db.Fresh());
  cluster.CreateUnmanagedQueue("parked", "parked");
  cluster.RegisterDefinition("true", {"/bin/true"});
  cluster.Submit(cluster.Request("parked"));  // warms the connection pool
  const ProcessUsage before = UsageOf(cluster.batchd_pid());
  MeasureSubmit(cluster, "parked", args, report, "submit");
  const ProcessUsage after = UsageOf(cluster.batchd_pid());
  report.Add("submit.batchd_cpu", after.cpu_seconds - before.cpu_seconds, "s");
  report.Add("submit.batchd_rss", after.rss_mib, "MiB");
}

}  // namespace batchd::bench
