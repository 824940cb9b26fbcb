// AgentService over real gRPC on 127.0.0.1 with a hub the test drives: how hellos are checked,
// the order messages go both ways, how streams end, and that a stream holds no thread.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "batch/v1/agent_service.grpc.pb.h"
#include "service/agent_service.h"
#include "support/wait.h"

namespace batchd::testing {
namespace {

using batch::v1::AgentMessage;
using batch::v1::AgentService;
using batch::v1::SchedulerMessage;
using Stream = grpc::ClientReaderWriter<AgentMessage, SchedulerMessage>;

constexpr char kToken[] = "agent-service-test-token";

// Takes every node in (Welcome, then the answer, as the loop does) unless told to refuse, or to
// hold the answers for the test to give.
class FakeHub final : public service::AgentHub {
 public:
  void AgentConnected(std::shared_ptr<service::AgentLink> link, const batch::v1::Hello& hello,
                      std::function<void(const std::string&)> done) override {
    std::unique_lock lock(mu_);
    links.push_back(link);
    if (hold) {
      held.push_back(std::move(done));
      return;
    }
    const std::string answer = refusal;
    lock.unlock();
    if (answer.empty()) {
      SchedulerMessage welcome;
      welcome.mutable_welcome()->set_node_id(hello.node_id());
      link->Send(std::move(welcome));
    }
    done(answer);
  }
  void AgentMessageReceived(const service::AgentLink*, AgentMessage message) override {
    std::lock_guard lock(mu_);
    received.push_back(std::move(message));
  }
  void AgentDisconnected(const service::AgentLink*) override {
    std::lock_guard lock(mu_);
    ++disconnected;
  }

  void Refuse(std::string why) {
    std::lock_guard lock(mu_);
    refusal = std::move(why);
  }
  void Hold() {
    std::lock_guard lock(mu_);
    hold = true;
  }
  template <typename T>
  T Get(T FakeHub::*member) {
    std::lock_guard lock(mu_);
    return this->*member;
  }

  std::mutex mu_;
  std::string refusal;
  bool hold = false;
  std::vector<std::function<void(const std::string&)>> held;
  std::vector<std::shared_ptr<service::AgentLink>> links;
  std::vector<AgentMessage> received;
  int disconnected = 0;
};

AgentMessage Hello(const std::string& node_id, const std::string& token = kToken) {
  AgentMessage message;
  message.mutable_hello()->set_join_token(token);
  message.mutable_hello()->set_node_id(node_id);
  return message;
}

AgentMessage Heartbeat(int64_t at) {
  AgentMessage message;
  message.mutable_heartbeat()->set_sent_at(at);
  return message;
}

int ThreadCount() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}

class AgentServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    service_ = std::make_unique<service::AgentServiceImpl>(hub_, std::vector<std::string>{kToken});
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = AgentService::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                                      grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    service_->CloseAll();
    server_->Shutdown();
  }

  struct Call {
    grpc::ClientContext context;
    std::unique_ptr<Stream> stream;
  };
  std::unique_ptr<Call> Open() {
    auto call = std::make_unique<Call>();
    call->stream = stub_->Connect(&call->context);
    return call;
  }
  // A stream whose hello says it takes batches, welcomed; null (with a test failure) if not.
  std::unique_ptr<Call> OpenTakingBatches() {
    auto call = Open();
    AgentMessage hello = Hello("n1");
    hello.mutable_hello()->set_accepts_batches(true);
    SchedulerMessage welcome;
    if (!call->stream->Write(hello) || !call->stream->Read(&welcome) || !welcome.has_welcome()) {
      ADD_FAILURE() << "no welcome: " << welcome.ShortDebugString();
      return nullptr;
    }
    return call;
  }
  // Sends `first` (if any), half-closes and returns how the stream ended.
  grpc::Status OnlySend(const AgentMessage* first) {
    auto call = Open();
    if (first != nullptr) call->stream->Write(*first);
    call->stream->WritesDone();
    SchedulerMessage ignored;
    while (call->stream->Read(&ignored)) {
    }
    return call->stream->Finish();
  }

  FakeHub hub_;
  std::unique_ptr<service::AgentServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<AgentService::Stub> stub_;
};

