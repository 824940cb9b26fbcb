#pragma once
// `apply -f` documents of the workflow kinds. A StateMachine has `name`, its definition
// (`definition:` inline or `definitionFile:`, read by state_machine_documents.h as `validate`
// reads them), and optionally `description`, `roleArn`, `type` and `tags`; an Activity has
// `name` and optionally `tags`. Tags are a mapping (team: data) or AWS's list of {key, value}.
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "batch/v1/states.pb.h"

namespace batchd::cli {

struct ResourceDocument;

// Each throws CliError "SOURCE:LINE: message"; the definition is left to AddDefinitions.
batch::v1::CreateStateMachineRequest ReadStateMachineDocument(const YAML::Node& root,
                                                              const std::string& source, int line);
batch::v1::CreateActivityRequest ReadActivityDocument(const YAML::Node& root,
                                                      const std::string& source, int line);

// Fills in the definition of each StateMachine among `docs` (parsed from `text`, read from
// `source`: definitionFiles are relative to its directory), as JSON text, and checks it as
// batchd will, so that a bad definition applies nothing.
void AddDefinitions(const std::string& text, const std::string& source,
                    std::vector<ResourceDocument>* docs);

}  // namespace batchd::cli
