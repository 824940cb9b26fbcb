#pragma once
// The AgentService gRPC adapter: checks the join token of each stream's hello, then moves
// messages between the stream and the AgentHub (the scheduler's event loop). It uses gRPC's
// callback API: a stream costs a reactor and its buffers, no thread, so that ten thousand
// agents can stay connected.
#include <grpcpp/grpcpp.h>

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "batch/v1/agent_service.grpc.pb.h"
#include "service/agent_hub.h"

namespace batchd::service {

class AgentStream;

class AgentServiceImpl final : public batch::v1::AgentService::CallbackService {
 public:
  AgentServiceImpl(AgentHub& hub, std::vector<std::string> join_tokens);

  grpc::ServerBidiReactor<batch::v1::AgentMessage, batch::v1::SchedulerMessage>* Connect(
      grpc::CallbackServerContext* context) override;

  // Ends every open stream and refuses new ones (UNAVAILABLE): a stream is open for as long
  // as its agent runs, and the server's graceful shutdown would otherwise wait out its grace
  // period for each.
  void CloseAll();

 private:
  friend class AgentStream;

  bool Accepts(const std::string& token) const;
  // false once closing: the stream is to be refused.
  bool Track(const std::shared_ptr<AgentStream>& stream);
  void Forget(const std::shared_ptr<AgentStream>& stream);

  AgentHub& hub_;
  std::vector<std::string> join_tokens_;
  std::mutex mu_;
  bool closing_ = false;
  std::set<std::shared_ptr<AgentStream>> open_;
};

}  // namespace batchd::service
