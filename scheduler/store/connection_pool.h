#pragma once
// A fixed-size pool of libpqxx connections shared by the gRPC threads. A pqxx::connection is
// not thread-safe, so each caller leases one for the length of a transaction.
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <pqxx/connection>

namespace batchd::store {

class ConnectionPool {
 public:
  // Runs on every new connection (e.g. to register prepared statements).
  using OnConnect = std::function<void(pqxx::connection&)>;

  // Opens one connection at once, so a bad URL or a down server fails here (kUnavailable);
  // the others are opened on demand, up to `size`.
  ConnectionPool(std::string url, int size, OnConnect on_connect = {});
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    pqxx::connection& operator*() const { return *conn_; }
    pqxx::connection* operator->() const { return conn_.get(); }
    // The connection is suspect (broken mid-transaction): close it instead of reusing it.
    void Discard() { discard_ = true; }

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, std::unique_ptr<pqxx::connection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    ConnectionPool* pool_;
    std::unique_ptr<pqxx::connection> conn_;
    bool discard_ = false;
  };

  // Blocks while every connection is leased.
  Lease Acquire();
  int size() const { return size_; }
  // The URL with any password replaced, for logs and error messages.
  const std::string& redacted_url() const { return redacted_url_; }
  // Replaces the URL's password wherever it occurs in `text`.
  std::string Redact(std::string text) const;

  // Plain connection outside the pool (e.g. for tests or migrations' own session).
  std::unique_ptr<pqxx::connection> Connect() const;

 private:
  void Release(std::unique_ptr<pqxx::connection> conn, bool discard);

  const std::string url_;
  const int size_;
  const OnConnect on_connect_;
  std::string password_;
  std::string redacted_url_;

  std::mutex mu_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  int open_ = 0;  // leased + idle
};

// Finds the password in a libpq URL ("postgresql://u:pw@h/db") or key/value string
// ("password=pw"); empty when there is none.
std::string PasswordOf(const std::string& url);

}  // namespace batchd::store
