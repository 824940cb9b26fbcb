#pragma once
// What the AgentService adapter hands to the scheduler's event loop: agent streams opening,
// their messages and their end. The loop implements it; the adapter only moves messages.
#include <memory>
#include <string>

#include "batch/v1/agent_service.pb.h"

namespace batchd::service {

// The loop's way down one agent stream.
class AgentLink {
 public:
  virtual ~AgentLink() = default;
  // Queues a message for the stream; never blocks. Thread-safe.
  virtual void Send(batch::v1::SchedulerMessage message) = 0;
  // Ends the stream (a newer stream of the same node replaced it, or its lease ran out).
  virtual void Close() = 0;
};

class AgentHub {
 public:
  virtual ~AgentHub() = default;
  // After the join token was accepted. Blocks until the loop took the node in (it then sent
  // Welcome on `link`); returns an error message when it refuses (unknown compute
  // environment, ...), "" when accepted.
  virtual std::string AgentConnected(std::shared_ptr<AgentLink> link,
                                     const batch::v1::Hello& hello) = 0;
  virtual void AgentMessageReceived(const AgentLink* link, batch::v1::AgentMessage message) = 0;
  virtual void AgentDisconnected(const AgentLink* link) = 0;
};

}  // namespace batchd::service
