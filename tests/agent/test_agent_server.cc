#include "test_agent_server.h"

#include <stdexcept>

namespace batchd::testing {

using batch::v1::AgentMessage;
using batch::v1::AttemptState;
using batch::v1::SchedulerMessage;

class TestAgentServer::Service final : public batch::v1::AgentService::Service {
 public:
  explicit Service(Options options) : options_(std::move(options)) {}

  grpc::Status Connect(grpc::ServerContext*,
                       grpc::ServerReaderWriter<SchedulerMessage, AgentMessage>* stream) override {
    AgentMessage first;
    if (!stream->Read(&first)) return grpc::Status::OK;
    int id = 0;
    {
      std::lock_guard lock(mu_);
      id = ++streams_;
      received_.push_back({id, first});
    }
    if (!first.has_hello()) {
      return {grpc::StatusCode::INVALID_ARGUMENT, "the first message of a stream must be hello"};
    }
    if (first.hello().join_token() != options_.token) {
      return {grpc::StatusCode::UNAUTHENTICATED, "join token rejected"};
    }
    {
      std::lock_guard lock(write_mu_);
      current_ = stream;
      ++open_;
      ++welcomed_;
      SchedulerMessage welcome;
      welcome.mutable_welcome()->set_node_id(first.hello().node_id());
      welcome.mutable_welcome()->set_lease_seconds(30);
      welcome.mutable_welcome()->set_heartbeat_seconds(options_.heartbeat_seconds);
      for (const std::string& kill : options_.attempts_to_kill) {
        welcome.mutable_welcome()->add_attempts_to_kill(kill);
      }
      stream->Write(welcome);
    }
    AgentMessage message;
    while (stream->Read(&message)) {
      {
        std::lock_guard lock(mu_);
        received_.push_back({id, message});
      }
      if (options_.auto_ack && message.has_attempt_status() &&
          (message.attempt_status().state() == AttemptState::EXITED ||
           message.attempt_status().state() == AttemptState::LAUNCH_FAILED)) {
        SchedulerMessage ack;
        ack.mutable_ack()->add_attempt_ids(message.attempt_status().attempt_id());
        std::lock_guard lock(write_mu_);
        stream->Write(ack);
      }
    }
    std::lock_guard lock(write_mu_);
    if (current_ == stream) current_ = nullptr;
    --open_;
    return grpc::Status::OK;
  }

  bool Send(const SchedulerMessage& message) {
    std::lock_guard lock(write_mu_);
    return current_ != nullptr && current_->Write(message);
  }

  std::vector<Received> Messages() const {
    std::lock_guard lock(mu_);
    return received_;
  }

  int OpenStreams() const {
    std::lock_guard lock(write_mu_);
    return open_;
  }
  int Welcomed() const {
    std::lock_guard lock(write_mu_);
    return welcomed_;
  }

 private:
  const Options options_;
  mutable std::mutex mu_;
  std::vector<Received> received_;
  int streams_ = 0;
  // Guards the current stream: gRPC allows one Write at a time.
  mutable std::mutex write_mu_;
  grpc::ServerReaderWriter<SchedulerMessage, AgentMessage>* current_ = nullptr;
  int open_ = 0;
  int welcomed_ = 0;
};

TestAgentServer::TestAgentServer(Options options, int port)
    : service_(std::make_unique<Service>(std::move(options))) {
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:" + std::to_string(port), grpc::InsecureServerCredentials(),
                           &port_);
  builder.RegisterService(service_.get());
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    throw std::runtime_error("test AgentService cannot listen on 127.0.0.1:" +
                             std::to_string(port));
  }
}

TestAgentServer::~TestAgentServer() { Stop(); }

void TestAgentServer::Stop() {
  if (server_ == nullptr) return;
  server_->Shutdown(std::chrono::system_clock::now());
  server_->Wait();
  server_.reset();
}

bool TestAgentServer::Send(const SchedulerMessage& message) { return service_->Send(message); }

bool TestAgentServer::Launch(const batch::v1::LaunchAttempt& launch) {
  SchedulerMessage m;
  *m.mutable_launch() = launch;
  return Send(m);
}

bool TestAgentServer::Ack(const std::string& attempt_id) {
  SchedulerMessage m;
  m.mutable_ack()->add_attempt_ids(attempt_id);
  return Send(m);
}

bool TestAgentServer::Drain() {
  SchedulerMessage m;
  m.mutable_drain();
  return Send(m);
}

std::vector<TestAgentServer::Received> TestAgentServer::Messages() const {
  return service_->Messages();
}

std::vector<batch::v1::Hello> TestAgentServer::Hellos() const {
  std::vector<batch::v1::Hello> out;
  for (const Received& r : Messages()) {
    if (r.message.has_hello()) out.push_back(r.message.hello());
  }
  return out;
}

std::vector<batch::v1::AttemptStatus> TestAgentServer::Statuses(
    const std::string& attempt_id) const {
  std::vector<batch::v1::AttemptStatus> out;
  for (const Received& r : Messages()) {
    if (r.message.has_attempt_status() && r.message.attempt_status().attempt_id() == attempt_id) {
      out.push_back(r.message.attempt_status());
    }
  }
  return out;
}

std::vector<batch::v1::LogChunk> TestAgentServer::Chunks(const std::string& attempt_id) const {
  std::vector<batch::v1::LogChunk> out;
  for (const Received& r : Messages()) {
    if (r.message.has_log_chunk() && r.message.log_chunk().attempt_id() == attempt_id) {
      out.push_back(r.message.log_chunk());
    }
  }
  return out;
}

std::string TestAgentServer::Log(const std::string& attempt_id, const std::string& stream) const {
  std::string out;
  for (const batch::v1::LogChunk& c : Chunks(attempt_id)) {
    if (c.stream() != stream) continue;
    const size_t end = c.sequence() + c.data().size();
    if (end > out.size()) out.resize(end);
    out.replace(c.sequence(), c.data().size(), c.data());
  }
  return out;
}

bool TestAgentServer::Finished(const std::string& attempt_id) const {
  for (const batch::v1::AttemptStatus& s : Statuses(attempt_id)) {
    if (s.state() == AttemptState::EXITED || s.state() == AttemptState::LAUNCH_FAILED) return true;
  }
  return false;
}

bool TestAgentServer::Saw(AgentMessage::BodyCase body) const {
  for (const Received& r : Messages()) {
    if (r.message.body_case() == body) return true;
  }
  return false;
}

int TestAgentServer::OpenStreams() const { return service_->OpenStreams(); }
int TestAgentServer::Welcomed() const { return service_->Welcomed(); }

}  // namespace batchd::testing
