// Log shipping and its order with statuses, on real files.
#include "agent/log_shipper.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.h"

namespace batchd::agent {
namespace {

using batch::v1::AgentMessage;
using batch::v1::AttemptState;

class LogShipperTest : public ::testing::Test {
 protected:
  void Append(const std::string& stream, const std::string& text, const std::string& attempt = "") {
    std::filesystem::create_directories(dir_.path() / attempt);
    std::ofstream(dir_.path() / attempt / stream, std::ios::app) << text;
  }
  batch::v1::AttemptStatus Status(AttemptState::Value state, const std::string& attempt = "a") {
    batch::v1::AttemptStatus s;
    s.set_attempt_id(attempt);
    s.set_state(state);
    return s;
  }
  // What was shipped, as "stdout@0:text" and "status:EXITED".
  std::vector<std::string> Shipped() {
    std::vector<std::string> out;
    for (const AgentMessage& m : sent_) {
      if (m.has_log_chunk()) {
        const auto& c = m.log_chunk();
        const std::string who = c.attempt_id() == "a" ? "" : c.attempt_id() + "/";
        out.push_back(who + c.stream() + "@" + std::to_string(c.sequence()) + ":" + c.data() +
                      (c.truncated() ? " (truncated)" : ""));
      } else {
        const auto& st = m.attempt_status();
        const std::string who = st.attempt_id() == "a" ? "" : st.attempt_id() + "/";
        out.push_back(who + "status:" + AttemptState::Value_Name(st.state()));
      }
    }
    sent_.clear();
    return out;
  }

  // Attempt `id`, followed in <dir>/<id>, reported RUNNING, with `out` on its stdout.
  void Running(const std::string& id, const std::string& out) {
    shipper_.Track(id, dir_.path() / id, 0);
    shipper_.Report(Status(AttemptState::RUNNING, id));
    Append("stdout", out, id);
  }

