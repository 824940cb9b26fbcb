#pragma once
#include <filesystem>

namespace batchd::testing {

// A fresh directory under /tmp (reachable by the postgres user), removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace batchd::testing
