#include "service/agent_service.h"

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

namespace batchd::service {
namespace {

using batch::v1::AgentMessage;
using batch::v1::SchedulerMessage;

// Compares without an early exit, so response time says nothing about how much of a guess
// was right.
bool SameSecret(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const std::string& longer = a.size() >= b.size() ? a : b;
  for (size_t i = 0; i < longer.size(); ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

class StreamLink final : public AgentLink {
 public:
  explicit StreamLink(grpc::ServerContext* context) : context_(context) {}

  void Send(SchedulerMessage message) override {
    std::lock_guard lock(mu_);
    if (closed_) return;
    outbox_.push_back(std::move(message));
    cv_.notify_one();
  }

  void Close() override {
    std::lock_guard lock(mu_);
    if (finished_) return;
    closed_ = true;
    cv_.notify_one();
    // Unblocks the handler's Read, which then ends the stream. Under the lock: the handler
    // cannot return (and the context go away) until Finish gets it.
    context_->TryCancel();
  }

  // The handler is about to return: ends the writer; the context is no longer ours to use.
  void Finish() {
    std::lock_guard lock(mu_);
    finished_ = true;
    closed_ = true;
    cv_.notify_one();
  }

  // The writer thread: false once closed and drained.
  bool Next(SchedulerMessage* out) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return closed_ || !outbox_.empty(); });
    if (outbox_.empty()) return false;
    *out = std::move(outbox_.front());
    outbox_.pop_front();
    return true;
  }

 private:
  grpc::ServerContext* context_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<SchedulerMessage> outbox_;
  bool closed_ = false;
  bool finished_ = false;
};

}  // namespace

AgentServiceImpl::AgentServiceImpl(AgentHub& hub, std::vector<std::string> join_tokens)
    : hub_(hub), join_tokens_(std::move(join_tokens)) {}

bool AgentServiceImpl::Accepts(const std::string& token) const {
  bool accepted = false;
  for (const std::string& known : join_tokens_) accepted |= SameSecret(token, known);
  return accepted && !token.empty();
}

grpc::Status AgentServiceImpl::Connect(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<SchedulerMessage, AgentMessage>* stream) {
  AgentMessage first;
  if (!stream->Read(&first)) return grpc::Status::OK;
  if (!first.has_hello()) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "the first message of a stream must be hello"};
  }
  if (!Accepts(first.hello().join_token())) {
    return {grpc::StatusCode::UNAUTHENTICATED, "join token rejected"};
  }
  if (first.hello().node_id().empty()) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "hello.nodeId: must not be empty"};
  }
  auto link = std::make_shared<StreamLink>(context);
  {
    std::lock_guard lock(mu_);
    if (closing_) return {grpc::StatusCode::UNAVAILABLE, "batchd is shutting down"};
    open_.insert(link);
  }
  // The writer starts first so that the Welcome the hub sends goes out at once.
  std::thread writer([&stream, link] {
    SchedulerMessage message;
    while (link->Next(&message)) {
      if (!stream->Write(message)) break;
    }
  });
  std::string refusal = hub_.AgentConnected(link, first.hello());
  const auto done = [&] {
    {
      std::lock_guard lock(mu_);
      open_.erase(link);
    }
    link->Finish();
    writer.join();
  };
  if (!refusal.empty()) {
    done();
    return {grpc::StatusCode::FAILED_PRECONDITION, refusal};
  }
  AgentMessage message;
  while (stream->Read(&message)) hub_.AgentMessageReceived(link.get(), std::move(message));
  hub_.AgentDisconnected(link.get());
  done();
  return grpc::Status::OK;
}

void AgentServiceImpl::CloseAll() {
  std::set<std::shared_ptr<AgentLink>> open;
  {
    std::lock_guard lock(mu_);
    closing_ = true;
    open = open_;
  }
  for (const auto& link : open) link->Close();
}

}  // namespace batchd::service
