#include "agent/agent.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <variant>

#include "agent/connection.h"
#include "agent/executor/attempt_dir.h"
#include "agent/log_shipper.h"
#include "agent/work_dir.h"
#include "api/job_states.h"
#include "api/text.h"

namespace batchd::agent {

using batch::v1::AgentMessage;
using batch::v1::AttemptState;
using batch::v1::AttemptStatus;
using batch::v1::SchedulerMessage;
using Clock = std::chrono::steady_clock;

namespace {

// Log bytes queued on the stream and not yet written, beyond which the shipper waits: a job
// writing gigabytes must not pile them up in memory.
constexpr size_t kOutboxLimit = 4 << 20;
constexpr auto kDefaultHeartbeat = std::chrono::seconds(10);
// After the drain grace ran out and the attempts were killed: how much longer they may take to
// die beyond their kill grace before the agent leaves without them.
constexpr auto kKillSlack = std::chrono::seconds(15);
// How often the work dir is looked at for a termination notice.
constexpr auto kNoticeCheckEvery = std::chrono::milliseconds(500);

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::DO_NOT_USE:
      return "DO_NOT_USE";
  }
  return "UNKNOWN";
}

std::string Describe(const AttemptStatus& s) {
  std::string out = AttemptState::Value_Name(s.state());
  if (s.has_exit_code()) out += " exit code " + std::to_string(s.exit_code());
  if (s.has_signal()) out += " signal " + std::to_string(s.signal());
  if (!s.reason().empty()) out += " (" + s.reason() + ")";
  return out;
}

struct FromExecutor {
  AttemptStatus status;
};
struct FromScheduler {
  uint64_t session;
  SchedulerMessage message;
};
struct StreamEnded {
  uint64_t session;
  grpc::Status status;
};
struct DrainRequested {};
using Event = std::variant<FromExecutor, FromScheduler, StreamEnded, DrainRequested>;

}  // namespace

class Agent::Loop {
 public:
  Loop(AgentOptions options, const ExecutorFactory& make_executor, AgentTimings timings)
      : options_(std::move(options)),
        timings_(timings),
        lock_(options_.work_dir),
        node_id_(LoadOrCreateNodeId(options_.work_dir)),
        backoff_(timings_.backoff_initial, timings_.backoff_max),
        shipper_([this](AgentMessage m) { Send(std::move(m)); }, kLogChunkBytes,
                 timings_.running_hold) {
    executor_ = make_executor([this](const AttemptStatus& s) { Push(FromExecutor{s}); });
  }

  ~Loop() {
    // The executor's and the stream's threads call Push: both stop before the queue goes.
    executor_.reset();
    session_.reset();
  }

  const std::string& node_id() const { return node_id_; }

