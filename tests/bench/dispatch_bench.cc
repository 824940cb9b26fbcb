// Figures for the dispatch path, on a real batchd (its embedded PostgreSQL, durable commits)
// with two real local agents:
//   latency:  submit one trivial job to an idle warm agent; time from submit (createdAt) to
//             RUNNING (the process start the agent recorded) and to SUCCEEDED; median, p99
//   turnover: N trivial jobs (/bin/true) submitted in batches, through two agents until all
//             SUCCEEDED; jobs/s
//   scale:    a burst of trivial jobs on a managed environment of the local provider with no
//             node yet: time from the burst to the provider's create call (the scale-out
//             event), to the first job RUNNING on a new node, and to all SUCCEEDED
//   machine:  /bin/true started and waited for from two threads with nothing else running,
//             jobs/s: the most any scheduler could turn over here, to read turnover against
//   array:    one array job of N children on a queue with no capacity: the SubmitJob call,
//             until the scheduler holds every child as RUNNABLE (explain of the last child),
//             describing the parent (its status summary), and cancelling it until FAILED
// Prints one "name value unit" line per figure. Usage: dispatch_bench [--jobs N]
// [--samples N] [--array-size N]; small values make the smoke run of the test suite.
#include <grpcpp/grpcpp.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "batch/v1/batch_service.grpc.pb.h"
#include "support/batchd_process.h"
#include "support/temp_dir.h"
#include "support/wait.h"

namespace batchd::testing {
namespace {

using namespace batch::v1;
using Clock = std::chrono::steady_clock;

struct Args {
  int jobs = 2000;
  int samples = 200;
  int array_size = 100000;
  std::string agent_config;  // passed to both agents as --config
};

void Check(const grpc::Status& s, const char* what) {
  if (!s.ok()) throw std::runtime_error(std::string(what) + ": " + s.error_message());
}

class Bench {
 public:
  explicit Bench(const Args& args) : args_(args) {
    BatchdOptions options;
    options.data_dir = dir_.path() / "batchd";
    batchd_ = std::make_unique<BatchdProcess>(options);
    stub_ = BatchService::NewStub(
        grpc::CreateChannel(batchd_->address(), grpc::InsecureChannelCredentials()));
    Setup();
  }

  void Latency(int samples) {
    std::vector<double> to_running, to_done;
    for (int i = 0; i < samples; ++i) {
      const std::string id = SubmitOne();
      JobDetail job;
      if (!PollUntil(
              [&] {
                job = Describe(id);
                return job.status() == JobStatus::SUCCEEDED || job.status() == JobStatus::FAILED;
              },
              // The figures come from the job's own timestamps; polling slower only keeps
              // the observer from taking CPU from what it observes.
              std::chrono::seconds(30), std::chrono::milliseconds(10))) {
        throw std::runtime_error("job " + id + " did not finish");
      }
      to_running.push_back(static_cast<double>(job.started_at() - job.created_at()));
      to_done.push_back(static_cast<double>(job.stopped_at() - job.created_at()));
    }
    Print("latency.submit_to_running.median", Percentile(to_running, 0.5), "ms");
    Print("latency.submit_to_running.p99", Percentile(to_running, 0.99), "ms");
    Print("latency.submit_to_succeeded.median", Percentile(to_done, 0.5), "ms");
    Print("latency.submit_to_succeeded.p99", Percentile(to_done, 0.99), "ms");
  }

