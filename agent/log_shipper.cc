#include "agent/log_shipper.h"

#include "api/job_states.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <vector>

#include "api/text.h"

namespace batchd::agent {

using batch::v1::AgentMessage;
using batch::v1::AttemptState;
using batch::v1::AttemptStatus;

LogShipper::LogShipper(Sink sink, size_t chunk_bytes, std::chrono::milliseconds running_hold)
    : sink_(std::move(sink)), chunk_bytes_(chunk_bytes), running_hold_(running_hold) {}

LogShipper::~LogShipper() {
  for (auto& [_, attempt] : attempts_) CloseStreams(attempt);
}

void LogShipper::CloseStreams(Attempt& attempt) {
  for (Stream& s : attempt.streams) {
    if (s.fd >= 0) close(s.fd);
    s.fd = -1;
  }
}

void LogShipper::Track(const std::string& attempt_id, const std::filesystem::path& dir,
                       int64_t limit_bytes) {
  auto [it, inserted] = attempts_.try_emplace(attempt_id);
  if (!inserted) return;
  it->second.dir = dir;
  it->second.limit_bytes = limit_bytes;
}

void LogShipper::Untrack(const std::string& attempt_id) {
  auto it = attempts_.find(attempt_id);
  if (it == attempts_.end()) return;
  CloseStreams(it->second);
  DropHeld(it->second);
  SetRunning(it->second, false);
  attempts_.erase(it);
}

bool LogShipper::Tracks(const std::string& attempt_id) const {
  return attempts_.contains(attempt_id);
}

void LogShipper::SendStatus(AttemptStatus status) {
  AgentMessage message;
  *message.mutable_attempt_status() = std::move(status);
  sink_(std::move(message));
}

void LogShipper::SetRunning(Attempt& attempt, bool running) {
  if (attempt.running == running) return;
  attempt.running = running;
  running ? ++running_ : --running_;
}

void LogShipper::DropHeld(Attempt& attempt) {
  if (!attempt.held_status) return;
  attempt.held_status.reset();
  --held_;
}

void LogShipper::Report(const AttemptStatus& status, Clock::time_point now) {
  auto it = attempts_.find(status.attempt_id());
  if (it == attempts_.end()) {
    SendStatus(status);
    return;
  }
  Attempt& attempt = it->second;
  DropHeld(attempt);
  if (api::IsFinalAttemptState(status.state())) {
    SetRunning(attempt, false);
    attempt.reported = true;
    attempt.final_status = status;
    return;
  }
  SetRunning(attempt, true);
  if (running_hold_.count() > 0 && running_ > kBusyAttempts) {
    if (held_ == 0) held_since_ = now;
    attempt.held_status = status;
    ++held_;
    return;
  }
  attempt.reported = true;
  SendStatus(status);
}

void LogShipper::ShipHeld(Clock::time_point now) {
  if (held_ == 0 || now < held_since_ + running_hold_) return;
  for (auto& [_, attempt] : attempts_) {
    if (!attempt.held_status) continue;
    attempt.reported = true;
    SendStatus(std::move(*attempt.held_status));
    attempt.held_status.reset();
  }
  held_ = 0;
}

std::optional<LogShipper::Clock::time_point> LogShipper::HeldUntil() const {
  if (held_ == 0) return std::nullopt;
  return held_since_ + running_hold_;
}

void LogShipper::Rewind() {
  for (auto& [_, attempt] : attempts_) {
    attempt.reported = false;
    attempt.running = false;
    attempt.held_status.reset();
    attempt.final_status.reset();
    for (Stream& s : attempt.streams) {
      s.offset = 0;
      s.cut = false;
    }
  }
  running_ = 0;
  held_ = 0;
}

bool LogShipper::Idle() const {
  for (const auto& [_, attempt] : attempts_) {
    if (attempt.final_status) return false;
  }
  return held_ == 0;
}

size_t LogShipper::ShipStream(const std::string& attempt_id, Attempt& attempt, Stream& stream,
                              size_t budget, bool* at_end) {
  size_t shipped = 0;
  while (shipped < budget) {
    if (stream.cut) {
      *at_end = true;
      break;
    }
    if (stream.fd < 0) {
      stream.fd = open((attempt.dir / stream.name).c_str(), O_RDONLY | O_CLOEXEC);
      // Not there yet (or gone with its attempt): nothing to ship for now.
      if (stream.fd < 0) {
        *at_end = true;
        break;
      }
    }
    size_t want = std::min(chunk_bytes_, budget - shipped);
    const uint64_t limit = static_cast<uint64_t>(attempt.limit_bytes);
    // One byte past the limit tells "exactly at the limit" from "cut".
    if (attempt.limit_bytes > 0) want = std::min<uint64_t>(want, limit - stream.offset + 1);
    buffer_.resize(want);
    const ssize_t n = pread(stream.fd, buffer_.data(), want, static_cast<off_t>(stream.offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *at_end = true;
      break;
    }
    size_t length = static_cast<size_t>(n);
    bool truncated = false;
    if (attempt.limit_bytes > 0 && stream.offset + length > limit) {
      length = limit - stream.offset;
      truncated = true;
      stream.cut = true;
    }
    AgentMessage message;
    batch::v1::LogChunk& chunk = *message.mutable_log_chunk();
    chunk.set_attempt_id(attempt_id);
    chunk.set_stream(stream.name);
    chunk.set_sequence(stream.offset);
    chunk.set_data(buffer_.data(), length);
    chunk.set_at(api::EpochMillisNow());
    chunk.set_truncated(truncated);
    sink_(std::move(message));
    stream.offset += length;
    shipped += length;
    if (static_cast<size_t>(n) < want && !truncated) {
      *at_end = true;
      break;
    }
  }
  return shipped;
}

size_t LogShipper::Poll(size_t budget_bytes, Scope scope, Clock::time_point now) {
  ShipHeld(now);
  // Attempts take turns at the budget, so one chatty job cannot hold back the others.
  auto it = attempts_.lower_bound(next_turn_);
  size_t shipped = 0;
  for (size_t n = 0; n < attempts_.size(); ++n, ++it) {
    if (it == attempts_.end()) it = attempts_.begin();
    auto& [attempt_id, attempt] = *it;
    if (!attempt.reported) continue;
    if (scope == Scope::kEnded && !attempt.final_status) continue;
    bool complete = true;
    for (Stream& stream : attempt.streams) {
      bool at_end = false;
      shipped += ShipStream(attempt_id, attempt, stream,
                            budget_bytes - std::min(shipped, budget_bytes), &at_end);
      complete = complete && at_end;
    }
    if (complete && attempt.final_status) {
      SendStatus(std::move(*attempt.final_status));
      attempt.final_status.reset();
    }
    if (shipped >= budget_bytes) {
      const auto next = std::next(it);
      next_turn_ = next == attempts_.end() ? std::string() : next->first;
      break;
    }
  }
  return shipped;
}

}  // namespace batchd::agent
