#pragma once
// The AgentService gRPC adapter: checks the join token of each stream's hello, then moves
// messages between the stream and the AgentHub (the scheduler's event loop). One reader (the
// handler thread) and one writer thread per stream, as gRPC allows one read and one write in
// flight at a time.
#include <grpcpp/grpcpp.h>

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "batch/v1/agent_service.grpc.pb.h"
#include "service/agent_hub.h"

namespace batchd::service {

class AgentServiceImpl final : public batch::v1::AgentService::Service {
 public:
  AgentServiceImpl(AgentHub& hub, std::vector<std::string> join_tokens);

  grpc::Status Connect(grpc::ServerContext* context,
                       grpc::ServerReaderWriter<batch::v1::SchedulerMessage,
                                                batch::v1::AgentMessage>* stream) override;

  // Ends every open stream and refuses new ones (UNAVAILABLE): a stream is open for as long
  // as its agent runs, and the server's graceful shutdown would otherwise wait out its grace
  // period for each.
  void CloseAll();

 private:
  bool Accepts(const std::string& token) const;

  AgentHub& hub_;
  std::vector<std::string> join_tokens_;
  std::mutex mu_;
  bool closing_ = false;
  std::set<std::shared_ptr<AgentLink>> open_;
};

}  // namespace batchd::service
