#pragma once
// `apply -f` for the workflow kinds: create what is missing, update what differs.
#include <string>

#include "batch/v1/states.pb.h"
#include "cli/client.h"

namespace batchd::cli {

struct Applied {
  std::string label;  // "statemachine/NAME", "activity/NAME"
  std::string verb;   // created, updated or unchanged
};

// The definition, description and role are updated in place (a new revision when the
// definition changes); `type` cannot be, and is warned about. Tags listed in the file are set;
// when the file lists any, tags it does not list are removed.
Applied ApplyStateMachine(Client& client, const batch::v1::CreateStateMachineRequest& req,
                          bool dry_run);
Applied ApplyActivity(Client& client, const batch::v1::CreateActivityRequest& req, bool dry_run);

}  // namespace batchd::cli
