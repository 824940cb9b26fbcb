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
  void Append(const std::string& stream, const std::string& text) {
    std::ofstream(dir_.path() / stream, std::ios::app) << text;
  }
  batch::v1::AttemptStatus Status(AttemptState::Value state) {
    batch::v1::AttemptStatus s;
    s.set_attempt_id("a");
    s.set_state(state);
    return s;
  }
  // What was shipped, as "stdout@0:text" and "status:EXITED".
  std::vector<std::string> Shipped() {
    std::vector<std::string> out;
    for (const AgentMessage& m : sent_) {
      if (m.has_log_chunk()) {
        const auto& c = m.log_chunk();
        out.push_back(c.stream() + "@" + std::to_string(c.sequence()) + ":" + c.data() +
                      (c.truncated() ? " (truncated)" : ""));
      } else {
        out.push_back("status:" + AttemptState::Value_Name(m.attempt_status().state()));
      }
    }
    sent_.clear();
    return out;
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

}  // namespace
}  // namespace batchd::agent
