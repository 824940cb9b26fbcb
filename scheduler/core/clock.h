#pragma once
// Everything that reads the time takes a Clock, so tests can step time exactly.
#include <chrono>
#include <cstdint>

namespace batchd::core {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point Now() const = 0;
  int64_t NowMillis() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Now().time_since_epoch()).count();
  }
};

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::now();
  }
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::chrono::system_clock::time_point start = {}) : now_(start) {}
  std::chrono::system_clock::time_point Now() const override { return now_; }
  void Advance(std::chrono::milliseconds by) { now_ += by; }
  void Set(std::chrono::system_clock::time_point to) { now_ = to; }

 private:
  std::chrono::system_clock::time_point now_;
};

}  // namespace batchd::core
