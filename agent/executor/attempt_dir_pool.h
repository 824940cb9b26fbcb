#pragma once
// Attempt directories are recycled rather than removed and made anew. On ext4 without a
// journal (seen on our test VMs) every new inode is found by skipping each inode freed in the
// last few seconds, so creating and deleting half a dozen files per attempt made file-system
// work the agent's largest cost at a few hundred attempts per second. A finished attempt's
// directory keeps its own files, emptied; the next attempt is renamed onto it.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

namespace batchd::agent {

class AttemptDirPool {
 public:
  // Spares live in `spare_root`, on the same file system as the attempts (so a rename moves
  // one); at most `max_spares` are kept. Spares an earlier run left are removed.
  AttemptDirPool(std::filesystem::path spare_root, size_t max_spares);

  // Makes the attempt directory `dir` (absent): a spare renamed into place, or a new one.
  // Throws std::system_error.
  void Make(const std::filesystem::path& dir);
  // Takes `dir` (an ended attempt's) as a spare: the agent's own files in it are emptied, all
  // else the job left is removed. Removes it instead when the pool is full or emptying fails.
  void Recycle(const std::filesystem::path& dir);

  size_t spares();

 private:
  const std::filesystem::path spare_root_;
  const size_t max_spares_;
  std::mutex mu_;
  std::vector<std::filesystem::path> spares_;
  uint64_t next_name_ = 0;
};

}  // namespace batchd::agent
