#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "config/batchd_config.h"
#include "server/options.h"
#include "support/temp_dir.h"

namespace batchd::server {
namespace {

namespace fs = std::filesystem;
using config::BatchdConfig;
using config::LoadBatchdConfigFile;

class ConfigFileTest : public ::testing::Test {
 protected:
  fs::path Write(const std::string& text) {
    const fs::path path = dir_.path() / "batchd.yaml";
    std::ofstream(path) << text;
    return path;
  }
  std::string ErrorOf(const std::string& text) {
    try {
      LoadBatchdConfigFile(Write(text));
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "(no error)";
  }
  testing::TempDir dir_;
};

TEST_F(ConfigFileTest, ReadsEveryKey) {
  BatchdConfig cfg =
      LoadBatchdConfigFile(Write("listen: 0.0.0.0:7200\n"
                                 "database_url: postgresql://batchd@db/batchd\n"
                                 "data_dir: /srv/batchd\n"
                                 "log_level: debug\n"));
  EXPECT_EQ(cfg.listen, "0.0.0.0:7200");
  EXPECT_EQ(cfg.database_url, "postgresql://batchd@db/batchd");
  EXPECT_EQ(cfg.data_dir, "/srv/batchd");
  EXPECT_EQ(cfg.log_level, "debug");
}

TEST_F(ConfigFileTest, KeysLeftOutKeepTheirDefaults) {
  BatchdConfig cfg = LoadBatchdConfigFile(Write("# nothing but a comment\n"));
  EXPECT_EQ(cfg.listen, "127.0.0.1:7100");
  EXPECT_EQ(cfg.database_url, "");
  EXPECT_EQ(cfg.data_dir, "");
  EXPECT_EQ(cfg.log_level, "info");
}

TEST_F(ConfigFileTest, UnknownKeyNamesFileLineAndKey) {
  const std::string err = ErrorOf("listen: 127.0.0.1:1\n\nlisten_port: 7100\n");
  EXPECT_NE(err.find("batchd.yaml:3:"), std::string::npos) << err;
  EXPECT_NE(err.find("unknown key 'listen_port'"), std::string::npos) << err;
  EXPECT_NE(err.find("known keys: agent_token_file, agent_tokens, data_dir, database_url"),
            std::string::npos)
      << err;
}

TEST_F(ConfigFileTest, SchedulerKeys) {
  BatchdConfig cfg =
      LoadBatchdConfigFile(Write("agent_tokens: [one, two]\n"
                                 "agent_token_file: /etc/batchd/tokens\n"
                                 "node_lease_seconds: 12\n"
                                 "heartbeat_seconds: 3\n"
                                 "kill_grace_seconds: 4\n"
                                 "log_limit_bytes: 0\n"
                                 "max_infrastructure_retries: 2\n"
                                 "unplaceable_jobs: wait\n"
                                 "max_array_size: 500000\n"
                                 "max_depends_on: 50\n"));
  EXPECT_EQ(cfg.agent_tokens, (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(cfg.agent_token_file, "/etc/batchd/tokens");
  EXPECT_EQ(cfg.node_lease_seconds, 12);
  EXPECT_EQ(cfg.heartbeat_seconds, 3);
  EXPECT_EQ(cfg.kill_grace_seconds, 4);
  EXPECT_EQ(cfg.log_limit_bytes, 0);
  EXPECT_EQ(cfg.max_infrastructure_retries, 2);
  EXPECT_EQ(cfg.unplaceable_jobs, "wait");
  EXPECT_EQ(cfg.max_array_size, 500000);
  EXPECT_EQ(cfg.max_depends_on, 50);
}

TEST_F(ConfigFileTest, BadSchedulerKeysAreClearErrorsThatNeverShowATokenValue) {
  std::string err = ErrorOf("agent_tokens: [s3cr3t, {a: b}]\n");
  EXPECT_NE(err.find("agent_tokens: each entry must be a non-empty string"), std::string::npos)
      << err;
  EXPECT_EQ(err.find("s3cr3t"), std::string::npos) << err;
  err = ErrorOf("node_lease_seconds: 0\n");
  EXPECT_NE(err.find("node_lease_seconds: must be between 1 and 86400"), std::string::npos) << err;
  err = ErrorOf("node_lease_seconds: 5\nheartbeat_seconds: 5\n");
  EXPECT_NE(err.find("heartbeat_seconds must be less than node_lease_seconds"), std::string::npos)
      << err;
  err = ErrorOf("unplaceable_jobs: maybe\n");
  EXPECT_NE(err.find("unplaceable_jobs"), std::string::npos) << err;
  err = ErrorOf("max_array_size: 1\n");
  EXPECT_NE(err.find("max_array_size: must be between 2 and 10000000"), std::string::npos) << err;
  err = ErrorOf("max_depends_on: 0\n");
  EXPECT_NE(err.find("max_depends_on: must be between 1 and 100000"), std::string::npos) << err;
}

TEST_F(ConfigFileTest, WrongTypeNamesLineAndKey) {
  const std::string err = ErrorOf("log_level: info\nlisten:\n  - a\n  - b\n");
  EXPECT_NE(err.find("batchd.yaml:3:"), std::string::npos) << err;
  EXPECT_NE(err.find("listen: expected a string"), std::string::npos) << err;
}

TEST_F(ConfigFileTest, MissingValueIsAnError) {
  const std::string err = ErrorOf("database_url:\n");
  EXPECT_NE(err.find("batchd.yaml:1:"), std::string::npos) << err;
  EXPECT_NE(err.find("database_url: a value is required"), std::string::npos) << err;
}

TEST_F(ConfigFileTest, BadLogLevelListsTheAllowedOnes) {
  const std::string err = ErrorOf("log_level: verbose\n");
  EXPECT_NE(err.find("batchd.yaml:1:"), std::string::npos) << err;
  EXPECT_NE(err.find("\"verbose\" is not one of trace, debug, info, warn, error, critical, off"),
            std::string::npos)
      << err;
}

TEST_F(ConfigFileTest, TopLevelMustBeAMapping) {
  EXPECT_NE(ErrorOf("- listen\n").find("expected a mapping"), std::string::npos);
}

TEST_F(ConfigFileTest, SyntaxErrorNamesTheLine) {
  const std::string err = ErrorOf("listen: 127.0.0.1:1\nlog_level: [info\n");
  EXPECT_NE(err.find("batchd.yaml:"), std::string::npos) << err;
}

TEST_F(ConfigFileTest, MissingFileIsAClearError) {
  EXPECT_THROW(
      {
        try {
          LoadBatchdConfigFile(dir_.path() / "absent.yaml");
        } catch (const std::runtime_error& e) {
          EXPECT_NE(std::string(e.what()).find("absent.yaml: cannot read"), std::string::npos);
          throw;
        }
      },
      std::runtime_error);
}

TEST_F(ConfigFileTest, FlagsWinOverTheFile) {
  const fs::path file = Write(
      "listen: 0.0.0.0:7200\ndatabase_url: host=db\ndata_dir: /srv/batchd\nlog_level: debug\n");
  CommandLine flags;
  flags.config_file = file.string();
  flags.listen = "127.0.0.1:0";
  flags.log_level = "warn";
  BatchdConfig cfg = ResolveConfig(flags);
  EXPECT_EQ(cfg.listen, "127.0.0.1:0");
  EXPECT_EQ(cfg.log_level, "warn");
  EXPECT_EQ(cfg.database_url, "host=db");  // from the file: no flag
  EXPECT_EQ(cfg.data_dir, "/srv/batchd");
}

TEST(CommandLine, ParsesFlagsAndLaterOnesWin) {
  const char* argv[] = {"batchd",  "--listen",    "127.0.0.1:1", "--data-dir",
                        "rel/dir", "--listen",    "127.0.0.1:2", "--database-url",
                        "host=x",  "--log-level", "error"};
  ParsedCommandLine parsed = ParseCommandLine(std::size(argv), argv);
  ASSERT_FALSE(parsed.exit_code) << parsed.message;
  EXPECT_EQ(parsed.flags.listen, "127.0.0.1:2");
  EXPECT_EQ(parsed.flags.database_url, "host=x");
  EXPECT_EQ(parsed.flags.log_level, "error");
  BatchdConfig cfg = ResolveConfig(parsed.flags);
  EXPECT_EQ(cfg.data_dir, fs::current_path() / "rel/dir") << "made absolute";
}

TEST(CommandLine, HelpExitsZeroAndUnknownFlagOne) {
  const char* help[] = {"batchd", "--help"};
  ParsedCommandLine parsed = ParseCommandLine(2, help);
  EXPECT_EQ(parsed.exit_code, 0);
  EXPECT_NE(parsed.message.find("--database-url"), std::string::npos);

  const char* bad[] = {"batchd", "--lisen", "x"};
  parsed = ParseCommandLine(3, bad);
  EXPECT_EQ(parsed.exit_code, 1);
  EXPECT_NE(parsed.message.find("--lisen"), std::string::npos) << parsed.message;
}

TEST(CommandLine, BadLogLevelFlagIsRejected) {
  CommandLine flags;
  flags.log_level = "loud";
  EXPECT_THROW(ResolveConfig(flags), std::runtime_error);
}

TEST(CommandLine, ListenAddressNeedsHostAndPort) {
  EXPECT_NO_THROW(ValidateListenAddress("127.0.0.1:0"));
  EXPECT_NO_THROW(ValidateListenAddress("[::1]:7100"));
  EXPECT_NO_THROW(ValidateListenAddress("localhost:7100"));
  EXPECT_THROW(ValidateListenAddress("7100"), std::runtime_error);
  EXPECT_THROW(ValidateListenAddress(":7100"), std::runtime_error);
  EXPECT_THROW(ValidateListenAddress("127.0.0.1:"), std::runtime_error);
  EXPECT_THROW(ValidateListenAddress("127.0.0.1:70000"), std::runtime_error);
  EXPECT_THROW(ValidateListenAddress("127.0.0.1:http"), std::runtime_error);
}

TEST(DefaultDataDir, RootUsesVarLibOthersTheirHome) {
  const fs::path dir = config::DefaultBatchdDataDir();
  if (geteuid() == 0) {
    EXPECT_EQ(dir, "/var/lib/batchd");
  } else {
    EXPECT_EQ(dir.filename(), "batchd");
  }
}

}  // namespace
}  // namespace batchd::server
