#include "store/connection_pool.h"

#include <cctype>
#include <utility>

#include <pqxx/except>

#include "api/api_error.h"

namespace batchd::store {
namespace {

std::string PercentDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string KeyValuePassword(const std::string& conninfo) {
  auto pos = conninfo.find("password");
  while (pos != std::string::npos) {
    size_t i = pos + 8;
    while (i < conninfo.size() && conninfo[i] == ' ') ++i;
    if (i < conninfo.size() && conninfo[i] == '=') {
      ++i;
      while (i < conninfo.size() && conninfo[i] == ' ') ++i;
      std::string value;
      if (i < conninfo.size() && conninfo[i] == '\'') {
        for (++i; i < conninfo.size() && conninfo[i] != '\''; ++i) {
          if (conninfo[i] == '\\' && i + 1 < conninfo.size()) ++i;
          value += conninfo[i];
        }
      } else {
        for (; i < conninfo.size() && conninfo[i] != ' ' && conninfo[i] != '&'; ++i) {
          value += conninfo[i];
        }
      }
      return value;
    }
    pos = conninfo.find("password", pos + 1);
  }
  return "";
}

}  // namespace

std::string PasswordOf(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return KeyValuePassword(url);
  auto start = scheme + 3;
  auto end = url.find_first_of("/?", start);
  std::string authority = url.substr(start, end == std::string::npos ? end : end - start);
  auto at = authority.rfind('@');
  if (at != std::string::npos) {
    auto colon = authority.find(':');
    if (colon != std::string::npos && colon < at)
      return authority.substr(colon + 1, at - colon - 1);
  }
  // postgresql://host/db?password=...
  auto query = url.find('?');
  return query == std::string::npos ? "" : KeyValuePassword(url.substr(query + 1));
}

ConnectionPool::ConnectionPool(std::string url, int size, OnConnect on_connect)
    : url_(std::move(url)), size_(size < 1 ? 1 : size), on_connect_(std::move(on_connect)) {
  password_ = PasswordOf(url_);
  redacted_url_ = Redact(url_);
  idle_.push_back(Connect());
  open_ = 1;
}

ConnectionPool::~ConnectionPool() {
  for (auto& conn : idle_) conn->disconnect();
}

std::string ConnectionPool::Redact(std::string text) const {
  for (const std::string& secret : {password_, PercentDecode(password_)}) {
    if (secret.empty()) continue;
    for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 3)) {
      text.replace(pos, secret.size(), "***");
    }
  }
  return text;
}

std::unique_ptr<pqxx::connection> ConnectionPool::Connect() const {
  std::unique_ptr<pqxx::connection> conn;
  try {
    conn = std::make_unique<pqxx::connection>(url_);
    if (on_connect_) on_connect_(*conn);
  } catch (const pqxx::broken_connection& e) {
    throw api::ApiError(api::ErrorCode::kUnavailable, "database unavailable: " + Redact(e.what()));
  }
  return conn;
}

ConnectionPool::Lease ConnectionPool::Acquire() {
  std::unique_lock lock(mu_);
  available_.wait(lock, [this] { return !idle_.empty() || open_ < size_; });
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(conn));
  }
  ++open_;  // reserve the slot, then connect without holding the lock
  lock.unlock();
  try {
    return Lease(this, Connect());
  } catch (...) {
    lock.lock();
    --open_;
    available_.notify_one();
    throw;
  }
}

void ConnectionPool::Release(std::unique_ptr<pqxx::connection> conn, bool discard) {
  if (discard || !conn->is_open()) {
    conn->disconnect();
    conn.reset();
  }
  std::lock_guard lock(mu_);
  if (conn) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;
  }
  available_.notify_one();
}

ConnectionPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), conn_(std::move(other.conn_)), discard_(other.discard_) {}

ConnectionPool::Lease::~Lease() {
  if (conn_) pool_->Release(std::move(conn_), discard_);
}

}  // namespace batchd::store
