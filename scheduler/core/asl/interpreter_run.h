#pragma once
// Private to the interpreter: one call's work on one execution. Frames are driven depth
// first; a frame's Machine is found from its parent's state (a Parallel branch or a Map's
// processor), so the tree needs no pointers into the definition.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/asl/interpreter.h"

namespace batchd::asl {

class Run {
 public:
  Run(Interpreter& interpreter, ExecutionState& ex, Transition& out);

  // Runs `f` (of machine `m`) until it blocks or ends.
  void Drive(Frame& f, const Machine& m);
  // Settles the root: ends the execution when the root frame ended.
  void SettleRoot();
  // Finds the frame waiting on task `seq` and calls `act` on it; then drives it and settles
  // every ancestor on the way back up. False when no frame waits on it.
  bool WithTask(int64_t seq, const std::function<void(Frame&, const Machine&, const State&)>& act);
  // Fires the timers due now in the whole tree.
  void FireTimers();
  // Aborts every running frame below and including `f` (StopExecution, a failed branch).
  void Abort(Frame& f, const Machine& m);

  // Events.
  int64_t Emit(Frame& f, const std::string& type, Json details);
  int64_t EmitExecution(const std::string& type, Json details);

  // A task's outcome, for a frame in kTask.
  void TaskDone(Frame& f, const Machine& m, const State& s, Json result);
  void Fail(Frame& f, const Machine& m, const State& s, const std::string& error,
            const std::string& cause, bool heartbeat = false);

  int64_t now() const { return now_; }
  static const Machine& ChildMachine(const State& s, size_t branch);
  // What starts the child execution of `child`, an iteration of the DISTRIBUTED Map `map`.
  static TaskStart IterationStart(const State& map, const Frame& child);

 private:
  void Enter(Frame& f, const Machine& m);
  // The work of a state after Entered (again after each retry's backoff).
  void Work(Frame& f, const Machine& m, const State& s);
  void Pass(Frame& f, const Machine& m, const State& s);
  void Choice(Frame& f, const Machine& m, const State& s);
  void Wait(Frame& f, const Machine& m, const State& s);
  void Succeed(Frame& f, const State& s);
  void FailState(Frame& f, const State& s);
  void Task(Frame& f, const State& s);
  void Parallel(Frame& f, const Machine& m, const State& s);
  void Map(Frame& f, const Machine& m, const State& s);
  // Starts Map iterations while slots are free; each that ends at once is settled at once.
  void StartIterations(Frame& f, const Machine& m, const State& s);
  // A child of `f` (kBranches or kIterations) may have ended.
  void SettleChild(Frame& f, const Machine& m, size_t index);
  void BranchesDone(Frame& f, const Machine& m, const State& s);
  void IterationsDone(Frame& f, const Machine& m, const State& s);
  bool IterationEnded(Frame& f, const Machine& m, const State& s, Frame& child);
  // Result processing and the move to the next state (or the frame's end).
  void Complete(Frame& f, const Machine& m, const State& s, Json result, const Json* assign_input);
  void Exit(Frame& f, const Machine& m, const State& s, Json output, const std::string& next,
            const Json& assigned);
  Json AssignVariables(Frame& f, const std::optional<Json>& assign, const Json& input,
                       const State& s);

  Json ContextFor(const Frame& f, const State& s, const std::string& token = "",
                  const Json* map_item = nullptr, int64_t map_index = -1);
  // The context object in `storage` when the state reads it, else null: building it copies
  // the execution's input.
  const Json* ContextIfUsed(const Frame& f, const State& s, Json& storage);
  Scope ScopeFor(const Frame& f, const Json& input, const Json* context) const;
  Json ApplyPath(const PathField& path, const Json& value, const Frame& f, const Json* ctx);
  int64_t ResolveInt(const IntField& field, const Json& input, const Frame& f,
                     const std::string& name);
  std::string NewToken();

  bool WithTaskIn(Frame& f, const Machine& m, int64_t seq,
                  const std::function<void(Frame&, const Machine&, const State&)>& act);
  void TimersIn(Frame& f, const Machine& m);
  void Timer(Frame& f, const Machine& m);

  Interpreter& ip_;
  ExecutionState& ex_;
  Transition& out_;
  int64_t now_;
  int64_t iterations_left_;  // Map iterations this call may still start
};

}  // namespace batchd::asl
