// The agent's loop in this process, with real jobs, against a stand-in batchd.
#include <fstream>
#include <sstream>

#include "agent/log_shipper.h"
#include "agent/work_dir.h"
#include "agent_fixture.h"
#include "support/wait.h"

namespace batchd::testing {
namespace {

namespace fs = std::filesystem;
using batch::v1::AgentMessage;
using batch::v1::AttemptState;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

auto StatusIs(const std::string& id, AttemptState::Value state) {
  return [id, state](const AgentMessage& m) {
    return m.has_attempt_status() && m.attempt_status().attempt_id() == id &&
           m.attempt_status().state() == state;
  };
}

auto ChunkOf(const std::string& id) {
  return
      [id](const AgentMessage& m) { return m.has_log_chunk() && m.log_chunk().attempt_id() == id; };
}

TEST_F(AgentFixture, HelloCarriesTokenResourcesAndAPersistentNodeId) {
  StartAgent();
  ASSERT_TRUE(PollUntil([&] { return server_->Saw(AgentMessage::kHeartbeat); }));
  std::vector<batch::v1::Hello> hellos = server_->Hellos();
  ASSERT_EQ(hellos.size(), 1u);
  const batch::v1::Hello& hello = hellos[0];
  EXPECT_EQ(hello.join_token(), kTestJoinToken);
  EXPECT_EQ(hello.compute_environment(), "ce-test");
  EXPECT_EQ(hello.resources().vcpus(), 4);
  EXPECT_EQ(hello.resources().memory_mib(), 7900);
  EXPECT_EQ(hello.resources().gpus(), 1);
  EXPECT_EQ(hello.resources().labels().at("zone"), "a");
  EXPECT_EQ(hello.hostname(), agent::Hostname());
  EXPECT_EQ(hello.agent_version(), agent::kAgentVersion);
  EXPECT_TRUE(hello.running_attempt_ids().empty());
  EXPECT_TRUE(hello.accepts_batches());
  EXPECT_EQ(hello.node_id().rfind(agent::Hostname() + "-", 0), 0u) << hello.node_id();
  EXPECT_EQ(ReadFile(work_dir() / "node_id"), hello.node_id() + "\n");

  EXPECT_EQ(StopAgent(), agent::kExitDrained);
  EXPECT_TRUE(server_->Saw(AgentMessage::kGoodbye));
  StartAgent();
  ASSERT_TRUE(PollUntil([&] { return server_->Hellos().size() == 2; }));
  EXPECT_EQ(server_->Hellos()[1].node_id(), hello.node_id());
}

TEST_F(AgentFixture, WrongTokenEndsTheAgentWithAnError) {
  server_ = std::make_unique<TestAgentServer>(TestAgentServer::Options{.token = "another-token"});
  StartAgent();
  ASSERT_TRUE(PollUntil([&] { return AgentExited(); }));
  EXPECT_EQ(exit_code(), agent::kExitFatal);
}

TEST_F(AgentFixture, EchoReportsRunningThenOutputThenExitAndIsForgottenOnAck) {
  server_ = std::make_unique<TestAgentServer>(TestAgentServer::Options{.auto_ack = false});
  StartAgent();
  ASSERT_TRUE(PollUntil([&] { return server_->Welcomed() == 1; }));
  ASSERT_TRUE(server_->Launch(Launch("a1", "echo hi")));
  ASSERT_TRUE(PollUntil([&] { return server_->Finished("a1"); }));

  const auto messages = server_->Messages();
  const int running = IndexOf(messages, StatusIs("a1", AttemptState::RUNNING));
  const int output = IndexOf(messages, ChunkOf("a1"));
  const int exited = IndexOf(messages, StatusIs("a1", AttemptState::EXITED));
  ASSERT_GE(running, 0);
  EXPECT_LT(running, output);
  EXPECT_LT(output, exited);
  EXPECT_EQ(messages[output].message.log_chunk().stream(), "stdout");
  EXPECT_EQ(messages[output].message.log_chunk().sequence(), 0u);
  EXPECT_EQ(server_->Log("a1"), "hi\n");
  EXPECT_EQ(messages[exited].message.attempt_status().exit_code(), 0);

  EXPECT_TRUE(fs::exists(AttemptDir("a1")));
  ASSERT_TRUE(server_->Ack("a1"));
  EXPECT_TRUE(PollUntil([&] { return !fs::exists(AttemptDir("a1")); }));
}

TEST_F(AgentFixture, ABusyAgentHoldsBackRunningReportsAndAShortJobsGoesUpOnlyAsItsResult) {
  timings_.running_hold = std::chrono::seconds(2);
  StartAgent();
  ASSERT_TRUE(PollUntil([&] { return server_->Welcomed() == 1; }));
  const fs::path gate = Gate("go");
  for (size_t i = 0; i < agent::kBusyAttempts; ++i) {
    ASSERT_TRUE(server_->Launch(LaunchGated("g" + std::to_string(i), gate, "true")));
  }
  ASSERT_TRUE(PollUntil([&] {
    for (size_t i = 0; i < agent::kBusyAttempts; ++i) {
      if (server_->Statuses("g" + std::to_string(i)).size() != 1) return false;
    }
    return true;
  }));

  const auto held_from = std::chrono::steady_clock::now();
  ASSERT_TRUE(server_->Launch(LaunchGated("long", gate, "true")));
  ASSERT_TRUE(server_->Launch(Launch("short", "echo quick")));
  ASSERT_TRUE(PollUntil([&] { return server_->Finished("short"); }));
  EXPECT_EQ(server_->Log("short"), "quick\n");
  const auto statuses = server_->Statuses("short");
  EXPECT_EQ(statuses.back().state(), AttemptState::EXITED);
  EXPECT_GT(statuses.back().started_at(), 0);
  // Unless this machine took the whole hold to run `echo`:
  if (std::chrono::steady_clock::now() < held_from + timings_.running_hold) {
    EXPECT_EQ(statuses.size(), 1u);
    EXPECT_TRUE(server_->Statuses("long").empty());
  }

  // Held back, not lost.
  ASSERT_TRUE(PollUntil([&] { return server_->Statuses("long").size() == 1; }));
  EXPECT_EQ(server_->Statuses("long")[0].state(), AttemptState::RUNNING);
  EXPECT_GE(std::chrono::steady_clock::now(), held_from + timings_.running_hold);
  Open(gate);
  ASSERT_TRUE(PollUntil([&] { return server_->Finished("long"); }));
}

TEST_F(AgentFixture, MessagesBatchdSentAsOneWriteAreEachActedOn) {
  StartAgent();
  ASSERT_TRUE(PollUntil([&] { return server_->Welcomed() == 1; }));
  batch::v1::SchedulerMessage write;
  auto* messages = write.mutable_batch()->mutable_messages();
  *messages->Add()->mutable_launch() = Launch("b1", "echo one");
  *messages->Add()->mutable_launch() = Launch("b2", "echo two");
  ASSERT_TRUE(server_->Send(write));
  ASSERT_TRUE(PollUntil([&] { return server_->Finished("b1") && server_->Finished("b2"); }));
  EXPECT_EQ(server_->Log("b1"), "one\n");
  EXPECT_EQ(server_->Log("b2"), "two\n");
}

TEST_F(AgentFixture, SchedulerRestartMidJobLosesNothing) {
  StartAgent();
  ASSERT_TRUE(PollUntil([&] { return server_->Welcomed() == 1; }));
  const fs::path gate = Gate("go");
  ASSERT_TRUE(server_->Launch(LaunchGated("a2", gate, "echo after; echo oops >&2; exit 3")));
  // Output from before the gate arrives first: the job is running and reported.
  ASSERT_TRUE(server_->Launch(Launch("warmup", "echo warm")));
  ASSERT_TRUE(PollUntil(
      [&] { return server_->Statuses("a2").size() == 1 && server_->Finished("warmup"); }));

  const int port = server_->port();
  server_.reset();  // batchd goes away while a2 runs
  Open(gate);       // a2 ends while nobody listens
  ASSERT_TRUE(PollUntil([&] { return ReadFile(AttemptDir("a2") / "stderr") == "oops\n"; }));
  server_ = std::make_unique<TestAgentServer>(TestAgentServer::Options{}, port);

  ASSERT_TRUE(PollUntil([&] { return server_->Finished("a2"); }));
  const auto hellos = server_->Hellos();
  ASSERT_EQ(hellos.size(), 1u);
  EXPECT_EQ(std::vector<std::string>(hellos[0].running_attempt_ids().begin(),
                                     hellos[0].running_attempt_ids().end()),
            std::vector<std::string>{"a2"});
  EXPECT_EQ(server_->Log("a2", "stdout"), "after\n");
  EXPECT_EQ(server_->Log("a2", "stderr"), "oops\n");
  const auto statuses = server_->Statuses("a2");
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_EQ(statuses[0].state(), AttemptState::EXITED);
  EXPECT_EQ(statuses[0].exit_code(), 3);
  const auto messages = server_->Messages();
  EXPECT_LT(IndexOf(messages, ChunkOf("a2")),
            IndexOf(messages, StatusIs("a2", AttemptState::EXITED)));
  EXPECT_TRUE(PollUntil([&] { return !fs::exists(AttemptDir("a2")); }));
}

TEST_F(AgentFixture, OutputPastTheLogLimitIsCutAndMarked) {
  StartAgent();
  ASSERT_TRUE(PollUntil([&] { return server_->Welcomed() == 1; }));
  ASSERT_TRUE(server_->Launch(Launch("a3", "printf 0123456789abcdefghij", 10)));
  ASSERT_TRUE(PollUntil([&] { return server_->Finished("a3"); }));
  EXPECT_EQ(server_->Log("a3"), "0123456789");
  const auto chunks = server_->Chunks("a3");
  ASSERT_FALSE(chunks.empty());
  EXPECT_TRUE(chunks.back().truncated());
  for (size_t i = 0; i + 1 < chunks.size(); ++i) EXPECT_FALSE(chunks[i].truncated());
}

TEST_F(AgentFixture, LargeOutputGoesUpInChunksOf64KiB) {
  StartAgent();
  ASSERT_TRUE(PollUntil([&] { return server_->Welcomed() == 1; }));
  ASSERT_TRUE(server_->Launch(Launch("big", "head -c 300000 /dev/zero | tr '\\0' x")));
  ASSERT_TRUE(PollUntil([&] { return server_->Finished("big"); }));
  EXPECT_EQ(server_->Log("big"), std::string(300000, 'x'));
  for (const auto& chunk : server_->Chunks("big")) EXPECT_LE(chunk.data().size(), 65536u);
}

TEST_F(AgentFixture, DrainWaitsForRunningJobsRefusesNewOnesThenSaysGoodbye) {
  StartAgent();
  ASSERT_TRUE(PollUntil([&] { return server_->Welcomed() == 1; }));
  const fs::path gate = Gate("go");
  ASSERT_TRUE(server_->Launch(LaunchGated("a4", gate, "echo done")));
  ASSERT_TRUE(PollUntil([&] { return server_->Statuses("a4").size() == 1; }));

  agent_->RequestDrain();
  ASSERT_TRUE(PollUntil([&] { return server_->Saw(AgentMessage::kDraining); }));
  ASSERT_TRUE(server_->Launch(Launch("a5", "echo never")));
  ASSERT_TRUE(PollUntil([&] { return server_->Finished("a5"); }));
  const auto refused = server_->Statuses("a5");
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].state(), AttemptState::LAUNCH_FAILED);
  EXPECT_TRUE(refused[0].infrastructure());
  EXPECT_EQ(refused[0].reason(), "node draining");
  EXPECT_FALSE(AgentExited());
  EXPECT_FALSE(server_->Saw(AgentMessage::kGoodbye));

