#include "server/data_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <stdexcept>
#include <system_error>

namespace batchd::server {

namespace fs = std::filesystem;

DataDirLock::DataDirLock(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw std::runtime_error("cannot create data directory " + dir.string() + ": " + ec.message());
  const fs::path lock = dir / "batchd.lock";
  fd_ = open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw std::runtime_error("cannot open " + lock.string() + ": " +
                             std::error_code(errno, std::system_category()).message());
  }
  if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    close(fd_);
    throw std::runtime_error("another batchd is using the data directory " + dir.string());
  }
}

DataDirLock::~DataDirLock() { close(fd_); }

fs::path AddressFile(const fs::path& dir) { return dir / "batchd.addr"; }

void WriteAddressFile(const fs::path& dir, const std::string& address) {
  const fs::path tmp = dir / ".batchd.addr.tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << address << "\n";
    out.close();
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
  }
  std::error_code ec;
  fs::rename(tmp, AddressFile(dir), ec);
  if (ec)
    throw std::runtime_error("cannot write " + AddressFile(dir).string() + ": " + ec.message());
}

}  // namespace batchd::server
