// Which queued messages go out as one write (api/message_batch.h).
#include "api/message_batch.h"

#include <gtest/gtest.h>

#include <string>

#include "batch/v1/agent_service.pb.h"

namespace batchd::api {
namespace {

using batch::v1::AgentMessage;
using batch::v1::SchedulerMessage;

bool IsHello(const AgentMessage& m) { return m.has_hello(); }

AgentMessage TakeNextWrite(std::deque<AgentMessage>& outbox, bool batches, size_t* bytes) {
  return api::TakeNextWrite(outbox, batches, IsHello, bytes);
}

AgentMessage Status(const std::string& attempt_id) {
  AgentMessage m;
  m.mutable_attempt_status()->set_attempt_id(attempt_id);
  return m;
}

AgentMessage Chunk(size_t bytes) {
  AgentMessage m;
  m.mutable_log_chunk()->set_data(std::string(bytes, 'x'));
  return m;
}

std::deque<AgentMessage> Statuses(int count) {
  std::deque<AgentMessage> outbox;
  for (int i = 0; i < count; ++i) outbox.push_back(Status("a-" + std::to_string(i)));
  return outbox;
}

TEST(MessageBatch, OneAtATimeUntilBatchdTakesBatches) {
  std::deque<AgentMessage> outbox = Statuses(3);
  size_t bytes = 0;
  const AgentMessage write = TakeNextWrite(outbox, false, &bytes);
  EXPECT_EQ(write.attempt_status().attempt_id(), "a-0");
  EXPECT_EQ(bytes, Status("a-0").ByteSizeLong());
  EXPECT_EQ(outbox.size(), 2u);
}

TEST(MessageBatch, WaitingMessagesGoTogetherInTheirOrder) {
  std::deque<AgentMessage> outbox = Statuses(3);
  outbox.push_back(Chunk(10));
  size_t bytes = 0;
  const AgentMessage write = TakeNextWrite(outbox, true, &bytes);
  ASSERT_TRUE(write.has_batch());
  ASSERT_EQ(write.batch().messages_size(), 4);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(write.batch().messages(i).attempt_status().attempt_id(), "a-" + std::to_string(i));
  }
  EXPECT_TRUE(write.batch().messages(3).has_log_chunk());
  EXPECT_EQ(bytes, 3 * Status("a-0").ByteSizeLong() + Chunk(10).ByteSizeLong());
  EXPECT_TRUE(outbox.empty());

  // A message alone is sent as itself.
  outbox = Statuses(1);
  EXPECT_TRUE(TakeNextWrite(outbox, true, &bytes).has_attempt_status());
}

TEST(MessageBatch, HelloGoesAlone) {
  std::deque<AgentMessage> outbox = Statuses(2);
  AgentMessage hello;
  hello.mutable_hello()->set_node_id("n");
  outbox.push_front(hello);
  size_t bytes = 0;
  EXPECT_TRUE(TakeNextWrite(outbox, true, &bytes).has_hello());
  EXPECT_EQ(TakeNextWrite(outbox, true, &bytes).batch().messages_size(), 2);

  outbox = Statuses(2);
  outbox.push_back(hello);
  EXPECT_EQ(TakeNextWrite(outbox, true, &bytes).batch().messages_size(), 2);
  EXPECT_TRUE(TakeNextWrite(outbox, true, &bytes).has_hello());
}

TEST(MessageBatch, ABatchStaysUnderItsCounts) {
  std::deque<AgentMessage> outbox = Statuses(kMaxBatchMessages + 5);
  size_t bytes = 0;
  EXPECT_EQ(TakeNextWrite(outbox, true, &bytes).batch().messages_size(),
            static_cast<int>(kMaxBatchMessages));
  EXPECT_EQ(outbox.size(), 5u);

  // 64 KiB log chunks: the batch ends before the one that would pass kMaxBatchBytes.
  outbox.clear();
  for (int i = 0; i < 40; ++i) outbox.push_back(Chunk(64 * 1024));
  const AgentMessage write = TakeNextWrite(outbox, true, &bytes);
  EXPECT_LE(bytes, kMaxBatchBytes);
  EXPECT_GT(bytes + Chunk(64 * 1024).ByteSizeLong(), kMaxBatchBytes);
  EXPECT_EQ(static_cast<size_t>(write.batch().messages_size()) + outbox.size(), 40u);
}

TEST(MessageBatch, SchedulerMessagesBatchTheSameWayWithTheWelcomeAlone) {
  std::deque<SchedulerMessage> outbox(3);
  outbox[0].mutable_welcome()->set_node_id("n");
  outbox[1].mutable_launch()->set_attempt_id("a-1");
  outbox[2].mutable_ack()->add_attempt_ids("a-0");
  const auto welcome = [](const SchedulerMessage& m) { return m.has_welcome(); };
  size_t bytes = 0;
  EXPECT_TRUE(api::TakeNextWrite(outbox, true, welcome, &bytes).has_welcome());
  const SchedulerMessage write = api::TakeNextWrite(outbox, true, welcome, &bytes);
  ASSERT_EQ(write.batch().messages_size(), 2);
  EXPECT_EQ(write.batch().messages(0).launch().attempt_id(), "a-1");
  EXPECT_EQ(write.batch().messages(1).ack().attempt_ids(0), "a-0");
}

}  // namespace
}  // namespace batchd::api
