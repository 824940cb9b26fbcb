#include "agent/connection.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "api/message_batch.h"

namespace batchd::agent {

using batch::v1::AgentMessage;
using batch::v1::SchedulerMessage;

namespace {

std::shared_ptr<grpc::Channel> Dial(const std::string& address) {
  grpc::ChannelArguments args;
  // The agent runs its own jittered backoff; a channel shared with an earlier attempt (gRPC's
  // global subchannel pool) would add its own, up to two minutes, on top.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5000);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

}  // namespace

Connection::Connection(const std::string& address, batch::v1::Hello hello, ConnectionEvents events)
    : address_(address),
      events_(std::move(events)),
      channel_(Dial(address)),
      stub_(batch::v1::AgentService::NewStub(channel_)) {
  AgentMessage first;
  *first.mutable_hello() = std::move(hello);
  Send(std::move(first));
  writer_ = std::thread([this] { WriteLoop(); });
  reader_ = std::thread([this] { ReadLoop(); });
}

Connection::~Connection() {
  Cancel();
  reader_.join();
}

void Connection::Send(AgentMessage message) {
  std::lock_guard lock(mu_);
  if (stop_writer_ || close_send_) return;
  pending_bytes_ += message.ByteSizeLong();
  outbox_.push_back(std::move(message));
  cv_.notify_all();
}

void Connection::CloseSend() {
  std::lock_guard lock(mu_);
  close_send_ = true;
  cv_.notify_all();
}

void Connection::Cancel() { context_.TryCancel(); }

void Connection::AllowBatches() {
  std::lock_guard lock(mu_);
  batches_ = true;
}

size_t Connection::PendingBytes() const {
  std::lock_guard lock(mu_);
  return pending_bytes_;
}

void Connection::ReadLoop() {
  stream_ = stub_->Connect(&context_);
  {
    std::lock_guard lock(mu_);
    stream_open_ = true;
    cv_.notify_all();
  }
  SchedulerMessage message;
  while (stream_->Read(&message)) {
    if (!message.has_batch()) {
      events_.on_message(std::move(message));
      continue;
    }
    for (SchedulerMessage& inner : *message.mutable_batch()->mutable_messages()) {
      if (inner.has_batch()) {
        spdlog::warn("batchd nested a batch of messages in another; ignored");
        continue;
      }
      events_.on_message(std::move(inner));
    }
  }
  {
    std::lock_guard lock(mu_);
    stop_writer_ = true;
    cv_.notify_all();
  }
  // A Write still in flight fails at once: the call is over.
  writer_.join();
  const grpc::Status status = stream_->Finish();
  {
    std::lock_guard lock(mu_);
    outbox_.clear();
    pending_bytes_ = 0;
  }
  events_.on_end(status);
}

void Connection::WriteLoop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock,
             [&] { return stop_writer_ || (stream_open_ && (!outbox_.empty() || close_send_)); });
    if (stop_writer_) return;
    if (outbox_.empty()) {
      lock.unlock();
      stream_->WritesDone();
      return;
    }
    size_t size = 0;
    const AgentMessage message = api::TakeNextWrite(
        outbox_, batches_, [](const AgentMessage& m) { return m.has_hello(); }, &size);
    lock.unlock();
    const bool written = stream_->Write(message);
    lock.lock();
    pending_bytes_ -= std::min(pending_bytes_, size);
    if (!written) {
      // The stream broke; the reader sees it end and reports why.
      stop_writer_ = true;
      outbox_.clear();
      pending_bytes_ = 0;
      return;
    }
  }
}

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, uint64_t seed)
    : initial_(initial), max_(max), current_(initial), random_(seed) {}

std::chrono::milliseconds Backoff::Next() {
  const auto base = current_;
  current_ = std::min(current_ * 2, max_);
  ++failures_;
  std::uniform_real_distribution<double> scatter(0.5, 1.5);
  return std::chrono::milliseconds(
      static_cast<int64_t>(static_cast<double>(base.count()) * scatter(random_)));
}

void Backoff::Reset() {
  current_ = initial_;
  failures_ = 0;
}

}  // namespace batchd::agent