TEST_F(AgentServiceTest, HellosAreCheckedBeforeTheHubHearsOfTheStream) {
  const AgentMessage beat = Heartbeat(1);
  grpc::Status s = OnlySend(&beat);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "the first message of a stream must be hello");

  const AgentMessage wrong = Hello("n1", "not-the-token");
  s = OnlySend(&wrong);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(s.error_message(), "join token rejected");

  const AgentMessage no_id = Hello("");
  s = OnlySend(&no_id);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "hello.nodeId: must not be empty");

  EXPECT_TRUE(OnlySend(nullptr).ok());
  EXPECT_TRUE(hub_.Get(&FakeHub::links).empty());
}

TEST_F(AgentServiceTest, WelcomeComesFirstAndMessagesKeepTheirOrderBothWays) {
  auto call = Open();
  ASSERT_TRUE(call->stream->Write(Hello("n1")));
  SchedulerMessage reply;
  ASSERT_TRUE(call->stream->Read(&reply));
  EXPECT_EQ(reply.welcome().node_id(), "n1");

  for (int i = 0; i < 50; ++i) ASSERT_TRUE(call->stream->Write(Heartbeat(i)));
  const auto link = hub_.Get(&FakeHub::links).at(0);
  for (int i = 0; i < 50; ++i) {
    SchedulerMessage kill;
    kill.mutable_kill()->set_attempt_id(std::to_string(i));
    link->Send(std::move(kill));
  }
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(call->stream->Read(&reply));
    EXPECT_EQ(reply.kill().attempt_id(), std::to_string(i));
  }
  call->stream->WritesDone();
  EXPECT_FALSE(call->stream->Read(&reply));
  EXPECT_TRUE(call->stream->Finish().ok());

  const std::vector<AgentMessage> received = hub_.Get(&FakeHub::received);
  ASSERT_EQ(received.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(received[i].heartbeat().sent_at(), i);
  ASSERT_TRUE(PollUntil([&] { return hub_.Get(&FakeHub::disconnected) == 1; }));
  // The hub may keep the link after the stream ended.
  link->Send(reply);
  link->Close();
}

TEST_F(AgentServiceTest, AnAgentThatTakesBatchesGetsWhatWaitedTogetherInOrder) {
  const auto call = OpenTakingBatches();
  ASSERT_NE(call, nullptr);
  SchedulerMessage reply;

  // Messages sent while a write is in flight go together behind it. Whether a burst
  // outruns the writes is up to the threads, so bursts go until one did (each in order).
  const auto link = hub_.Get(&FakeHub::links).at(0);
  constexpr int kKills = 200;
  bool batched = false;
  for (int burst = 0; burst < 20 && !batched; ++burst) {
    for (int i = 0; i < kKills; ++i) {
      SchedulerMessage kill;
      kill.mutable_kill()->set_attempt_id(std::to_string(burst) + "-" + std::to_string(i));
      link->Send(std::move(kill));
    }
    std::vector<std::string> killed;
    while (killed.size() < kKills && call->stream->Read(&reply)) {
      if (!reply.has_batch()) {
        killed.push_back(reply.kill().attempt_id());
        continue;
      }
      batched = true;
      for (const SchedulerMessage& inner : reply.batch().messages()) {
        killed.push_back(inner.kill().attempt_id());
      }
    }
    ASSERT_EQ(killed.size(), static_cast<size_t>(kKills));
    for (int i = 0; i < kKills; ++i) {
      EXPECT_EQ(killed[i], std::to_string(burst) + "-" + std::to_string(i));
    }
  }
  EXPECT_TRUE(batched) << "every message of 20 bursts went alone";
  call->context.TryCancel();
}

TEST_F(AgentServiceTest, MessagesSentTogetherGoAsOneWriteToAnAgentThatTakesBatches) {
  const auto call = OpenTakingBatches();
  ASSERT_NE(call, nullptr);
  SchedulerMessage reply;

  // What one commit lets out for a node: a launch, a kill and an acknowledgement.
  std::vector<SchedulerMessage> messages(3);
  messages[0].mutable_launch()->set_attempt_id("a2");
  messages[1].mutable_kill()->set_attempt_id("a0");
  messages[2].mutable_ack()->add_attempt_ids("a1");
  hub_.Get(&FakeHub::links).at(0)->Send(std::move(messages));
  ASSERT_TRUE(call->stream->Read(&reply));
  ASSERT_TRUE(reply.has_batch()) << reply.ShortDebugString();
  ASSERT_EQ(reply.batch().messages_size(), 3);
  EXPECT_EQ(reply.batch().messages(0).launch().attempt_id(), "a2");
  EXPECT_EQ(reply.batch().messages(1).kill().attempt_id(), "a0");
  EXPECT_EQ(reply.batch().messages(2).ack().attempt_ids(0), "a1");
  call->context.TryCancel();
}

