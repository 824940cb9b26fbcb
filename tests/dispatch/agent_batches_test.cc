// An agent's queued messages written as one AgentMessages: batchd says it takes them and
// records each, in order. A hand-driven agent stream against the real batchd.
#include <grpcpp/grpcpp.h>

#include "api/text.h"
#include "batch/v1/agent_service.grpc.pb.h"
#include "dispatch_fixture.h"

namespace batchd::testing {
namespace {

using namespace batch::v1;

class AgentBatches : public DispatchTest {
 protected:
  void SetUp() override {
    DispatchTest::SetUp();
    CreateCe("ce");
    CreateQueue("q", "ce");
    stub_agent_ = AgentService::NewStub(
        grpc::CreateChannel(batchd_->address(), grpc::InsecureChannelCredentials()));
    context_.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    stream_ = stub_agent_->Connect(&context_);
  }
  void TearDown() override {
    context_.TryCancel();
    DispatchTest::TearDown();
  }

  // The next message of `kind` from batchd, skipping others.
  SchedulerMessage Next(SchedulerMessage::BodyCase kind) {
    SchedulerMessage in;
    while (stream_->Read(&in)) {
      if (in.body_case() == kind) return in;
    }
    ADD_FAILURE() << "the stream ended before a message of kind " << kind;
    return in;
  }

  std::unique_ptr<AgentService::Stub> stub_agent_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<AgentMessage, SchedulerMessage>> stream_;
};

AttemptStatus Status(const std::string& attempt_id, AttemptState::Value state) {
  AttemptStatus status;
  status.set_attempt_id(attempt_id);
  status.set_state(state);
  status.set_at(api::EpochMillisNow());
  status.set_started_at(status.at());
  return status;
}

TEST_F(AgentBatches, StatusesAndLogsSentAsOneWriteAreAllRecorded) {
  AgentMessage hello;
  Hello* h = hello.mutable_hello();
  h->set_join_token(api::Trimmed(*api::ReadTextFile(dir_->path() / "batchd" / "agent-token")));
  h->set_node_id("hand-driven-1");
  h->set_compute_environment("ce");
  h->mutable_resources()->set_vcpus(4);
  h->mutable_resources()->set_memory_mib(4096);
  ASSERT_TRUE(stream_->Write(hello));
  const SchedulerMessage welcome = Next(SchedulerMessage::kWelcome);
  EXPECT_TRUE(welcome.welcome().accepts_batches());

  Register("quick", {.command = {"true"}});
  const std::string id = Submit("q", "quick");
  const std::string attempt = Next(SchedulerMessage::kLaunch).launch().attempt_id();
  ASSERT_FALSE(attempt.empty());

  AgentMessage write;
  auto* messages = write.mutable_batch()->mutable_messages();
  *messages->Add()->mutable_attempt_status() = Status(attempt, AttemptState::RUNNING);
  LogChunk* chunk = messages->Add()->mutable_log_chunk();
  chunk->set_attempt_id(attempt);
  chunk->set_stream("stdout");
  chunk->set_data("written in one batch\n");
  chunk->set_at(api::EpochMillisNow());
  AttemptStatus exited = Status(attempt, AttemptState::EXITED);
  exited.set_exit_code(0);
  *messages->Add()->mutable_attempt_status() = exited;
  ASSERT_TRUE(stream_->Write(write));

  const JobDetail job = WaitFor(id, JobStatus::SUCCEEDED);
  ASSERT_EQ(job.attempts_size(), 1);
  EXPECT_EQ(Logs(id), "written in one batch\n");
  const SchedulerMessage ack = Next(SchedulerMessage::kAck);
  ASSERT_EQ(ack.ack().attempt_ids_size(), 1);
  EXPECT_EQ(ack.ack().attempt_ids(0), attempt);
}

}  // namespace
}  // namespace batchd::testing
