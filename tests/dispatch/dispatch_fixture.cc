#include "dispatch_fixture.h"

#include <fstream>
#include <sstream>

#include "agent/cgroup.h"
#include "api/job_states.h"
#include "support/postgres_env.h"
#include "support/wait.h"

namespace batchd::testing {

using namespace batch::v1;

namespace {

// Short leases so that a lost node is noticed within a test's patience.
constexpr const char* kConfig =
    "node_lease_seconds: 3\n"
    "heartbeat_seconds: 1\n"
    "kill_grace_seconds: 2\n";

template <typename Req, typename Resp, typename Call>
Resp Rpc(Call call, const Req& req) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  Resp resp;
  grpc::Status s = call(&ctx, req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_code() << ": " << s.error_message();
  return resp;
}

}  // namespace

bool ProcessGone(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return true;
  std::string content((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto close = content.rfind(')');
  return close != std::string::npos && close + 2 < content.size() && content[close + 2] == 'Z';
}

void DispatchTest::SetUp() {
  dir_ = std::make_unique<TempDir>();
  database_url_ = FreshDatabaseUrl();
  std::ofstream(dir_->path() / "batchd.yaml") << kConfig;
  StartBatchd();
}

void DispatchTest::TearDown() {
  for (auto& [name, agent] : agents_) agent->Stop(std::chrono::seconds(10));
  // An agent a test killed left its cgroups (as a crash does) for a restart that may not come.
  for (const auto& [name, agent] : agents_) {
    const agent::CgroupManager cgroups("auto", agent::CgroupParentName(AgentDir(name)));
    for (const std::string& cgroup : cgroups.List()) {
      if (const auto left = cgroups.Find(cgroup)) left->KillAndRemove();
    }
    cgroups.RemoveParent();
  }
  agents_.clear();
  // An open client channel holds batchd's graceful shutdown for seconds: close ours first.
  stub_.reset();
  if (batchd_) batchd_->Stop();
  if (HasFailure()) std::cerr << Diagnostics();
}

void DispatchTest::StartBatchd(int port) {
  BatchdOptions options;
  options.data_dir = dir_->path() / "batchd";
  options.database_url = database_url_;
  options.extra_args = {"--config", (dir_->path() / "batchd.yaml").string()};
  if (port != 0) {
    options.extra_args.push_back("--listen");
    options.extra_args.push_back("127.0.0.1:" + std::to_string(port));
  }
  batchd_ = std::make_unique<BatchdProcess>(options);
  stub_ = BatchService::NewStub(
      grpc::CreateChannel(batchd_->address(), grpc::InsecureChannelCredentials()));
}

int DispatchTest::Port() const {
  const std::string& a = batchd_->address();
  return std::stoi(a.substr(a.rfind(':') + 1));
}

void DispatchTest::CreateCe(const std::string& name) {
  CreateComputeEnvironmentRequest req;
  req.set_compute_environment_name(name);
  req.set_type(CEType::UNMANAGED);
  Rpc<CreateComputeEnvironmentRequest, CreateComputeEnvironmentResponse>(
      [&](auto* c, auto& r, auto* o) { return stub_->CreateComputeEnvironment(c, r, o); }, req);
}

void DispatchTest::CreateComputeEnvironment(const CreateComputeEnvironmentRequest& request) {
  Rpc<CreateComputeEnvironmentRequest, CreateComputeEnvironmentResponse>(
      [&](auto* c, auto& r, auto* o) { return stub_->CreateComputeEnvironment(c, r, o); }, request);
}

void DispatchTest::UpdateComputeEnvironment(const UpdateComputeEnvironmentRequest& request) {
  Rpc<UpdateComputeEnvironmentRequest, UpdateComputeEnvironmentResponse>(
      [&](auto* c, auto& r, auto* o) { return stub_->UpdateComputeEnvironment(c, r, o); }, request);
}

grpc::Status DispatchTest::TryCreateSchedule(const batch::v1::ScheduleRequest& request,
                                             batch::v1::ScheduleResponse* response) {
  batch::v1::ScheduleResponse ignored;
  grpc::ClientContext ctx;
  return stub_->CreateSchedule(&ctx, request, response ? response : &ignored);
}

grpc::Status DispatchTest::DescribeSchedule(const std::string& name,
                                            batch::v1::ScheduleDetail* schedule) {
  batch::v1::DescribeSchedulesRequest req;
  req.add_schedules(name);
  req.set_runs(1000);
  batch::v1::DescribeSchedulesResponse resp;
  grpc::ClientContext ctx;
  grpc::Status s = stub_->DescribeSchedules(&ctx, req, &resp);
  if (!s.ok()) return s;
  if (resp.schedules_size() != 1) return {grpc::StatusCode::NOT_FOUND, "no schedule " + name};
  *schedule = resp.schedules(0);
  return s;
}

std::vector<batch::v1::ScheduleRun> DispatchTest::WaitForScheduleRuns(
    const std::string& name, const std::string& outcome, int n, std::chrono::seconds timeout,
    const std::function<bool(const batch::v1::ScheduleRun&)>& also) {
  std::vector<batch::v1::ScheduleRun> runs;
  batch::v1::ScheduleDetail s;
  grpc::Status last;
  const bool ok = PollUntil(
      [&] {
        runs.clear();
        s.Clear();
        last = DescribeSchedule(name, &s);
        for (const auto& r : s.recent_runs()) {
          if (r.outcome() == outcome && (!also || also(r))) runs.push_back(r);
        }
        return static_cast<int>(runs.size()) >= n;
      },
      timeout, std::chrono::milliseconds(50));
  EXPECT_TRUE(ok) << name << ": fewer than " << n << " " << outcome
                  << " runs (last describe: " << (last.ok() ? "ok" : last.error_message())
                  << ") in\n"
                  << s.DebugString() << Diagnostics();
  return runs;
}

void DispatchTest::CreateQueue(const std::string& name, const std::string& ce, int priority) {
  CreateJobQueueRequest req;
  req.set_job_queue_name(name);
  req.set_priority(priority);
  auto* o = req.add_compute_environment_order();
  o->set_order(1);
  o->set_compute_environment(ce);
  Rpc<CreateJobQueueRequest, CreateJobQueueResponse>(
      [&](auto* c, auto& r, auto* o) { return stub_->CreateJobQueue(c, r, o); }, req);
}

void DispatchTest::Register(const std::string& name, const DefinitionSpec& spec) {
  RegisterJobDefinitionRequest req;
  req.set_job_definition_name(name);
  req.set_type(JobDefinitionType::container);
  auto* c = req.mutable_container_properties();
  for (const auto& a : spec.command) c->add_command(a);
  c->set_script(spec.script);
  c->set_image(spec.image);
  c->set_image_pull_policy(spec.image_pull_policy);
  auto* v = c->add_resource_requirements();
  v->set_type(ResourceType::VCPU);
  v->set_value(std::to_string(spec.vcpus));
  auto* m = c->add_resource_requirements();
  m->set_type(ResourceType::MEMORY);
  m->set_value(std::to_string(spec.memory_mib));
  for (const auto& [k, val] : spec.environment) {
    auto* e = c->add_environment();
    e->set_name(k);
    e->set_value(val);
  }
  for (const auto& [k, val] : spec.parameters) (*req.mutable_parameters())[k] = val;
  if (spec.attempts > 1 || !spec.evaluate_on_exit.empty()) {
    req.mutable_retry_strategy()->set_attempts(spec.attempts);
    for (const auto& rule : spec.evaluate_on_exit) {
      *req.mutable_retry_strategy()->add_evaluate_on_exit() = rule;
    }
  }
  if (spec.timeout_seconds > 0) {
    req.mutable_timeout()->set_attempt_duration_seconds(spec.timeout_seconds);
  }
  Rpc<RegisterJobDefinitionRequest, RegisterJobDefinitionResponse>(
      [&](auto* c, auto& r, auto* o) { return stub_->RegisterJobDefinition(c, r, o); }, req);
}

std::string DispatchTest::Submit(const std::string& queue, const std::string& definition,
                                 const std::map<std::string, std::string>& parameters) {
  SubmitJobRequest req;
  req.set_job_name("job");
  req.set_job_queue(queue);
  req.set_job_definition(definition);
  for (const auto& [k, v] : parameters) (*req.mutable_parameters())[k] = v;
  return Rpc<SubmitJobRequest, SubmitJobResponse>(
             [&](auto* c, auto& r, auto* o) { return stub_->SubmitJob(c, r, o); }, req)
      .job_id();
}

SubmitJobRequest DispatchTest::Request(const std::string& queue, const std::string& definition) {
  SubmitJobRequest req;
  req.set_job_name("job");
  req.set_job_queue(queue);
  req.set_job_definition(definition);
  return req;
}

grpc::Status DispatchTest::TrySubmit(const SubmitJobRequest& request, std::string* job_id) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  SubmitJobResponse resp;
  grpc::Status status = stub_->SubmitJob(&ctx, request, &resp);
  if (job_id != nullptr) *job_id = resp.job_id();
  return status;
}

std::string DispatchTest::Submit(const SubmitJobRequest& request) {
  std::string id;
  grpc::Status status = TrySubmit(request, &id);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return id;
}

std::vector<std::string> DispatchTest::SubmitAll(const std::vector<SubmitJobRequest>& requests) {
  std::vector<std::string> ids;
  for (size_t start = 0; start < requests.size(); start += 1000) {
    SubmitJobsRequest batch;
    for (size_t i = start; i < std::min(requests.size(), start + 1000); ++i) {
      *batch.add_jobs() = requests[i];
    }
    auto resp = Rpc<SubmitJobsRequest, SubmitJobsResponse>(
        [&](auto* c, auto& r, auto* o) { return stub_->SubmitJobs(c, r, o); }, batch);
    for (const auto& j : resp.jobs()) ids.push_back(j.job_id());
  }
  return ids;
}

std::vector<JobDetail> DispatchTest::DescribeAll(const std::vector<std::string>& ids) {
  std::vector<JobDetail> out;
  for (size_t start = 0; start < ids.size(); start += 100) {
    DescribeJobsRequest req;
    for (size_t i = start; i < std::min(ids.size(), start + 100); ++i) req.add_jobs(ids[i]);
    auto resp = Rpc<DescribeJobsRequest, DescribeJobsResponse>(
        [&](auto* c, auto& r, auto* o) { return stub_->DescribeJobs(c, r, o); }, req);
    for (auto& j : *resp.mutable_jobs()) out.push_back(std::move(j));
  }
  return out;
}

std::vector<JobSummary> DispatchTest::Children(const std::string& parent_id) {
  std::vector<JobSummary> out;
  ListJobsRequest req;
  req.set_array_job_id(parent_id);
  req.set_max_results(1000);
  for (auto status : api::AllJobStatuses()) req.add_job_statuses(status);
  do {
    auto resp = Rpc<ListJobsRequest, ListJobsResponse>(
        [&](auto* c, auto& r, auto* o) { return stub_->ListJobs(c, r, o); }, req);
    for (auto& j : *resp.mutable_job_summary_list()) out.push_back(std::move(j));
    req.set_next_token(resp.next_token());
  } while (!req.next_token().empty());
  return out;
}

std::filesystem::path DispatchTest::AgentDir(const std::string& name) const {
  return dir_->path() / ("agent-" + name);
}

AgentProcess& DispatchTest::StartAgent(const std::string& name, const std::string& ce, int vcpus,
                                       int memory_mib, std::vector<std::string> extra_args) {
  AgentOptions options;
  options.scheduler = batchd_->address();
  options.token_file = dir_->path() / "batchd" / "agent-token";
  options.compute_environment = ce;
  options.work_dir = AgentDir(name);
  options.extra_args = {"--vcpus", std::to_string(vcpus), "--memory-mib",
                        std::to_string(memory_mib)};
  options.extra_args.insert(options.extra_args.end(), extra_args.begin(), extra_args.end());
  auto& agent = agents_[name] = std::make_unique<AgentProcess>(options);
  const bool up = PollUntil([&] {
    std::ifstream file(AgentDir(name) / "node_id");
    std::string node;
    file >> node;
    if (node.empty()) return false;
    for (const auto& n : Nodes()) {
      if (n.node_id() == node && n.state() == NodeState::READY) return true;
    }
    return false;
  });
  EXPECT_TRUE(up) << "agent " << name << " did not connect; its log:\n" << agent->Log();
  return *agent;
}

JobDetail DispatchTest::Describe(const std::string& id) {
  DescribeJobsRequest req;
  req.add_jobs(id);
  auto resp = Rpc<DescribeJobsRequest, DescribeJobsResponse>(
      [&](auto* c, auto& r, auto* o) { return stub_->DescribeJobs(c, r, o); }, req);
  return resp.jobs_size() == 1 ? resp.jobs(0) : JobDetail{};
}

JobDetail DispatchTest::WaitFor(const std::string& id, JobStatus::Value status,
                                std::chrono::seconds timeout) {
  JobDetail job;
  const bool reached = PollUntil(
      [&] {
        job = Describe(id);
        if (job.status() == status) return true;
        return job.status() == JobStatus::SUCCEEDED || job.status() == JobStatus::FAILED;
      },
      timeout);
  EXPECT_TRUE(reached && job.status() == status)
      << "job " << id << " is " << JobStatus::Value_Name(job.status()) << " ("
      << job.status_reason() << "), expected " << JobStatus::Value_Name(status) << "\n"
      << job.DebugString();
  return job;
}

std::vector<NodeDetail> DispatchTest::Nodes() {
  auto resp = Rpc<ListNodesRequest, ListNodesResponse>(
      [&](auto* c, auto& r, auto* o) { return stub_->ListNodes(c, r, o); }, ListNodesRequest{});
  return {resp.nodes().begin(), resp.nodes().end()};
}

std::string DispatchTest::Logs(const std::string& id) {
  std::string out;
  GetJobLogsRequest req;
  req.set_job_id(id);
  for (int page = 0; page < 100; ++page) {
    auto resp = Rpc<GetJobLogsRequest, GetJobLogsResponse>(
        [&](auto* c, auto& r, auto* o) { return stub_->GetJobLogs(c, r, o); }, req);
    for (const auto& e : resp.events()) out += e.message();
    if (resp.events_size() == 0) break;
    req.set_next_token(resp.next_token());
  }
  return out;
}

ExplainJobResponse DispatchTest::Explain(const std::string& id) {
  ExplainJobRequest req;
  req.set_job_id(id);
  return Rpc<ExplainJobRequest, ExplainJobResponse>(
      [&](auto* c, auto& r, auto* o) { return stub_->ExplainJob(c, r, o); }, req);
}

grpc::Status DispatchTest::Terminate(const std::string& id, const std::string& reason) {
  TerminateJobRequest req;
  req.set_job_id(id);
  req.set_reason(reason);
  TerminateJobResponse resp;
  grpc::ClientContext ctx;
  return stub_->TerminateJob(&ctx, req, &resp);
}

grpc::Status DispatchTest::Cancel(const std::string& id, const std::string& reason) {
  CancelJobRequest req;
  req.set_job_id(id);
  req.set_reason(reason);
  CancelJobResponse resp;
  grpc::ClientContext ctx;
  return stub_->CancelJob(&ctx, req, &resp);
}

std::string DispatchTest::Diagnostics() {
  std::ostringstream out;
  if (batchd_) out << "---- batchd log\n" << batchd_->Log() << "\n";
  for (auto& [name, agent] : agents_) out << "---- agent " << name << " log\n" << agent->Log();
  return out.str();
}

}  // namespace batchd::testing
