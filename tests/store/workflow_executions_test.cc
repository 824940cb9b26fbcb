// Executions: starting them, the workflow loop's turns, history paging, listings, recovery,
// and task tokens (the order and exclusivity of GetActivityTask).
#include <chrono>
#include <future>

#include "workflow_test_util.h"

namespace batchd::store {
namespace {

using api::ErrorCode;
using batch::v1::ExecutionStatus;
using batch::v1::WorkflowTaskKind;
using batch::v1::WorkflowTaskStatus;
using Outcome = ExecutionInsert::Outcome;

TEST_F(WorkflowStoreTest, InsertExecutionsReportsEachRowsOutcome) {
  wf_->CreateStateMachine(Machine("m"));
  wf_->UpdateStateMachine("m", [](StateMachineRow& m) { m.definition = "{}"; });
  auto results = wf_->InsertExecutions({Execution("m", "a", 1, R"({"first": true})"),
                                        Execution("m", "a", 2, R"({"second": true})"),
                                        Execution("gone", "b"), Execution("m", "c")});
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0].outcome, Outcome::kInserted);
  EXPECT_EQ(results[0].row.arn, api::ExecutionArn("m", "a"));
  EXPECT_EQ(results[0].row.revision, 2);  // the machine's current one
  EXPECT_GT(results[0].row.id, 0);
  // Repeated in the batch: finds the first.
  EXPECT_EQ(results[1].outcome, Outcome::kExists);
  EXPECT_EQ(results[1].row.id, results[0].row.id);
  EXPECT_EQ(results[1].row.input, R"({"first": true})");
  EXPECT_EQ(results[2].outcome, Outcome::kNoStateMachine);
  EXPECT_EQ(results[3].outcome, Outcome::kInserted);
  EXPECT_GT(results[3].row.id, results[0].row.id);  // ids follow the callers' order

  // A later start of a stored name returns the stored execution for the caller to judge.
  auto again = wf_->InsertExecutions({Execution("m", "a", 3, R"({"other": 1})")});
  EXPECT_EQ(again[0].outcome, Outcome::kExists);
  EXPECT_EQ(again[0].row.input, R"({"first": true})");
  EXPECT_EQ(again[0].row.status, ExecutionStatus::RUNNING);
  EXPECT_EQ(again[0].row.runtime, R"({"at": "A"})");
  EXPECT_EQ(Count("SELECT count(*) FROM executions"), 2);
}

