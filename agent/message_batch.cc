#include "agent/message_batch.h"

namespace batchd::agent {

using batch::v1::AgentMessage;

AgentMessage TakeNextWrite(std::deque<AgentMessage>& outbox, bool batches, size_t* bytes) {
  AgentMessage first = std::move(outbox.front());
  outbox.pop_front();
  *bytes = first.ByteSizeLong();
  auto alone = [](const AgentMessage& m) { return m.has_hello() || m.has_batch(); };
  if (!batches || outbox.empty() || alone(first) || alone(outbox.front())) return first;
  AgentMessage write;
  auto* messages = write.mutable_batch()->mutable_messages();
  *messages->Add() = std::move(first);
  while (!outbox.empty() && static_cast<size_t>(messages->size()) < kMaxBatchMessages &&
         !alone(outbox.front())) {
    const size_t size = outbox.front().ByteSizeLong();
    if (*bytes + size > kMaxBatchBytes) break;
    *bytes += size;
    *messages->Add() = std::move(outbox.front());
    outbox.pop_front();
  }
  return write;
}

}  // namespace batchd::agent
