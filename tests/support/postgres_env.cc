#include "support/postgres_env.h"

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

#include "store/embedded_postgres.h"
#include "support/temp_dir.h"

namespace batchd::testing {
namespace {

// The cluster is created and destroyed on a thread of its own that lives until exit: the
// server's parent-death signal fires when the creating *thread* ends, and a test may call
// FreshDatabaseUrl from a short-lived thread.
class SharedCluster {
 public:
  SharedCluster() {
    keeper_ = std::thread([this] { Keep(); });
    std::unique_lock lock(mu_);
    ready_cv_.wait(lock, [this] { return pg_ != nullptr || error_ != nullptr; });
    if (error_) {
      lock.unlock();
      keeper_.join();
      std::rethrow_exception(error_);
    }
  }

  ~SharedCluster() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    stop_cv_.notify_all();
    keeper_.join();
  }

  store::EmbeddedPostgres& pg() { return *pg_; }
  // EmbeddedPostgres's default place for it.
  std::filesystem::path log_file() const { return dir_ / "postgres.log"; }

 private:
  void Keep() {
    std::unique_ptr<TempDir> dir;
    std::unique_ptr<store::EmbeddedPostgres> pg;
    try {
      dir = std::make_unique<TempDir>();
      dir_ = dir->path() / "pg";
      // pg_stat_statements: tests count how often the store's statements are planned.
      pg = std::make_unique<store::EmbeddedPostgres>(
          store::EmbeddedPostgresOptions{.dir = dir_,
                                         .database = "postgres",
                                         .durable = false,
                                         .settings = {"shared_preload_libraries=pg_stat_statements",
                                                      "pg_stat_statements.track_planning=on"}});
    } catch (...) {
      std::lock_guard lock(mu_);
      error_ = std::current_exception();
      ready_cv_.notify_all();
      return;
    }
    std::unique_lock lock(mu_);
    pg_ = pg.get();
    ready_cv_.notify_all();
    stop_cv_.wait(lock, [this] { return stop_; });
    pg_ = nullptr;
    lock.unlock();
    pg.reset();  // stops the server before its directory goes
  }

  std::mutex mu_;
  std::condition_variable ready_cv_;
  std::condition_variable stop_cv_;
  store::EmbeddedPostgres* pg_ = nullptr;
  std::filesystem::path dir_;
  std::exception_ptr error_;
  bool stop_ = false;
  std::thread keeper_;
};

std::mutex g_mu;
SharedCluster* g_cluster = nullptr;

void StopCluster() {
  std::lock_guard lock(g_mu);
  delete g_cluster;
  g_cluster = nullptr;
}

SharedCluster& Cluster() {
  if (g_cluster == nullptr) {
    g_cluster = new SharedCluster();
    std::atexit(StopCluster);
  }
  return *g_cluster;
}

}  // namespace

std::string FreshDatabaseUrl() {
  static std::atomic<int> next = 0;
  std::lock_guard lock(g_mu);
  return Cluster().pg().CreateDatabase("t" + std::to_string(next++));
}

std::filesystem::path ServerLogFile() {
  std::lock_guard lock(g_mu);
  return Cluster().log_file();
}

}  // namespace batchd::testing
