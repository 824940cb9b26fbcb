#include "support/temp_dir.h"

#include <sys/stat.h>

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <system_error>

namespace batchd::testing {

TempDir::TempDir() {
  char tmpl[] = "/tmp/batchd-test-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    throw std::system_error(errno, std::system_category(), "mkdtemp in /tmp");
  }
  // mkdtemp makes it 0700; the postgres user (a cluster run by root) must reach subdirectories.
  if (chmod(tmpl, 0755) != 0) {
    throw std::system_error(errno, std::system_category(), std::string("chmod ") + tmpl);
  }
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace batchd::testing
