#include "cli/resource_diff.h"

#include <algorithm>
#include <set>
#include <utility>

#include <google/protobuf/util/message_differencer.h>

#include "api/names.h"
#include "cli/errors.h"

namespace batchd::cli {
namespace {

using namespace batch::v1;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::util::MessageDifferencer;

// The provider batchd assumes when a file names none (see the server's CE defaults).
constexpr char kDefaultProviderType[] = "local";

template <typename T>
bool SameRepeated(const google::protobuf::RepeatedPtrField<T>& a,
                  const google::protobuf::RepeatedPtrField<T>& b) {
  if (a.size() != b.size()) return false;
  for (int i = 0; i < a.size(); ++i) {
    if constexpr (std::is_base_of_v<Message, T>) {
      if (!MessageDifferencer::Equals(a[i], b[i])) return false;
    } else {
      if (a[i] != b[i]) return false;
    }
  }
  return true;
}

bool SameMap(const google::protobuf::Map<std::string, std::string>& a,
             const google::protobuf::Map<std::string, std::string>& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [k, v] : a) {
    auto it = b.find(k);
    if (it == b.end() || it->second != v) return false;
  }
  return true;
}

// Fields of `desired` that are set, not in `updatable`, and differ from `current`.
void CollectFixedDiffs(const Message& desired, const Message& current,
                       const std::set<std::string>& updatable, const std::string& prefix,
                       std::vector<std::string>* out) {
  std::vector<const FieldDescriptor*> fields;
  desired.GetReflection()->ListFields(desired, &fields);
  for (const FieldDescriptor* f : fields) {
    if (updatable.count(f->name())) continue;
    MessageDifferencer differencer;
    if (!differencer.CompareWithFields(desired, current, {f}, {f})) {
      out->push_back(prefix + f->json_name());
    }
  }
}

// The ComputeResourceUpdate that turns `current` into `desired`; false when none is needed.
bool DiffComputeResources(const ComputeResource& d, const ComputeResource& c,
                          ComputeResourceUpdate* u, std::vector<std::string>* not_updatable) {
  if (d.minv_cpus() != c.minv_cpus()) u->set_minv_cpus(d.minv_cpus());
  if (d.maxv_cpus() != c.maxv_cpus()) u->set_maxv_cpus(d.maxv_cpus());
  // The autoscaler owns desiredvCpus and the server only lets people raise it: a file asks
  // for "at least this many".
  if (d.has_desiredv_cpus() && d.desiredv_cpus() > c.desiredv_cpus()) {
    u->set_desiredv_cpus(d.desiredv_cpus());
  }
  if (d.subnets_size() > 0 && !SameRepeated(d.subnets(), c.subnets())) {
    *u->mutable_subnets() = d.subnets();
  }
  if (d.security_group_ids_size() > 0 &&
      !SameRepeated(d.security_group_ids(), c.security_group_ids())) {
    *u->mutable_security_group_ids() = d.security_group_ids();
  }
  if (d.instance_types_size() > 0 && !SameRepeated(d.instance_types(), c.instance_types())) {
    *u->mutable_instance_types() = d.instance_types();
  }
  if (d.allocation_strategy() != CRAllocationStrategy::CR_ALLOCATION_STRATEGY_UNSPECIFIED &&
      d.allocation_strategy() != c.allocation_strategy()) {
    u->set_allocation_strategy(d.allocation_strategy());
  }
  if (d.type() != CRType::CR_TYPE_UNSPECIFIED && d.type() != c.type()) u->set_type(d.type());
  if (d.has_provider()) {
    NodeProvider want = d.provider();
    if (want.type().empty()) want.set_type(kDefaultProviderType);
    if (!MessageDifferencer::Equals(want, c.provider())) *u->mutable_provider() = want;
  }
  if (d.node_shapes_size() > 0 && !SameRepeated(d.node_shapes(), c.node_shapes())) {
    *u->mutable_node_shapes() = d.node_shapes();
  }
  if (d.scale_down_delay_seconds() != 0 &&
      d.scale_down_delay_seconds() != c.scale_down_delay_seconds()) {
    u->set_scale_down_delay_seconds(d.scale_down_delay_seconds());
  }
  if (d.node_boot_timeout_seconds() != 0 &&
      d.node_boot_timeout_seconds() != c.node_boot_timeout_seconds()) {
    u->set_node_boot_timeout_seconds(d.node_boot_timeout_seconds());
  }
  static const std::set<std::string> kUpdatable = {"minv_cpus",
                                                   "maxv_cpus",
                                                   "desiredv_cpus",
                                                   "subnets",
                                                   "security_group_ids",
                                                   "allocation_strategy",
                                                   "instance_types",
                                                   "type",
                                                   "provider",
                                                   "node_shapes",
                                                   "scale_down_delay_seconds",
                                                   "node_boot_timeout_seconds"};
  CollectFixedDiffs(d, c, kUpdatable, "computeResources.", not_updatable);
  // Every field of the update is set only when it differs.
  std::vector<const FieldDescriptor*> set_fields;
  u->GetReflection()->ListFields(*u, &set_fields);
  return !set_fields.empty();
}

// A queue's environments as (order, name), sorted: ARNs and names compare equal.
std::vector<std::pair<int, std::string>> NormalizedOrder(
    const google::protobuf::RepeatedPtrField<ComputeEnvironmentOrder>& order) {
  std::vector<std::pair<int, std::string>> out;
  for (const auto& o : order) {
    out.emplace_back(o.order(), api::NameFromRef("computeEnvironmentOrder", o.compute_environment(),
                                                 api::kComputeEnvironmentKind));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

}  // namespace

ComputeEnvironmentChange DiffComputeEnvironment(const CreateComputeEnvironmentRequest& desired,
                                                const ComputeEnvironmentDetail& current) {
  ComputeEnvironmentChange change;
  if (desired.type() != current.type()) {
    throw CliError("type cannot change from " + CEType::Value_Name(current.type()) + " to " +
                   CEType::Value_Name(desired.type()) +
                   ": delete the compute environment and apply again");
  }
  UpdateComputeEnvironmentRequest update;
  update.set_compute_environment(desired.compute_environment_name());
  bool changed = false;
  if (desired.state() != CEState::CE_STATE_UNSPECIFIED && desired.state() != current.state()) {
    update.set_state(desired.state());
    changed = true;
  }
  if (desired.type() == CEType::UNMANAGED &&
      desired.unmanagedv_cpus() != current.unmanagedv_cpus()) {
    update.set_unmanagedv_cpus(desired.unmanagedv_cpus());
    changed = true;
  }
  if (!desired.service_role().empty() && desired.service_role() != current.service_role()) {
    update.set_service_role(desired.service_role());
    changed = true;
  }
  if (desired.has_compute_resources()) {
    ComputeResourceUpdate resources;
    if (DiffComputeResources(desired.compute_resources(), current.compute_resources(), &resources,
                             &change.not_updatable)) {
      *update.mutable_compute_resources() = std::move(resources);
      changed = true;
    }
  }
  if (!desired.tags().empty() && !SameMap(desired.tags(), current.tags())) {
    change.not_updatable.push_back("tags");
  }
  if (changed) change.update = std::move(update);
  return change;
}

JobQueueChange DiffJobQueue(const CreateJobQueueRequest& desired, const JobQueueDetail& current) {
  JobQueueChange change;
  UpdateJobQueueRequest update;
  update.set_job_queue(desired.job_queue_name());
  bool changed = false;
  if (desired.state() != JQState::JQ_STATE_UNSPECIFIED && desired.state() != current.state()) {
    update.set_state(desired.state());
    changed = true;
  }
  if (desired.has_priority() && desired.priority() != current.priority()) {
    update.set_priority(desired.priority());
    changed = true;
  }
  if (desired.compute_environment_order_size() > 0 &&
      NormalizedOrder(desired.compute_environment_order()) !=
          NormalizedOrder(current.compute_environment_order())) {
    *update.mutable_compute_environment_order() = desired.compute_environment_order();
    changed = true;
  }
  if (desired.job_state_time_limit_actions_size() > 0 &&
      !SameRepeated(desired.job_state_time_limit_actions(),
                    current.job_state_time_limit_actions())) {
    *update.mutable_job_state_time_limit_actions() = desired.job_state_time_limit_actions();
    changed = true;
  }
  if (!desired.scheduling_policy_arn().empty() &&
      desired.scheduling_policy_arn() != current.scheduling_policy_arn()) {
    change.not_updatable.push_back("schedulingPolicyArn");
  }
  if (!desired.tags().empty() && !SameMap(desired.tags(), current.tags())) {
    change.not_updatable.push_back("tags");
  }
  if (changed) change.update = std::move(update);
  return change;
}

bool SameJobDefinition(const RegisterJobDefinitionRequest& desired, const JobDefinition& stored) {
  // Built as the server builds a revision from a registration.
  JobDefinition want;
  want.set_job_definition_name(desired.job_definition_name());
  *want.mutable_parameters() = desired.parameters();
  if (desired.has_scheduling_priority())
    want.set_scheduling_priority(desired.scheduling_priority());
  *want.mutable_container_properties() = desired.container_properties();
  *want.mutable_retry_strategy() = desired.retry_strategy();
  want.set_propagate_tags(desired.propagate_tags());
  *want.mutable_timeout() = desired.timeout();
  *want.mutable_tags() = desired.tags();
  *want.mutable_platform_capabilities() = desired.platform_capabilities();
  if (want.platform_capabilities_size() == 0) want.add_platform_capabilities("EC2");

  JobDefinition have = stored;
  have.clear_job_definition_arn();
  have.clear_revision();
  have.clear_status();
  have.clear_type();
  have.clear_created_at();
  // An empty retryStrategy or timeout means the same as none; servers differ in which they
  // store.
  for (JobDefinition* def : {&want, &have}) {
    if (def->retry_strategy().ByteSizeLong() == 0) def->clear_retry_strategy();
    if (def->timeout().ByteSizeLong() == 0) def->clear_timeout();
  }
  return MessageDifferencer::Equals(want, have);
}

bool SameSchedule(const ScheduleRequest& desired, const ScheduleDetail& stored) {
  ScheduleRequest have;
  have.set_schedule_name(stored.schedule_name());
  have.set_schedule_expression(stored.schedule_expression());
  have.set_time_zone(stored.time_zone());
  have.set_job_queue(stored.job_queue());
  have.set_job_definition(stored.job_definition());
  have.set_state_machine(stored.state_machine());
  have.set_execution_input(stored.execution_input());
  have.set_job_name(stored.job_name());
  *have.mutable_container_overrides() = stored.container_overrides();
  *have.mutable_parameters() = stored.parameters();
  *have.mutable_tags() = stored.tags();
  have.set_concurrency_policy(stored.concurrency_policy());
  have.set_catch_up(stored.catch_up());
  have.set_starting_deadline_seconds(stored.starting_deadline_seconds());
  have.set_suspended(stored.suspended());
  have.set_runs_to_keep(stored.runs_to_keep());
  ScheduleRequest want = desired;
  if (want.time_zone().empty()) want.set_time_zone("UTC");
  // batchd's defaults: a job named after the schedule, or an execution given {}.
  if (want.state_machine().empty() && want.job_name().empty()) {
    want.set_job_name(want.schedule_name());
  }
  if (!want.state_machine().empty() && want.execution_input().empty()) {
    want.set_execution_input("{}");
  }
  if (want.concurrency_policy() == ConcurrencyPolicy::CONCURRENCY_POLICY_UNSPECIFIED) {
    want.set_concurrency_policy(ConcurrencyPolicy::Allow);
  }
  if (want.catch_up() == CatchUpPolicy::CATCH_UP_POLICY_UNSPECIFIED) {
    want.set_catch_up(CatchUpPolicy::Skip);
  }
  if (want.runs_to_keep() == 0) want.set_runs_to_keep(20);
  // No overrides and empty overrides are the same.
  for (ScheduleRequest* r : {&want, &have}) {
    if (r->container_overrides().ByteSizeLong() == 0) r->clear_container_overrides();
  }
  return MessageDifferencer::Equals(want, have);
}

}  // namespace batchd::cli
