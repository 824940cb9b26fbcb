#include "store_test_util.h"

namespace batchd::store {
namespace {

using api::ErrorCode;
using batch::v1::JobQueueDetail;

class JobQueueTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    store_->CreateComputeEnvironment(MakeCe("ce-a"));
    store_->CreateComputeEnvironment(MakeCe("ce-b"));
  }

  std::vector<std::string> QueuesUsing(const std::string& ce) {
    std::vector<std::string> seen;
    try {
      store_->DeleteComputeEnvironment(ce, [&](const auto&, const std::vector<std::string>& q) {
        seen = q;
        api::ThrowFailedPrecondition("only looking");
      });
    } catch (const api::ApiError&) {
    }
    return seen;
  }
};

TEST_F(JobQueueTest, CreateGetDescribeAndDuplicate) {
  store_->CreateJobQueue(
      MakeQueue("q", {"ce-a", api::MakeArn(api::kComputeEnvironmentKind, "ce-b")}));
  auto queue = store_->GetJobQueue("q");
  ASSERT_TRUE(queue.has_value());
  EXPECT_EQ(queue->priority(), 10);
  EXPECT_EQ(queue->compute_environment_order_size(), 2);
  EXPECT_GT(queue->created_at(), 0);
  EXPECT_FALSE(store_->GetJobQueue("other").has_value());
  ExpectApiError([&] { store_->CreateJobQueue(MakeQueue("q", {"ce-a"})); },
                 ErrorCode::kAlreadyExists, "job queue \"q\" already exists");
  EXPECT_EQ(QueuesUsing("ce-a"), std::vector<std::string>{"q"});
  EXPECT_EQ(QueuesUsing("ce-b"), std::vector<std::string>{"q"});

  store_->CreateJobQueue(MakeQueue("p", {"ce-a"}));
  auto first = store_->DescribeJobQueues({}, 1, "");
  ASSERT_EQ(first.items.size(), 1u);
  EXPECT_EQ(first.items[0].job_queue_name(), "p");
  auto second = store_->DescribeJobQueues({}, 1, first.next_token);
  ASSERT_EQ(second.items.size(), 1u);
  EXPECT_EQ(second.items[0].job_queue_name(), "q");
  EXPECT_TRUE(second.next_token.empty());
  EXPECT_EQ(store_->DescribeJobQueues({"q", "zz"}, 0, "").items.size(), 1u);
}

TEST_F(JobQueueTest, CreateWithUnknownEnvironmentWritesNothing) {
  ExpectApiError(
      [&] {
        store_->CreateJobQueue(MakeQueue("q", {"ce-a", "nope"}));
      },
      ErrorCode::kInvalidArgument,
      "computeEnvironmentOrder[1].computeEnvironment: compute environment \"nope\" "
      "does not exist");
  EXPECT_FALSE(store_->GetJobQueue("q").has_value());
  EXPECT_TRUE(QueuesUsing("ce-a").empty());
}

TEST_F(JobQueueTest, UpdateRewritesTheEnvironmentLinks) {
  store_->CreateJobQueue(MakeQueue("q", {"ce-a"}));
  auto updated = store_->UpdateJobQueue("q", [](JobQueueDetail& queue) {
    queue.set_priority(5);
    queue.clear_compute_environment_order();
    auto* entry = queue.add_compute_environment_order();
    entry->set_order(1);
    entry->set_compute_environment("ce-b");
  });
  EXPECT_EQ(updated.priority(), 5);
  EXPECT_EQ(store_->GetJobQueue("q")->priority(), 5);
  EXPECT_TRUE(QueuesUsing("ce-a").empty());
  EXPECT_EQ(QueuesUsing("ce-b"), std::vector<std::string>{"q"});

  ExpectApiError(
      [&] {
        store_->UpdateJobQueue("q", [](JobQueueDetail& queue) {
          queue.mutable_compute_environment_order(0)->set_compute_environment("gone");
        });
      },
      ErrorCode::kInvalidArgument, "computeEnvironmentOrder[0].computeEnvironment");
  EXPECT_EQ(store_->GetJobQueue("q")->compute_environment_order(0).compute_environment(), "ce-b");
  ExpectApiError([&] { store_->UpdateJobQueue("nope", [](auto&) {}); }, ErrorCode::kNotFound,
                 "job queue \"nope\" not found");
}

TEST_F(JobQueueTest, DeleteSeesUnfinishedJobsAndFreesTheEnvironment) {
  store_->CreateJobQueue(MakeQueue("q", {"ce-a"}));
  store_->InsertJobs({MakeJob({.queue = "q"}), MakeJob({.queue = "q"}),
                      MakeJob({.queue = "q", .status = batch::v1::JobStatus::SUCCEEDED})});
  int64_t unfinished = -1;
  ExpectApiError(
      [&] {
        store_->DeleteJobQueue("q", [&](const JobQueueDetail&, int64_t n) {
          unfinished = n;
          api::ThrowFailedPrecondition("job queue \"q\" has unfinished jobs");
        });
      },
      ErrorCode::kFailedPrecondition, "unfinished");
  EXPECT_EQ(unfinished, 2);
  EXPECT_TRUE(store_->GetJobQueue("q").has_value());

  store_->DeleteJobQueue("q", [](const JobQueueDetail&, int64_t) {});
  EXPECT_FALSE(store_->GetJobQueue("q").has_value());
  EXPECT_TRUE(QueuesUsing("ce-a").empty());
  store_->DeleteComputeEnvironment("ce-a", [](const auto&, const auto&) {});
  ExpectApiError([&] { store_->DeleteJobQueue("q", [](const auto&, int64_t) {}); },
                 ErrorCode::kNotFound, "job queue \"q\" not found");
}

}  // namespace
}  // namespace batchd::store
