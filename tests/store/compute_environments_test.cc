#include <thread>

#include "store_test_util.h"

namespace batchd::store {
namespace {

using api::ErrorCode;
using batch::v1::ComputeEnvironmentDetail;

TEST_F(StoreTest, CreateGetAndDuplicateComputeEnvironment) {
  store_->CreateComputeEnvironment(MakeCe("ce-a"));
  auto ce = store_->GetComputeEnvironment("ce-a");
  ASSERT_TRUE(ce.has_value());
  EXPECT_EQ(ce->compute_environment_name(), "ce-a");
  EXPECT_EQ(ce->compute_resources().maxv_cpus(), 16);
  EXPECT_GT(ce->created_at(), 0);
  EXPECT_EQ(ce->updated_at(), ce->created_at());
  EXPECT_FALSE(store_->GetComputeEnvironment("ce-b").has_value());
  ExpectApiError([&] { store_->CreateComputeEnvironment(MakeCe("ce-a")); },
                 ErrorCode::kAlreadyExists, "compute environment \"ce-a\" already exists");
}

TEST_F(StoreTest, DescribeComputeEnvironmentsPagesInNameOrder) {
  for (const char* name : {"e", "b", "d", "a", "c"}) store_->CreateComputeEnvironment(MakeCe(name));
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    auto page = store_->DescribeComputeEnvironments({}, 2, token);
    for (const auto& ce : page.items) seen.push_back(ce.compute_environment_name());
    token = page.next_token;
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(pages, 3);

  auto some = store_->DescribeComputeEnvironments({"d", "missing", "b"}, 0, "");
  ASSERT_EQ(some.items.size(), 2u);
  EXPECT_EQ(some.items[0].compute_environment_name(), "b");
  EXPECT_EQ(some.items[1].compute_environment_name(), "d");
  EXPECT_TRUE(some.next_token.empty());
  ExpectApiError([&] { store_->DescribeComputeEnvironments({}, 2, "nonsense"); },
                 ErrorCode::kInvalidArgument, "nextToken");
}

TEST_F(StoreTest, UpdateComputeEnvironmentAppliesTheMutation) {
  store_->CreateComputeEnvironment(MakeCe("ce-a"));
  auto updated = store_->UpdateComputeEnvironment(
      "ce-a", [](ComputeEnvironmentDetail& ce) { ce.set_state(batch::v1::CEState::DISABLED); });
  EXPECT_EQ(updated.state(), batch::v1::CEState::DISABLED);
  EXPECT_EQ(store_->GetComputeEnvironment("ce-a")->state(), batch::v1::CEState::DISABLED);
  ExpectApiError([&] { store_->UpdateComputeEnvironment("nope", [](auto&) {}); },
                 ErrorCode::kNotFound, "compute environment \"nope\" not found");
}

TEST_F(StoreTest, UpdateComputeEnvironmentCallerErrorRollsBack) {
  store_->CreateComputeEnvironment(MakeCe("ce-a"));
  ExpectApiError(
      [&] {
        store_->UpdateComputeEnvironment("ce-a", [](ComputeEnvironmentDetail& ce) {
          ce.set_unmanagedv_cpus(99);
          api::ThrowInvalid("computeResources.maxvCpus", "must be at least minvCpus");
        });
      },
      ErrorCode::kInvalidArgument, "computeResources.maxvCpus: must be at least minvCpus");
  EXPECT_EQ(store_->GetComputeEnvironment("ce-a")->unmanagedv_cpus(), 0);
}

TEST_F(StoreTest, UpdateThatLosesARaceIsRetriedAndBothChangesSurvive) {
  store_->CreateComputeEnvironment(MakeCe("ce-a"));
  int calls = 0;
  auto updated = store_->UpdateComputeEnvironment("ce-a", [&](ComputeEnvironmentDetail& ce) {
    if (++calls == 1) {
      // Another writer commits between this read and its write.
      std::thread([&] {
        store_->UpdateComputeEnvironment(
            "ce-a", [](ComputeEnvironmentDetail& other) { (*other.mutable_tags())["b"] = "2"; });
      }).join();
    }
    (*ce.mutable_tags())["a"] = "1";
  });
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(updated.tags().at("b"), "2");
  auto stored = store_->GetComputeEnvironment("ce-a");
  EXPECT_EQ(stored->tags().at("a"), "1");
  EXPECT_EQ(stored->tags().at("b"), "2");
}

TEST_F(StoreTest, UpdateThatAlwaysLosesIsAborted) {
  store_->CreateComputeEnvironment(MakeCe("ce-a"));
  ExpectApiError(
      [&] {
        store_->UpdateComputeEnvironment("ce-a", [&](ComputeEnvironmentDetail&) {
          std::thread([&] {
            store_->UpdateComputeEnvironment("ce-a", [](ComputeEnvironmentDetail& other) {
              other.set_unmanagedv_cpus(other.unmanagedv_cpus() + 1);
            });
          }).join();
        });
      },
      ErrorCode::kAborted, "compute environment \"ce-a\" was changed concurrently");
}

TEST_F(StoreTest, ConcurrentUpdatesFromTwoThreadsAllSurvive) {
  store_->CreateComputeEnvironment(MakeCe("ce-a"));
  constexpr int kEach = 25;
  std::atomic<int> applied = 0;
  auto worker = [&](const std::string& key) {
    for (int i = 0; i < kEach; ++i) {
      try {
        store_->UpdateComputeEnvironment("ce-a", [&](ComputeEnvironmentDetail& ce) {
          ce.set_unmanagedv_cpus(ce.unmanagedv_cpus() + 1);
          (*ce.mutable_tags())[key] = std::to_string(i);
        });
        ++applied;
      } catch (const api::ApiError& e) {
        // ABORTED after repeated lost races is allowed; a lost write is not.
        EXPECT_EQ(e.code(), ErrorCode::kAborted) << e.what();
      }
    }
  };
  std::thread a(worker, "a");
  std::thread b(worker, "b");
  a.join();
  b.join();
  auto ce = store_->GetComputeEnvironment("ce-a");
  EXPECT_EQ(ce->unmanagedv_cpus(), applied.load());
  EXPECT_GT(applied.load(), kEach);
  EXPECT_TRUE(ce->tags().contains("a"));
  EXPECT_TRUE(ce->tags().contains("b"));
}

TEST_F(StoreTest, DeleteComputeEnvironmentHonoursTheCheck) {
  store_->CreateComputeEnvironment(MakeCe("ce-a"));
  ExpectApiError(
      [&] {
        store_->DeleteComputeEnvironment("ce-a", [](const auto&, const auto&) {
          api::ThrowFailedPrecondition("compute environment \"ce-a\" must be DISABLED first");
        });
      },
      ErrorCode::kFailedPrecondition, "must be DISABLED first");
  EXPECT_TRUE(store_->GetComputeEnvironment("ce-a").has_value());

  store_->DeleteComputeEnvironment(
      "ce-a", [](const auto&, const auto& queues) { EXPECT_TRUE(queues.empty()); });
  EXPECT_FALSE(store_->GetComputeEnvironment("ce-a").has_value());
  ExpectApiError([&] { store_->DeleteComputeEnvironment("ce-a", [](const auto&, const auto&) {}); },
                 ErrorCode::kNotFound, "compute environment \"ce-a\" not found");
}

TEST_F(StoreTest, DeleteComputeEnvironmentUsedByAQueueIsRefused) {
  store_->CreateComputeEnvironment(MakeCe("ce-a"));
  store_->CreateJobQueue(MakeQueue("q2", {"ce-a"}));
  store_->CreateJobQueue(MakeQueue("q1", {"ce-a"}));
  std::vector<std::string> seen;
  // Even a check that lets it through cannot orphan the queues.
  ExpectApiError(
      [&] {
        store_->DeleteComputeEnvironment(
            "ce-a", [&](const auto&, const std::vector<std::string>& queues) { seen = queues; });
      },
      ErrorCode::kFailedPrecondition, "compute environment \"ce-a\" is used by a job queue");
  EXPECT_EQ(seen, (std::vector<std::string>{"q1", "q2"}));
  EXPECT_TRUE(store_->GetComputeEnvironment("ce-a").has_value());
}

}  // namespace
}  // namespace batchd::store
