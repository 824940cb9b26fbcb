#include "service_fixture.h"

#include "support/postgres_env.h"

namespace batchd::testing {

using namespace batch::v1;

void ServiceTest::SetUp() {
  store_ = std::make_unique<store::Store>(FreshDatabaseUrl());
  plane_ = std::make_unique<service::ControlPlane>(*store_, clock_);
  service_ = std::make_unique<service::BatchServiceImpl>(*plane_);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(service_.get());
  server_ = builder.BuildAndStart();
  ASSERT_NE(server_, nullptr);
  ASSERT_GT(port, 0);
  auto channel =
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
  stub_ = BatchService::NewStub(channel);
}

void ServiceTest::TearDown() {
  if (server_) server_->Shutdown();
  server_.reset();
  service_.reset();
  plane_.reset();
  store_.reset();
}

void ServiceTest::CreateUnmanagedCe(const std::string& name) {
  CreateComputeEnvironmentRequest req;
  req.set_compute_environment_name(name);
  req.set_type(CEType::UNMANAGED);
  CreateComputeEnvironmentResponse resp;
  ASSERT_OK(CALL(CreateComputeEnvironment, req, &resp));
}

void ServiceTest::CreateQueue(const std::string& name, const std::string& ce, int priority) {
  CreateJobQueueRequest req;
  req.set_job_queue_name(name);
  req.set_priority(priority);
  auto* o = req.add_compute_environment_order();
  o->set_order(1);
  o->set_compute_environment(ce);
  CreateJobQueueResponse resp;
  ASSERT_OK(CALL(CreateJobQueue, req, &resp));
}

int ServiceTest::RegisterDefinition(const std::string& name,
                                    const std::vector<std::string>& command) {
  RegisterJobDefinitionRequest req;
  req.set_job_definition_name(name);
  req.set_type(JobDefinitionType::container);
  for (const auto& a : command) req.mutable_container_properties()->add_command(a);
  RegisterJobDefinitionResponse resp;
  grpc::Status s = CALL(RegisterJobDefinition, req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return resp.revision();
}

std::string ServiceTest::Submit(const std::string& queue, const std::string& def,
                                const std::string& name) {
  SubmitJobRequest req;
  req.set_job_name(name);
  req.set_job_queue(queue);
  req.set_job_definition(def);
  SubmitJobResponse resp;
  grpc::Status s = CALL(SubmitJob, req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return resp.job_id();
}

JobDetail ServiceTest::Describe(const std::string& id) {
  DescribeJobsRequest req;
  req.add_jobs(id);
  DescribeJobsResponse resp;
  grpc::Status s = CALL(DescribeJobs, req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.jobs_size(), 1);
  return resp.jobs_size() ? resp.jobs(0) : JobDetail();
}

}  // namespace batchd::testing