  void Scale(int burst) {
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
      Check(stub_->CreateComputeEnvironment(&ctx, req, &resp), "CreateComputeEnvironment");
    }
    CreateQueue("elastic", "elastic");
    SubmitJobsRequest req;
    for (int i = 0; i < burst; ++i) {
      SubmitJobRequest job = Request();
      job.set_job_queue("elastic");
      *req.add_jobs() = job;
    }
    SubmitJobsResponse resp;
    grpc::ClientContext ctx;
    Check(stub_->SubmitJobs(&ctx, req, &resp), "SubmitJobs");
    std::vector<JobDetail> jobs;
    if (!PollUntil(
            [&] {
              jobs.clear();
              for (const auto& r : resp.jobs()) jobs.push_back(Describe(r.job_id()));
              return std::all_of(jobs.begin(), jobs.end(), [](const JobDetail& j) {
                return j.status() == JobStatus::SUCCEEDED;
              });
            },
            std::chrono::seconds(120), std::chrono::milliseconds(20))) {
      throw std::runtime_error("the burst on the managed environment did not finish");
    }
    int64_t submitted = INT64_MAX, first_running = INT64_MAX, last_done = 0;
    for (const auto& j : jobs) {
      submitted = std::min<int64_t>(submitted, j.created_at());
      first_running = std::min<int64_t>(first_running, j.started_at());
      last_done = std::max<int64_t>(last_done, j.stopped_at());
    }
    ListEventsRequest events_req;
    events_req.set_compute_environment("elastic");
    events_req.set_max_results(1000);
    ListEventsResponse events;
    grpc::ClientContext events_ctx;
    Check(stub_->ListEvents(&events_ctx, events_req, &events), "ListEvents");
    int64_t create_call = INT64_MAX;
    for (const auto& e : events.events()) {
      if (e.message().rfind("scale out", 0) == 0) create_call = std::min(create_call, e.at());
    }
    Print("scale.burst_jobs", burst, "jobs");
    Print("scale.burst_to_create_call", static_cast<double>(create_call - submitted), "ms");
    Print("scale.burst_to_first_running", static_cast<double>(first_running - submitted), "ms");
    Print("scale.burst_to_all_succeeded", static_cast<double>(last_done - submitted), "ms");
  }

  void Array(int size) {
    CreateUnmanagedQueue("array", "empty");
    SubmitJobRequest req = Request();
    req.set_job_queue("array");
    req.mutable_array_properties()->set_size(size);
    const auto start = Clock::now();
    SubmitJobResponse resp;
    {
      grpc::ClientContext ctx;
      Check(stub_->SubmitJob(&ctx, req, &resp), "SubmitJob");
    }
    const auto submitted = Clock::now();
    const std::string last = resp.job_id() + ":" + std::to_string(size - 1);
    if (!PollUntil(
            [&] {
              ExplainJobRequest explain;
              explain.set_job_id(last);
              ExplainJobResponse why;
              grpc::ClientContext ctx;
              Check(stub_->ExplainJob(&ctx, explain, &why), "ExplainJob");
              return why.status() == JobStatus::RUNNABLE &&
                     why.summary() != "waiting for the scheduler to take it in";
            },
            std::chrono::seconds(60), std::chrono::milliseconds(5))) {
      throw std::runtime_error("the scheduler did not take in the array");
    }
    const auto accepted = Clock::now();
    JobDetail parent = Describe(resp.job_id());
    const auto described = Clock::now();
    const auto runnable = parent.array_properties().status_summary().at("RUNNABLE");
    if (runnable != size) {
      throw std::runtime_error("the parent counts " + std::to_string(runnable) + " RUNNABLE");
    }
    {
      CancelJobRequest cancel;
      cancel.set_job_id(resp.job_id());
      cancel.set_reason("bench");
      CancelJobResponse out;
      grpc::ClientContext ctx;
      Check(stub_->CancelJob(&ctx, cancel, &out), "CancelJob");
    }
    if (!PollUntil([&] { return Describe(resp.job_id()).status() == JobStatus::FAILED; },
                   std::chrono::seconds(60), std::chrono::milliseconds(5))) {
      throw std::runtime_error("the cancelled array did not end");
    }
    const auto cancelled = Clock::now();
    auto ms = [](Clock::duration d) {
      return std::chrono::duration<double, std::milli>(d).count();
    };
    Print("array.children", size, "jobs");
    Print("array.submit", ms(submitted - start), "ms");
    Print("array.submit_to_all_runnable", ms(accepted - start), "ms");
    Print("array.describe_parent", ms(described - accepted), "ms");
    Print("array.cancel_to_failed", ms(cancelled - described), "ms");
  }

