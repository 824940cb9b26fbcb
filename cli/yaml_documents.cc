#include "cli/yaml_documents.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>
#include <utility>

#include <yaml-cpp/yaml.h>

#include "api/api_error.h"
#include "api/json_yaml.h"
#include "api/names.h"
#include "api/validation.h"
#include "cli/errors.h"
#include "cli/workflow_documents.h"
#include "cli/yaml_json.h"
#include "core/cron.h"

namespace batchd::cli {
namespace {

using batch::v1::CreateComputeEnvironmentRequest;
using batch::v1::CreateJobQueueRequest;
using batch::v1::RegisterJobDefinitionRequest;

constexpr char kKinds[] =
    "ComputeEnvironment, JobQueue, JobDefinition, Schedule, StateMachine or Activity";

int LineOf(const YAML::Node& node, int fallback) {
  return node.Mark().is_null() ? fallback : node.Mark().line + 1;
}

[[noreturn]] void Fail(const std::string& source, int line, const std::string& message) {
  throw CliError(source + ":" + std::to_string(line) + ": " + message);
}

std::string SnakeCase(std::string_view camel) {
  std::string out;
  for (char c : camel) {
    if (std::isupper(static_cast<unsigned char>(c))) {
      out += '_';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  return out;
}

// The line of the deepest node along a JSON field path such as
// "computeEnvironmentOrder[1].computeEnvironment", so a validation error points at the field.
int LineOfPath(const YAML::Node& root, std::string_view path, int fallback) {
  static const std::regex kSegment(R"(([A-Za-z0-9_]+)((?:\[\d+\])*))");
  static const std::regex kIndex(R"(\[(\d+)\])");
  YAML::Node node = root;
  int line = LineOf(root, fallback);
  const std::string text(path);
  size_t start = 0;
  while (start <= text.size()) {
    const size_t dot = text.find('.', start);
    const std::string segment = text.substr(start, dot == std::string::npos ? dot : dot - start);
    std::smatch m;
    if (!std::regex_match(segment, m, kSegment) || !node.IsMap()) return line;
    YAML::Node next;
    for (const auto& kv : node) {
      const std::string& key = kv.first.Scalar();
      if (key == m[1].str() || key == SnakeCase(m[1].str())) {
        next = kv.second;
        line = LineOf(kv.first, line);
        break;
      }
    }
    if (!next.IsDefined()) return line;
    node = next;
    const std::string indexes = m[2].str();
    for (std::sregex_iterator it(indexes.begin(), indexes.end(), kIndex), end; it != end; ++it) {
      const size_t i = std::stoul((*it)[1].str());
      if (!node.IsSequence() || i >= node.size()) return line;
      node = node[i];
      line = LineOf(node, line);
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return line;
}

// FromYaml says "line N: <path>: <what>"; we say "SOURCE:N: <path>: <what>".
[[noreturn]] void FailFromYamlError(const std::string& source, int doc_line,
                                    const std::string& message) {
  static const std::regex kLine(R"(^line (\d+): ([\s\S]*)$)");
  std::smatch m;
  if (std::regex_match(message, m, kLine)) Fail(source, std::stoi(m[1].str()), m[2].str());
  Fail(source, doc_line, message);
}

// Validation says "<field>: <rule>": find the field's line in the document.
[[noreturn]] void FailValidation(const std::string& source, const YAML::Node& root, int doc_line,
                                 ResourceKind kind, const std::string& name,
                                 const std::string& message) {
  const auto colon = message.find(": ");
  const int line = colon == std::string::npos
                       ? doc_line
                       : LineOfPath(root, std::string_view(message).substr(0, colon), doc_line);
  std::string what(KindName(kind));
  if (!name.empty()) what += " \"" + name + "\"";
  Fail(source, line, what + ": " + message);
}

template <typename Request>
Request Read(const YAML::Node& root, const std::string& source, int line) {
  Request request;
  try {
    api::FromYaml(root, &request, {"kind"});
  } catch (const api::ApiError& e) {
    FailFromYamlError(source, line, e.what());
  }
  return request;
}

// A schedule's executionInput is JSON text in the API; a file may write it as YAML (a mapping or
// a list), which is sent as the same value in JSON. Rewritten in `root` itself, so that the
// lines of every other field stay as read.
void InputAsJsonText(YAML::Node root, const std::string& source) {
  for (auto kv : root) {
    const std::string key = kv.first.Scalar();
    if (key != "executionInput" && key != "execution_input") continue;
    if (!kv.second.IsMap() && !kv.second.IsSequence()) return;
    std::string text;
    try {
      text = YamlToJson(kv.second).dump();
    } catch (const YamlJsonError& e) {
      Fail(source, e.line(), "executionInput: " + std::string(e.what()));
    }
    root[key] = text;
    return;
  }
}

// The request as the server will check it once stored; the compute resources are only checked
// there, and a file's mistakes should be reported with their line before anything is applied.
batch::v1::ComputeEnvironmentDetail AsStored(const CreateComputeEnvironmentRequest& req) {
  batch::v1::ComputeEnvironmentDetail ce;
  ce.set_compute_environment_name(req.compute_environment_name());
  ce.set_type(req.type());
  ce.set_state(req.state());
  ce.set_unmanagedv_cpus(req.unmanagedv_cpus());
  if (req.has_compute_resources()) *ce.mutable_compute_resources() = req.compute_resources();
  return ce;
}

ResourceDocument ParseDocument(const YAML::Node& root, const std::string& source) {
  const int line = LineOf(root, 1);
  if (!root.IsMap()) {
    Fail(
        source, line,
        std::string("expected a mapping with \"kind\" (") + kKinds + ") and the resource's fields");
  }
  YAML::Node kind_node;
  for (const auto& kv : root) {
    if (kv.first.Scalar() == "kind") kind_node = kv.second;
  }
  if (!kind_node.IsDefined() || !kind_node.IsScalar()) {
    Fail(source, line, std::string("missing \"kind\" (") + kKinds + ")");
  }
  const auto kind = ParseResourceKind(kind_node.Scalar());
  if (!kind) {
    Fail(source, LineOf(kind_node, line),
         "unknown kind \"" + kind_node.Scalar() + "\" (expected " + kKinds + ")");
  }
  ResourceDocument doc{.kind = *kind, .line = line, .name = {}, .request = {}};
  const api::Limits limits;
  try {
    switch (*kind) {
      case ResourceKind::kComputeEnvironment: {
        auto req = Read<CreateComputeEnvironmentRequest>(root, source, line);
        doc.name = req.compute_environment_name();
        doc.request = req;
        api::ValidateCreateComputeEnvironment(req);
        api::ValidateComputeEnvironment(AsStored(req));
        break;
      }
      case ResourceKind::kJobQueue: {
        auto req = Read<CreateJobQueueRequest>(root, source, line);
        doc.name = req.job_queue_name();
        doc.request = req;
        api::ValidateCreateJobQueue(req, limits);
        break;
      }
      case ResourceKind::kJobDefinition: {
        auto req = Read<RegisterJobDefinitionRequest>(root, source, line);
        doc.name = req.job_definition_name();
        doc.request = req;
        api::ValidateRegisterJobDefinition(req, limits);
        break;
      }
      case ResourceKind::kSchedule: {
        InputAsJsonText(root, source);
        auto req = Read<batch::v1::ScheduleRequest>(root, source, line);
        doc.name = req.schedule_name();
        doc.request = req;
        api::CheckResourceName("scheduleName", req.schedule_name());
        api::ValidateScheduleTarget(req);
        // The timing is checked here as batchd will; the rest needs the server's resources.
        try {
          core::CronSchedule::Parse(req.schedule_expression());
        } catch (const core::CronSyntaxError& e) {
          api::ThrowInvalid("scheduleExpression", e.what());
        }
        try {
          core::FindTimeZone(req.time_zone());
        } catch (const std::invalid_argument& e) {
          api::ThrowInvalid("timeZone", e.what());
        }
        break;
      }
      case ResourceKind::kActivity: {
        auto req = ReadActivityDocument(root, source, line);
        doc.name = req.name();
        doc.request = req;
        break;
      }
      case ResourceKind::kStateMachine: {
        auto req = ReadStateMachineDocument(root, source, line);
        doc.name = req.name();
        doc.request = req;
        break;
      }
    }
  } catch (const api::ApiError& e) {
    FailValidation(source, root, line, *kind, doc.name, e.what());
  }
  return doc;
}

}  // namespace

std::optional<ResourceKind> ParseResourceKind(std::string_view text) {
  std::string k;
  for (char c : text) {
    if (c == '-' || c == '_' || c == ' ') continue;
    k += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (k.size() > 1 && k.back() == 's') k.pop_back();
  if (k == "computeenvironment" || k == "ce") return ResourceKind::kComputeEnvironment;
  if (k == "jobqueue" || k == "jq" || k == "queue") return ResourceKind::kJobQueue;
  if (k == "jobdefinition" || k == "jd" || k == "definition") return ResourceKind::kJobDefinition;
  if (k == "schedule") return ResourceKind::kSchedule;
  if (k == "statemachine" || k == "sm") return ResourceKind::kStateMachine;
  // "activities" loses only its final 's' above.
  if (k == "activity" || k == "activitie") return ResourceKind::kActivity;
  return std::nullopt;
}

std::string_view KindName(ResourceKind kind) {
  switch (kind) {
    case ResourceKind::kComputeEnvironment:
      return "ComputeEnvironment";
    case ResourceKind::kJobQueue:
      return "JobQueue";
    case ResourceKind::kJobDefinition:
      return "JobDefinition";
    case ResourceKind::kSchedule:
      return "Schedule";
    case ResourceKind::kActivity:
      return "Activity";
    case ResourceKind::kStateMachine:
      return "StateMachine";
  }
  return "?";
}

std::string_view KindLabel(ResourceKind kind) {
  switch (kind) {
    case ResourceKind::kComputeEnvironment:
      return "computeenvironment";
    case ResourceKind::kJobQueue:
      return "jobqueue";
    case ResourceKind::kJobDefinition:
      return "jobdefinition";
    case ResourceKind::kSchedule:
      return "schedule";
    case ResourceKind::kActivity:
      return "activity";
    case ResourceKind::kStateMachine:
      return "statemachine";
  }
  return "?";
}

std::vector<ResourceDocument> ParseResourceDocuments(const std::string& text,
                                                     const std::string& source) {
  std::vector<YAML::Node> roots;
  try {
    roots = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    Fail(source, e.mark.is_null() ? 1 : e.mark.line + 1, "YAML syntax error: " + e.msg);
  }
  std::vector<ResourceDocument> docs;
  std::map<std::pair<ResourceKind, std::string>, int> seen;
  for (const auto& root : roots) {
    if (root.IsNull()) continue;  // an empty document, e.g. after a trailing "---"
    ResourceDocument doc = ParseDocument(root, source);
    auto [it, fresh] = seen.emplace(std::make_pair(doc.kind, doc.name), doc.line);
    if (!fresh) {
      Fail(source, doc.line,
           std::string(KindName(doc.kind)) + " \"" + doc.name + "\" is already defined at line " +
               std::to_string(it->second));
    }
    docs.push_back(std::move(doc));
  }
  AddDefinitions(text, source, &docs);
  return docs;
}

void SortForApply(std::vector<ResourceDocument>* docs) {
  std::stable_sort(docs->begin(), docs->end(), [](const auto& a, const auto& b) {
    return static_cast<int>(a.kind) < static_cast<int>(b.kind);
  });
}

}  // namespace batchd::cli
