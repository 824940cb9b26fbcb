#include "server/join_tokens.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "support/temp_dir.h"

namespace batchd::server {
namespace {

namespace fs = std::filesystem;

TEST(JoinTokens, ConfigAndFileTokensAreAllAccepted) {
  testing::TempDir dir;
  const fs::path file = dir.path() / "tokens";
  std::ofstream(file) << "# agents of rack 1\n  file-token  \n\nsecond\n";
  config::BatchdConfig config;
  config.data_dir = dir.path();
  config.agent_tokens = {"from-config"};
  config.agent_token_file = file;
  EXPECT_EQ(LoadJoinTokens(config),
            (std::vector<std::string>{"from-config", "file-token", "second"}));
  EXPECT_FALSE(fs::exists(GeneratedTokenFile(dir.path())));
}

TEST(JoinTokens, WithNoneConfiguredOneIsGeneratedPrivatelyAndReused) {
  testing::TempDir dir;
  config::BatchdConfig config;
  config.data_dir = dir.path();
  const auto first = LoadJoinTokens(config);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].size(), 64u);
  struct stat st {};
  ASSERT_EQ(stat(GeneratedTokenFile(dir.path()).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(LoadJoinTokens(config), first);
}

TEST(JoinTokens, AnUnreadableOrEmptyFileIsAnErrorNamingTheFile) {
  testing::TempDir dir;
  config::BatchdConfig config;
  config.data_dir = dir.path();
  config.agent_token_file = dir.path() / "missing";
  try {
    LoadJoinTokens(config);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("missing"), std::string::npos) << e.what();
  }
  std::ofstream(dir.path() / "empty") << "# nothing\n";
  config.agent_token_file = dir.path() / "empty";
  EXPECT_THROW(LoadJoinTokens(config), std::runtime_error);
}

}  // namespace
}  // namespace batchd::server