  void Turnover(int jobs) {
    const auto start = Clock::now();
    for (int done = 0; done < jobs;) {
      SubmitJobsRequest req;
      for (int i = 0; i < 500 && done < jobs; ++i, ++done) *req.add_jobs() = Request();
      SubmitJobsResponse resp;
      grpc::ClientContext ctx;
      Check(stub_->SubmitJobs(&ctx, req, &resp), "SubmitJobs");
    }
    const auto submitted = Clock::now();
    // Polled gently: a tight poll of ListJobs would take CPU from what is being measured.
    if (!PollUntil([&] { return Unfinished() == 0; }, std::chrono::seconds(600),
                   std::chrono::milliseconds(20))) {
      throw std::runtime_error("turnover did not finish");
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    Print("turnover.jobs", jobs, "jobs");
    Print("turnover.submit", std::chrono::duration<double>(submitted - start).count() * 1000, "ms");
    Print("turnover.rate", jobs / seconds, "jobs/s");
  }

 private:
  void Setup() {
    CreateUnmanagedQueue("bench", "bench");
    {
      RegisterJobDefinitionRequest req;
      req.set_job_definition_name("true");
      req.set_type(JobDefinitionType::container);
      req.mutable_container_properties()->add_command("/bin/true");
      auto* v = req.mutable_container_properties()->add_resource_requirements();
      v->set_type(ResourceType::VCPU);
      v->set_value("1");
      auto* m = req.mutable_container_properties()->add_resource_requirements();
      m->set_type(ResourceType::MEMORY);
      m->set_value("16");
      RegisterJobDefinitionResponse resp;
      grpc::ClientContext ctx;
      Check(stub_->RegisterJobDefinition(&ctx, req, &resp), "RegisterJobDefinition");
    }
    // Two agents, each advertising more slots than cores: trivial jobs are mostly waiting on
    // fork/exec and the wire, not on CPU.
    for (const char* name : {"a", "b"}) {
      AgentOptions options;
      options.scheduler = batchd_->address();
      options.token_file = dir_.path() / "batchd" / "agent-token";
      options.compute_environment = "bench";
      options.work_dir = dir_.path() / name;
      options.extra_args = {"--vcpus", "16", "--memory-mib", "16384"};
      if (!args_.agent_config.empty()) {
        options.extra_args.insert(options.extra_args.end(), {"--config", args_.agent_config});
      }
      agents_.push_back(std::make_unique<AgentProcess>(options));
    }
    if (!PollUntil([&] { return ReadyNodes() == 2; }, std::chrono::seconds(30))) {
      throw std::runtime_error("agents did not connect");
    }
    SubmitOne();  // warms the agents and the connection pool
    PollUntil([&] { return Unfinished() == 0; });
  }

  // A queue on an UNMANAGED environment of its own (nodes are agents the bench starts).
  void CreateUnmanagedQueue(const std::string& name, const std::string& ce) {
    CreateComputeEnvironmentRequest req;
    req.set_compute_environment_name(ce);
    req.set_type(CEType::UNMANAGED);
    CreateComputeEnvironmentResponse resp;
    grpc::ClientContext ctx;
    Check(stub_->CreateComputeEnvironment(&ctx, req, &resp), "CreateComputeEnvironment");
    CreateQueue(name, ce);
  }

  void CreateQueue(const std::string& name, const std::string& ce) {
    CreateJobQueueRequest req;
    req.set_job_queue_name(name);
    req.set_priority(1);
    auto* o = req.add_compute_environment_order();
    o->set_order(1);
    o->set_compute_environment(ce);
    CreateJobQueueResponse resp;
    grpc::ClientContext ctx;
    Check(stub_->CreateJobQueue(&ctx, req, &resp), "CreateJobQueue");
  }

  SubmitJobRequest Request() {
    SubmitJobRequest req;
    req.set_job_name("bench");
    req.set_job_queue("bench");
    req.set_job_definition("true");
    return req;
  }

  std::string SubmitOne() {
    SubmitJobResponse resp;
    grpc::ClientContext ctx;
    Check(stub_->SubmitJob(&ctx, Request(), &resp), "SubmitJob");
    return resp.job_id();
  }

  JobDetail Describe(const std::string& id) {
    DescribeJobsRequest req;
    req.add_jobs(id);
    DescribeJobsResponse resp;
    grpc::ClientContext ctx;
    Check(stub_->DescribeJobs(&ctx, req, &resp), "DescribeJobs");
    return resp.jobs_size() == 1 ? resp.jobs(0) : JobDetail{};
  }

  int Unfinished() {
    ListJobsRequest req;
    req.set_job_queue("bench");
    for (auto s : {JobStatus::SUBMITTED, JobStatus::PENDING, JobStatus::RUNNABLE,
                   JobStatus::STARTING, JobStatus::RUNNING}) {
      req.add_job_statuses(s);
    }
    req.set_max_results(1);
    ListJobsResponse resp;
    grpc::ClientContext ctx;
    Check(stub_->ListJobs(&ctx, req, &resp), "ListJobs");
    return resp.job_summary_list_size();
  }

  int ReadyNodes() {
    ListNodesResponse resp;
    grpc::ClientContext ctx;
    Check(stub_->ListNodes(&ctx, ListNodesRequest{}, &resp), "ListNodes");
    int ready = 0;
    for (const auto& n : resp.nodes()) ready += n.state() == NodeState::READY ? 1 : 0;
    return ready;
  }

  static double Percentile(std::vector<double> values, double p) {
    std::sort(values.begin(), values.end());
    const size_t i = std::min(values.size() - 1, static_cast<size_t>(p * values.size()));
    return values[i];
  }

  static void Print(const std::string& name, double value, const std::string& unit) {
    std::printf("%-40s %10.1f %s\n", name.c_str(), value, unit.c_str());
    std::fflush(stdout);
  }

  const Args args_;
  TempDir dir_;
  std::unique_ptr<BatchdProcess> batchd_;
  std::unique_ptr<BatchService::Stub> stub_;
  std::vector<std::unique_ptr<AgentProcess>> agents_;
};

// Spawns /bin/true and waits for it, over and over from two threads, for `duration`.
void MachineSpawnRate(std::chrono::milliseconds duration) {
  std::atomic<int> spawned{0};
  const auto until = Clock::now() + duration;
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      char program[] = "/bin/true";
      char* argv[] = {program, nullptr};
      char* envp[] = {nullptr};
      while (Clock::now() < until) {
        pid_t pid;
        if (posix_spawn(&pid, program, nullptr, nullptr, argv, envp) != 0) return;
        while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
        }
        ++spawned;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("%-40s %10.1f %s\n", "machine.spawn_rate", spawned / seconds, "jobs/s");
  std::fflush(stdout);
}

Args Parse(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) throw std::runtime_error(flag + " needs a value");
    const std::string value = argv[i + 1];
    if (flag == "--jobs") {
      args.jobs = std::stoi(value);
    } else if (flag == "--samples") {
      args.samples = std::stoi(value);
    } else if (flag == "--array-size") {
      args.array_size = std::stoi(value);
    } else if (flag == "--agent-config") {
      args.agent_config = value;
    } else {
      throw std::runtime_error(
          "unknown flag " + flag +
          " (flags: --jobs N, --samples N, --array-size N, --agent-config FILE)");
    }
  }
  return args;
}

}  // namespace
}  // namespace batchd::testing

int main(int argc, char** argv) {
  try {
    const auto args = batchd::testing::Parse(argc, argv);
    batchd::testing::MachineSpawnRate(std::chrono::milliseconds(args.jobs >= 1000 ? 2000 : 100));
    batchd::testing::Bench bench(args);
    bench.Latency(args.samples);
    bench.Turnover(args.jobs);
    bench.Scale(args.jobs >= 1000 ? 16 : 2);
    bench.Array(args.array_size);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dispatch_bench: %s\n", e.what());
    return 1;
  }
}
