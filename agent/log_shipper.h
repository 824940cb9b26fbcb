#pragma once
// Follows the stdout and stderr files of each attempt and turns new bytes into LogChunks, and
// keeps an attempt's statuses in order with its logs: batchd hears RUNNING before any output
// (or, where RUNNING was never sent, the output before the final status), and an attempt's
// final status only after every byte its files hold. (batchd acknowledges an attempt once its
// final status is stored, and the agent then forgets the attempt.)
//
// On a busy agent RUNNING reports are held back a little and go up together, and one whose
// attempt ends meanwhile is never sent: its final status says when the attempt started, and
// batchd records the RUNNING from it. A RUNNING report of its own for every short job (a
// message, a row update, a dispatcher operation) cost about a sixth of turnover.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "batch/v1/agent_service.pb.h"

namespace batchd::agent {

inline constexpr size_t kLogChunkBytes = 64 * 1024;
// With this many attempts running already, a RUNNING report is held back (when a hold is set).
// Fewer: nothing waits on a busy stream, and the report goes at once.
inline constexpr size_t kBusyAttempts = 4;

class LogShipper {
 public:
  // Receives log chunks and statuses in the order they must go up the stream.
  using Sink = std::function<void(batch::v1::AgentMessage)>;
  using Clock = std::chrono::steady_clock;

  // `running_hold`: how long a RUNNING report may be held back on a busy agent (0: none is).
  // Those held together go together, once the first was held that long.
  explicit LogShipper(Sink sink, size_t chunk_bytes = kLogChunkBytes,
                      std::chrono::milliseconds running_hold = std::chrono::milliseconds(0));
  ~LogShipper();
  LogShipper(const LogShipper&) = delete;
  LogShipper& operator=(const LogShipper&) = delete;

  // Follows <dir>/stdout and <dir>/stderr (they may not exist yet). `limit_bytes` caps each
  // stream (0 = no cap): the chunk that reaches it is cut there and marked truncated, and the
  // rest of that stream is never shipped. Tracking a tracked attempt changes nothing.
  void Track(const std::string& attempt_id, const std::filesystem::path& dir, int64_t limit_bytes);
  void Untrack(const std::string& attempt_id);
  bool Tracks(const std::string& attempt_id) const;

  // A status of an untracked attempt goes to the sink at once. A non-final one of a tracked
  // attempt too, unless kBusyAttempts others run and the hold keeps it back for a Poll (its
  // output waits with it); the attempt's output may follow from then on. A final one (EXITED,
  // LAUNCH_FAILED) replaces a status held back, and goes once Poll shipped all that the attempt's
  // files hold.
  void Report(const batch::v1::AttemptStatus& status, Clock::time_point now = Clock::now());

  // Which attempts a Poll reads. Reading every running attempt's files on each of the agent's
  // wake-ups cost two reads per attempt per event under load, for output that a follower sees
  // a few milliseconds sooner; ended attempts hold back their final status until read.
  enum class Scope { kAll, kEnded };

  // Ships the statuses held back once their hold is over; new bytes, about `budget_bytes` at
  // most, attempts taking turns; then the final statuses whose logs are complete. Returns the
  // number of log bytes shipped.
  size_t Poll(size_t budget_bytes, Scope scope = Scope::kAll, Clock::time_point now = Clock::now());

  // When Poll should next be called for statuses held back; nullopt while none is.
  std::optional<Clock::time_point> HeldUntil() const;

  // The sink now feeds a new stream: every stream starts over at offset 0 (batchd drops what it
  // already has), pending final statuses are dropped, and each attempt's output waits for a
  // status again.
  void Rewind();

  // No status is held back and no final one is waiting for its logs.
  bool Idle() const;

 private:
  struct Stream {
    const char* name;
    int fd = -1;
    uint64_t offset = 0;
    bool cut = false;  // reached the limit: nothing more to ship
  };
  struct Attempt {
    std::filesystem::path dir;
    int64_t limit_bytes = 0;
    bool reported = false;  // a status went out on this stream: output may follow
    bool running = false;   // its last status was not a final one
    std::optional<batch::v1::AttemptStatus> held_status;  // non-final, kept back by the hold
    std::optional<batch::v1::AttemptStatus> final_status;
    Stream streams[2] = {{"stdout"}, {"stderr"}};
  };

  // Ships up to `budget` bytes of one stream; sets *at_end when its file had nothing more.
  size_t ShipStream(const std::string& attempt_id, Attempt& attempt, Stream& stream, size_t budget,
                    bool* at_end);
  static void CloseStreams(Attempt& attempt);
  void SendStatus(batch::v1::AttemptStatus status);
  void SetRunning(Attempt& attempt, bool running);
  void DropHeld(Attempt& attempt);
  void ShipHeld(Clock::time_point now);

  Sink sink_;
  size_t chunk_bytes_;
  const std::chrono::milliseconds running_hold_;
  size_t running_ = 0;  // attempts with `running` set
  size_t held_ = 0;     // attempts with a held_status
  Clock::time_point held_since_{};
  std::string buffer_;
  std::map<std::string, Attempt> attempts_;
  std::string next_turn_;  // Poll starts at the first attempt id not before this one
};

}  // namespace batchd::agent
