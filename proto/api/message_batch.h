#pragma once
// Messages queued on an agent stream, written as few times as their order allows: a write on
// the stream costs both ends far more than its bytes, and under load several wait behind it.
// Both directions: AgentMessage and SchedulerMessage each carry a `batch` of their own kind,
// sent only to a peer that said it takes them (Hello and Welcome.accepts_batches).
#include <cstddef>
#include <deque>

namespace batchd::api {

inline constexpr size_t kMaxBatchMessages = 256;
// Far below gRPC's 4 MiB message limit; a log chunk is at most 64 KiB.
inline constexpr size_t kMaxBatchBytes = 1 << 20;

// Takes the next write off the front of `outbox` (not empty): its first message alone, or,
// where `batches` is allowed, it and those after it as one batch, up to kMaxBatchMessages and
// kMaxBatchBytes. A message for which `alone` holds (the stream's first, hello or welcome)
// and a batch already made go by themselves. `bytes` gets the serialized size of the
// messages taken.
template <typename Message, typename Alone>
Message TakeNextWrite(std::deque<Message>& outbox, bool batches, Alone alone, size_t* bytes) {
  auto by_itself = [&](const Message& m) { return m.has_batch() || alone(m); };
  Message first = std::move(outbox.front());
  outbox.pop_front();
  *bytes = first.ByteSizeLong();
  if (!batches || outbox.empty() || by_itself(first) || by_itself(outbox.front())) return first;
  Message write;
  auto* messages = write.mutable_batch()->mutable_messages();
  *messages->Add() = std::move(first);
  while (!outbox.empty() && static_cast<size_t>(messages->size()) < kMaxBatchMessages &&
         !by_itself(outbox.front())) {
    const size_t size = outbox.front().ByteSizeLong();
    if (*bytes + size > kMaxBatchBytes) break;
    *bytes += size;
    *messages->Add() = std::move(outbox.front());
    outbox.pop_front();
  }
  return write;
}

}  // namespace batchd::api
