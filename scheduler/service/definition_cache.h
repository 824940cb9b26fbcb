#pragma once
// The job definitions submissions name, kept in memory: every SubmitJob needs one, and reading
// it from the database would be a round trip per call. Revisions are immutable; what changes
// (a new revision becomes a name's latest, one is deregistered) goes through this batchd's
// Register/DeregisterJobDefinition, which clear the cache.
#include <mutex>
#include <string>
#include <unordered_map>

#include "batch/v1/types.pb.h"
#include "store/store.h"

namespace batchd::service {

class DefinitionCache {
 public:
  explicit DefinitionCache(store::Store& store) : store_(store) {}

  // The ACTIVE definition `ref_text` ("name" for the latest, "name:revision", or an ARN)
  // names; NOT_FOUND or FAILED_PRECONDITION (naming `field`) otherwise.
  batch::v1::JobDefinition Get(const std::string& field, const std::string& ref_text);
  void Clear();

 private:
  store::Store& store_;
  std::mutex mu_;
  std::unordered_map<std::string, batch::v1::JobDefinition> definitions_;
  // Bumped by Clear: a lookup that raced with it does not store what it read.
  uint64_t generation_ = 0;
};

}  // namespace batchd::service