  testing::TempDir dir_;
  std::vector<AgentMessage> sent_;
  LogShipper shipper_{[this](AgentMessage m) { sent_.push_back(std::move(m)); }, 4};
};

using Lines = std::vector<std::string>;

TEST_F(LogShipperTest, OutputWaitsForTheFirstStatusAndTheFinalOneForTheOutput) {
  shipper_.Track("a", dir_.path(), 0);
  Append("stdout", "hello");
  shipper_.Poll(1000);
  EXPECT_TRUE(Shipped().empty());  // batchd has not heard of the attempt yet

  shipper_.Report(Status(AttemptState::RUNNING));
  shipper_.Poll(1000);
  EXPECT_EQ(Shipped(), (Lines{"status:RUNNING", "stdout@0:hell", "stdout@4:o"}));

  Append("stderr", "oops");
  Append("stdout", "!");
  shipper_.Report(Status(AttemptState::EXITED));
  EXPECT_FALSE(shipper_.Idle());
  EXPECT_TRUE(Shipped().empty());
  shipper_.Poll(1000);
  EXPECT_EQ(Shipped(), (Lines{"stdout@5:!", "stderr@0:oops", "status:EXITED"}));
  EXPECT_TRUE(shipper_.Idle());
}

TEST_F(LogShipperTest, TheBudgetHoldsBackOutputAndTheFinalStatus) {
  shipper_.Track("a", dir_.path(), 0);
  Append("stdout", "0123456789");
  shipper_.Report(Status(AttemptState::EXITED));
  shipper_.Poll(6);
  EXPECT_EQ(Shipped(), (Lines{"stdout@0:0123", "stdout@4:45"}));
  shipper_.Poll(0);
  EXPECT_TRUE(Shipped().empty());
  shipper_.Poll(100);
  EXPECT_EQ(Shipped(), (Lines{"stdout@6:6789", "status:EXITED"}));
}

TEST_F(LogShipperTest, APollOfEndedAttemptsLeavesRunningOnesUnread) {
  Running("run", "live");
  Running("end", "done");
  shipper_.Report(Status(AttemptState::EXITED, "end"));
  Shipped();
  shipper_.Poll(100, LogShipper::Scope::kEnded);
  EXPECT_EQ(Shipped(), (Lines{"end/stdout@0:done", "end/status:EXITED"}));
  shipper_.Poll(100, LogShipper::Scope::kEnded);
  EXPECT_TRUE(Shipped().empty());
  shipper_.Poll(100, LogShipper::Scope::kAll);
  EXPECT_EQ(Shipped(), (Lines{"run/stdout@0:live"}));
}

TEST_F(LogShipperTest, AttemptsTakeTurnsAtASmallBudget) {
  Running("x", "xxxxxxxx");
  Running("y", "yyyyyyyy");
  Shipped();
  shipper_.Poll(4);
  EXPECT_EQ(Shipped(), (Lines{"x/stdout@0:xxxx"}));
  shipper_.Poll(4);
  EXPECT_EQ(Shipped(), (Lines{"y/stdout@0:yyyy"}));
  shipper_.Poll(4);
  EXPECT_EQ(Shipped(), (Lines{"x/stdout@4:xxxx"}));
  shipper_.Poll(100);
  EXPECT_EQ(Shipped(), (Lines{"y/stdout@4:yyyy"}));
}

TEST_F(LogShipperTest, RewindShipsEverythingAgainAfterTheNextStatus) {
  shipper_.Track("a", dir_.path(), 0);
  Append("stdout", "abc");
  shipper_.Report(Status(AttemptState::RUNNING));
  shipper_.Poll(100);
  Shipped();
  shipper_.Rewind();
  shipper_.Poll(100);
  EXPECT_TRUE(Shipped().empty());
  shipper_.Report(Status(AttemptState::EXITED));
  shipper_.Poll(100);
  EXPECT_EQ(Shipped(), (Lines{"stdout@0:abc", "status:EXITED"}));
}

TEST_F(LogShipperTest, TheLimitCutsAStreamAndMarksTheCut) {
  shipper_.Track("a", dir_.path(), 6);
  Append("stdout", "012345");
  Append("stderr", "abcdefghij");
  shipper_.Report(Status(AttemptState::RUNNING));
  shipper_.Poll(100);
  // Exactly at the limit is not a cut; one byte more is.
  EXPECT_EQ(Shipped(), (Lines{"status:RUNNING", "stdout@0:0123", "stdout@4:45", "stderr@0:abcd",
                              "stderr@4:ef (truncated)"}));
  Append("stdout", "6");
  Append("stderr", "more");
  shipper_.Poll(100);
  EXPECT_EQ(Shipped(), (Lines{"stdout@6: (truncated)"}));
  shipper_.Report(Status(AttemptState::EXITED));
  shipper_.Poll(100);
  EXPECT_EQ(Shipped(), (Lines{"status:EXITED"}));
}

TEST_F(LogShipperTest, UntrackedAttemptsReportAtOnceAndMissingFilesAreEmpty) {
  shipper_.Report(Status(AttemptState::LAUNCH_FAILED));
  EXPECT_EQ(Shipped(), (Lines{"status:LAUNCH_FAILED"}));
  shipper_.Track("a", dir_.path() / "not-yet", 0);
  shipper_.Report(Status(AttemptState::LAUNCH_FAILED));
  shipper_.Poll(100);
  EXPECT_EQ(Shipped(), (Lines{"status:LAUNCH_FAILED"}));
  shipper_.Untrack("a");
  EXPECT_FALSE(shipper_.Tracks("a"));
}

class HeldRunningTest : public LogShipperTest {
 protected:
  using Clock = LogShipper::Clock;
  static constexpr std::chrono::milliseconds kHold{50};

  // `count` attempts "r0".."r<count-1>" tracked and reported RUNNING at t0.
  void StartBusy(size_t count) {
    for (size_t i = 0; i < count; ++i) {
      const std::string id = "r" + std::to_string(i);
      held_.Track(id, dir_.path() / id, 0);
      held_.Report(Status(AttemptState::RUNNING, id), t0_);
    }
  }