  Open(gate);
  ASSERT_TRUE(PollUntil([&] { return AgentExited(); }));
  EXPECT_EQ(exit_code(), agent::kExitDrained);
  EXPECT_EQ(server_->Log("a4"), "done\n");
  const auto messages = server_->Messages();
  const int exited = IndexOf(messages, StatusIs("a4", AttemptState::EXITED));
  const int goodbye = IndexOf(messages, [](const AgentMessage& m) { return m.has_goodbye(); });
  ASSERT_GE(exited, 0);
  EXPECT_LT(exited, goodbye);
  EXPECT_EQ(server_->OpenStreams(), 0);
}

TEST_F(AgentFixture, DrainKillsJobsStillRunningAfterTheGracePeriod) {
  agent::AgentOptions options = Options();
  options.drain_grace_seconds = 0;
  StartAgent(options);
  ASSERT_TRUE(PollUntil([&] { return server_->Welcomed() == 1; }));
  ASSERT_TRUE(server_->Launch(LaunchGated("a6", Gate("never"), "true")));
  ASSERT_TRUE(PollUntil([&] { return server_->Statuses("a6").size() == 1; }));
  ASSERT_TRUE(server_->Drain());
  ASSERT_TRUE(PollUntil([&] { return AgentExited(); }));
  EXPECT_EQ(exit_code(), agent::kExitDrained);
  const auto statuses = server_->Statuses("a6");
  ASSERT_EQ(statuses.size(), 2u);
  EXPECT_EQ(statuses[1].state(), AttemptState::EXITED);
  EXPECT_NE(statuses[1].reason().find("drain"), std::string::npos) << statuses[1].reason();
  EXPECT_TRUE(server_->Saw(AgentMessage::kGoodbye));
}

TEST_F(AgentFixture, AttemptsTheSchedulerNoLongerExpectsAreKilledAndForgotten) {
  StartAgent();
  ASSERT_TRUE(PollUntil([&] { return server_->Welcomed() == 1; }));
  ASSERT_TRUE(server_->Launch(LaunchGated("a7", Gate("never"), "true")));
  ASSERT_TRUE(PollUntil([&] { return server_->Statuses("a7").size() == 1; }));
  const int port = server_->port();
  server_.reset();
  server_ =
      std::make_unique<TestAgentServer>(TestAgentServer::Options{.attempts_to_kill = {"a7"}}, port);
  ASSERT_TRUE(PollUntil([&] { return !fs::exists(AttemptDir("a7")); }));
  EXPECT_TRUE(server_->Statuses("a7").empty());
  EXPECT_TRUE(server_->Chunks("a7").empty());
}

}  // namespace
}  // namespace batchd::testing
