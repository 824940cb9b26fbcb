
#include <gtest/gtest.h>

#include <fstream>

#include "api/text.h"
#include "support/temp_dir.h"

namespace batchd::api {
namespace {

TEST(Text, TrimmedDropsSpacesTabsAndLineEnds) {
  EXPECT_EQ(Trimmed("  a b\t\r\n"), "a b");
  EXPECT_EQ(Trimmed(" \n\t "), "");
  EXPECT_EQ(Trimmed(""), "");
}

TEST(Text, FirstLineSkipsBlankLines) {
  EXPECT_EQ(FirstLine("\n  \n  node-7 \nnode-8\n"), "node-7");
  EXPECT_EQ(FirstLine("only"), "only");
  EXPECT_EQ(FirstLine("\n \n"), "");
}

TEST(Text, ReadTextFileReadsAllOrNothing) {
  testing::TempDir dir;
  const auto path = dir.path() / "f";
  std::ofstream(path, std::ios::binary) << " x\ny\n";
  EXPECT_EQ(ReadTextFile(path), std::optional<std::string>(" x\ny\n"));
  EXPECT_EQ(ReadTextFile(dir.path() / "missing"), std::nullopt);
}

}  // namespace
}  // namespace batchd::api
