#pragma once
// Fixture and builders shared by the workflow store tests.
#include <memory>
#include <string>
#include <vector>

#include "api/states_names.h"
#include "store/workflow_store.h"
#include "store_test_util.h"

namespace batchd::store {

inline constexpr char kPassDefinition[] =
    R"({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}})";
inline constexpr char kRole[] = "arn:aws:iam::000000000000:role/workflows";

class WorkflowStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    wf_ = std::make_unique<WorkflowStore>(store_->pool());
  }

  StateMachineRow Machine(const std::string& name, const std::string& definition = kPassDefinition,
                          const std::string& role = kRole) {
    StateMachineRow row;
    row.name = name;
    row.definition = definition;
    row.role_arn = role;
    return row;
  }

  // A running execution of `machine`, started at `start_ms`.
  static ExecutionRow Execution(const std::string& machine, const std::string& name,
                                int64_t start_ms = 1'700'000'000'000,
                                const std::string& input = R"({"n": 1})") {
    ExecutionRow row;
    row.state_machine = machine;
    row.name = name;
    row.input = input;
    row.start_ms = start_ms;
    row.runtime = R"({"at": "A"})";
    return row;
  }

  // Events first..last, each following the one before.
  static std::vector<HistoryEventRow> Events(int64_t first, int64_t last,
                                             const std::string& type = "PassStateEntered") {
    std::vector<HistoryEventRow> events;
    for (int64_t id = first; id <= last; ++id) {
      events.push_back({id, id - 1, type, 1'700'000'000'000 + id,
                        R"({"name": "A", "input": "{\"id\": )" + std::to_string(id) + "}\"}"});
    }
    return events;
  }

  // Starts executions through InsertExecutions; returns the stored rows.
  std::vector<ExecutionRow> Start(const std::vector<ExecutionRow>& rows) {
    std::vector<ExecutionRow> stored;
    for (auto& result : wf_->InsertExecutions(rows)) {
      EXPECT_EQ(result.outcome, ExecutionInsert::Outcome::kInserted) << result.row.arn;
      stored.push_back(result.row);
    }
    return stored;
  }

  std::unique_ptr<WorkflowStore> wf_;
};

}  // namespace batchd::store
