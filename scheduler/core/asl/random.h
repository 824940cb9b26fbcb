#pragma once
// Randomness the interpreter needs (States.UUID, States.MathRandom, retry jitter, task
// tokens) comes through this interface, so tests get the same values every run.
#include <cstdint>
#include <random>

namespace batchd::asl {

class Random {
 public:
  virtual ~Random() = default;
  virtual uint64_t Next() = 0;
  // Uniform in [0, 1).
  double NextUnit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
};

class SystemRandom final : public Random {
 public:
  SystemRandom() : engine_(std::random_device{}()) {}
  uint64_t Next() override { return engine_(); }

 private:
  std::mt19937_64 engine_;
};

// Deterministic: a seeded engine, for tests and for States.MathRandom's seed argument.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(uint64_t seed) : engine_(seed) {}
  uint64_t Next() override { return engine_(); }

 private:
  std::mt19937_64 engine_;
};

}  // namespace batchd::asl
