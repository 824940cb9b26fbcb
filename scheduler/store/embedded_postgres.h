#pragma once
// A private PostgreSQL cluster owned by this process: initialised on first use under `dir`,
// started as a child process, reused by the next start, stopped on destruction. It listens
// only on a Unix socket in a directory no other user can enter, so it needs no password and
// no TCP port. When this process is root the cluster runs as the `postgres` system user
// (initdb refuses root).
//
// The server is started with PR_SET_PDEATHSIG, which fires when the *thread* that created the
// EmbeddedPostgres exits: create it on a thread that lives as long as the object (main).
#include <sys/types.h>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace batchd::store {

struct EmbeddedPostgresOptions {
  std::filesystem::path dir{};  // the cluster's data directory, e.g. <data-dir>/postgres
  std::string database = "batchd";
  // false for tests: fsync and synchronous_commit off.
  bool durable = true;
  // Where the server's own log goes; empty = <dir>/postgres.log.
  std::filesystem::path log_file{};
  // How long the server may take to accept connections (crash recovery included).
  std::chrono::seconds start_timeout{30};
  // More server settings ("name=value"), after batchd's own: the bench loads
  // pg_stat_statements this way.
  std::vector<std::string> settings{};
};

class EmbeddedPostgres {
 public:
  // Throws std::runtime_error with a clear message when PostgreSQL is not installed, the
  // directory is unusable, or the server does not become ready within its deadline.
  explicit EmbeddedPostgres(EmbeddedPostgresOptions options);
  ~EmbeddedPostgres();  // fast shutdown, waits for the server to exit
  EmbeddedPostgres(const EmbeddedPostgres&) = delete;
  EmbeddedPostgres& operator=(const EmbeddedPostgres&) = delete;

  // libpq connection string for `database`.
  const std::string& url() const { return url_; }
  // Connection string for another database on the same cluster (created if missing).
  std::string CreateDatabase(const std::string& name);
  // For logs: "embedded PostgreSQL 15 in /var/lib/batchd/postgres".
  std::string Describe() const;
  pid_t pid() const { return pid_; }
  // False once the server has exited on its own (it is reaped here); batchd then stops too.
  bool Running();

 private:
  std::string UrlFor(const std::string& database) const;
  void Stop();

  EmbeddedPostgresOptions options_;
  std::string url_;
  std::string socket_dir_;
  bool socket_dir_is_temp_ = false;
  std::string version_;
  pid_t pid_ = -1;
};

}  // namespace batchd::store
