#include "core/clock.h"

#include <gtest/gtest.h>

namespace batchd::core {
namespace {

TEST(FakeClock, StepsExactly) {
  FakeClock clock(std::chrono::system_clock::time_point(std::chrono::milliseconds(1000)));
  EXPECT_EQ(clock.NowMillis(), 1000);
  clock.Advance(std::chrono::milliseconds(250));
  EXPECT_EQ(clock.NowMillis(), 1250);
}

TEST(SystemClock, MovesForward) {
  SystemClock clock;
  EXPECT_GT(clock.NowMillis(), 1700000000000);
}

}  // namespace
}  // namespace batchd::core
