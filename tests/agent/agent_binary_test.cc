// The batch-agent program itself, as a child process, against a stand-in batchd.
#include <signal.h>

#include <fstream>

#include "agent_fixture.h"
#include "support/batchd_process.h"
#include "support/wait.h"

namespace batchd::testing {
namespace {

namespace fs = std::filesystem;
using batch::v1::AgentMessage;
using batch::v1::AttemptState;

class AgentBinaryTest : public AgentFixture {
 protected:
  fs::path TokenFile(const std::string& token) const {
    const fs::path path = dir_.path() / "token";
    std::ofstream(path) << "  " << token << "\n";
    return path;
  }

  AgentOptions Process(const std::string& token = kTestJoinToken) const {
    return {
        .scheduler = server_->address(),
        .token_file = TokenFile(token),
        .compute_environment = "ce-test",
        .work_dir = work_dir(),
        .extra_args = {"--vcpus", "2", "--memory-mib", "1000", "--gpus", "0", "--label", "k=v"},
    };
  }
};

TEST_F(AgentBinaryTest, WrongTokenExitsNonZeroWithoutShowingTheToken) {
  const std::string wrong = "wrong-token-9f8e7d";
  AgentProcess agent(Process(wrong));
  ASSERT_TRUE(PollUntil([&] { return !agent.Running(); }));
  EXPECT_EQ(agent.exit_code(), 1);
  const std::string log = agent.Log();
  EXPECT_NE(log.find("rejected"), std::string::npos) << log;
  EXPECT_EQ(log.find(wrong), std::string::npos) << log;
  ASSERT_EQ(server_->Hellos().size(), 1u);
  EXPECT_EQ(server_->Hellos()[0].join_token(), wrong);  // read from the file, trimmed
}

TEST_F(AgentBinaryTest, MissingTokenFileOrSchedulerIsAStartupError) {
  AgentOptions no_token = Process();
  no_token.token_file = dir_.path() / "no-such-token";
  AgentProcess agent(no_token);
  ASSERT_TRUE(PollUntil([&] { return !agent.Running(); }));
  EXPECT_EQ(agent.exit_code(), 2);
  EXPECT_NE(agent.Log().find("no-such-token"), std::string::npos) << agent.Log();

  AgentOptions no_scheduler = Process();
  no_scheduler.scheduler = "";
  AgentProcess again(no_scheduler);
  ASSERT_TRUE(PollUntil([&] { return !again.Running(); }));
  EXPECT_EQ(again.exit_code(), 2);
  EXPECT_NE(again.Log().find("no scheduler address"), std::string::npos) << again.Log();
  EXPECT_TRUE(server_->Hellos().empty());
}

TEST_F(AgentBinaryTest, SigtermDrainsLetsTheJobFinishAndSaysGoodbye) {
  AgentProcess agent(Process());
  ASSERT_TRUE(PollUntil([&] { return server_->Welcomed() == 1; })) << agent.Log();
  const batch::v1::Hello hello = server_->Hellos().at(0);
  EXPECT_EQ(hello.resources().vcpus(), 2);
  EXPECT_EQ(hello.resources().memory_mib(), 1000);
  EXPECT_EQ(hello.resources().labels().at("k"), "v");
  const std::string connected = "connected to " + server_->address() + " as node " +
                                hello.node_id() + " (ce ce-test, 2 vCPU, 1000 MiB)";
  EXPECT_TRUE(PollUntil([&] { return agent.Log().find(connected) != std::string::npos; }))
      << agent.Log();

  const fs::path gate = Gate("go");
  ASSERT_TRUE(server_->Launch(LaunchGated("d1", gate, "echo finished")));
  ASSERT_TRUE(PollUntil([&] { return server_->Statuses("d1").size() == 1; }));
  ASSERT_EQ(kill(agent.pid(), SIGTERM), 0);
  ASSERT_TRUE(PollUntil([&] { return server_->Saw(AgentMessage::kDraining); }));
  EXPECT_TRUE(agent.Running());

  Open(gate);
  ASSERT_TRUE(PollUntil([&] { return !agent.Running(); })) << agent.Log();
  EXPECT_EQ(agent.exit_code(), 0) << agent.Log();
  EXPECT_EQ(server_->Log("d1"), "finished\n");
  const auto messages = server_->Messages();
  const int exited = IndexOf(messages, [](const AgentMessage& m) {
    return m.has_attempt_status() && m.attempt_status().state() == AttemptState::EXITED;
  });
  const int goodbye = IndexOf(messages, [](const AgentMessage& m) { return m.has_goodbye(); });
  ASSERT_GE(exited, 0);
  EXPECT_LT(exited, goodbye);
  EXPECT_EQ(agent.Log().find(kTestJoinToken), std::string::npos);
}

TEST_F(AgentBinaryTest, AfterACrashTheNextRunReportsWhatTheLastOneLeft) {
  // Nothing is acknowledged: whatever the first run knew is still on disk when it dies.
  server_ = std::make_unique<TestAgentServer>(TestAgentServer::Options{.auto_ack = false});
  std::string node_id;
  {
    AgentProcess agent(Process());
    ASSERT_TRUE(PollUntil([&] { return server_->Welcomed() == 1; })) << agent.Log();
    node_id = server_->Hellos().at(0).node_id();
    ASSERT_TRUE(server_->Launch(LaunchGated("c1", Gate("never"), "true")));
    ASSERT_TRUE(server_->Launch(Launch("c0", "echo before")));
    ASSERT_TRUE(
        PollUntil([&] { return server_->Statuses("c1").size() == 1 && server_->Finished("c0"); }));
    agent.Kill();  // c1 goes on running without its agent
  }
  server_ = std::make_unique<TestAgentServer>(TestAgentServer::Options{.auto_ack = false});
  AgentProcess agent(Process());
  ASSERT_TRUE(PollUntil([&] { return server_->Finished("c0") && server_->Finished("c1"); }))
      << agent.Log();
  const batch::v1::Hello hello = server_->Hellos().at(0);
  EXPECT_EQ(hello.node_id(), node_id);
  std::vector<std::string> listed(hello.running_attempt_ids().begin(),
                                  hello.running_attempt_ids().end());
  std::sort(listed.begin(), listed.end());
  EXPECT_EQ(listed, (std::vector<std::string>{"c0", "c1"}));

  EXPECT_EQ(server_->Log("c0"), "before\n");
  const auto c0 = server_->Statuses("c0");
  ASSERT_EQ(c0.size(), 1u);
  EXPECT_EQ(c0[0].exit_code(), 0);
  // The recovered job was killed: not its fault.
  const auto c1 = server_->Statuses("c1");
  ASSERT_EQ(c1.size(), 1u);
  EXPECT_EQ(c1[0].state(), AttemptState::EXITED);
  EXPECT_TRUE(c1[0].infrastructure());

  ASSERT_TRUE(server_->Ack("c0"));
  ASSERT_TRUE(server_->Ack("c1"));
  ASSERT_TRUE(
      PollUntil([&] { return !fs::exists(AttemptDir("c0")) && !fs::exists(AttemptDir("c1")); }));
  EXPECT_EQ(agent.Stop(), 0) << agent.Log();
}

}  // namespace
}  // namespace batchd::testing
