#pragma once
// What batchd keeps in its data directory besides the embedded cluster: a lock, so that two
// batchds never share (and stop) one PostgreSQL, and batchd.addr, the address it serves.
#include <filesystem>
#include <string>

namespace batchd::server {

class DataDirLock {
 public:
  // Creates the directory if missing and takes <dir>/batchd.lock; throws when another batchd
  // holds it.
  explicit DataDirLock(const std::filesystem::path& dir);
  ~DataDirLock();
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

 private:
  int fd_ = -1;
};

// <dir>/batchd.addr holds "host:port\n"; written whole (temp file + rename) so a reader never
// sees half an address.
std::filesystem::path AddressFile(const std::filesystem::path& dir);
void WriteAddressFile(const std::filesystem::path& dir, const std::string& address);

}  // namespace batchd::server
