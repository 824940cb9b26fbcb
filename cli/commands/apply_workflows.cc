#include "cli/commands/apply_workflows.h"

#include <map>

#include <nlohmann/json.hpp>

#include "cli/commands/command_util.h"
#include "cli/workflow_lookups.h"

namespace batchd::cli {
namespace {

using namespace batch::v1;
using Stub = Client::StatesStub;

// The same document, however it is spaced: the server keeps the text as given, and a file
// written as YAML is sent as JSON this batchctl formats.
bool SameDefinition(const std::string& a, const std::string& b) {
  if (a == b) return true;
  const auto ja = nlohmann::json::parse(a, nullptr, /*allow_exceptions=*/false);
  const auto jb = nlohmann::json::parse(b, nullptr, /*allow_exceptions=*/false);
  return !ja.is_discarded() && !jb.is_discarded() && ja == jb;
}

// Makes the resource's tags those of `wanted`; returns whether anything changed.
template <typename Tags>
bool SyncTags(Client& client, const std::string& arn, const Tags& wanted, bool dry_run) {
  ListTagsForResourceRequest list;
  list.set_resource_arn(arn);
  const auto listed_now = client.Call(&Stub::ListTagsForResource, list);
  std::map<std::string, std::string> current;
  for (const auto& tag : listed_now.tags()) current[tag.key()] = tag.value();
  TagResourceRequest tag;
  tag.set_resource_arn(arn);
  std::map<std::string, std::string> listed;
  for (const auto& t : wanted) {
    listed[t.key()] = t.value();
    auto it = current.find(t.key());
    if (it == current.end() || it->second != t.value()) *tag.add_tags() = t;
  }
  UntagResourceRequest untag;
  untag.set_resource_arn(arn);
  if (!listed.empty()) {
    for (const auto& [key, value] : current) {
      if (!listed.contains(key)) untag.add_tag_keys(key);
    }
  }
  if (!dry_run && tag.tags_size() > 0) client.Call(&Stub::TagResource, tag);
  if (!dry_run && untag.tag_keys_size() > 0) client.Call(&Stub::UntagResource, untag);
  return tag.tags_size() > 0 || untag.tag_keys_size() > 0;
}

}  // namespace

Applied ApplyStateMachine(Client& client, const CreateStateMachineRequest& req, bool dry_run) {
  Applied out{"statemachine/" + req.name(), ""};
  const auto current = FindStateMachine(client, req.name());
  if (!current) {
    if (!dry_run) client.Call(&Stub::CreateStateMachine, req);
    out.verb = "created";
    return out;
  }
  if (req.type() != StateMachineType::STATE_MACHINE_TYPE_UNSPECIFIED &&
      req.type() != current->type()) {
    Warn(out.label +
         ": type differs from the file but cannot be updated in place; delete and re-apply to "
         "change it");
  }
  UpdateStateMachineRequest update;
  update.set_state_machine_arn(current->state_machine_arn());
  bool changed = false;
  if (!SameDefinition(req.definition(), current->definition())) {
    update.set_definition(req.definition());
    changed = true;
  }
  // Left out of the file means left as it is, not cleared.
  if (!req.role_arn().empty() && req.role_arn() != current->role_arn()) {
    update.set_role_arn(req.role_arn());
    changed = true;
  }
  if (!req.description().empty() && req.description() != current->description()) {
    update.set_description(req.description());
    changed = true;
  }
  if (changed && !dry_run) client.Call(&Stub::UpdateStateMachine, update);
  changed = SyncTags(client, current->state_machine_arn(), req.tags(), dry_run) || changed;
  out.verb = changed ? "updated" : "unchanged";
  return out;
}

Applied ApplyActivity(Client& client, const CreateActivityRequest& req, bool dry_run) {
  Applied out{"activity/" + req.name(), ""};
  const auto current = FindActivity(client, req.name());
  if (!current) {
    if (!dry_run) client.Call(&Stub::CreateActivity, req);
    out.verb = "created";
    return out;
  }
  out.verb =
      SyncTags(client, current->activity_arn(), req.tags(), dry_run) ? "updated" : "unchanged";
  return out;
}

}  // namespace batchd::cli
