#include "bench_cluster.h"

#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <pqxx/pqxx>
#include <sstream>
#include <stdexcept>

#include "support/wait.h"

namespace batchd::bench {

using namespace batch::v1;

void Check(const grpc::Status& status, const char* what) {
  if (!status.ok()) throw std::runtime_error(std::string(what) + ": " + status.error_message());
}

BenchDatabase::BenchDatabase(bool statements) {
  store::EmbeddedPostgresOptions options{
      .dir = dir_.path() / "pg", .database = "postgres", .durable = true};
  if (statements) {
    options.settings = {"shared_preload_libraries=pg_stat_statements",
                        "pg_stat_statements.track_planning=on"};
  }
  pg_ = std::make_unique<store::EmbeddedPostgres>(options);
  if (statements) {
    pqxx::connection conn(pg_->url());
    pqxx::nontransaction(conn).exec("CREATE EXTENSION pg_stat_statements");
  }
}

std::vector<std::string> BenchDatabase::TopStatements(int n) {
  pqxx::connection conn(pg_->url());
  pqxx::nontransaction txn(conn);
  const pqxx::result rows = txn.exec_params(
      "SELECT total_plan_time + total_exec_time, total_plan_time, calls, plans, "
      "(total_plan_time + total_exec_time) / calls, rows::float8 / calls, "
      "left(regexp_replace(query, '\\s+', ' ', 'g'), 90) "
      "FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid "
      "WHERE d.datname LIKE 'bench\\_%' ORDER BY 1 DESC LIMIT $1",
      n);
  std::vector<std::string> lines = {
      "   total ms  planning ms     calls     plans  ms/call  rows/call  statement"};
  for (const auto& row : rows) {
    char line[256];
    std::snprintf(line, sizeof line, "%11.1f  %11.1f  %8lld  %8lld  %7.3f  %9.1f  ",
                  row[0].as<double>(), row[1].as<double>(), row[2].as<long long>(),
                  row[3].as<long long>(), row[4].as<double>(), row[5].as<double>());
    lines.push_back(line + std::string(row[6].c_str()));
  }
  return lines;
}

std::string BenchDatabase::Fresh() {
  return pg_->CreateDatabase("bench_" + std::to_string(++databases_));
}

ProcessUsage UsageOf(pid_t pid) {
  ProcessUsage usage;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  // Fields after the command name (which may hold spaces) start at its closing parenthesis;
  // utime and stime are the 14th and 15th fields of the line.
  std::istringstream rest(line.substr(line.rfind(')') + 2));
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stod(field);
    if (i == 15) stime = std::stod(field);
  }
  usage.cpu_seconds = (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  while (std::getline(status, line)) {
    std::istringstream words(line);
    std::string key;
    double kib = 0;
    words >> key >> kib;
    if (key == "VmRSS:") usage.rss_mib = kib / 1024;
    if (key == "VmHWM:") usage.peak_rss_mib = kib / 1024;
  }
  return usage;
}

BenchCluster::BenchCluster(std::string database_url, std::vector<std::string> batchd_args)
    : database_url_(std::move(database_url)), batchd_args_(std::move(batchd_args)) {
  StartBatchd();
}

BenchCluster::~BenchCluster() {
  // SIGTERM, so that each agent removes its cgroups (a killed one leaves its standbys').
  for (auto& agent : agents_) agent->Stop();
  agents_.clear();
  batchd_.reset();
}

void BenchCluster::StartBatchd() {
  testing::BatchdOptions options;
  options.data_dir = dir_.path() / "batchd";
  options.database_url = database_url_;
  options.extra_args = batchd_args_;
  batchd_ = std::make_unique<testing::BatchdProcess>(options);
  stub_ = BatchService::NewStub(
      grpc::CreateChannel(batchd_->address(), grpc::InsecureChannelCredentials()));
}

void BenchCluster::Restart() {
  for (auto& agent : agents_) agent->Stop();
  agents_.clear();
  batchd_->Stop();
  batchd_.reset();
  StartBatchd();
}

void BenchCluster::CreateUnmanagedQueue(const std::string& queue, const std::string& ce) {
  CreateComputeEnvironmentRequest req;
  req.set_compute_environment_name(ce);
  req.set_type(CEType::UNMANAGED);
  CreateComputeEnvironmentResponse resp;
  grpc::ClientContext ctx;
  Check(stub_->CreateComputeEnvironment(&ctx, req, &resp), "CreateComputeEnvironment");
  CreateQueue(queue, ce);
}

void BenchCluster::CreateQueue(const std::string& queue, const std::string& ce) {
  CreateJobQueueRequest req;
  req.set_job_queue_name(queue);
  req.set_priority(1);
  auto* order = req.add_compute_environment_order();
  order->set_order(1);
  order->set_compute_environment(ce);
  CreateJobQueueResponse resp;
  grpc::ClientContext ctx;
  Check(stub_->CreateJobQueue(&ctx, req, &resp), "CreateJobQueue");
}

void BenchCluster::RegisterDefinition(const std::string& name,
                                      const std::vector<std::string>& command) {
  RegisterJobDefinitionRequest req;
  req.set_job_definition_name(name);
  req.set_type(JobDefinitionType::container);
  for (const auto& word : command) req.mutable_container_properties()->add_command(word);
  auto* vcpu = req.mutable_container_properties()->add_resource_requirements();
  vcpu->set_type(ResourceType::VCPU);
  vcpu->set_value("1");
  auto* memory = req.mutable_container_properties()->add_resource_requirements();
  memory->set_type(ResourceType::MEMORY);
  memory->set_value("16");
  RegisterJobDefinitionResponse resp;
  grpc::ClientContext ctx;
  Check(stub_->RegisterJobDefinition(&ctx, req, &resp), "RegisterJobDefinition");
}

void BenchCluster::StartAgents(int count, const std::string& ce, const std::string& agent_config) {
  const int before = ReadyNodes();
  for (int i = 0; i < count; ++i) {
    testing::AgentOptions options;
    options.scheduler = address();
    options.token_file = token_file();
    options.compute_environment = ce;
    options.work_dir = dir_.path() / (ce + "-agent-" + std::to_string(i));
    options.extra_args = {"--vcpus", "16", "--memory-mib", "16384"};
    if (!agent_config.empty()) {
      options.extra_args.insert(options.extra_args.end(), {"--config", agent_config});
    }
    agents_.push_back(std::make_unique<testing::AgentProcess>(options));
  }
  if (!testing::PollUntil([&] { return ReadyNodes() >= before + count; },
                          std::chrono::seconds(60))) {
    throw std::runtime_error("agents did not connect");
  }
}

SubmitJobRequest BenchCluster::Request(const std::string& queue,
                                       const std::string& definition) const {
  SubmitJobRequest req;
  req.set_job_name("bench");
  req.set_job_queue(queue);
  req.set_job_definition(definition);
  return req;
}

std::string BenchCluster::Submit(const SubmitJobRequest& request) {
  SubmitJobResponse resp;
  grpc::ClientContext ctx;
  Check(stub_->SubmitJob(&ctx, request, &resp), "SubmitJob");
  return resp.job_id();
}

void BenchCluster::SubmitAll(const SubmitJobsRequest& request) {
  SubmitJobsResponse resp;
  grpc::ClientContext ctx;
  Check(stub_->SubmitJobs(&ctx, request, &resp), "SubmitJobs");
}

JobDetail BenchCluster::Describe(const std::string& job_id) {
  DescribeJobsRequest req;
  req.add_jobs(job_id);
  DescribeJobsResponse resp;
  grpc::ClientContext ctx;
  Check(stub_->DescribeJobs(&ctx, req, &resp), "DescribeJobs");
  return resp.jobs_size() == 1 ? resp.jobs(0) : JobDetail{};
}

bool BenchCluster::Busy(const std::string& queue) {
  ListJobsRequest req;
  req.set_job_queue(queue);
  for (auto s : {JobStatus::SUBMITTED, JobStatus::PENDING, JobStatus::RUNNABLE, JobStatus::STARTING,
                 JobStatus::RUNNING}) {
    req.add_job_statuses(s);
  }
  req.set_max_results(1);
  ListJobsResponse resp;
  grpc::ClientContext ctx;
  Check(stub_->ListJobs(&ctx, req, &resp), "ListJobs");
  return resp.job_summary_list_size() > 0;
}

void BenchCluster::WaitIdle(const std::string& queue, std::chrono::seconds timeout) {
  if (!testing::PollUntil([&] { return !Busy(queue); }, timeout, std::chrono::milliseconds(20))) {
    throw std::runtime_error("the jobs of queue " + queue + " did not finish within " +
                             std::to_string(timeout.count()) + " s");
  }
}

int BenchCluster::ReadyNodes() {
  ListNodesResponse resp;
  grpc::ClientContext ctx;
  Check(stub_->ListNodes(&ctx, ListNodesRequest{}, &resp), "ListNodes");
  int ready = 0;
  for (const auto& node : resp.nodes()) ready += node.state() == NodeState::READY ? 1 : 0;
  return ready;
}

}  // namespace batchd::bench
