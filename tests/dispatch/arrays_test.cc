// Array jobs end to end: children run with their index, the parent sums them up, N_TO_N and
// SEQUENTIAL order them, and cancelling the parent reaches every child.
#include <fstream>

#include "dispatch_fixture.h"
#include "support/wait.h"

namespace batchd::testing {
namespace {

using namespace batch::v1;

class Arrays : public DispatchTest {
 protected:
  void SetUp() override {
    DispatchTest::SetUp();
    CreateCe("ce");
    CreateQueue("q", "ce");
    StartAgent("a", "ce", 8, 4096);
    Register("ok", {.command = {"true"}});
    // Each child records when it started and ended, in nanoseconds, in its own file.
    stamps_ = dir_->path() / "stamps";
    std::filesystem::create_directories(stamps_);
    Register("stamp", {.command = {"sh", "-ec",
                                   "d=" + stamps_.string() +
                                       "/$AWS_BATCH_JOB_ID; date +%s%N > \"$d.start\"; "
                                       "sleep Ref::seconds; date +%s%N > \"$d.end\""},
                       .parameters = {{"seconds", "0.2"}}});
  }

  SubmitJobRequest ArrayOf(const std::string& definition, int size) {
    SubmitJobRequest req = Request("q", definition);
    req.mutable_array_properties()->set_size(size);
    return req;
  }

  int64_t Stamp(const std::string& job_id, const std::string& which) {
    std::ifstream in(stamps_ / (job_id + "." + which));
    int64_t ns = 0;
    in >> ns;
    EXPECT_GT(ns, 0) << job_id << " wrote no " << which << " stamp";
    return ns;
  }

  std::filesystem::path stamps_;
};

TEST_F(Arrays, AThousandChildrenSucceedAndThePArentSumsThemUp) {
  const std::string parent = Submit(ArrayOf("ok", 1000));
  JobDetail submitted = Describe(parent);
  EXPECT_EQ(submitted.status(), JobStatus::PENDING);
  EXPECT_EQ(submitted.array_properties().size(), 1000);

  JobDetail done = WaitFor(parent, JobStatus::SUCCEEDED, std::chrono::seconds(120));
  EXPECT_EQ(done.array_properties().status_summary().at("SUCCEEDED"), 1000);
  EXPECT_EQ(done.array_properties().status_summary().at("FAILED"), 0);
  auto children = Children(parent);
  ASSERT_EQ(children.size(), 1000u);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(children[i].job_id(), parent + ":" + std::to_string(i));
    EXPECT_EQ(children[i].array_properties().index(), i);
    EXPECT_EQ(children[i].status(), JobStatus::SUCCEEDED);
  }
}

TEST_F(Arrays, ChildrenSeeTheirIndexAndSize) {
  Register("env", {.command = {"sh", "-c",
                               "echo $BATCH_JOB_ARRAY_INDEX/$BATCH_JOB_ARRAY_SIZE "
                               "$AWS_BATCH_JOB_ARRAY_INDEX/$AWS_BATCH_JOB_ARRAY_SIZE"}});
  const std::string parent = Submit(ArrayOf("env", 3));
  WaitFor(parent, JobStatus::SUCCEEDED);
  EXPECT_EQ(Logs(parent + ":2"), "2/3 2/3\n");
  JobDetail child = Describe(parent + ":1");
  EXPECT_EQ(child.job_id(), parent + ":1");
  EXPECT_EQ(child.array_properties().index(), 1);
  EXPECT_EQ(child.array_properties().size(), 3);
}

TEST_F(Arrays, AFailedChildFailsTheParentAndItsDependents) {
  Register("odd", {.command = {"sh", "-c", "test $((AWS_BATCH_JOB_ARRAY_INDEX % 2)) -eq 0"}});
  const std::string parent = Submit(ArrayOf("odd", 4));
  SubmitJobRequest after = Request("q", "ok");
  after.add_depends_on()->set_job_id(parent);
  const std::string dependent = Submit(after);
  JobDetail failed = WaitFor(parent, JobStatus::FAILED);
  EXPECT_EQ(failed.status_reason(), "2 of 4 children failed");
  EXPECT_EQ(failed.array_properties().status_summary().at("SUCCEEDED"), 2);
  EXPECT_EQ(failed.array_properties().status_summary().at("FAILED"), 2);
  EXPECT_EQ(WaitFor(dependent, JobStatus::FAILED).status_reason(),
            "Dependent Job failed: dependency " + parent + " failed");
}

TEST_F(Arrays, SequentialChildrenRunOneAfterAnother) {
  SubmitJobRequest req = ArrayOf("stamp", 5);
  req.add_depends_on()->set_type(ArrayJobDependency::SEQUENTIAL);
  const std::string parent = Submit(req);
  JobDetail second = Describe(parent + ":1");
  EXPECT_EQ(second.status(), JobStatus::PENDING);
  ASSERT_EQ(second.depends_on_size(), 1);
  EXPECT_EQ(second.depends_on(0).job_id(), parent + ":0");

  WaitFor(parent, JobStatus::SUCCEEDED);
  for (int i = 1; i < 5; ++i) {
    const std::string prev = parent + ":" + std::to_string(i - 1);
    const std::string cur = parent + ":" + std::to_string(i);
    EXPECT_GE(Stamp(cur, "start"), Stamp(prev, "end")) << "child " << i << " overlapped";
  }
}

TEST_F(Arrays, NToNPairsChildrenOfTwoArrays) {
  const std::string first = Submit(ArrayOf("stamp", 4));
  SubmitJobRequest req = ArrayOf("stamp", 4);
  auto* d = req.add_depends_on();
  d->set_job_id(first);
  d->set_type(ArrayJobDependency::N_TO_N);
  // The first array's children are slowest at the front, so pairing (not the whole array)
  // is what orders the second's.
  const std::string second = Submit(req);
  WaitFor(second, JobStatus::SUCCEEDED);
  for (int i = 0; i < 4; ++i) {
    const std::string a = first + ":" + std::to_string(i);
    const std::string b = second + ":" + std::to_string(i);
    EXPECT_GE(Stamp(b, "start"), Stamp(a, "end")) << "child " << i;
  }

  SubmitJobRequest wrong = ArrayOf("ok", 3);
  auto* w = wrong.add_depends_on();
  w->set_job_id(first);
  w->set_type(ArrayJobDependency::N_TO_N);
  grpc::Status status = TrySubmit(wrong, nullptr);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "dependsOn[0].jobId: N_TO_N needs arrays of the same size; " +
                                        first + " has 4 children and this one 3");
}

