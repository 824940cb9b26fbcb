#include "cli_fixture.h"

#include <fstream>

namespace batchd::testing {

std::unique_ptr<TempDir> BatchctlTest::dir_;
std::unique_ptr<BatchdProcess> BatchctlTest::batchd_;

void BatchctlTest::SetUpTestSuite() {
  if (batchd_) return;
  dir_ = std::make_unique<TempDir>();
  batchd_ = std::make_unique<BatchdProcess>(BatchdOptions{.data_dir = dir_->path() / "data"});
}

namespace {

class StopBatchd : public ::testing::Environment {
 public:
  void TearDown() override { BatchctlTest::StopShared(); }
};

[[maybe_unused]] const auto* const kStopBatchd =
    ::testing::AddGlobalTestEnvironment(new StopBatchd);

}  // namespace

void BatchctlTest::StopShared() {
  batchd_.reset();
  dir_.reset();
}

CommandResult BatchctlTest::Ctl(const std::vector<std::string>& args,
                                const std::string& stdin_text) {
  std::vector<std::string> argv = {BatchctlBinary(), "--server", batchd_->address()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, stdin_text);
}

std::string BatchctlTest::WriteFile(const std::string& name, const std::string& text) {
  const auto path = dir_->path() / name;
  std::ofstream(path) << text;
  return path.string();
}

void BatchctlTest::MakeQueue(const std::string& queue) {
  const std::string yaml =
      "kind: ComputeEnvironment\n"
      "computeEnvironmentName: " +
      queue +
      "-ce\n"
      "type: UNMANAGED\n"
      "---\n"
      "kind: JobQueue\n"
      "jobQueueName: " +
      queue +
      "\n"
      "priority: 1\n"
      "computeEnvironmentOrder: [{order: 1, computeEnvironment: " +
      queue + "-ce}]\n";
  auto r = Ctl({"apply", "-f", "-"}, yaml);
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
}

void BatchctlTest::MakeDefinition(const std::string& name) {
  const std::string yaml =
      "kind: JobDefinition\n"
      "jobDefinitionName: " +
      name +
      "\n"
      "containerProperties:\n"
      "  command: [echo, hello]\n";
  auto r = Ctl({"apply", "-f", "-"}, yaml);
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
}

std::string BatchctlTest::Submit(const std::string& queue, const std::string& definition,
                                 const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"submit", "--queue", queue, "--definition", definition};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = Ctl(args);
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  std::string id = r.out;
  while (!id.empty() && id.back() == '\n') id.pop_back();
  EXPECT_EQ(id.find('\n'), std::string::npos) << "submit printed more than the id: " << r.out;
  EXPECT_FALSE(id.empty());
  return id;
}

std::string Describe(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\n--- stdout\n" + r.out + "--- stderr\n" + r.err;
}

}  // namespace batchd::testing
