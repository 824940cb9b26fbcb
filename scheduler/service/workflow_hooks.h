#pragma once
// What the workflow API asks of the loop that drives executions (workflows::WorkflowEngine
// implements it). Each call returns once its change is committed, or throws api::ApiError.
#include <cstddef>
#include <optional>
#include <string>

#include "batch/v1/states.pb.h"
#include "store/workflow_store.h"

namespace batchd::service {

// Largest execution input or task output, in bytes. AWS stops at 256 KiB; batchd keeps
// payloads in PostgreSQL and allows more.
inline constexpr size_t kMaxStatesPayloadBytes = 4 << 20;

class WorkflowHooks {
 public:
  virtual ~WorkflowHooks() = default;
  // `revision` empty = the state machine's current one. NOT_FOUND (StateMachineDoesNotExist),
  // ALREADY_EXISTS (ExecutionAlreadyExists), INVALID_ARGUMENT (input).
  virtual batch::v1::StartExecutionResponse StartExecution(const std::string& state_machine,
                                                           std::optional<int> revision,
                                                           const std::string& name,
                                                           const std::string& input) = 0;
  // Returns the stop date (epoch seconds).
  virtual double StopExecution(const std::string& arn, const std::string& error,
                               const std::string& cause) = 0;
  // Returns the redrive date (epoch seconds). FAILED_PRECONDITION when it runs or succeeded.
  virtual double RedriveExecution(const std::string& arn) = 0;
  // NOT_FOUND (TaskDoesNotExist) for a token no step waits on.
  virtual void SendTaskSuccess(const std::string& token, const std::string& output) = 0;
  virtual void SendTaskFailure(const std::string& token, const std::string& error,
                               const std::string& cause) = 0;
  virtual void SendTaskHeartbeat(const std::string& token) = 0;
  // Long poll: nullopt when no task came in time.
  virtual std::optional<store::TaskRow> GetActivityTask(const std::string& activity_arn,
                                                        const std::string& worker) = 0;
};

}  // namespace batchd::service
