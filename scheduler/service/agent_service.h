#pragma once
// The AgentService gRPC adapter: checks the join token of each stream's hello, then moves
// messages between the stream and the AgentHub (the scheduler's event loop). One reader (the
// handler thread) and one writer thread per stream, as gRPC allows one read and one write in
// flight at a time.
#include <grpcpp/grpcpp.h>

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

 private:
  bool Accepts(const std::string& token) const;

  AgentHub& hub_;
  std::vector<std::string> join_tokens_;
};

}  // namespace batchd::service
