#pragma once
// The agent's queued messages, written as few times as the order allows: a write on the stream
// costs both ends far more than its bytes, and under load several messages wait behind it.
#include <cstddef>
#include <deque>

#include "batch/v1/agent_service.pb.h"

namespace batchd::agent {

inline constexpr size_t kMaxBatchMessages = 256;
// Far below gRPC's 4 MiB message limit; a log chunk is at most 64 KiB.
inline constexpr size_t kMaxBatchBytes = 1 << 20;

// Takes the next write off the front of `outbox` (not empty): its first message alone, or,
// where `batches` is allowed, it and those after it as one AgentMessages, up to
// kMaxBatchMessages and kMaxBatchBytes. A hello always goes alone, as the stream's first.
// `bytes` gets the serialized size of the messages taken.
batch::v1::AgentMessage TakeNextWrite(std::deque<batch::v1::AgentMessage>& outbox, bool batches,
                                      size_t* bytes);

}  // namespace batchd::agent
