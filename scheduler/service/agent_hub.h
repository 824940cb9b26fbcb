#pragma once
// What the AgentService adapter hands to the scheduler's event loop: agent streams opening,
// their messages and their end. The loop implements it; the adapter only moves messages.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "batch/v1/agent_service.pb.h"

namespace batchd::service {

// The loop's way down one agent stream.
class AgentLink {
 public:
  virtual ~AgentLink() = default;
  // Queues a message for the stream; never blocks; messages go out in order. Thread-safe, and
  // does nothing once the stream ended.
  virtual void Send(batch::v1::SchedulerMessage message) = 0;
  // Like Send for each, in order, and as one write to an agent that takes batches: a turn's
  // launches, kills and acknowledgements for a node cost its stream one write, not several.
  virtual void Send(std::vector<batch::v1::SchedulerMessage> messages) = 0;
  // Ends the stream (a newer stream of the same node replaced it, or its lease ran out);
  // what is still queued is dropped. Safe at any time, like Send.
  virtual void Close() = 0;
};

class AgentHub {
 public:
  virtual ~AgentHub() = default;
  // After the join token was accepted. Returns at once (gRPC's callback threads must not
  // wait on the loop); `done` runs exactly once, when the loop took the node in (having sent
  // Welcome on `link`) with "", or with why it refuses (unknown compute environment, batchd
  // stopping, ...). It may run on any thread, even before AgentConnected returns.
  virtual void AgentConnected(std::shared_ptr<AgentLink> link, const batch::v1::Hello& hello,
                              std::function<void(const std::string& refusal)> done) = 0;
  // For a stream that was taken in, in the order received.
  virtual void AgentMessageReceived(const AgentLink* link, batch::v1::AgentMessage message) = 0;
  // Once per stream that was taken in, after its last message.
  virtual void AgentDisconnected(const AgentLink* link) = 0;
};

}  // namespace batchd::service
