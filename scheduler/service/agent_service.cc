#include "service/agent_service.h"

#include <deque>
#include <optional>
#include <utility>

#include "api/message_batch.h"

namespace batchd::service {

using batch::v1::AgentMessage;
using batch::v1::SchedulerMessage;

namespace {

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

grpc::Status ShuttingDown() { return {grpc::StatusCode::UNAVAILABLE, "batchd is shutting down"}; }

}  // namespace

// One agent stream: the AgentLink the loop holds, and the state its reactor works on. The loop
// may hold it long after the stream ended, so it outlives the reactor: `reactor_` is null from
// OnDone on, and every use of the stream checks it under `mu_`. gRPC runs reactions on its own
// few threads and never inside a Start* or Finish call, so they may be made under `mu_`; the
// hub is called without it (the loop calls back into Send).
class AgentStream final : public AgentLink, public std::enable_shared_from_this<AgentStream> {
 public:
  AgentStream(AgentServiceImpl& service, grpc::CallbackServerContext* context)
      : service_(service), hub_(service.hub_), context_(context) {}

  // Creates the reactor, which gRPC owns from here on (it deletes itself in OnDone).
  grpc::ServerBidiReactor<AgentMessage, SchedulerMessage>* Start();

  void Send(SchedulerMessage message) override;
  void Send(std::vector<SchedulerMessage> messages) override;
  void Close() override;
  void Shutdown();

 private:
  class Reactor;
  // Reads are in flight in kHello and kJoined; in kJoining the hub decides, and only the
  // Welcome it sends may go out.
  enum class Phase { kHello, kJoining, kJoined };

  void OnReadDone(bool ok);
  void OnWriteDone(bool ok);
  void OnCancel();
  void OnDone();
  std::optional<grpc::Status> RefuseHello() const;
  void Joined(const std::string& refusal);
  void ReadsEnded();
  // Finishes once no write is in flight; `drain`: after the queued messages went out too.
  void EndLocked(grpc::Status status, bool drain);
  void FinishIfIdleLocked();
  void WriteNextLocked();

  AgentServiceImpl& service_;
  AgentHub& hub_;
  grpc::CallbackServerContext* const context_;  // valid while reactor_ is

  std::mutex mu_;
  Reactor* reactor_ = nullptr;
  Phase phase_ = Phase::kHello;
  AgentMessage incoming_;      // where the read in flight lands
  SchedulerMessage outgoing_;  // the write in flight (gRPC holds a pointer to it)
  std::deque<SchedulerMessage> outbox_;
  bool writing_ = false;
  bool batches_ = false;  // the agent's hello said it takes SchedulerMessages
  bool broken_ = false;   // a write failed: the call is over, nothing more goes out
  bool ending_ = false;
  bool finished_ = false;
  grpc::Status status_;
};

class AgentStream::Reactor final : public grpc::ServerBidiReactor<AgentMessage, SchedulerMessage> {
 public:
  explicit Reactor(std::shared_ptr<AgentStream> stream) : stream_(std::move(stream)) {}

  void OnReadDone(bool ok) override { stream_->OnReadDone(ok); }
  void OnWriteDone(bool ok) override { stream_->OnWriteDone(ok); }
  void OnCancel() override { stream_->OnCancel(); }
  // The last reaction: nothing refers to the reactor afterwards.
  void OnDone() override {
    stream_->OnDone();
    delete this;
  }

