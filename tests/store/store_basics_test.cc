// Migrations, connections and page tokens.
#include <thread>

#include "store/connection_pool.h"
#include "store/migrations.h"
#include "store/page_token.h"
#include "store_test_util.h"

namespace batchd::store {
namespace {

using api::ErrorCode;

TEST_F(StoreTest, MigrationsApplyOnceAndReportTheVersion) {
  const int latest = internal::AllMigrations().back().version;
  EXPECT_EQ(store_->SchemaVersion(), latest);
  store_->CreateComputeEnvironment(MakeCe("ce-a"));
  // A second start on the same database applies nothing and keeps the data.
  Store again(url_, 1);
  EXPECT_EQ(again.SchemaVersion(), latest);
  EXPECT_EQ(Count("SELECT count(*) FROM schema_migrations"),
            static_cast<int64_t>(internal::AllMigrations().size()));
  EXPECT_TRUE(again.GetComputeEnvironment("ce-a").has_value());
}

TEST(StoreStartTest, ConcurrentStartsOnAnEmptyDatabaseBothSucceed) {
  const std::string url = batchd::testing::FreshDatabaseUrl();
  std::vector<std::thread> threads;
  std::atomic<int> ok = 0;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      Store store(url, 1);
      if (store.SchemaVersion() == internal::AllMigrations().back().version) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 4);
}

TEST_F(StoreTest, RefusesADatabaseFromANewerBatchd) {
  {
    pqxx::connection conn(url_);
    pqxx::work txn(conn);
    txn.exec("INSERT INTO schema_migrations (version, description) VALUES (9999, 'future')");
    txn.commit();
  }
  ExpectApiError([&] { Store newer(url_, 1); }, ErrorCode::kFailedPrecondition,
                 "database schema version 9999 is newer");
}

TEST(StoreStartTest, UnreachableServerIsUnavailableWithoutThePassword) {
  try {
    Store store("postgresql://batchd:s3cretPw@127.0.0.1:1/batchd?connect_timeout=2", 1);
    ADD_FAILURE() << "connected to port 1";
  } catch (const api::ApiError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
    EXPECT_NE(std::string(e.what()).find("database unavailable: "), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find("s3cretPw"), std::string::npos) << e.what();
  }
}

TEST_F(StoreTest, RecoversWhenTheServerDropsPooledConnections) {
  store_->CreateComputeEnvironment(MakeCe("ce-a"));
  store_->CreateJobQueue(MakeQueue("q", {"ce-a"}));
  auto before = store_->InsertJobs({MakeJob()})[0].job_id();
  {
    pqxx::connection conn(url_);
    pqxx::work txn(conn);
    txn.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()");
    txn.commit();
  }
  EXPECT_TRUE(store_->GetComputeEnvironment("ce-a").has_value());
  store_->CreateComputeEnvironment(MakeCe("ce-b"));
  EXPECT_EQ(store_->DescribeComputeEnvironments({}, 0, "").items.size(), 2u);
  // Prepared statements are there again on the new connections.
  auto after = store_->InsertJobs({MakeJob()})[0].job_id();
  EXPECT_EQ(store_->DescribeJobs({before, after}).size(), 2u);
}

TEST(ConnectionPoolTest, FindsPasswordsInEveryUrlForm) {
  EXPECT_EQ(PasswordOf("postgresql://u:pw@h:5432/db"), "pw");
  EXPECT_EQ(PasswordOf("postgres://u:p%40ss@h/db"), "p%40ss");
  EXPECT_EQ(PasswordOf("postgresql://u@h/db?password=qq&sslmode=disable"), "qq");
  EXPECT_EQ(PasswordOf("host=h user=u password='a b' dbname=d"), "a b");
  EXPECT_EQ(PasswordOf("host=h password = x dbname=d"), "x");
  EXPECT_EQ(PasswordOf("postgresql://u@h/db"), "");
  EXPECT_EQ(PasswordOf("host=/tmp dbname=d"), "");
}

TEST_F(StoreTest, PoolBlocksWhenEveryConnectionIsLeasedAndReusesThem) {
  ConnectionPool pool(url_, 2);
  auto a = pool.Acquire();
  auto b = pool.Acquire();
  std::atomic<bool> got_third = false;
  std::thread waiter([&] {
    auto c = pool.Acquire();
    got_third = true;
  });
  EXPECT_FALSE(got_third);  // cannot have a third while both are out
  pqxx::connection* first = &*a;
  { auto released = std::move(a); }
  waiter.join();
  EXPECT_TRUE(got_third);
  auto again = pool.Acquire();
  EXPECT_EQ(&*again, first);
}

TEST(PageTokenTest, RoundTripsAndRefusesForeignOrMalformedTokens) {
  auto token = internal::EncodePageToken("jobs", {"1700", "abc:1"});
  EXPECT_EQ(internal::DecodePageToken("jobs", token, 2),
            (std::vector<std::string>{"1700", "abc:1"}));
  for (const std::string& bad : {std::string("zz"), std::string("abc"), token + "1f",
                                 internal::EncodePageToken("job-queues", {"a", "b"})}) {
    ExpectApiError([&] { internal::DecodePageToken("jobs", bad, 2); }, ErrorCode::kInvalidArgument,
                   "nextToken: not a token returned by a previous call");
  }
  ExpectApiError([] { internal::PageTokenInt("12x"); }, ErrorCode::kInvalidArgument, "nextToken");
}

}  // namespace
}  // namespace batchd::store
