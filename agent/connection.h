#pragma once
// One AgentService.Connect stream to batchd: hello first, then whatever the agent sends, while a
// reader thread hands down what batchd says. gRPC allows one Write and one Read in flight, so
// every send goes through one queue drained by one writer thread.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "batch/v1/agent_service.grpc.pb.h"

namespace batchd::agent {

struct ConnectionEvents {
  // From the reader thread, in stream order.
  std::function<void(batch::v1::SchedulerMessage)> on_message;
  // Once, from the reader thread, after the stream ended: batchd's status, or the transport's.
  std::function<void(const grpc::Status&)> on_end;
};

class Connection {
 public:
  // Dials `address` (insecure channel) and opens the stream with `hello` as its first message.
  // Returns at once: dialling happens on the reader thread, failures arrive via on_end.
  Connection(const std::string& address, batch::v1::Hello hello, ConnectionEvents events);
  // Cancels the stream if it is still open and waits for both threads; on_end has run when it
  // returns. Never destroy a Connection from within its own callbacks.
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Queues a message; never blocks. Dropped once the stream ended or CloseSend was called.
  void Send(batch::v1::AgentMessage message);
  // Half-closes the stream once every queued message is written (batchd then ends it).
  void CloseSend();
  // Ends the stream now; on_end follows with CANCELLED (unless it had already ended).
  void Cancel();
  // Serialized size of the messages queued and not yet written: the caller's backpressure.
  size_t PendingBytes() const;
  // batchd's welcome said it takes several messages as one (api/message_batch.h).
  void AllowBatches();

 private:
  void ReadLoop();
  void WriteLoop();

  const std::string address_;
  ConnectionEvents events_;
  grpc::ClientContext context_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<batch::v1::AgentService::Stub> stub_;
  std::unique_ptr<grpc::ClientReaderWriter<batch::v1::AgentMessage, batch::v1::SchedulerMessage>>
      stream_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<batch::v1::AgentMessage> outbox_;
  size_t pending_bytes_ = 0;
  bool stream_open_ = false;  // stream_ exists: the writer may start
  bool close_send_ = false;   // no more messages after the queued ones
  bool stop_writer_ = false;  // the stream is over
  bool batches_ = false;
  std::thread writer_;
  std::thread reader_;
};

// Reconnect delays: exponential from `initial` to `max`, each scattered by ±50% so that agents
// cut off together do not come back in step.
class Backoff {
 public:
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max,
          uint64_t seed = std::random_device{}());
  std::chrono::milliseconds Next();
  void Reset();
  int failures() const { return failures_; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  std::chrono::milliseconds current_;
  std::mt19937_64 random_;
  int failures_ = 0;
};

}  // namespace batchd::agent