TEST_F(AgentServiceTest, ARefusalEndsTheStreamWithItsReason) {
  hub_.Refuse("hello.computeEnvironment: compute environment \"x\" does not exist");
  const AgentMessage hello = Hello("n1");
  const grpc::Status s = OnlySend(&hello);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(s.error_message(), hub_.Get(&FakeHub::refusal));
  EXPECT_EQ(hub_.Get(&FakeHub::disconnected), 0);
}

TEST_F(AgentServiceTest, NothingIsReadBeforeTheHubAnswers) {
  hub_.Hold();
  auto call = Open();
  ASSERT_TRUE(call->stream->Write(Hello("n1")));
  ASSERT_TRUE(call->stream->Write(Heartbeat(7)));
  ASSERT_TRUE(PollUntil([&] { return hub_.Get(&FakeHub::held).size() == 1; }));
  EXPECT_TRUE(hub_.Get(&FakeHub::received).empty());
  hub_.Get(&FakeHub::held).at(0)("");
  ASSERT_TRUE(PollUntil([&] { return hub_.Get(&FakeHub::received).size() == 1; }));
  EXPECT_EQ(hub_.Get(&FakeHub::received).at(0).heartbeat().sent_at(), 7);
  call->context.TryCancel();
  call->stream->Finish();
}

TEST_F(AgentServiceTest, CloseEndsTheStreamAndTheHubHearsOnce) {
  auto call = Open();
  ASSERT_TRUE(call->stream->Write(Hello("n1")));
  SchedulerMessage reply;
  ASSERT_TRUE(call->stream->Read(&reply));
  hub_.Get(&FakeHub::links).at(0)->Close();
  EXPECT_FALSE(call->stream->Read(&reply));
  EXPECT_EQ(call->stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
  ASSERT_TRUE(PollUntil([&] { return hub_.Get(&FakeHub::disconnected) == 1; }));
  hub_.Get(&FakeHub::links).at(0)->Close();
  hub_.Get(&FakeHub::links).at(0)->Send(reply);
}

TEST_F(AgentServiceTest, CloseAllEndsEveryStreamWhateverItWaitsForAndRefusesNewOnes) {
  auto silent = Open();  // no hello yet
  auto welcomed = Open();
  ASSERT_TRUE(welcomed->stream->Write(Hello("n1")));
  SchedulerMessage reply;
  ASSERT_TRUE(welcomed->stream->Read(&reply));
  hub_.Hold();
  auto joining = Open();
  ASSERT_TRUE(joining->stream->Write(Hello("n2")));
  ASSERT_TRUE(PollUntil([&] { return hub_.Get(&FakeHub::held).size() == 1; }));

  service_->CloseAll();
  for (Call* call : {silent.get(), welcomed.get(), joining.get()}) {
    EXPECT_FALSE(call->stream->Read(&reply));
    const grpc::Status s = call->stream->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
    EXPECT_EQ(s.error_message(), "batchd is shutting down");
  }
  // The held hello is taken in after its stream ended: the hub still hears of the end.
  hub_.Get(&FakeHub::held).at(0)("");
  ASSERT_TRUE(PollUntil([&] { return hub_.Get(&FakeHub::disconnected) == 2; }));

  const AgentMessage hello = Hello("n3");
  const grpc::Status s = OnlySend(&hello);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(AgentServiceTest, StreamsHoldNoThread) {
  std::vector<std::unique_ptr<Call>> calls;
  const auto open = [&](int n) {
    for (int i = 0; i < n; ++i) {
      calls.push_back(Open());
      ASSERT_TRUE(calls.back()->stream->Write(Hello("n" + std::to_string(calls.size()))));
      SchedulerMessage welcome;
      ASSERT_TRUE(calls.back()->stream->Read(&welcome));
    }
  };
  open(20);
  const int before = ThreadCount();
  open(300);
  EXPECT_LT(ThreadCount() - before, 20) << "threads: " << before << " -> " << ThreadCount();
  service_->CloseAll();
  SchedulerMessage ignored;
  for (auto& call : calls) {
    EXPECT_FALSE(call->stream->Read(&ignored));
    call->stream->Finish();
  }
  ASSERT_TRUE(PollUntil([&] { return hub_.Get(&FakeHub::disconnected) == 320; }));
}

}  // namespace
}  // namespace batchd::testing
