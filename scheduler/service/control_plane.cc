// Compute environments, job queues and job definitions.
#include "service/control_plane.h"

#include <algorithm>

#include "api/api_error.h"
#include "api/names.h"

namespace batchd::service {

using namespace batch::v1;
using api::kComputeEnvironmentKind;
using api::kJobQueueKind;
using api::NameFromRef;

namespace {

constexpr int kDefaultScaleDownDelaySeconds = 300;
constexpr int kDefaultNodeBootTimeoutSeconds = 300;
constexpr int kDescribePageCap = 100;

int PageSize(int max_results) { return max_results == 0 ? kDescribePageCap : max_results; }

void ApplyComputeResourceDefaults(ComputeResource* cr) {
  if (cr->allocation_strategy() == CRAllocationStrategy::CR_ALLOCATION_STRATEGY_UNSPECIFIED) {
    cr->set_allocation_strategy(CRAllocationStrategy::BEST_FIT);
  }
  if (!cr->has_desiredv_cpus()) cr->set_desiredv_cpus(cr->minv_cpus());
  if (cr->provider().type().empty()) cr->mutable_provider()->set_type("local");
  if (cr->scale_down_delay_seconds() == 0)
    cr->set_scale_down_delay_seconds(kDefaultScaleDownDelaySeconds);
  if (cr->node_boot_timeout_seconds() == 0)
    cr->set_node_boot_timeout_seconds(kDefaultNodeBootTimeoutSeconds);
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::vector<std::string> RefsToNames(const google::protobuf::RepeatedPtrField<std::string>& refs,
                                     std::string_view field, std::string_view kind) {
  std::vector<std::string> names;
  for (int i = 0; i < refs.size(); ++i) {
    names.push_back(NameFromRef(std::string(field) + "[" + std::to_string(i) + "]", refs[i], kind));
  }
  return names;
}

// Stores each CE by name, sorted by order, so a queue reads the same however it was written.
void NormalizeOrder(google::protobuf::RepeatedPtrField<ComputeEnvironmentOrder>* order) {
  for (int i = 0; i < order->size(); ++i) {
    auto* o = order->Mutable(i);
    o->set_compute_environment(
        NameFromRef("computeEnvironmentOrder[" + std::to_string(i) + "].computeEnvironment",
                    o->compute_environment(), kComputeEnvironmentKind));
  }
  std::sort(order->begin(), order->end(),
            [](const auto& a, const auto& b) { return a.order() < b.order(); });
}

}  // namespace

namespace {
// Two grouped submissions in flight: while one waits for its commit's WAL flush, the next is
// written (PostgreSQL flushes both commits together when they meet).
constexpr int kSubmitWriters = 2;
}  // namespace

ControlPlane::ControlPlane(store::Store& store, const core::Clock& clock, api::Limits limits)
    : store_(store),
      clock_(clock),
      limits_(limits),
      definitions_(store),
      // One grouped transaction holds at most one full SubmitJobs call's worth of jobs.
      submits_([&store](const auto& jobs) { return store.InsertJobs(jobs); },
               static_cast<size_t>(limits.max_batch_submit), kSubmitWriters) {}

// ---------------------------------------------------------------- compute environments

CreateComputeEnvironmentResponse ControlPlane::CreateComputeEnvironment(
    const CreateComputeEnvironmentRequest& req) {
  api::ValidateCreateComputeEnvironment(req);
  ComputeEnvironmentDetail ce;
  ce.set_compute_environment_name(req.compute_environment_name());
  ce.set_compute_environment_arn(
      api::MakeArn(kComputeEnvironmentKind, req.compute_environment_name()));
  ce.set_uuid(api::NewUuid());
  ce.set_type(req.type());
  ce.set_state(req.state() == CEState::CE_STATE_UNSPECIFIED ? CEState::ENABLED : req.state());
  ce.set_status(CEStatus::VALID);
  ce.set_status_reason("ComputeEnvironment Healthy");
  ce.set_unmanagedv_cpus(req.unmanagedv_cpus());
  ce.set_service_role(req.service_role());
  *ce.mutable_tags() = req.tags();
  if (req.has_compute_resources()) {
    *ce.mutable_compute_resources() = req.compute_resources();
    ApplyComputeResourceDefaults(ce.mutable_compute_resources());
  }
  ce.set_created_at(clock_.NowMillis());
  ce.set_updated_at(ce.created_at());
  api::ValidateComputeEnvironment(ce);
  store_.CreateComputeEnvironment(ce);
  if (hooks_ != nullptr) hooks_->ResourcesChanged();
  CreateComputeEnvironmentResponse resp;
  resp.set_compute_environment_name(ce.compute_environment_name());
  resp.set_compute_environment_arn(ce.compute_environment_arn());
  return resp;
}

UpdateComputeEnvironmentResponse ControlPlane::UpdateComputeEnvironment(
    const UpdateComputeEnvironmentRequest& req) {
  api::ValidateUpdateComputeEnvironment(req);
  const std::string name =
      NameFromRef("computeEnvironment", req.compute_environment(), kComputeEnvironmentKind);
  const int64_t now = clock_.NowMillis();
  auto updated = store_.UpdateComputeEnvironment(name, [&](ComputeEnvironmentDetail& ce) {
    if (req.state() != CEState::CE_STATE_UNSPECIFIED) ce.set_state(req.state());
    if (req.has_unmanagedv_cpus()) {
      if (ce.type() != CEType::UNMANAGED) {
        api::ThrowInvalid("unmanagedvCpus",
                          "only an UNMANAGED compute environment has unmanagedvCpus");
      }
      ce.set_unmanagedv_cpus(req.unmanagedv_cpus());
    }
    if (!req.service_role().empty()) ce.set_service_role(req.service_role());
    if (req.has_compute_resources()) {
      if (ce.type() != CEType::MANAGED) {
        api::ThrowInvalid("computeResources",
                          "only a MANAGED compute environment has compute resources");
      }
      const auto& u = req.compute_resources();
      auto* cr = ce.mutable_compute_resources();
      if (u.has_minv_cpus()) cr->set_minv_cpus(u.minv_cpus());
      if (u.has_maxv_cpus()) cr->set_maxv_cpus(u.maxv_cpus());
      if (u.has_desiredv_cpus()) {
        // As in AWS: the autoscaler owns desiredvCpus; people may only raise it.
        if (u.desiredv_cpus() < cr->desiredv_cpus()) {
          api::ThrowInvalid("computeResources.desiredvCpus",
                            "can only be raised (current " + std::to_string(cr->desiredv_cpus()) +
                                "); lower minvCpus to let the environment scale in");
        }
        cr->set_desiredv_cpus(u.desiredv_cpus());
      }
      if (cr->desiredv_cpus() < cr->minv_cpus()) cr->set_desiredv_cpus(cr->minv_cpus());
      if (cr->desiredv_cpus() > cr->maxv_cpus()) cr->set_desiredv_cpus(cr->maxv_cpus());
      if (u.type() != CRType::CR_TYPE_UNSPECIFIED) cr->set_type(u.type());
      if (u.allocation_strategy() != CRAllocationStrategy::CR_ALLOCATION_STRATEGY_UNSPECIFIED) {
        cr->set_allocation_strategy(u.allocation_strategy());
      }
      if (u.instance_types_size() > 0) *cr->mutable_instance_types() = u.instance_types();
      if (u.subnets_size() > 0) *cr->mutable_subnets() = u.subnets();
      if (u.security_group_ids_size() > 0)
        *cr->mutable_security_group_ids() = u.security_group_ids();
      if (u.has_provider()) *cr->mutable_provider() = u.provider();
      if (u.node_shapes_size() > 0) *cr->mutable_node_shapes() = u.node_shapes();
      if (u.has_scale_down_delay_seconds())
        cr->set_scale_down_delay_seconds(u.scale_down_delay_seconds());
      if (u.has_node_boot_timeout_seconds())
        cr->set_node_boot_timeout_seconds(u.node_boot_timeout_seconds());
      ApplyComputeResourceDefaults(cr);
    }
    ce.set_updated_at(now);
    api::ValidateComputeEnvironment(ce);
  });
  if (hooks_ != nullptr) hooks_->ResourcesChanged();
  UpdateComputeEnvironmentResponse resp;
  resp.set_compute_environment_name(updated.compute_environment_name());
  resp.set_compute_environment_arn(updated.compute_environment_arn());
  return resp;
}

DeleteComputeEnvironmentResponse ControlPlane::DeleteComputeEnvironment(
    const DeleteComputeEnvironmentRequest& req) {
  const std::string name =
      NameFromRef("computeEnvironment", req.compute_environment(), kComputeEnvironmentKind);
  store_.DeleteComputeEnvironment(name, [&](const ComputeEnvironmentDetail& ce,
                                            const std::vector<std::string>& queues) {
    if (ce.state() != CEState::DISABLED) {
      api::ThrowFailedPrecondition("compute environment \"" + name +
                                   "\" is ENABLED: set its state to DISABLED before deleting it");
    }
    if (!queues.empty()) {
      api::ThrowFailedPrecondition("compute environment \"" + name + "\" is used by job queue(s) " +
                                   Join(queues) +
                                   ": remove it from their computeEnvironmentOrder first");
    }
  });
  if (hooks_ != nullptr) hooks_->ResourcesChanged();
  return {};
}

DescribeComputeEnvironmentsResponse ControlPlane::DescribeComputeEnvironments(
    const DescribeComputeEnvironmentsRequest& req) {
  api::ValidatePageSize("maxResults", req.max_results(), kDescribePageCap);
  auto names =
      RefsToNames(req.compute_environments(), "computeEnvironments", kComputeEnvironmentKind);
  auto page =
      store_.DescribeComputeEnvironments(names, PageSize(req.max_results()), req.next_token());
  DescribeComputeEnvironmentsResponse resp;
  for (auto& ce : page.items) *resp.add_compute_environments() = std::move(ce);
  resp.set_next_token(page.next_token);
  return resp;
}

// ---------------------------------------------------------------- job queues

CreateJobQueueResponse ControlPlane::CreateJobQueue(const CreateJobQueueRequest& req) {
  api::ValidateCreateJobQueue(req, limits_);
  JobQueueDetail q;
  q.set_job_queue_name(req.job_queue_name());
  q.set_job_queue_arn(api::MakeArn(kJobQueueKind, req.job_queue_name()));
  q.set_state(req.state() == JQState::JQ_STATE_UNSPECIFIED ? JQState::ENABLED : req.state());
  q.set_status(JQStatus::VALID);
  q.set_status_reason("JobQueue Healthy");
  q.set_priority(req.priority());
  *q.mutable_compute_environment_order() = req.compute_environment_order();
  NormalizeOrder(q.mutable_compute_environment_order());
  *q.mutable_tags() = req.tags();
  q.set_created_at(clock_.NowMillis());
  q.set_updated_at(q.created_at());
  api::ValidateJobQueue(q, limits_);
  store_.CreateJobQueue(q);
  if (hooks_ != nullptr) hooks_->ResourcesChanged();
  CreateJobQueueResponse resp;
  resp.set_job_queue_name(q.job_queue_name());
  resp.set_job_queue_arn(q.job_queue_arn());
  return resp;
}

UpdateJobQueueResponse ControlPlane::UpdateJobQueue(const UpdateJobQueueRequest& req) {
  api::ValidateUpdateJobQueue(req, limits_);
  const std::string name = NameFromRef("jobQueue", req.job_queue(), kJobQueueKind);
  const int64_t now = clock_.NowMillis();
  auto updated = store_.UpdateJobQueue(name, [&](JobQueueDetail& q) {
    if (req.state() != JQState::JQ_STATE_UNSPECIFIED) q.set_state(req.state());
    if (req.has_priority()) q.set_priority(req.priority());
    if (req.compute_environment_order_size() > 0) {
      *q.mutable_compute_environment_order() = req.compute_environment_order();
      NormalizeOrder(q.mutable_compute_environment_order());
    }
    if (req.job_state_time_limit_actions_size() > 0) {
      *q.mutable_job_state_time_limit_actions() = req.job_state_time_limit_actions();
    }
    q.set_updated_at(now);
    api::ValidateJobQueue(q, limits_);
  });
  if (hooks_ != nullptr) hooks_->ResourcesChanged();
  UpdateJobQueueResponse resp;
  resp.set_job_queue_name(updated.job_queue_name());
  resp.set_job_queue_arn(updated.job_queue_arn());
  return resp;
}

DeleteJobQueueResponse ControlPlane::DeleteJobQueue(const DeleteJobQueueRequest& req) {
  const std::string name = NameFromRef("jobQueue", req.job_queue(), kJobQueueKind);
  store_.DeleteJobQueue(name, [&](const JobQueueDetail& q, int64_t unfinished) {
    if (q.state() != JQState::DISABLED) {
      api::ThrowFailedPrecondition("job queue \"" + name +
                                   "\" is ENABLED: set its state to DISABLED before deleting it");
    }
    // AWS terminates such jobs silently; we refuse, so deleting a queue never loses work.
    if (unfinished > 0) {
      api::ThrowFailedPrecondition(
          "job queue \"" + name + "\" still has " + std::to_string(unfinished) +
          " unfinished job(s): wait for them, or cancel or terminate them first");
    }
  });
  if (hooks_ != nullptr) hooks_->ResourcesChanged();
  return {};
}

DescribeJobQueuesResponse ControlPlane::DescribeJobQueues(const DescribeJobQueuesRequest& req) {
  api::ValidatePageSize("maxResults", req.max_results(), kDescribePageCap);
  auto names = RefsToNames(req.job_queues(), "jobQueues", kJobQueueKind);
  auto page = store_.DescribeJobQueues(names, PageSize(req.max_results()), req.next_token());
  DescribeJobQueuesResponse resp;
  for (auto& q : page.items) {
    for (auto& o : *q.mutable_compute_environment_order()) {
      o.set_compute_environment(api::MakeArn(kComputeEnvironmentKind, o.compute_environment()));
    }
    *resp.add_job_queues() = std::move(q);
  }
  resp.set_next_token(page.next_token);
  return resp;
}

// ---------------------------------------------------------------- job definitions

RegisterJobDefinitionResponse ControlPlane::RegisterJobDefinition(
    const RegisterJobDefinitionRequest& req) {
  api::ValidateRegisterJobDefinition(req, limits_);
  JobDefinition def;
  def.set_job_definition_name(req.job_definition_name());
  def.set_type("container");
  def.set_status("ACTIVE");
  *def.mutable_parameters() = req.parameters();
  if (req.has_scheduling_priority()) def.set_scheduling_priority(req.scheduling_priority());
  *def.mutable_container_properties() = req.container_properties();
  // Only copied when given, so a definition without them describes without empty objects.
  if (req.has_retry_strategy()) *def.mutable_retry_strategy() = req.retry_strategy();
  def.set_propagate_tags(req.propagate_tags());
  if (req.has_timeout()) *def.mutable_timeout() = req.timeout();
  *def.mutable_tags() = req.tags();
  *def.mutable_platform_capabilities() = req.platform_capabilities();
  if (def.platform_capabilities_size() == 0) def.add_platform_capabilities("EC2");
  def.set_created_at(clock_.NowMillis());
  auto stored = store_.RegisterJobDefinition(def);
  definitions_.Clear();
  RegisterJobDefinitionResponse resp;
  resp.set_job_definition_name(stored.job_definition_name());
  resp.set_job_definition_arn(stored.job_definition_arn());
  resp.set_revision(stored.revision());
  return resp;
}

DeregisterJobDefinitionResponse ControlPlane::DeregisterJobDefinition(
    const DeregisterJobDefinitionRequest& req) {
  auto ref = api::ParseDefinitionRef("jobDefinition", req.job_definition());
  if (!ref.revision) {
    api::ThrowInvalid("jobDefinition", "must name one revision (name:revision or its ARN)");
  }
  store_.DeregisterJobDefinition(ref.name, *ref.revision);
  definitions_.Clear();
  return {};
}

DescribeJobDefinitionsResponse ControlPlane::DescribeJobDefinitions(
    const DescribeJobDefinitionsRequest& req) {
  api::ValidatePageSize("maxResults", req.max_results(), kDescribePageCap);
  if (req.job_definitions_size() > 0 && !req.job_definition_name().empty()) {
    api::ThrowInvalid("jobDefinitions", "cannot be combined with jobDefinitionName");
  }
  if (req.job_definitions_size() > kDescribePageCap) {
    api::ThrowInvalid("jobDefinitions", "at most 100 entries");
  }
  if (!req.status().empty() && req.status() != "ACTIVE" && req.status() != "INACTIVE") {
    api::ThrowInvalid("status", "must be ACTIVE or INACTIVE");
  }
  store::Store::DefinitionQuery query;
  for (int i = 0; i < req.job_definitions_size(); ++i) {
    auto ref = api::ParseDefinitionRef("jobDefinitions[" + std::to_string(i) + "]",
                                       req.job_definitions(i));
    query.refs.emplace_back(ref.name, ref.revision);
  }
  if (!req.job_definition_name().empty()) {
    api::CheckResourceName("jobDefinitionName", req.job_definition_name());
    query.name = req.job_definition_name();
  }
  query.status = req.status();
  query.max_results = PageSize(req.max_results());
  query.next_token = req.next_token();
  auto page = store_.DescribeJobDefinitions(query);
  DescribeJobDefinitionsResponse resp;
  for (auto& d : page.items) *resp.add_job_definitions() = std::move(d);
  resp.set_next_token(page.next_token);
  return resp;
}

}  // namespace batchd::service
