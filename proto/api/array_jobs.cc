#include "api/array_jobs.h"

#include <charconv>

#include "api/names.h"

namespace batchd::api {

using batch::v1::ArrayJobDependency;
using batch::v1::JobDependency;
using batch::v1::JobDetail;

std::string ArrayChildId(std::string_view parent_id, int index) {
  return std::string(parent_id) + ":" + std::to_string(index);
}

std::optional<std::pair<std::string, int>> SplitArrayChildId(std::string_view job_id) {
  const auto colon = job_id.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == job_id.size()) {
    return std::nullopt;
  }
  int index = 0;
  const char* first = job_id.data() + colon + 1;
  const char* last = job_id.data() + job_id.size();
  auto [end, ec] = std::from_chars(first, last, index);
  if (ec != std::errc() || end != last || index < 0) return std::nullopt;
  return std::make_pair(std::string(job_id.substr(0, colon)), index);
}

bool IsArrayParent(const JobDetail& job) {
  return job.array_properties().size() > 0 && !job.array_properties().has_index();
}

bool IsArrayChild(const JobDetail& job) { return job.array_properties().has_index(); }

bool IsWholeJobDependency(const JobDependency& dependency) {
  return dependency.type() == ArrayJobDependency::ARRAY_JOB_DEPENDENCY_UNSPECIFIED;
}

bool HasPerChildDependencies(const JobDetail& parent) {
  for (const auto& d : parent.depends_on()) {
    if (!IsWholeJobDependency(d)) return true;
  }
  return false;
}

google::protobuf::RepeatedPtrField<JobDependency> ChildDependsOn(const JobDetail& parent,
                                                                 int index) {
  google::protobuf::RepeatedPtrField<JobDependency> out;
  for (const auto& d : parent.depends_on()) {
    switch (d.type()) {
      case ArrayJobDependency::ARRAY_JOB_DEPENDENCY_UNSPECIFIED:
        break;
      case ArrayJobDependency::SEQUENTIAL:
        if (index > 0) {
          auto* dep = out.Add();
          *dep = d;
          dep->set_job_id(ArrayChildId(parent.job_id(), index - 1));
        }
        break;
      case ArrayJobDependency::N_TO_N: {
        auto* dep = out.Add();
        *dep = d;
        dep->set_job_id(ArrayChildId(d.job_id(), index));
        break;
      }
      case batch::v1::
          ArrayJobDependency_Value_ArrayJobDependency_Value_INT_MIN_SENTINEL_DO_NOT_USE_:
      case batch::v1::
          ArrayJobDependency_Value_ArrayJobDependency_Value_INT_MAX_SENTINEL_DO_NOT_USE_:
        break;
    }
  }
  return out;
}

JobDetail ArrayChildDetail(const JobDetail& parent, int index) {
  JobDetail child = parent;
  const std::string id = ArrayChildId(parent.job_id(), index);
  child.set_job_id(id);
  child.set_job_arn(MakeArn(kJobKind, id));
  child.clear_client_token();
  *child.mutable_depends_on() = ChildDependsOn(parent, index);
  auto* array = child.mutable_array_properties();
  array->clear_status_summary();
  array->set_size(parent.array_properties().size());
  array->set_index(index);
  return child;
}

}  // namespace batchd::api
