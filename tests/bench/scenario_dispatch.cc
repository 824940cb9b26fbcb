// The dispatch path on real agents running real processes:
//   machine:  /bin/true started and waited for from two threads with nothing else running:
//             the most any scheduler could turn over here, to read turnover against; and what
//             a system call and waking another thread cost, which every RPC and commit pays
//   latency:  one trivial job at a time on an idle warm agent; from submit (createdAt) to
//             RUNNING (the process start the agent recorded) and to SUCCEEDED
//   turnover: trivial jobs through two agents until all ended; once with no output, once
//             each writing a line (its log stored): history is always kept (attempts)
//   scale:    a burst on a managed environment with no node yet: to the provider's create
//             call, to the first job RUNNING on a new node, to all SUCCEEDED
//   array:    one array job on a queue with no capacity: the SubmitJob call, until the
//             scheduler holds every child RUNNABLE, describing the parent, cancelling it
#include <grpcpp/grpcpp.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <thread>

#include "scenarios.h"
#include "support/wait.h"

namespace batchd::bench {
namespace {

using namespace batch::v1;
using SteadyClock = std::chrono::steady_clock;

// A batchd with two real agents on queue "bench", and definitions "true" and "echo".
std::unique_ptr<BenchCluster> WithAgents(BenchDatabase& db, const Args& args) {
  auto cluster = std::make_unique<BenchCluster>(db.Fresh());
  cluster->CreateUnmanagedQueue("bench", "bench");
  cluster->RegisterDefinition("true", {"/bin/true"});
  cluster->RegisterDefinition("echo", {"/bin/echo", "a line of output"});
  cluster->StartAgents(2, "bench", args.agent_config);
  cluster->Submit(cluster->Request("bench"));  // warms the agents and the connection pool
  cluster->WaitIdle("bench", std::chrono::seconds(30));
  return cluster;
}

JobDetail WaitEnded(BenchCluster& cluster, const std::string& id) {
  JobDetail job;
  if (!testing::PollUntil(
          [&] {
            job = cluster.Describe(id);
            return job.status() == JobStatus::SUCCEEDED || job.status() == JobStatus::FAILED;
          },
          // The figures come from the job's own timestamps; polling slower only keeps the
          // observer from taking CPU from what it observes.
          std::chrono::seconds(30), std::chrono::milliseconds(10))) {
    throw std::runtime_error("job " + id + " did not end");
  }
  return job;
}

// Under some hypervisors a system call and a context switch cost several times what they do
// on bare metal (this VM's have varied from day to day), and every RPC, commit and job start
// pays for many of them: these two figures tell such a day from a slow build.
void SwitchCosts(bool smoke, Report& report) {
  const int calls = smoke ? 1000 : 200000;
  auto start = SteadyClock::now();
  for (int i = 0; i < calls; ++i) ::syscall(SYS_getppid);
  report.Add("machine.syscall", 1000 * Millis(SteadyClock::now() - start) / calls, "us");

  // A byte sent back and forth between two threads: two wake-ups of a sleeping thread.
  int there[2];
  int back[2];
  if (::pipe(there) != 0) throw std::runtime_error("pipe failed");
  if (::pipe(back) != 0) {
    ::close(there[0]);
    ::close(there[1]);
    throw std::runtime_error("pipe failed");
  }
  const int trips = smoke ? 100 : 20000;
  // Each side closes its writing end when it stops, so that the other's read ends too.
  std::thread echo([&] {
    char byte;
    for (int i = 0; i < trips; ++i) {
      if (::read(there[0], &byte, 1) != 1 || ::write(back[1], &byte, 1) != 1) break;
    }
    ::close(back[1]);
  });
  start = SteadyClock::now();
  char byte = 0;
  int done = 0;
  while (done < trips && ::write(there[1], &byte, 1) == 1 && ::read(back[0], &byte, 1) == 1) {
    ++done;
  }
  const auto took = SteadyClock::now() - start;
  ::close(there[1]);
  echo.join();
  ::close(there[0]);
  ::close(back[0]);
  if (done < trips) throw std::runtime_error("the wake-up round trips failed");
  report.Add("machine.wake_round_trip", 1000 * Millis(took) / trips, "us");
}

}  // namespace

void Machine(const Args& args, Report& report) {
  std::atomic<int> spawned{0};
  const bool smoke = args.turnover_jobs < 1000;  // --smoke's numbers: a quick look only
  const auto duration = std::chrono::milliseconds(smoke ? 100 : 2000);
  const auto start = SteadyClock::now();
  const auto until = start + duration;
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      char program[] = "/bin/true";
      char* argv[] = {program, nullptr};
      char* envp[] = {nullptr};
      while (SteadyClock::now() < until) {
        pid_t pid;
        if (posix_spawn(&pid, program, nullptr, nullptr, argv, envp) != 0) return;
        while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
        }
        ++spawned;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  report.Add("machine.spawn_rate", PerSecond(spawned, SteadyClock::now() - start), "jobs/s");
  SwitchCosts(smoke, report);
}

void Latency(BenchDatabase& db, const Args& args, Report& report) {
  auto cluster = WithAgents(db, args);
  std::vector<double> to_running, to_done;
  for (int i = 0; i < args.samples; ++i) {
    const JobDetail job = WaitEnded(*cluster, cluster->Submit(cluster->Request("bench")));
    to_running.push_back(static_cast<double>(job.started_at() - job.created_at()));
    to_done.push_back(static_cast<double>(job.stopped_at() - job.created_at()));
  }
  report.Add("latency.submit_to_running.median", Percentile(to_running, 0.5), "ms");
  report.Add("latency.submit_to_running.p99", Percentile(to_running, 0.99), "ms");
  report.Add("latency.submit_to_succeeded.median", Percentile(to_done, 0.5), "ms");
  report.Add("latency.submit_to_succeeded.p99", Percentile(to_done, 0.99), "ms");
}

void MeasureTurnover(BenchCluster& cluster, const std::string& queue, const std::string& definition,
                     int jobs, Report& report, const std::string& prefix) {
  const auto start = SteadyClock::now();
  for (int sent = 0; sent < jobs;) {
    SubmitJobsRequest req;
    for (int i = 0; i < 500 && sent < jobs; ++i, ++sent) {
      *req.add_jobs() = cluster.Request(queue, definition);
    }
    cluster.SubmitAll(req);
  }
  cluster.WaitIdle(queue, std::chrono::seconds(600));
  report.Add(prefix + ".jobs", jobs, "jobs");
  report.Add(prefix + ".rate", PerSecond(jobs, SteadyClock::now() - start), "jobs/s");
}

void Turnover(BenchDatabase& db, const Args& args, Report& report) {
  auto cluster = WithAgents(db, args);
  MeasureTurnover(*cluster, "bench", "true", args.turnover_jobs, report, "turnover");
  MeasureTurnover(*cluster, "bench", "echo", args.turnover_jobs, report, "turnover.with_logs");
}

void Scale(BenchDatabase& db, const Args& args, Report& report) {
  BenchCluster cluster(db.Fresh());
  cluster.RegisterDefinition("true", {"/bin/true"});
  {
    CreateComputeEnvironmentRequest req;
    req.set_compute_environment_name("elastic");
    req.set_type(CEType::MANAGED);
    auto* cr = req.mutable_compute_resources();
    cr->set_type(CRType::EC2);
    cr->set_minv_cpus(0);
    cr->set_maxv_cpus(8);
    auto* shape = cr->add_node_shapes();
    shape->set_name("c4");
    shape->set_vcpus(4);
    shape->set_memory_mib(4096);
    CreateComputeEnvironmentResponse resp;
    grpc::ClientContext ctx;
    Check(cluster.api().CreateComputeEnvironment(&ctx, req, &resp), "CreateComputeEnvironment");
  }
  cluster.CreateQueue("elastic", "elastic");
  SubmitJobsRequest req;
  for (int i = 0; i < args.burst; ++i) *req.add_jobs() = cluster.Request("elastic");
  SubmitJobsResponse resp;
  {
    grpc::ClientContext ctx;
    Check(cluster.api().SubmitJobs(&ctx, req, &resp), "SubmitJobs");
  }
  cluster.WaitIdle("elastic", std::chrono::seconds(120));
  int64_t submitted = INT64_MAX, first_running = INT64_MAX, last_done = 0;
  for (const auto& r : resp.jobs()) {
    const JobDetail job = cluster.Describe(r.job_id());
    if (job.status() != JobStatus::SUCCEEDED) {
      throw std::runtime_error("a job of the burst ended " + job.status_reason());
    }
    submitted = std::min<int64_t>(submitted, job.created_at());
    first_running = std::min<int64_t>(first_running, job.started_at());
    last_done = std::max<int64_t>(last_done, job.stopped_at());
  }
  ListEventsRequest events_req;
  events_req.set_compute_environment("elastic");
  events_req.set_max_results(1000);
  ListEventsResponse events;
  grpc::ClientContext events_ctx;
  Check(cluster.api().ListEvents(&events_ctx, events_req, &events), "ListEvents");
  int64_t create_call = INT64_MAX;
  for (const auto& e : events.events()) {
    if (e.message().rfind("scale out", 0) == 0) create_call = std::min(create_call, e.at());
  }
  report.Add("scale.burst_jobs", args.burst, "jobs");
  report.Add("scale.burst_to_create_call", static_cast<double>(create_call - submitted), "ms");
  report.Add("scale.burst_to_first_running", static_cast<double>(first_running - submitted), "ms");
  report.Add("scale.burst_to_all_succeeded", static_cast<double>(last_done - submitted), "ms");
}

void Array(BenchDatabase& db, const Args& args, Report& report) {
  BenchCluster cluster(db.Fresh());
  cluster.CreateUnmanagedQueue("array", "empty");
  cluster.RegisterDefinition("true", {"/bin/true"});
  SubmitJobRequest req = cluster.Request("array");
  req.mutable_array_properties()->set_size(args.array_size);
  const auto start = SteadyClock::now();
  const std::string parent = cluster.Submit(req);
  const auto submitted = SteadyClock::now();
  const std::string last = parent + ":" + std::to_string(args.array_size - 1);
  if (!testing::PollUntil(
          [&] {
            ExplainJobRequest explain;
            explain.set_job_id(last);
            ExplainJobResponse why;
            grpc::ClientContext ctx;
            Check(cluster.api().ExplainJob(&ctx, explain, &why), "ExplainJob");
            return why.status() == JobStatus::RUNNABLE &&
                   why.summary() != "waiting for the scheduler to take it in";
          },
          std::chrono::seconds(60), std::chrono::milliseconds(5))) {
    throw std::runtime_error("the scheduler did not take in the array");
  }
  const auto accepted = SteadyClock::now();
  const JobDetail described = cluster.Describe(parent);
  const auto described_at = SteadyClock::now();
  const auto runnable = described.array_properties().status_summary().at("RUNNABLE");
  if (runnable != args.array_size) {
    throw std::runtime_error("the parent counts " + std::to_string(runnable) + " RUNNABLE");
  }
  {
    CancelJobRequest cancel;
    cancel.set_job_id(parent);
    cancel.set_reason("bench");
    CancelJobResponse out;
    grpc::ClientContext ctx;
    Check(cluster.api().CancelJob(&ctx, cancel, &out), "CancelJob");
  }
  if (!testing::PollUntil([&] { return cluster.Describe(parent).status() == JobStatus::FAILED; },
                          std::chrono::seconds(60), std::chrono::milliseconds(5))) {
    throw std::runtime_error("the cancelled array did not end");
  }
  const auto cancelled = SteadyClock::now();
  report.Add("array.children", args.array_size, "jobs");
  report.Add("array.submit", Millis(submitted - start), "ms");
  report.Add("array.submit_to_all_runnable", Millis(accepted - start), "ms");
  report.Add("array.describe_parent", Millis(described_at - accepted), "ms");
  report.Add("array.cancel_to_failed", Millis(cancelled - described_at), "ms");
}

}  // namespace batchd::bench
