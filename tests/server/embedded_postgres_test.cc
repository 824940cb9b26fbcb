#include "store/embedded_postgres.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <optional>
#include <pqxx/pqxx>

#include "support/postgres_env.h"
#include "support/temp_dir.h"
#include "support/wait.h"

namespace batchd::store {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

bool Alive(pid_t pid) {
  // Our child until reaped; a zombie of someone else's would still answer kill(0).
  return pid > 0 && kill(pid, 0) == 0;
}

EmbeddedPostgresOptions TestOptions(const fs::path& dir) {
  return {.dir = dir, .database = "batchd", .durable = false};
}

TEST(EmbeddedPostgres, FirstStartInitialisesAndServesTheDatabase) {
  TempDir tmp;
  const fs::path dir = tmp.path() / "pg";
  EmbeddedPostgres pg(TestOptions(dir));

  EXPECT_TRUE(fs::exists(dir / "PG_VERSION"));
  struct stat st {};
  ASSERT_EQ(stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_NE(pg.url().find("dbname=batchd"), std::string::npos);
  EXPECT_NE(pg.Describe().find("embedded PostgreSQL "), std::string::npos);
  EXPECT_NE(pg.Describe().find(dir.string()), std::string::npos);

  pqxx::connection conn(pg.url());
  pqxx::work txn(conn);
  EXPECT_EQ(txn.exec1("SELECT current_database()")[0].as<std::string>(), "batchd");
  // Only the Unix socket: nothing for other machines (or users) to reach.
  EXPECT_EQ(txn.exec1("SHOW listen_addresses")[0].as<std::string>(), "");
}

TEST(EmbeddedPostgres, RestartReusesTheClusterAndKeepsItsData) {
  TempDir tmp;
  const fs::path dir = tmp.path() / "pg";
  pid_t first_pid;
  {
    EmbeddedPostgres pg(TestOptions(dir));
    first_pid = pg.pid();
    pqxx::connection conn(pg.url());
    pqxx::work txn(conn);
    txn.exec0("CREATE TABLE kept (v text)");
    txn.exec0("INSERT INTO kept VALUES ('still here')");
    txn.commit();
  }
  EXPECT_FALSE(Alive(first_pid)) << "the destructor stops and reaps the server";
  EXPECT_FALSE(fs::exists(dir / "postmaster.pid"));

  EmbeddedPostgres pg(TestOptions(dir));
  pqxx::connection conn(pg.url());
  pqxx::work txn(conn);
  EXPECT_EQ(txn.exec1("SELECT v FROM kept")[0].as<std::string>(), "still here");
}

TEST(EmbeddedPostgres, CreateDatabaseIsIdempotent) {
  TempDir tmp;
  EmbeddedPostgres pg(TestOptions(tmp.path() / "pg"));
  const std::string url = pg.CreateDatabase("other db");
  EXPECT_EQ(pg.CreateDatabase("other db"), url);
  pqxx::connection conn(url);
  pqxx::work txn(conn);
  EXPECT_EQ(txn.exec1("SELECT current_database()")[0].as<std::string>(), "other db");
}

TEST(EmbeddedPostgres, LongDirectoryPutsTheSocketInTmp) {
  TempDir tmp;
  const fs::path dir = tmp.path() / std::string(90, 'd') / "pg";
  EmbeddedPostgres pg(TestOptions(dir));
  EXPECT_NE(pg.url().find("host=/tmp/batchd-pg-"), std::string::npos) << pg.url();
  pqxx::connection conn(pg.url());
  EXPECT_TRUE(conn.is_open());
}

TEST(EmbeddedPostgres, StopsAServerLeftRunningOnTheDirectory) {
  TempDir tmp;
  const fs::path dir = tmp.path() / "pg";
  std::optional<EmbeddedPostgres> first(TestOptions(dir));
  const pid_t stale = first->pid();
  // A second start on the same directory (as after a batchd that was killed while its server
  // was still shutting down) stops the old server instead of failing on its lock file.
  EmbeddedPostgres second(TestOptions(dir));
  EXPECT_NE(second.pid(), stale);
  pqxx::connection conn(second.url());
  EXPECT_TRUE(conn.is_open());
  first.reset();  // reaps the old child; must not disturb the new server
  pqxx::connection again(second.url());
  EXPECT_TRUE(again.is_open());
}

TEST(EmbeddedPostgres, ServerStopsWhenItsOwnerDies) {
  TempDir tmp;
  const fs::path dir = tmp.path() / "pg";
  // The owner is a forked copy of this test, killed with SIGKILL: no destructor runs, yet the
  // parent-death signal must stop the server.
  int report[2];
  ASSERT_EQ(pipe(report), 0);
  pid_t owner = fork();
  ASSERT_GE(owner, 0);
  if (owner == 0) {
    close(report[0]);
    try {
      auto* pg = new EmbeddedPostgres(TestOptions(dir));
      pid_t pid = pg->pid();
      (void)!write(report[1], &pid, sizeof pid);
      pause();
    } catch (...) {
    }
    _exit(1);
  }
  close(report[1]);
  pid_t server = -1;
  ASSERT_EQ(read(report[0], &server, sizeof server), static_cast<ssize_t>(sizeof server));
  close(report[0]);
  ASSERT_TRUE(Alive(server));
  kill(owner, SIGKILL);
  waitpid(owner, nullptr, 0);
  EXPECT_TRUE(testing::PollUntil([&] { return !fs::exists(dir / "postmaster.pid"); },
                                 std::chrono::seconds(30)))
      << "the orphaned server shut down";
  // And the directory is usable again at once.
  EmbeddedPostgres pg(TestOptions(dir));
  pqxx::connection conn(pg.url());
  EXPECT_TRUE(conn.is_open());
}

TEST(EmbeddedPostgres, UnreachableDirectoryIsNamedInTheError) {
  if (geteuid() != 0) GTEST_SKIP() << "only root runs the cluster as another user";
  TempDir tmp;
  const fs::path closed = tmp.path() / "closed";
  fs::create_directory(closed);
  fs::permissions(closed, fs::perms::owner_all);
  try {
    EmbeddedPostgres pg(TestOptions(closed / "pg"));
    FAIL() << "started in a directory the postgres user cannot reach";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot enter " + closed.string()), std::string::npos)
        << e.what();
  }
}

TEST(EmbeddedPostgres, SharedTestClusterHandsOutFreshDatabases) {
  const std::string a = testing::FreshDatabaseUrl();
  const std::string b = testing::FreshDatabaseUrl();
  EXPECT_NE(a, b);
  pqxx::connection conn(a);
  pqxx::work txn(conn);
  txn.exec0("CREATE TABLE only_in_a (x int)");
  txn.commit();
  pqxx::connection other(b);
  pqxx::work txn_b(other);
  EXPECT_TRUE(txn_b.exec("SELECT 1 FROM pg_tables WHERE tablename = 'only_in_a'").empty());
}

}  // namespace
}  // namespace batchd::store