 private:
  std::shared_ptr<AgentStream> stream_;
};

grpc::ServerBidiReactor<AgentMessage, SchedulerMessage>* AgentStream::Start() {
  auto* reactor = new Reactor(shared_from_this());
  std::lock_guard lock(mu_);
  reactor_ = reactor;
  // Tracked before the first read, so that CloseAll reaches a stream still waiting for hello.
  if (service_.Track(shared_from_this())) {
    reactor->StartRead(&incoming_);
  } else {
    EndLocked(ShuttingDown(), false);
  }
  return reactor;
}

void AgentStream::Send(SchedulerMessage message) {
  std::lock_guard lock(mu_);
  if (reactor_ == nullptr || ending_ || broken_) return;
  outbox_.push_back(std::move(message));
  if (!writing_) WriteNextLocked();
}

void AgentStream::Send(std::vector<SchedulerMessage> messages) {
  std::lock_guard lock(mu_);
  if (reactor_ == nullptr || ending_ || broken_ || messages.empty()) return;
  for (SchedulerMessage& message : messages) outbox_.push_back(std::move(message));
  if (!writing_) WriteNextLocked();
}

void AgentStream::Close() {
  std::lock_guard lock(mu_);
  EndLocked({grpc::StatusCode::CANCELLED,
             "batchd closed the stream (a newer stream of this node replaced it, or the "
             "node's lease ran out)"},
            false);
}

void AgentStream::Shutdown() {
  std::lock_guard lock(mu_);
  EndLocked(ShuttingDown(), false);
}

void AgentStream::OnReadDone(bool ok) {
  std::unique_lock lock(mu_);
  if (phase_ == Phase::kHello) {
    if (ending_) return;  // closed meanwhile: whatever came is moot
    if (!ok) return EndLocked(grpc::Status::OK, false);
    if (std::optional<grpc::Status> refused = RefuseHello()) {
      return EndLocked(std::move(*refused), false);
    }
    phase_ = Phase::kJoining;
    batches_ = incoming_.hello().accepts_batches();
    // A copy: the hub may answer (and the next read reuse incoming_) before it returns.
    const batch::v1::Hello hello = incoming_.hello();
    lock.unlock();
    hub_.AgentConnected(
        shared_from_this(), hello,
        [self = shared_from_this()](const std::string& refusal) { self->Joined(refusal); });
    return;
  }
  if (!ok) {
    lock.unlock();
    return ReadsEnded();
  }
  AgentMessage message = std::move(incoming_);
  lock.unlock();
  // Handed over before the next read starts, so that messages reach the loop in order.
  hub_.AgentMessageReceived(this, std::move(message));
  lock.lock();
  if (!ending_) return reactor_->StartRead(&incoming_);
  lock.unlock();
  ReadsEnded();
}

std::optional<grpc::Status> AgentStream::RefuseHello() const {
  if (!incoming_.has_hello()) {
    return grpc::Status{grpc::StatusCode::INVALID_ARGUMENT,
                        "the first message of a stream must be hello"};
  }
  if (!service_.Accepts(incoming_.hello().join_token())) {
    return grpc::Status{grpc::StatusCode::UNAUTHENTICATED, "join token rejected"};
  }
  if (incoming_.hello().node_id().empty()) {
    return grpc::Status{grpc::StatusCode::INVALID_ARGUMENT, "hello.nodeId: must not be empty"};
  }
  return std::nullopt;
}

void AgentStream::Joined(const std::string& refusal) {
  std::unique_lock lock(mu_);
  const bool live = reactor_ != nullptr && !ending_;
  if (!refusal.empty()) {
    if (live) EndLocked({grpc::StatusCode::FAILED_PRECONDITION, refusal}, false);
    return;
  }
  phase_ = Phase::kJoined;
  if (live) return reactor_->StartRead(&incoming_);
  lock.unlock();
  // The stream ended while the hub took the node in: the hub hears of its end all the same.
  hub_.AgentDisconnected(this);
}

void AgentStream::ReadsEnded() {
  hub_.AgentDisconnected(this);
  std::lock_guard lock(mu_);
  EndLocked(grpc::Status::OK, true);
}

void AgentStream::OnWriteDone(bool ok) {
  std::lock_guard lock(mu_);
  writing_ = false;
  if (!ok) {
    broken_ = true;
    outbox_.clear();
  }
  if (!outbox_.empty()) return WriteNextLocked();
  FinishIfIdleLocked();
}

void AgentStream::OnCancel() {
  std::lock_guard lock(mu_);
  EndLocked(grpc::Status::CANCELLED, false);
}

void AgentStream::OnDone() {
  {
    std::lock_guard lock(mu_);
    reactor_ = nullptr;
    outbox_.clear();
  }
  service_.Forget(shared_from_this());
}

void AgentStream::EndLocked(grpc::Status status, bool drain) {
  if (ending_ || reactor_ == nullptr) return;
  ending_ = true;
  status_ = std::move(status);
  if (!drain) {
    outbox_.clear();
    // A write to an agent that stopped reading may never complete, and Finish must wait for it.
    if (writing_) context_->TryCancel();
  }
  FinishIfIdleLocked();
}

void AgentStream::FinishIfIdleLocked() {
  if (!ending_ || finished_ || writing_ || !outbox_.empty()) return;
  finished_ = true;
  reactor_->Finish(status_);
}

void AgentStream::WriteNextLocked() {
  writing_ = true;
  size_t bytes = 0;
  outgoing_ = api::TakeNextWrite(
      outbox_, batches_, [](const SchedulerMessage& m) { return m.has_welcome(); }, &bytes);
  reactor_->StartWrite(&outgoing_);
}

AgentServiceImpl::AgentServiceImpl(AgentHub& hub, std::vector<std::string> join_tokens)
    : hub_(hub), join_tokens_(std::move(join_tokens)) {}

grpc::ServerBidiReactor<AgentMessage, SchedulerMessage>* AgentServiceImpl::Connect(
    grpc::CallbackServerContext* context) {
  return std::make_shared<AgentStream>(*this, context)->Start();
}

bool AgentServiceImpl::Accepts(const std::string& token) const {
  bool accepted = false;
  for (const std::string& known : join_tokens_) accepted |= SameSecret(token, known);
  return accepted && !token.empty();
}

bool AgentServiceImpl::Track(const std::shared_ptr<AgentStream>& stream) {
  std::lock_guard lock(mu_);
  if (closing_) return false;
  open_.insert(stream);
  return true;
}

void AgentServiceImpl::Forget(const std::shared_ptr<AgentStream>& stream) {
  std::lock_guard lock(mu_);
  open_.erase(stream);
}

void AgentServiceImpl::CloseAll() {
  std::set<std::shared_ptr<AgentStream>> open;
  {
    std::lock_guard lock(mu_);
    closing_ = true;
    open = open_;
  }
  for (const auto& stream : open) stream->Shutdown();
}

}  // namespace batchd::service