  void Push(Event event) {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(event));
    cv_.notify_one();
  }

  int Run() {
    for (const AttemptStatus& s : executor_->Recover()) {
      spdlog::info("attempt {} from an earlier run: {}", s.attempt_id(), Describe(s));
    }
    for (const std::string& id : executor_->KnownAttempts()) TrackAttempt(id);
    spdlog::info("node {} (ce {}, {} vCPU, {} MiB, {} GPU), work dir {}", node_id_, CeName(),
                 options_.vcpus, options_.memory_mib, options_.gpus, options_.work_dir.string());
    next_connect_ = Clock::now();
    while (!exit_code_) {
      if (!session_ && Clock::now() >= next_connect_) StartSession();
      for (Event& event : WaitForEvents()) {
        std::visit([this](auto& e) { Handle(e); }, event);
        if (exit_code_) break;
      }
      if (!exit_code_) Tick();
    }
    session_.reset();
    return *exit_code_;
  }

 private:
  std::deque<Event> WaitForEvents() {
    auto until = Clock::now() + timings_.log_poll;
    if (const auto held = shipper_.HeldUntil(); held && ready_) until = std::min(until, *held);
    std::unique_lock lock(mu_);
    cv_.wait_until(lock, until, [&] { return !events_.empty(); });
    std::deque<Event> out;
    out.swap(events_);
    return out;
  }

  std::string CeName() const {
    return options_.compute_environment.empty() ? "(none)" : options_.compute_environment;
  }

  void Send(AgentMessage message) {
    if (session_ && ready_) session_->Send(std::move(message));
  }

  // Server messages are not ours, but a careless one could echo the hello back.
  std::string Redacted(std::string text) const {
    const std::string& token = options_.join_token;
    if (token.empty()) return text;
    const std::string mask = "<join token>";
    for (size_t at = text.find(token); at != std::string::npos;
         at = text.find(token, at + mask.size())) {
      text.replace(at, token.size(), mask);
    }
    return text;
  }

  int64_t LogLimitOf(const std::string& attempt_id) {
    if (auto it = log_limits_.find(attempt_id); it != log_limits_.end()) return it->second;
    // An attempt from an earlier run: its launch is on disk.
    batch::v1::LaunchAttempt launch;
    const AttemptFiles files(executor_->AttemptDir(attempt_id));
    const int64_t limit = ReadJournalMessage(files.journal_file(), JournalRecord::kLaunch, &launch)
                              ? launch.log_limit_bytes()
                              : 0;
    log_limits_[attempt_id] = limit;
    return limit;
  }

  void TrackAttempt(const std::string& attempt_id) {
    // An id that is no directory name has no files to follow (the executor refuses it).
    if (shipper_.Tracks(attempt_id) || !IsValidAttemptId(attempt_id)) return;
    shipper_.Track(attempt_id, executor_->AttemptDir(attempt_id), LogLimitOf(attempt_id));
  }

  void ForgetAttempt(const std::string& attempt_id) {
    executor_->Forget(attempt_id);
    // The executor keeps a running attempt; its output must go on being shipped.
    if (executor_->LastStatus(attempt_id)) return;
    shipper_.Untrack(attempt_id);
    log_limits_.erase(attempt_id);
  }

  void StartSession() {
    ++session_id_;
    ready_ = false;
    welcome_deadline_ = Clock::now() + timings_.welcome_timeout;
    batch::v1::Hello hello;
    hello.set_join_token(options_.join_token);
    hello.set_node_id(node_id_);
    hello.set_compute_environment(options_.compute_environment);
    batch::v1::AgentResources& r = *hello.mutable_resources();
    r.set_vcpus(options_.vcpus);
    r.set_memory_mib(options_.memory_mib);
    r.set_gpus(options_.gpus);
    for (const auto& [k, v] : options_.labels) (*r.mutable_labels())[k] = v;
    for (const std::string& runtime : options_.container_runtimes)
      r.add_container_runtimes(runtime);
    for (const std::string& id : executor_->KnownAttempts()) hello.add_running_attempt_ids(id);
    hello.set_hostname(Hostname());
    hello.set_agent_version(kAgentVersion);
    hello.set_accepts_batches(true);  // Connection unpacks them
    const uint64_t id = session_id_;
    ConnectionEvents events;
    events.on_message = [this, id](SchedulerMessage m) { Push(FromScheduler{id, std::move(m)}); };
    events.on_end = [this, id](const grpc::Status& s) { Push(StreamEnded{id, s}); };
    session_ =
        std::make_unique<Connection>(options_.scheduler, std::move(hello), std::move(events));
  }

  void Handle(FromExecutor& e) {
    const AttemptStatus& status = e.status;
    const std::string& id = status.attempt_id();
    spdlog::info("attempt {}: {}", id, Describe(status));
    if (api::IsFinalAttemptState(status.state()) && forget_on_exit_.erase(id) > 0) {
      ForgetAttempt(id);
      return;
    }
    // Forgotten (acknowledged, or killed for batchd) before this event was handled.
    if (!executor_->LastStatus(id)) return;
    // Not connected: the status waits on disk and goes up after the next Welcome.
    if (!ready_) return;
    TrackAttempt(id);
    shipper_.Report(status);
  }

  void Handle(FromScheduler& e) {
    if (e.session != session_id_) return;
    SchedulerMessage& m = e.message;
    if (!ready_ && m.body_case() != SchedulerMessage::kWelcome) {
      spdlog::warn("batchd sent a message before its welcome; ignored");
      return;
    }
    switch (m.body_case()) {
      case SchedulerMessage::kWelcome:
        OnWelcome(m.welcome());
        return;
      case SchedulerMessage::kLaunch:
        OnLaunch(m.launch());
        return;
      case SchedulerMessage::kKill:
        spdlog::info("killing attempt {}: {}", m.kill().attempt_id(), m.kill().reason());
        executor_->Kill(m.kill().attempt_id(), m.kill().reason(), m.kill().grace_seconds());
        return;
      case SchedulerMessage::kDrain:
        StartDrain("batchd asked this node to drain", false);
        return;
      case SchedulerMessage::kAck:
        for (const std::string& id : m.ack().attempt_ids()) ForgetAttempt(id);
        return;
      case SchedulerMessage::kBatch:  // Connection hands down its messages one by one
      case SchedulerMessage::BODY_NOT_SET:
        return;
    }
  }

  void OnWelcome(const batch::v1::Welcome& welcome) {
    if (ready_) return;
    ready_ = true;
    backoff_.Reset();
    if (welcome.node_id() != node_id_ && !welcome.node_id().empty()) {
      spdlog::warn("batchd calls this node {}; it calls itself {}", welcome.node_id(), node_id_);
    }
    spdlog::info("connected to {} as node {} (ce {}, {} vCPU, {} MiB{})", options_.scheduler,
                 node_id_, CeName(), options_.vcpus, options_.memory_mib,
                 options_.gpus > 0 ? ", " + std::to_string(options_.gpus) + " GPU" : "");
    heartbeat_every_ = welcome.heartbeat_seconds() > 0
                           ? std::chrono::seconds(welcome.heartbeat_seconds())
                           : kDefaultHeartbeat;
    next_heartbeat_ = Clock::now() + heartbeat_every_;
    if (welcome.accepts_batches()) session_->AllowBatches();
    for (const std::string& id : welcome.attempts_to_kill()) {
      spdlog::info("batchd no longer expects attempt {} here: killing and forgetting it", id);
      executor_->Kill(id, "batchd no longer expects this attempt on this node", 0);
      const auto last = executor_->LastStatus(id);
      if (last && !api::IsFinalAttemptState(last->state())) {
        forget_on_exit_.insert(id);
      } else {
        ForgetAttempt(id);
      }
    }
    if (draining_) {
      AgentMessage draining;
      draining.mutable_draining();
      Send(std::move(draining));
    }
    // batchd drops what it already has (by attempt, stream and offset), so everything known
    // goes up again: output from offset 0, then the latest status, final ones after the output.
    shipper_.Rewind();
    for (const std::string& id : executor_->KnownAttempts()) {
      if (forget_on_exit_.contains(id)) continue;
      TrackAttempt(id);
      if (auto last = executor_->LastStatus(id)) shipper_.Report(*last);
    }
  }

  void OnLaunch(const batch::v1::LaunchAttempt& launch) {
    const std::string& id = launch.attempt_id();
    // Sent again after a reconnect: the attempt runs (or ran) here already.
    if (executor_->LastStatus(id)) return;
    if (draining_) {
      spdlog::info("not launching attempt {}: this node is draining", id);
      AttemptStatus refused;
      refused.set_attempt_id(id);
      refused.set_state(AttemptState::LAUNCH_FAILED);
      refused.set_infrastructure(true);
      refused.set_reason("node draining");
      refused.set_at(api::EpochMillisNow());
      shipper_.Report(refused);
      return;
    }
    spdlog::info("launching attempt {} of job {} ({})", id, launch.job_id(), launch.job_name());
    log_limits_[id] = launch.log_limit_bytes();
    TrackAttempt(id);
    executor_->Launch(launch);
  }

  void Handle(StreamEnded& e) {
    if (e.session != session_id_) return;
    session_.reset();
    const bool was_ready = ready_;
    ready_ = false;
    if (goodbye_sent_) {
      spdlog::info("drained; batchd closed the stream. Goodbye");
      exit_code_ = kExitDrained;
      return;
    }
    const std::string why =
        std::string(CodeName(e.status.error_code())) + ": " + Redacted(e.status.error_message());
    if (e.status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
      spdlog::error("batchd at {} rejected this agent ({}); check the join token in the token file",
                    options_.scheduler, why);
      exit_code_ = kExitFatal;
      return;
    }
    const auto delay = backoff_.Next();
    next_connect_ = Clock::now() + delay;
    if (was_ready) {
      spdlog::warn("lost the stream to batchd at {} ({}); jobs keep running; reconnecting in {} ms",
                   options_.scheduler, why, delay.count());
    } else if (backoff_.failures() == 1 || backoff_.failures() % 20 == 0) {
      spdlog::warn("cannot connect to batchd at {} ({}); retrying in {} ms (try {})",
                   options_.scheduler, why, delay.count(), backoff_.failures());
    } else {
      spdlog::debug("cannot connect to batchd at {} ({}); retrying in {} ms", options_.scheduler,
                    why, delay.count());
    }
  }

  void Handle(DrainRequested&) { StartDrain("asked to stop", true); }

  void StartDrain(const std::string& why, bool from_signal) {
    if (draining_) {
      if (from_signal && Clock::now() < drain_deadline_) {
        spdlog::info("asked again: ending the drain grace period now");
        drain_deadline_ = Clock::now();
      }
      return;
    }
    draining_ = true;
    drain_deadline_ = Clock::now() + std::chrono::seconds(options_.drain_grace_seconds);
    spdlog::info(
        "draining ({}): taking no new work; {} attempt(s) running, killed if still "
        "running in {} s",
        why, executor_->RunningCount(), options_.drain_grace_seconds);
    AgentMessage draining;
    draining.mutable_draining();
    Send(std::move(draining));
  }

  void Tick() {
    const auto now = Clock::now();
    if (session_ && !ready_ && now >= welcome_deadline_) {
      spdlog::warn("batchd at {} did not welcome this agent within {} ms; dialling again",
                   options_.scheduler, timings_.welcome_timeout.count());
      welcome_deadline_ = Clock::time_point::max();
      session_->Cancel();
    }
    if (session_ && ready_) {
      const size_t pending = session_->PendingBytes();
      if (pending < kOutboxLimit) {
        // Running attempts' output is read every log_poll (sooner while a poll used up its
        // budget: more is waiting); ended ones' on every wake-up, as their final status waits.
        const bool all = now >= next_log_poll_;
        const size_t budget = kOutboxLimit - pending;
        const size_t shipped =
            shipper_.Poll(budget, all ? LogShipper::Scope::kAll : LogShipper::Scope::kEnded);
        if (all && shipped < budget) next_log_poll_ = now + timings_.log_poll;
      }
      if (now >= next_heartbeat_) {
        AgentMessage beat;
        beat.mutable_heartbeat()->set_sent_at(api::EpochMillisNow());
        Send(std::move(beat));
        next_heartbeat_ = now + heartbeat_every_;
      }
    }
    if (!reclaimed_ && now >= next_notice_check_) CheckTerminationNotice(now);
    if (draining_) TickDrain(now);
  }

  // A cloud's termination notice, written by whatever watches for it (e.g. a spot
  // interruption watcher): batchd moves the attempts elsewhere at once, without using up
  // their jobs' attempts, and the node drains out without a grace period.
  void CheckTerminationNotice(Clock::time_point now) {
    next_notice_check_ = now + kNoticeCheckEvery;
    const auto notice = options_.work_dir / "termination-notice";
    std::error_code ec;
    if (!std::filesystem::exists(notice, ec)) return;
    reclaimed_ = true;
    // Its first line says what is happening.
    std::string reason = api::FirstLine(api::ReadTextFile(notice).value_or(""));
    if (reason.empty()) reason = "the machine received a termination notice";
    spdlog::warn("termination notice: {}; ending all attempts", reason);
    AgentMessage reclaimed;
    reclaimed.mutable_reclaimed()->set_reason(reason);
    Send(std::move(reclaimed));
    StartDrain("termination notice", false);
    drain_deadline_ = now;
  }

  void TickDrain(Clock::time_point now) {
    if (const size_t running = executor_->RunningCount(); running > 0) {
      if (!drain_kill_sent_ && now >= drain_deadline_) {
        drain_kill_sent_ = true;
        const std::string reason = "node drained: its grace period of " +
                                   std::to_string(options_.drain_grace_seconds) + " s ended";
        spdlog::warn("drain grace period over: killing {} running attempt(s)", running);
        for (const std::string& id : executor_->KnownAttempts()) {
          const auto last = executor_->LastStatus(id);
          if (!last || !api::IsFinalAttemptState(last->state())) {
            executor_->Kill(id, reason, options_.kill_grace_seconds);
          }
        }
        give_up_at_ = now + std::chrono::seconds(options_.kill_grace_seconds) + kKillSlack;
      }
      if (drain_kill_sent_ && now >= give_up_at_) {
        spdlog::error("{} attempt(s) did not end after they were killed; leaving without them",
                      running);
        exit_code_ = kExitFatal;
      }
      return;
    }
    if (goodbye_sent_) {
      if (now >= goodbye_deadline_) {
        spdlog::warn("batchd did not close the stream after goodbye; leaving");
        exit_code_ = kExitDrained;
      }
      return;
    }
    if (!ready_) {
      const size_t unreported = executor_->KnownAttempts().size();
      // A stream being opened may yet bring a Welcome, and with it a clean goodbye.
      if ((unreported == 0 && !session_) || now >= drain_deadline_) {
        if (unreported > 0) {
          spdlog::warn(
              "drained, but batchd at {} is unreachable: leaving without a goodbye; "
              "the results of {} attempt(s) stay in {} for the next start",
              options_.scheduler, unreported, options_.work_dir.string());
        } else {
          spdlog::info("drained; batchd at {} is unreachable, leaving without a goodbye",
                       options_.scheduler);
        }
        exit_code_ = kExitDrained;
      }
      return;
    }
    // Final statuses still waiting for their output to go up.
    if (!shipper_.Idle()) return;
    if (!drained_at_) drained_at_ = now;
    if (!executor_->KnownAttempts().empty() && now < *drained_at_ + timings_.ack_wait) return;
    spdlog::info("drained: saying goodbye to batchd");
    AgentMessage goodbye;
    goodbye.mutable_goodbye();
    Send(std::move(goodbye));
    session_->CloseSend();
    goodbye_sent_ = true;
    goodbye_deadline_ = now + timings_.goodbye_wait;
  }

  bool reclaimed_ = false;
  Clock::time_point next_notice_check_{};
  Clock::time_point next_log_poll_{};
  const AgentOptions options_;
  const AgentTimings timings_;
  WorkDirLock lock_;
  const std::string node_id_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Event> events_;

  Backoff backoff_;
  LogShipper shipper_;
  std::map<std::string, int64_t> log_limits_;
  std::set<std::string> forget_on_exit_;

  uint64_t session_id_ = 0;
  bool ready_ = false;  // Welcome received on the current session
  Clock::time_point next_connect_;
  Clock::time_point welcome_deadline_;
  std::chrono::seconds heartbeat_every_ = kDefaultHeartbeat;
  Clock::time_point next_heartbeat_;

  bool draining_ = false;
  Clock::time_point drain_deadline_;
  bool drain_kill_sent_ = false;
  Clock::time_point give_up_at_;
  std::optional<Clock::time_point> drained_at_;
  bool goodbye_sent_ = false;
  Clock::time_point goodbye_deadline_;
  std::optional<int> exit_code_;

  // Last: their threads call Push, so they must go first (and ~Loop makes sure of it).
  std::unique_ptr<Connection> session_;
  std::unique_ptr<Executor> executor_;
};

Agent::Agent(AgentOptions options, const ExecutorFactory& make_executor, AgentTimings timings)
    : loop_(std::make_unique<Loop>(std::move(options), make_executor, timings)) {}

Agent::~Agent() = default;

int Agent::Run() { return loop_->Run(); }

void Agent::RequestDrain() { loop_->Push(DrainRequested{}); }

const std::string& Agent::node_id() const { return loop_->node_id(); }

}  // namespace batchd::agent