TEST_F(Arrays, AnArrayWaitsOnItsDependencyAsAWhole) {
  SubmitJobRequest slow = Request("q", "stamp");
  (*slow.mutable_parameters())["seconds"] = "1";
  const std::string gate = Submit(slow);
  SubmitJobRequest req = ArrayOf("stamp", 3);
  req.add_depends_on()->set_job_id(gate);
  const std::string parent = Submit(req);
  JobDetail held = Describe(parent);
  EXPECT_EQ(held.status(), JobStatus::PENDING);
  EXPECT_EQ(held.array_properties().status_summary().at("PENDING"), 3);
  EXPECT_EQ(Describe(parent + ":2").status(), JobStatus::PENDING);

  WaitFor(parent, JobStatus::SUCCEEDED);
  for (int i = 0; i < 3; ++i) {
    EXPECT_GE(Stamp(parent + ":" + std::to_string(i), "start"), Stamp(gate, "end"));
  }
}

TEST_F(Arrays, CancellingTheParentEndsChildrenThatHaveNotStarted) {
  SubmitJobRequest req = ArrayOf("stamp", 40);
  (*req.mutable_parameters())["seconds"] = "1";
  // 8 slots: 8 children run, 32 wait.
  const std::string parent = Submit(req);
  ASSERT_TRUE(PollUntil([&] {
    return Describe(parent).array_properties().status_summary().at("RUNNING") > 0;
  })) << Diagnostics();
  ASSERT_TRUE(Cancel(parent, "no longer needed").ok());
  JobDetail failed = WaitFor(parent, JobStatus::FAILED);
  EXPECT_TRUE(failed.is_cancelled());
  EXPECT_EQ(failed.status_reason(), "no longer needed");
  int succeeded = 0;
  int cancelled = 0;
  for (const auto& child : Children(parent)) {
    if (child.status() == JobStatus::SUCCEEDED) ++succeeded;
    if (child.status() == JobStatus::FAILED) {
      ++cancelled;
      EXPECT_EQ(child.status_reason(), "no longer needed");
    }
  }
  EXPECT_GT(succeeded, 0) << "children already running finish";
  EXPECT_GT(cancelled, 0);
  EXPECT_EQ(succeeded + cancelled, 40);
}

TEST_F(Arrays, TerminatingTheParentStopsRunningChildren) {
  SubmitJobRequest req = ArrayOf("stamp", 20);
  (*req.mutable_parameters())["seconds"] = "60";
  const std::string parent = Submit(req);
  ASSERT_TRUE(PollUntil([&] {
    return Describe(parent).array_properties().status_summary().at("RUNNING") == 8;
  })) << Diagnostics();
  ASSERT_TRUE(Terminate(parent, "shut it down").ok());
  JobDetail failed = WaitFor(parent, JobStatus::FAILED);
  EXPECT_TRUE(failed.is_terminated());
  EXPECT_EQ(failed.array_properties().status_summary().at("FAILED"), 20);
}

TEST_F(Arrays, AnArrayInFlightSurvivesARestartOfBatchd) {
  SubmitJobRequest req = ArrayOf("stamp", 12);
  req.add_depends_on()->set_type(ArrayJobDependency::SEQUENTIAL);
  const std::string sequential = Submit(req);
  const std::string plain = Submit(ArrayOf("stamp", 30));
  ASSERT_TRUE(PollUntil([&] {
    return Describe(sequential).array_properties().status_summary().at("SUCCEEDED") >= 2;
  })) << Diagnostics();
  const int port = Port();
  batchd_->Kill();
  StartBatchd(port);
  WaitFor(sequential, JobStatus::SUCCEEDED, std::chrono::seconds(60));
  WaitFor(plain, JobStatus::SUCCEEDED, std::chrono::seconds(60));
  for (int i = 1; i < 12; ++i) {
    EXPECT_GE(Stamp(sequential + ":" + std::to_string(i), "start"),
              Stamp(sequential + ":" + std::to_string(i - 1), "end"));
  }
}

TEST_F(Arrays, SizesOutsideTheLimitsAreRefused) {
  std::string id;
  grpc::Status status = TrySubmit(ArrayOf("ok", 1), &id);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "arrayProperties.size: must be between 2 and 100000");
}

}  // namespace
}  // namespace batchd::testing
