#pragma once
// A stand-in for batchd's side of AgentService, in the test process on 127.0.0.1: it checks the
// join token, welcomes the agent, records every message it receives and sends what the test
// asks (launch, kill, ack, drain).
#include <grpcpp/grpcpp.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "batch/v1/agent_service.grpc.pb.h"

namespace batchd::testing {

inline constexpr char kTestJoinToken[] = "s3cret-join-token-4b1d";

struct TestAgentServerOptions {
  std::string token = kTestJoinToken;
  int heartbeat_seconds = 1;
  // Acknowledge each final status at once, as batchd does once it stored it.
  bool auto_ack = true;
  std::vector<std::string> attempts_to_kill{};
};

class TestAgentServer {
 public:
  using Options = TestAgentServerOptions;
  struct Received {
    int stream;  // 1 for the first stream this server accepted, ...
    batch::v1::AgentMessage message;
  };

  // Serves on 127.0.0.1:`port` (0: any free port).
  explicit TestAgentServer(Options options = {}, int port = 0);
  ~TestAgentServer();
  // Ends every stream at once and stops listening, as a crashed batchd would.
  void Stop();

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  // Sends on the current (welcomed) stream; false when there is none.
  bool Send(const batch::v1::SchedulerMessage& message);
  bool Launch(const batch::v1::LaunchAttempt& launch);
  bool Ack(const std::string& attempt_id);
  bool Drain();

  // Everything received, in order.
  std::vector<Received> Messages() const;
  std::vector<batch::v1::Hello> Hellos() const;
  std::vector<batch::v1::AttemptStatus> Statuses(const std::string& attempt_id) const;
  std::vector<batch::v1::LogChunk> Chunks(const std::string& attempt_id) const;
  // A stream's bytes put together by offset (resent pieces overlap their first copies).
  std::string Log(const std::string& attempt_id, const std::string& stream = "stdout") const;
  // The final status of the attempt, if it arrived.
  bool Finished(const std::string& attempt_id) const;
  bool Saw(batch::v1::AgentMessage::BodyCase body) const;
  // Streams whose hello was accepted and which are still open.
  int OpenStreams() const;
  int Welcomed() const;

 private:
  class Service;
  std::unique_ptr<Service> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace batchd::testing
