#include "store_test_util.h"

namespace batchd::store {
namespace {

using api::ErrorCode;

class JobLogsTest : public StoreTest {
 protected:
  void Store(const std::vector<LogRecord>& logs) { store_->UpdateJobs({}, nullptr, logs); }

  static LogRecord Piece(const std::string& stream, int64_t offset, const std::string& data,
                         int64_t at = 0, bool truncated = false) {
    return {.attempt_id = "att",
            .job_id = "job",
            .stream = stream,
            .offset = offset,
            .at = at,
            .data = data,
            .truncated = truncated};
  }

  // "stream@offset:data" for each record, in order.
  static std::vector<std::string> Describe(const LogPage& page) {
    std::vector<std::string> out;
    for (const auto& r : page.records) {
      out.push_back(r.stream + "@" + std::to_string(r.offset) + ":" + r.data);
    }
    return out;
  }

  // Every record from `token` on, page by page.
  std::vector<std::string> ReadAll(std::string& token, int max_bytes) {
    std::vector<std::string> out;
    for (;;) {
      auto page = store_->ReadLogs("att", token, max_bytes);
      token = page.next_token;
      if (page.records.empty()) return out;
      for (auto& line : Describe(page)) out.push_back(line);
    }
  }
};

TEST_F(JobLogsTest, ReadsPiecesInTheOrderStoredWithTheirTimesAndJob) {
  Store({Piece("stdout", 0, "one\n", 10), Piece("stderr", 0, "oops\n", 11)});
  Store({Piece("stdout", 4, "two\n", 12)});
  auto page = store_->ReadLogs("att", "", 0);
  EXPECT_EQ(Describe(page),
            (std::vector<std::string>{"stdout@0:one\n", "stderr@0:oops\n", "stdout@4:two\n"}));
  EXPECT_EQ(page.records[1].at, 11);
  EXPECT_EQ(page.records[1].job_id, "job");
  EXPECT_EQ(page.records[1].attempt_id, "att");
  EXPECT_FALSE(page.truncated);
  EXPECT_FALSE(page.next_token.empty());

  auto other = store_->ReadLogs("another-attempt", "", 0);
  EXPECT_TRUE(other.records.empty());
  EXPECT_FALSE(other.next_token.empty());
}

TEST_F(JobLogsTest, PagesAreBoundedByMaxBytesButHoldAtLeastOnePiece) {
  Store({Piece("stdout", 0, "aaaa"), Piece("stdout", 4, "bbbb"), Piece("stdout", 8, "cccc"),
         Piece("stdout", 12, "dddddddddd"), Piece("stdout", 22, "e")});
  auto first = store_->ReadLogs("att", "", 8);
  EXPECT_EQ(Describe(first), (std::vector<std::string>{"stdout@0:aaaa", "stdout@4:bbbb"}));
  auto second = store_->ReadLogs("att", first.next_token, 8);
  EXPECT_EQ(Describe(second), (std::vector<std::string>{"stdout@8:cccc"}));
  auto third = store_->ReadLogs("att", second.next_token, 8);
  EXPECT_EQ(Describe(third), (std::vector<std::string>{"stdout@12:dddddddddd"}));
  auto fourth = store_->ReadLogs("att", third.next_token, 8);
  EXPECT_EQ(Describe(fourth), (std::vector<std::string>{"stdout@22:e"}));
  auto done = store_->ReadLogs("att", fourth.next_token, 8);
  EXPECT_TRUE(done.records.empty());
  EXPECT_EQ(done.next_token, fourth.next_token);
}

TEST_F(JobLogsTest, OverlappingResendsAreTrimmedToWhatWasNotGivenYet) {
  Store({Piece("stdout", 0, "hello "), Piece("stderr", 0, "warn")});
  // After a reconnect the agent resends from offset 3 in pieces of other sizes.
  Store({Piece("stdout", 3, "lo"), Piece("stdout", 5, " wor"), Piece("stdout", 9, "ld"),
         Piece("stderr", 2, "rn!")});
  auto page = store_->ReadLogs("att", "", 0);
  EXPECT_EQ(Describe(page),
            (std::vector<std::string>{"stdout@0:hello ", "stderr@0:warn", "stdout@6:wor",
                                      "stdout@9:ld", "stderr@4:!"}));
  // The same holds across pages: the token remembers how far each stream got.
  std::string token;
  EXPECT_EQ(ReadAll(token, 1), Describe(page));
}

TEST_F(JobLogsTest, AResendFromTheSameOffsetWithMoreDataKeepsTheMore) {
  Store({Piece("stdout", 0, "he")});
  // The agent reconnects and resends from 0, now with everything it has read since.
  Store({Piece("stdout", 0, "hello"), Piece("stdout", 0, "he")});
  std::string token;
  EXPECT_EQ(ReadAll(token, 0), (std::vector<std::string>{"stdout@0:he", "stdout@2:llo"}));
}

TEST_F(JobLogsTest, TruncatedIsReportedOnEveryPage) {
  Store({Piece("stdout", 0, "abc")});
  EXPECT_FALSE(store_->ReadLogs("att", "", 0).truncated);
  auto first = store_->ReadLogs("att", "", 0);
  Store({Piece("stdout", 3, "def", 0, true)});
  auto page = store_->ReadLogs("att", first.next_token, 0);
  EXPECT_TRUE(page.truncated);
  EXPECT_TRUE(page.records.back().truncated);
  auto after = store_->ReadLogs("att", page.next_token, 0);
  EXPECT_TRUE(after.records.empty());
  EXPECT_TRUE(after.truncated);
}

TEST_F(JobLogsTest, FollowingWithTheTokenGetsOnlyWhatWasStoredSince) {
  Store({Piece("stdout", 0, "first\n")});
  auto page = store_->ReadLogs("att", "", 0);
  EXPECT_EQ(Describe(page), std::vector<std::string>{"stdout@0:first\n"});
  auto idle = store_->ReadLogs("att", page.next_token, 0);
  EXPECT_TRUE(idle.records.empty());
  // A resend of part of what was read, cut elsewhere, and something new.
  Store({Piece("stdout", 3, "st\nsec"), Piece("stdout", 9, "ond\n")});
  auto next = store_->ReadLogs("att", idle.next_token, 0);
  EXPECT_EQ(Describe(next), (std::vector<std::string>{"stdout@6:sec", "stdout@9:ond\n"}));
  EXPECT_TRUE(store_->ReadLogs("att", next.next_token, 0).records.empty());
}

TEST_F(JobLogsTest, BinaryDataRoundTrips) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  Store({Piece("stdout", 0, bytes)});
  auto page = store_->ReadLogs("att", "", 0);
  ASSERT_EQ(page.records.size(), 1u);
  EXPECT_EQ(page.records[0].data, bytes);
}

TEST_F(JobLogsTest, ABadTokenIsRefused) {
  ExpectApiError([&] { store_->ReadLogs("att", "zz", 0); }, ErrorCode::kInvalidArgument,
                 "nextToken");
  auto token = store_->ReadLogs("att", "", 0).next_token;
  ExpectApiError([&] { store_->ReadLogs("other", token, 0); }, ErrorCode::kInvalidArgument,
                 "nextToken");
}

}  // namespace
}  // namespace batchd::store