  const Clock::time_point t0_ = Clock::now();
  LogShipper held_{[this](AgentMessage m) { sent_.push_back(std::move(m)); }, 4, kHold};
};

TEST_F(HeldRunningTest, AnAgentWithFewAttemptsReportsRunningAtOnce) {
  StartBusy(kBusyAttempts);
  EXPECT_EQ(Shipped(), (Lines{"r0/status:RUNNING", "r1/status:RUNNING", "r2/status:RUNNING",
                              "r3/status:RUNNING"}));
  EXPECT_FALSE(held_.HeldUntil());
  EXPECT_TRUE(held_.Idle());
}

TEST_F(HeldRunningTest, ABusyAgentsRunningReportsGoTogetherOnceTheFirstWasHeldLongEnough) {
  StartBusy(kBusyAttempts);
  Shipped();
  held_.Track("x", dir_.path() / "x", 0);
  held_.Track("y", dir_.path() / "y", 0);
  held_.Report(Status(AttemptState::RUNNING, "x"), t0_);
  Append("stdout", "out", "x");
  held_.Report(Status(AttemptState::RUNNING, "y"), t0_ + std::chrono::milliseconds(30));
  ASSERT_TRUE(held_.HeldUntil());
  EXPECT_EQ(*held_.HeldUntil(), t0_ + kHold);
  EXPECT_FALSE(held_.Idle());

  // Its output waits with the status: batchd hears of the attempt first.
  held_.Poll(100, LogShipper::Scope::kAll, t0_ + kHold - std::chrono::milliseconds(1));
  EXPECT_TRUE(Shipped().empty());
  held_.Poll(100, LogShipper::Scope::kEnded, t0_ + kHold);
  EXPECT_EQ(Shipped(), (Lines{"x/status:RUNNING", "y/status:RUNNING"}));
  EXPECT_FALSE(held_.HeldUntil());
  held_.Poll(100, LogShipper::Scope::kAll, t0_ + kHold);
  EXPECT_EQ(Shipped(), (Lines{"x/stdout@0:out"}));
}

TEST_F(HeldRunningTest, AFinalStatusReplacesAHeldRunningReport) {
  StartBusy(kBusyAttempts + 1);
  EXPECT_EQ(Shipped().size(), kBusyAttempts);
  Append("stdout", "done", "r4");
  held_.Report(Status(AttemptState::EXITED, "r4"), t0_ + std::chrono::milliseconds(1));
  EXPECT_FALSE(held_.HeldUntil());
  held_.Poll(100, LogShipper::Scope::kEnded, t0_ + std::chrono::milliseconds(2));
  EXPECT_EQ(Shipped(), (Lines{"r4/stdout@0:done", "r4/status:EXITED"}));
  held_.Poll(100, LogShipper::Scope::kAll, t0_ + 2 * kHold);
  EXPECT_TRUE(Shipped().empty());
  EXPECT_TRUE(held_.Idle());

  // Ended attempts no longer count: with one more ended, the next to start reports at once.
  held_.Report(Status(AttemptState::EXITED, "r0"), t0_ + 2 * kHold);
  held_.Poll(100, LogShipper::Scope::kEnded, t0_ + 2 * kHold);
  EXPECT_EQ(Shipped(), (Lines{"r0/status:EXITED"}));
  held_.Track("n", dir_.path() / "n", 0);
  held_.Report(Status(AttemptState::RUNNING, "n"), t0_ + 2 * kHold);
  EXPECT_EQ(Shipped(), (Lines{"n/status:RUNNING"}));
}

TEST_F(HeldRunningTest, ARewindDropsHeldReportsAndUntrackedAttemptsStopCounting) {
  StartBusy(kBusyAttempts + 1);
  Shipped();
  held_.Rewind();
  EXPECT_FALSE(held_.HeldUntil());
  held_.Poll(100, LogShipper::Scope::kAll, t0_ + kHold);
  EXPECT_TRUE(Shipped().empty());

  StartBusy(kBusyAttempts + 1);
  EXPECT_EQ(Shipped().size(), kBusyAttempts);
  held_.Untrack("r4");
  held_.Untrack("r3");
  EXPECT_FALSE(held_.HeldUntil());
  held_.Track("m", dir_.path() / "m", 0);
  held_.Report(Status(AttemptState::RUNNING, "m"), t0_);
  EXPECT_EQ(Shipped(), (Lines{"m/status:RUNNING"}));
}

}  // namespace
}  // namespace batchd::agent
