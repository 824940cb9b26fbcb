#include "simulated_agents.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <deque>

#include "api/message_batch.h"

namespace batchd::bench {

using namespace batch::v1;

namespace {
int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
}  // namespace

class SimulatedAgent final : public grpc::ClientBidiReactor<AgentMessage, SchedulerMessage> {
 public:
  SimulatedAgent(SimulatedFleet& fleet, AgentService::Stub& stub, Hello hello) : fleet_(fleet) {
    stub.async()->Connect(&context_, this);
    StartRead(&in_);
    AgentMessage first;
    *first.mutable_hello() = std::move(hello);
    Send(std::move(first));
    StartCall();
  }

  void Send(AgentMessage message) {
    std::lock_guard lock(mu_);
    if (done_ || broken_) return;
    outbox_.push_back(std::move(message));
    if (!writing_) StartNextWrite();
  }

  void Heartbeat() {
    AgentMessage beat;
    beat.mutable_heartbeat()->set_sent_at(NowMillis());
    Send(std::move(beat));
  }

  void Close() { context_.TryCancel(); }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // the stream ended: OnDone follows
    if (in_.has_batch()) {
      for (const SchedulerMessage& inner : in_.batch().messages()) Handle(inner);
    } else {
      Handle(in_);
    }
    StartRead(&in_);
  }

  void Handle(const SchedulerMessage& message) {
    switch (message.body_case()) {
      case SchedulerMessage::kWelcome: {
        std::lock_guard lock(mu_);
        batches_ = message.welcome().accepts_batches();
        fleet_.Welcomed(message.welcome().heartbeat_seconds());
        break;
      }
      case SchedulerMessage::kLaunch:
        Finish(message.launch().attempt_id());
        break;
      // Its attempts have ended before any kill can arrive: as a real agent does for an
      // attempt it no longer runs, it lets the kill pass.
      case SchedulerMessage::kKill:
      case SchedulerMessage::kDrain:
      case SchedulerMessage::kAck:
      case SchedulerMessage::kBatch:  // not nested
      case SchedulerMessage::BODY_NOT_SET:
        break;
    }
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard lock(mu_);
    writing_ = false;
    if (!ok) {
      broken_ = true;
      outbox_.clear();
      return;
    }
    if (!outbox_.empty()) StartNextWrite();
  }

  void OnDone(const grpc::Status& status) override {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    fleet_.Ended(status.ok() || status.error_code() == grpc::StatusCode::CANCELLED
                     ? ""
                     : status.error_message());
  }

 private:
  // As an agent whose process ended at once: RUNNING, then EXITED 0.
  void Finish(const std::string& attempt_id) {
    const int64_t now = NowMillis();
    AgentMessage running;
    auto* r = running.mutable_attempt_status();
    r->set_attempt_id(attempt_id);
    r->set_state(AttemptState::RUNNING);
    r->set_at(now);
    r->set_started_at(now);
    r->set_sequence(1);
    AgentMessage exited = running;
    auto* e = exited.mutable_attempt_status();
    e->set_state(AttemptState::EXITED);
    e->set_sequence(2);
    e->set_exit_code(0);
    Send(std::move(running));
    Send(std::move(exited));
    ++fleet_.finished_;
  }

  SimulatedFleet& fleet_;
  grpc::ClientContext context_;
  SchedulerMessage in_;
  std::mutex mu_;
  // One write in flight per stream: what waits behind it goes together, as the agent's does.
  void StartNextWrite() {
    size_t bytes = 0;
    write_ = api::TakeNextWrite(
        outbox_, batches_, [](const AgentMessage& m) { return m.has_hello(); }, &bytes);
    writing_ = true;
    StartWrite(&write_);
  }

  AgentMessage write_;  // being written
  bool writing_ = false;
  bool batches_ = false;  // batchd's welcome said it takes them
  std::deque<AgentMessage> outbox_;
  bool done_ = false;
  bool broken_ = false;  // a write failed: the stream is ending
};

SimulatedFleet::SimulatedFleet(FleetOptions options) : options_(std::move(options)) {
  const int connections =
      (options_.agents + options_.agents_per_connection - 1) / options_.agents_per_connection;
  for (int c = 0; c < connections; ++c) {
    grpc::ChannelArguments args;
    // Otherwise channels with the same arguments share one connection.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    channels_.push_back(
        grpc::CreateCustomChannel(options_.scheduler, grpc::InsecureChannelCredentials(), args));
    stubs_.push_back(AgentService::NewStub(channels_.back()));
  }
  for (int i = 0; i < options_.agents; ++i) {
    Hello hello;
    hello.set_join_token(options_.join_token);
    char id[32];
    std::snprintf(id, sizeof id, "sim-%05d", i);
    hello.set_node_id(id);
    hello.set_hostname(id);
    hello.set_compute_environment(options_.compute_environment);
    hello.set_agent_version("simulated");
    hello.set_accepts_batches(true);
    hello.mutable_resources()->set_vcpus(options_.vcpus);
    hello.mutable_resources()->set_memory_mib(options_.memory_mib);
    agents_.push_back(std::make_unique<SimulatedAgent>(
        *this, *stubs_[i / options_.agents_per_connection], std::move(hello)));
  }
  heartbeats_ = std::thread([this] { Heartbeats(); });
}

SimulatedFleet::~SimulatedFleet() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  heartbeats_.join();
  for (auto& agent : agents_) agent->Close();
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return ended_ == options_.agents; });
}

void SimulatedFleet::WaitWelcomed(std::chrono::seconds timeout) {
  std::unique_lock lock(mu_);
  const bool all = cv_.wait_for(
      lock, timeout, [&] { return welcomed_ == options_.agents || !error_.empty() || ended_ > 0; });
  if (!error_.empty()) throw std::runtime_error("a simulated agent's stream failed: " + error_);
  if (!all || welcomed_ < options_.agents) {
    throw std::runtime_error(std::to_string(welcomed_) + " of " + std::to_string(options_.agents) +
                             " simulated agents welcomed");
  }
}

void SimulatedFleet::Welcomed(int heartbeat_seconds) {
  std::lock_guard lock(mu_);
  ++welcomed_;
  if (heartbeat_seconds > 0) heartbeat_seconds_ = heartbeat_seconds;
  cv_.notify_all();
}

void SimulatedFleet::Ended(const std::string& error) {
  std::lock_guard lock(mu_);
  ++ended_;
  if (!error.empty() && error_.empty()) error_ = error;
  cv_.notify_all();
}

void SimulatedFleet::Heartbeats() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    // Spread over the period, as real agents' heartbeats are.
    const auto period = std::chrono::microseconds(std::chrono::seconds(heartbeat_seconds_));
    const auto step = period / std::max<size_t>(1, agents_.size());
    for (size_t i = 0; i < agents_.size() && !stopping_; ++i) {
      lock.unlock();
      agents_[i]->Heartbeat();
      lock.lock();
      if (step.count() > 0) cv_.wait_for(lock, step, [&] { return stopping_; });
    }
  }
}

}  // namespace batchd::bench