TEST_F(WorkflowStoreTest, CommitTurnWritesThousandsOfExecutionsAndEvents) {
  wf_->CreateStateMachine(Machine("m"));
  constexpr int kExecutions = 2000;
  WorkflowTurn first;
  for (int i = 0; i < kExecutions; ++i) {
    auto e = Execution("m", "e" + std::to_string(i), 1'000 + i);
    e.last_event_id = 5;
    first.events.push_back({api::ExecutionArn("m", e.name), Events(1, 5)});
    first.new_executions.push_back(std::move(e));
  }
  wf_->CommitTurn(first);
  EXPECT_EQ(Count("SELECT count(*) FROM executions"), kExecutions);
  EXPECT_EQ(Count("SELECT count(*) FROM execution_events"), kExecutions * 5);

  // Every execution moves on by ten events; the even ones end.
  WorkflowTurn second;
  for (int i = 0; i < kExecutions; ++i) {
    auto e = *wf_->GetExecution(api::ExecutionArn("m", "e" + std::to_string(i)));
    e.last_event_id = 15;
    e.runtime = R"({"at": "B", "i": )" + std::to_string(i) + "}";
    if (i % 2 == 0) {
      e.status = ExecutionStatus::SUCCEEDED;
      e.output = R"({"done": true})";
      e.stop_ms = e.start_ms + 10;
      e.next_due_ms.reset();
    } else {
      e.next_due_ms = 9'000 + i;
    }
    second.events.push_back({e.arn, Events(6, 15, "TaskSucceeded")});
    second.changed_executions.push_back(std::move(e));
  }
  wf_->CommitTurn(second);
  EXPECT_EQ(Count("SELECT count(*) FROM execution_events"), kExecutions * 15);

  auto ended = wf_->GetExecution(api::ExecutionArn("m", "e4"));
  EXPECT_EQ(ended->status, ExecutionStatus::SUCCEEDED);
  EXPECT_EQ(ended->output, R"({"done": true})");
  EXPECT_EQ(ended->stop_ms, 1'014);
  EXPECT_EQ(ended->last_event_id, 15);
  EXPECT_EQ(ended->input, R"({"n": 1})");

  std::vector<ExecutionRow> running;
  wf_->LoadRunningExecutions([&](ExecutionRow&& e) { running.push_back(std::move(e)); });
  ASSERT_EQ(running.size(), static_cast<size_t>(kExecutions / 2));
  for (size_t i = 1; i < running.size(); ++i) EXPECT_LT(running[i - 1].id, running[i].id);
  EXPECT_EQ(running[0].name, "e1");
  EXPECT_EQ(running[0].runtime, R"({"at": "B", "i": 1})");
  EXPECT_EQ(running[0].next_due_ms, 9'001);
  EXPECT_EQ(running.back().name, "e1999");
}

TEST_F(WorkflowStoreTest, HistoryPagesForwardAndBackward) {
  wf_->CreateStateMachine(Machine("m"));
  auto e = Start({Execution("m", "long"), Execution("m", "other")});
  e[0].last_event_id = 25;
  wf_->CommitTurn({.changed_executions = {e[0]}, .events = {{e[0].arn, Events(1, 25)}}});

  const auto read_all = [&](bool reverse) {
    std::vector<int64_t> ids;
    std::vector<size_t> sizes;
    std::string token;
    do {
      auto page = wf_->GetHistory({e[0].arn, reverse, 10, token});
      sizes.push_back(page.items.size());
      for (const auto& event : page.items) ids.push_back(event.event_id);
      token = page.next_token;
    } while (!token.empty());
    return std::make_pair(ids, sizes);
  };
  auto [forward, forward_pages] = read_all(false);
  ASSERT_EQ(forward.size(), 25u);
  for (int i = 0; i < 25; ++i) EXPECT_EQ(forward[i], i + 1);
  EXPECT_EQ(forward_pages, (std::vector<size_t>{10, 10, 5}));
  auto [backward, backward_pages] = read_all(true);
  ASSERT_EQ(backward.size(), 25u);
  for (int i = 0; i < 25; ++i) EXPECT_EQ(backward[i], 25 - i);
  EXPECT_EQ(backward_pages, (std::vector<size_t>{10, 10, 5}));

  auto first = wf_->GetHistory({e[0].arn, false, 1, ""});
  ASSERT_EQ(first.items.size(), 1u);
  EXPECT_EQ(first.items[0].type, "PassStateEntered");
  EXPECT_EQ(first.items[0].previous_event_id, 0);
  EXPECT_EQ(first.items[0].ts_ms, 1'700'000'000'001);
  EXPECT_EQ(first.items[0].details, R"({"name": "A", "input": "{\"id\": 1}"})");

  // A token pages only the listing it came from.
  ExpectApiError(
      [&] {
        wf_->GetHistory({e[0].arn, true, 10, first.next_token});
      },
      ErrorCode::kInvalidArgument, "nextToken");
  ExpectApiError(
      [&] {
        wf_->GetHistory({e[1].arn, false, 10, first.next_token});
      },
      ErrorCode::kInvalidArgument, "nextToken");
  EXPECT_TRUE(wf_->GetHistory({e[1].arn, false, 10, ""}).items.empty());
  ExpectApiError(
      [&] {
        wf_->GetHistory({api::ExecutionArn("m", "nope"), false, 10, ""});
      },
      ErrorCode::kNotFound, "Execution Does Not Exist");
}

TEST_F(WorkflowStoreTest, ADuplicateEventFailsTheWholeTurn) {
  wf_->CreateStateMachine(Machine("m"));
  auto e = Start({Execution("m", "a")})[0];
  e.last_event_id = 3;
  wf_->CommitTurn({.changed_executions = {e}, .events = {{e.arn, Events(1, 3)}}});

  auto changed = e;
  changed.runtime = R"({"changed": true})";
  changed.last_event_id = 5;
  TaskRow task;
  task.token = "secret-token-1";
  task.execution_arn = e.arn;
  task.task_seq = 4;
  task.state_name = "Wait";
  task.scheduled_ms = 1;
  WorkflowTurn turn{.new_executions = {Execution("m", "new")},
                    .changed_executions = {changed},
                    .events = {{e.arn, Events(3, 5)}},  // 3 is stored already
                    .new_tasks = {task}};
  ExpectApiError([&] { wf_->CommitTurn(turn); }, ErrorCode::kInternal,
                 "a history event was written twice");
  EXPECT_FALSE(wf_->GetExecution(api::ExecutionArn("m", "new")));
  EXPECT_EQ(wf_->GetExecution(e.arn)->runtime, R"({"at": "A"})");
  EXPECT_EQ(Count("SELECT count(*) FROM execution_events"), 3);
  EXPECT_EQ(Count("SELECT count(*) FROM tasks"), 0);

  // The same event twice within one turn is as wrong.
  turn.events = {{e.arn, Events(4, 5)}, {e.arn, Events(5, 5)}};
  ExpectApiError([&] { wf_->CommitTurn(turn); }, ErrorCode::kInternal, "written twice");
  EXPECT_EQ(Count("SELECT count(*) FROM execution_events"), 3);

  turn.events = {{e.arn, Events(4, 5)}};
  wf_->CommitTurn(turn);
  EXPECT_EQ(Count("SELECT count(*) FROM execution_events"), 5);
  EXPECT_EQ(wf_->GetExecution(e.arn)->runtime, R"({"changed": true})");
  EXPECT_TRUE(wf_->GetExecution(api::ExecutionArn("m", "new")));

  // A task token stored twice fails without quoting the token.
  try {
    wf_->CommitTurn({.new_tasks = {task}});
    ADD_FAILURE() << "a token was stored twice";
  } catch (const api::ApiError& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInternal);
    EXPECT_EQ(std::string(error.what()).find("secret-token-1"), std::string::npos) << error.what();
  }
}

TEST_F(WorkflowStoreTest, TurnsWriteOnlyTheStartsWhoseNameIsFree) {
  wf_->CreateStateMachine(Machine("m"));
  auto a = Start({Execution("m", "a", 1, R"({"stored": true})")})[0];
  const auto task = [](const std::string& token, const std::string& arn) {
    TaskRow t;
    t.token = token;
    t.execution_arn = arn;
    t.task_seq = 2;
    t.state_name = "Wait";
    t.scheduled_ms = 1;
    return t;
  };
  const std::string b = api::ExecutionArn("m", "b");
  const std::string gone = api::ExecutionArn("gone", "c");
  auto outcomes = wf_->CommitTurn(
      {.new_executions = {Execution("m", "a"), Execution("m", "b"), Execution("gone", "c")},
       .events = {{a.arn, Events(1, 2)}, {b, Events(1, 2)}, {gone, Events(1, 2)}},
       .new_tasks = {task("for-a", a.arn), task("for-b", b), task("for-c", gone)}});
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_EQ(outcomes[0].outcome, Outcome::kExists);
  EXPECT_EQ(outcomes[0].row.input, R"({"stored": true})");
  EXPECT_EQ(outcomes[1].outcome, Outcome::kInserted);
  EXPECT_EQ(outcomes[1].row.arn, b);
  EXPECT_GT(outcomes[1].row.id, a.id);
  EXPECT_EQ(outcomes[2].outcome, Outcome::kNoStateMachine);
  // Only the started one's history and task were written.
  EXPECT_EQ(wf_->GetHistory({b, false, 10, ""}).items.size(), 2u);
  EXPECT_TRUE(wf_->GetHistory({a.arn, false, 10, ""}).items.empty());
  EXPECT_EQ(Count("SELECT count(*) FROM execution_events"), 2);
  EXPECT_TRUE(wf_->GetTask("for-b"));
  EXPECT_FALSE(wf_->GetTask("for-a"));
  EXPECT_FALSE(wf_->GetTask("for-c"));

  // Events and tasks go by ARN, so an ARN started twice, or started and changed, is a bug.
  ExpectApiError(
      [&] {
        wf_->CommitTurn({.new_executions = {Execution("m", "d"), Execution("m", "d")}});
      },
      ErrorCode::kInternal, "is started twice in one turn");
  EXPECT_FALSE(wf_->GetExecution(api::ExecutionArn("m", "d")));
  ExpectApiError(
      [&] {
        wf_->CommitTurn({.new_executions = {Execution("m", "a")}, .changed_executions = {a}});
      },
      ErrorCode::kInternal, "both started and changed");
  ExpectApiError([&] { wf_->CommitTurn({.changed_executions = {Execution("m", "nope")}}); },
                 ErrorCode::kInternal, "is not stored");
}

TEST_F(WorkflowStoreTest, ListExecutionsNewestFirstByMachineAndStatus) {
  wf_->CreateStateMachine(Machine("m"));
  wf_->CreateStateMachine(Machine("n"));
  std::vector<ExecutionRow> rows;
  for (int i = 0; i < 7; ++i) rows.push_back(Execution("m", "m" + std::to_string(i), 100 + i));
  rows.push_back(Execution("n", "n0", 150));
  auto stored = Start(rows);
  WorkflowTurn turn;
  for (int i : {1, 4}) {
    stored[i].status = ExecutionStatus::FAILED;
    stored[i].error = "States.TaskFailed";
    turn.changed_executions.push_back(stored[i]);
  }
  wf_->CommitTurn(turn);

  const auto names = [&](ExecutionQuery query) {
    std::vector<std::string> out;
    do {
      auto page = wf_->ListExecutions(query);
      for (const auto& e : page.items) {
        out.push_back(e.name);
        EXPECT_TRUE(e.input.empty() && e.runtime.empty());  // listings leave them out
      }
      query.next_token = page.next_token;
    } while (!query.next_token.empty());
    return out;
  };
  using Names = std::vector<std::string>;
  EXPECT_EQ(names({"m", std::nullopt, 3, ""}), (Names{"m6", "m5", "m4", "m3", "m2", "m1", "m0"}));
  EXPECT_EQ(names({"m", ExecutionStatus::FAILED, 1, ""}), (Names{"m4", "m1"}));
  EXPECT_EQ(names({"m", ExecutionStatus::RUNNING, 2, ""}), (Names{"m6", "m5", "m3", "m2", "m0"}));
  EXPECT_EQ(names({"", std::nullopt, 4, ""}),
            (Names{"n0", "m6", "m5", "m4", "m3", "m2", "m1", "m0"}));
  EXPECT_EQ(names({"", ExecutionStatus::FAILED, 10, ""}), (Names{"m4", "m1"}));
  EXPECT_TRUE(names({"n", ExecutionStatus::SUCCEEDED, 10, ""}).empty());
  auto failed = wf_->ListExecutions({"m", ExecutionStatus::FAILED, 10, ""});
  EXPECT_EQ(failed.items[0].error, "States.TaskFailed");
}

TEST_F(WorkflowStoreTest, DeletingAMachineWithRunningExecutionsWaitsForTheLastOne) {
  wf_->CreateStateMachine(Machine("m"));
  auto e = Start({Execution("m", "a"), Execution("m", "b")});
  EXPECT_EQ(wf_->DeleteStateMachine("m"), DeleteOutcome::kDeleting);
  EXPECT_EQ(wf_->GetStateMachine("m")->status, batch::v1::StateMachineStatus::DELETING);
  EXPECT_EQ(wf_->InsertExecutions({Execution("m", "c")})[0].outcome,
            Outcome::kStateMachineDeleting);
  ExpectApiError([&] { wf_->CreateStateMachine(Machine("m")); }, ErrorCode::kFailedPrecondition,
                 "State Machine is being deleted");
  EXPECT_EQ(wf_->DeleteStateMachine("m"), DeleteOutcome::kDeleting);

  e[0].status = ExecutionStatus::ABORTED;
  e[0].last_event_id = 2;
  wf_->CommitTurn({.changed_executions = {e[0]}, .events = {{e[0].arn, Events(1, 2)}}});
  EXPECT_TRUE(wf_->GetStateMachine("m"));  // b still runs
  e[1].status = ExecutionStatus::SUCCEEDED;
  wf_->CommitTurn({.changed_executions = {e[1]}});
  EXPECT_FALSE(wf_->GetStateMachine("m"));
  EXPECT_EQ(Count("SELECT count(*) FROM executions"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM execution_events"), 0);
}

TaskRow Task(const std::string& token, const std::string& execution, int64_t seq,
             int64_t scheduled_ms, const std::string& activity) {
  TaskRow t;
  t.token = token;
  t.execution_arn = execution;
  t.task_seq = seq;
  t.state_name = "Step" + std::to_string(seq);
  t.kind = activity.empty() ? WorkflowTaskKind::CALLBACK : WorkflowTaskKind::ACTIVITY;
  t.resource = activity.empty() ? "arn:aws:states:::batchd:task.waitForTaskToken" : activity;
  t.activity_arn = activity;
  t.input = R"({"seq": )" + std::to_string(seq) + "}";
  t.scheduled_ms = scheduled_ms;
  t.heartbeat_seconds = 30;
  t.timeout_due_ms = scheduled_ms + 60'000;
  return t;
}

TEST_F(WorkflowStoreTest, TasksAreListedAndClaimedOldestFirst) {
  wf_->CreateStateMachine(Machine("m"));
  const std::string exec = api::ExecutionArn("m", "a");
  const std::string act = api::ActivityArn("work");
  const std::string other = api::ActivityArn("other");
  wf_->CommitTurn({.new_tasks = {Task("t3", exec, 3, 300, act), Task("t1", exec, 1, 100, act),
                                 Task("t2", exec, 2, 200, act), Task("cb", exec, 4, 150, ""),
                                 Task("o1", exec, 5, 50, other)}});

  const auto tokens = [&](TaskQuery query) {
    std::vector<std::string> out;
    do {
      auto page = wf_->ListTasks(query);
      for (const auto& t : page.items) out.push_back(t.token);
      query.next_token = page.next_token;
    } while (!query.next_token.empty());
    return out;
  };
  using Tokens = std::vector<std::string>;
  EXPECT_EQ(tokens({.max_results = 2}), (Tokens{"o1", "t1", "cb", "t2", "t3"}));
  EXPECT_EQ(tokens({.activity_arn = act}), (Tokens{"t1", "t2", "t3"}));
  EXPECT_TRUE(tokens({.execution_arn = api::ExecutionArn("m", "b")}).empty());

  auto cb = wf_->GetTask("cb");
  ASSERT_TRUE(cb);
  EXPECT_EQ(cb->kind, WorkflowTaskKind::CALLBACK);
  EXPECT_EQ(cb->activity_arn, "");
  EXPECT_EQ(cb->input, R"({"seq": 4})");
  EXPECT_EQ(cb->timeout_due_ms, 60'150);
  EXPECT_FALSE(cb->heartbeat_due_ms);
  EXPECT_FALSE(wf_->GetTask("nope"));

  auto first = wf_->ClaimActivityTask(act, "worker-1", 1'000);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->token, "t1");
  EXPECT_EQ(first->status, WorkflowTaskStatus::STARTED);
  EXPECT_EQ(first->worker_name, "worker-1");
  EXPECT_EQ(first->started_ms, 1'000);
  EXPECT_EQ(first->heartbeat_due_ms, 31'000);
  EXPECT_EQ(tokens({.activity_arn = act, .status = WorkflowTaskStatus::SCHEDULED}),
            (Tokens{"t2", "t3"}));

  // A task another worker is taking is passed over at once, not waited for.
  pqxx::connection conn(url_);
  auto locker = std::make_unique<pqxx::work>(conn);
  locker->exec("SELECT 1 FROM tasks WHERE token = 't2' FOR UPDATE");
  auto claim = std::async(std::launch::async, [&] { return wf_->ClaimActivityTask(act, "w2", 2); });
  const bool waited = claim.wait_for(std::chrono::seconds(20)) != std::future_status::ready;
  locker->abort();
  EXPECT_FALSE(waited) << "the claim waited for a locked task";
  auto second = claim.get();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->token, "t3");

  auto third = wf_->ClaimActivityTask(act, "w3", 3);
  ASSERT_TRUE(third);
  EXPECT_EQ(third->token, "t2");
  EXPECT_FALSE(wf_->ClaimActivityTask(act, "w4", 4));
  EXPECT_FALSE(wf_->ClaimActivityTask(api::ActivityArn("idle"), "w4", 4));

  // Heartbeats move the deadline; finished tasks go (one already gone is no error).
  wf_->CommitTurn({.finished_tasks = {"t1", "gone"}, .heartbeats = {{"t3", 99'000}}});
  EXPECT_FALSE(wf_->GetTask("t1"));
  EXPECT_EQ(wf_->GetTask("t3")->heartbeat_due_ms, 99'000);
}

// The columns rewritten most are compressed with lz4 (Debian's PostgreSQL is built with it).
TEST_F(WorkflowStoreTest, DocumentsAndHistoryDetailsAreCompressedWithLz4) {
  pqxx::connection conn(url_);
  pqxx::work txn(conn);
  for (const auto& [table, column] :
       {std::pair{"executions", "runtime"}, std::pair{"execution_events", "details"}}) {
    const pqxx::row r =
        txn.exec1("SELECT attcompression::text FROM pg_attribute WHERE attrelid = '" +
                  std::string(table) + "'::regclass AND attname = '" + column + "'");
    EXPECT_EQ(r[0].as<std::string>(), "l") << table << "." << column;
  }
}

}  // namespace
}  // namespace batchd::store
