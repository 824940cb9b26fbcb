#include "cli/output.h"

#include <gtest/gtest.h>

#include <sstream>

#include "batch/v1/types.pb.h"

namespace batchd::cli {
namespace {

TEST(Table, AlignsColumnsAndTrimsTheLastOne) {
  Table t({"NAME", "STATE", "REASON"});
  t.AddRow({"a", "ENABLED", ""});
  t.AddRow({"longer-name", "DISABLED", "why"});
  std::ostringstream out;
  t.Print(out);
  EXPECT_EQ(out.str(),
            "NAME          STATE      REASON\n"
            "a             ENABLED\n"
            "longer-name   DISABLED   why\n");
}

TEST(PrintMessage, JsonAndYamlUseTheApiNames) {
  batch::v1::ComputeEnvironmentDetail ce;
  ce.set_compute_environment_name("local");
  ce.set_state(batch::v1::CEState::ENABLED);
  std::ostringstream json, yaml;
  PrintMessage(json, ce, OutputFormat::kJson);
  PrintMessage(yaml, ce, OutputFormat::kYaml);
  EXPECT_NE(json.str().find("\"computeEnvironmentName\": \"local\""), std::string::npos);
  EXPECT_NE(yaml.str().find("computeEnvironmentName: local"), std::string::npos);
  EXPECT_NE(yaml.str().find("state: ENABLED"), std::string::npos);
}

TEST(FormatTime, UtcSecondsOrDash) {
  EXPECT_EQ(FormatTime(0), "-");
  EXPECT_EQ(FormatTime(1700000000123), "2023-11-14T22:13:20Z");
}

TEST(NameFromArn, StripsTheArn) {
  EXPECT_EQ(NameFromArn("arn:batchd:batch:local:000000000000:job-queue/high"), "high");
  EXPECT_EQ(NameFromArn("high"), "high");
}

TEST(ShellJoin, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(ShellJoin({"echo", "hello world", "it's"}), "echo 'hello world' 'it'\\''s'");
  EXPECT_EQ(ShellJoin({"ls", ""}), "ls ''");
}

TEST(Truncate, EndsInDots) {
  EXPECT_EQ(Truncate("abcdef", 6), "abcdef");
  EXPECT_EQ(Truncate("abcdefg", 6), "abc...");
}

TEST(ParseOutputFormat, KnownNamesOnly) {
  EXPECT_EQ(ParseOutputFormat("json"), OutputFormat::kJson);
  EXPECT_EQ(ParseOutputFormat("yaml"), OutputFormat::kYaml);
  EXPECT_EQ(ParseOutputFormat("table"), OutputFormat::kTable);
  EXPECT_EQ(ParseOutputFormat("xml"), std::nullopt);
}

}  // namespace
}  // namespace batchd::cli

namespace batchd::cli {
namespace {

TEST(FormatTimeMillis, UtcWithMilliseconds) {
  EXPECT_EQ(FormatTimeMillis(1700000000123), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(FormatTimeMillis(1700000000000), "2023-11-14T22:13:20.000Z");
}

TEST(FormatDuration, ShortFormsByMagnitude) {
  EXPECT_EQ(FormatDuration(850), "850ms");
  EXPECT_EQ(FormatDuration(12'345), "12.3s");
  EXPECT_EQ(FormatDuration(245'000), "4m05s");
  EXPECT_EQ(FormatDuration(7'380'000), "2h03m");
  EXPECT_EQ(FormatDuration(-5), "0ms");
}

TEST(FormatAge, CoarseAndNeverNegative) {
  const int64_t now = 1'700'000'000'000;
  EXPECT_EQ(FormatAge(0, now), "-");
  EXPECT_EQ(FormatAge(now - 3'999, now), "3s ago");
  EXPECT_EQ(FormatAge(now + 5'000, now), "0s ago");
  EXPECT_EQ(FormatAge(now - 600'000, now), "10m ago");
  EXPECT_EQ(FormatAge(now - 5 * 3'600'000, now), "5h ago");
  EXPECT_EQ(FormatAge(now - 3 * 86'400'000LL, now), "3d ago");
}

}  // namespace
}  // namespace batchd::cli
