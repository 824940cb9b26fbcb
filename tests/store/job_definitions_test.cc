#include <set>
#include <thread>

#include "store_test_util.h"

namespace batchd::store {
namespace {

using api::ErrorCode;

TEST_F(StoreTest, RegisterAssignsRevisionsArnsAndStatus) {
  for (int expected = 1; expected <= 3; ++expected) {
    auto def = store_->RegisterJobDefinition(MakeDefinition("def"));
    EXPECT_EQ(def.revision(), expected);
    EXPECT_EQ(def.job_definition_arn(), api::JobDefinitionArn("def", expected));
    EXPECT_EQ(def.status(), "ACTIVE");
    EXPECT_GT(def.created_at(), 0);
  }
  auto other = MakeDefinition("other");
  other.set_created_at(1234);
  EXPECT_EQ(store_->RegisterJobDefinition(other).revision(), 1);
  EXPECT_EQ(store_->GetJobDefinition("other", 1)->created_at(), 1234);

  EXPECT_EQ(store_->GetJobDefinition("def", std::nullopt)->revision(), 3);
  store_->DeregisterJobDefinition("def", 3);
  EXPECT_EQ(store_->GetJobDefinition("def", std::nullopt)->revision(), 2);
  auto inactive = store_->GetJobDefinition("def", 3);
  ASSERT_TRUE(inactive.has_value());
  EXPECT_EQ(inactive->status(), "INACTIVE");
  EXPECT_EQ(inactive->container_properties().command_size(), 2);
  EXPECT_FALSE(store_->GetJobDefinition("def", 7).has_value());
  EXPECT_FALSE(store_->GetJobDefinition("none", std::nullopt).has_value());
  // A new revision after a deregistered one still counts up.
  EXPECT_EQ(store_->RegisterJobDefinition(MakeDefinition("def")).revision(), 4);

  ExpectApiError([&] { store_->DeregisterJobDefinition("def", 9); }, ErrorCode::kNotFound,
                 "job definition \"def:9\" not found");
}

TEST_F(StoreTest, LatestActiveIsNoneWhenAllAreDeregistered) {
  store_->RegisterJobDefinition(MakeDefinition("def"));
  store_->DeregisterJobDefinition("def", 1);
  EXPECT_FALSE(store_->GetJobDefinition("def", std::nullopt).has_value());
}

TEST_F(StoreTest, ConcurrentRegistrationsGetDistinctRevisions) {
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<int> revisions;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        int revision = store_->RegisterJobDefinition(MakeDefinition("def")).revision();
        std::lock_guard lock(mu);
        revisions.insert(revision);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(revisions.size(), 20u);
  EXPECT_EQ(*revisions.begin(), 1);
  EXPECT_EQ(*revisions.rbegin(), 20);
}

std::vector<std::string> Refs(const Page<batch::v1::JobDefinition>& page) {
  std::vector<std::string> refs;
  for (const auto& def : page.items) {
    refs.push_back(def.job_definition_name() + ":" + std::to_string(def.revision()));
  }
  return refs;
}

TEST_F(StoreTest, DescribeJobDefinitionsFiltersAndPages) {
  for (int i = 0; i < 3; ++i) store_->RegisterJobDefinition(MakeDefinition("a"));
  for (int i = 0; i < 2; ++i) store_->RegisterJobDefinition(MakeDefinition("b"));
  store_->DeregisterJobDefinition("a", 2);

  Store::DefinitionQuery all;
  EXPECT_EQ(Refs(store_->DescribeJobDefinitions(all)),
            (std::vector<std::string>{"a:1", "a:2", "a:3", "b:1", "b:2"}));

  Store::DefinitionQuery active;
  active.status = "ACTIVE";
  EXPECT_EQ(Refs(store_->DescribeJobDefinitions(active)),
            (std::vector<std::string>{"a:1", "a:3", "b:1", "b:2"}));

  Store::DefinitionQuery by_name;
  by_name.name = "b";
  EXPECT_EQ(Refs(store_->DescribeJobDefinitions(by_name)),
            (std::vector<std::string>{"b:1", "b:2"}));

  Store::DefinitionQuery refs;
  refs.refs = {{"a", 2}, {"b", std::nullopt}, {"zz", 1}};
  EXPECT_EQ(Refs(store_->DescribeJobDefinitions(refs)),
            (std::vector<std::string>{"a:2", "b:1", "b:2"}));

  Store::DefinitionQuery paged;
  paged.max_results = 2;
  std::vector<std::string> seen;
  do {
    auto page = store_->DescribeJobDefinitions(paged);
    for (const auto& ref : Refs(page)) seen.push_back(ref);
    paged.next_token = page.next_token;
  } while (!paged.next_token.empty());
  EXPECT_EQ(seen, (std::vector<std::string>{"a:1", "a:2", "a:3", "b:1", "b:2"}));

  Store::DefinitionQuery bad;
  bad.next_token = "00";
  ExpectApiError([&] { store_->DescribeJobDefinitions(bad); }, ErrorCode::kInvalidArgument,
                 "nextToken");
}

}  // namespace
}  // namespace batchd::store
