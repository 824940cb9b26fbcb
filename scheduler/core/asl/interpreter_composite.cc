// Parallel and Map: states that run sub-machines in child frames.
#include <cmath>

#include "core/asl/interpreter_run.h"
#include "core/asl/path.h"
#include "core/asl/payload.h"
#include "core/asl/states_error.h"

namespace batchd::asl {
namespace {

Frame ChildFrame(const Machine& machine, Json input, const Frame& parent) {
  Frame c;
  c.state = machine.start_at;
  c.input = std::move(input);
  c.variables = parent.variables;  // inner states see outer variables; theirs do not leak out
  c.last_event_id = parent.last_event_id;
  return c;
}

bool Ended(const Frame& f) { return f.phase == Phase::kSucceeded || f.phase == Phase::kFailed; }

// ItemBatcher: items grouped into {"Items": [...]} plus BatchInput.
Json Batch(const Json& items, const ItemBatcher& batcher, int64_t max_items, int64_t max_bytes) {
  Json batches = Json::array();
  Json current = Json::array();
  size_t bytes = 0;
  auto flush = [&] {
    if (current.empty()) return;
    Json b = Json::object();
    if (batcher.batch_input) b["BatchInput"] = *batcher.batch_input;
    b["Items"] = std::move(current);
    batches.push_back(std::move(b));
    current = Json::array();
    bytes = 0;
  };
  for (const auto& item : items) {
    const size_t size = Compact(item).size();
    if (!current.empty() && ((max_items && int64_t(current.size()) >= max_items) ||
                             (max_bytes && int64_t(bytes + size) > max_bytes))) {
      flush();
    }
    current.push_back(item);
    bytes += size;
  }
  flush();
  return batches;
}

}  // namespace

void Run::Parallel(Frame& f, const Machine& m, const State& s) {
  Json context;
  const Json* ctx = ContextIfUsed(f, s, context);
  Json effective = ApplyPath(s.input_path, f.input, f, ctx);
  if (s.parameters)
    effective = ResolvePayload(*s.parameters, ScopeFor(f, effective, ctx), ip_.random_);
  Emit(f, "ParallelStateStarted", Json());
  f.phase = Phase::kBranches;
  f.children.clear();
  f.results = Json::array();
  for (size_t i = 0; i < s.branches.size(); ++i) {
    f.children.push_back(ChildFrame(*s.branches[i], effective, f));
    f.results.push_back(nullptr);
  }
  for (size_t i = 0; i < f.children.size() && f.phase == Phase::kBranches; ++i) {
    Drive(f.children[i], *s.branches[i]);
    SettleChild(f, m, i);
  }
}

void Run::Map(Frame& f, const Machine& m, const State& s) {
  Json context;
  const Json* ctx = ContextIfUsed(f, s, context);
  Json effective = ApplyPath(s.input_path, f.input, f, ctx);
  Json items = s.items_path.kind == PathField::Kind::kPath
                   ? Select(s.items_path.path, ScopeFor(f, effective, ctx))
                   : effective;
  if (!items.is_array()) {
    throw StatesError(errors::kRuntime, "Map state '" + s.name +
                                            "' expects its ItemsPath to select an array, but it "
                                            "selected " +
                                            Compact(items));
  }
  const Json& limits_input = effective;
  f.max_concurrency = ResolveInt(s.max_concurrency, limits_input, f, "MaxConcurrencyPath");
  f.tolerated_count =
      s.tolerated_failure_count.present()
          ? ResolveInt(s.tolerated_failure_count, limits_input, f, "ToleratedFailureCountPath")
          : -1;
  f.tolerated_percent = -1;
  if (s.tolerated_failure_percentage.value) {
    f.tolerated_percent = *s.tolerated_failure_percentage.value;
  } else if (!s.tolerated_failure_percentage.path.empty()) {
    Json v = Select(s.tolerated_failure_percentage.path, ScopeFor(f, limits_input, nullptr));
    if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 100) {
      throw StatesError(errors::kRuntime,
                        "ToleratedFailurePercentagePath must reference a number from 0 to 100");
    }
    f.tolerated_percent = v.get<double>();
  }
  if (s.item_batcher) {
    const int64_t max_items =
        ResolveInt(s.item_batcher->max_items_per_batch, limits_input, f, "MaxItemsPerBatchPath");
    const int64_t max_bytes = ResolveInt(s.item_batcher->max_input_bytes_per_batch, limits_input, f,
                                         "MaxInputBytesPerBatchPath");
    items = Batch(items, *s.item_batcher, max_items, max_bytes);
  }
  Emit(f, "MapStateStarted", {{"length", items.size()}});
  if (s.distributed) {
    // AWS names a Map Run; here it is the Map state of this execution, its children are
    // executions of the same state machine whose parent is this one.
    Emit(f, "MapRunStarted", {{"mapRunArn", ex_.info.arn + "/" + s.name}});
  }
  f.phase = Phase::kIterations;
  f.due_ms = 0;
  f.children.clear();
  f.results = Json::array();
  f.results.get_ref<Json::array_t&>().resize(items.size());
  f.items = std::move(items);
  f.next_item = 0;
  f.done_items = 0;
  f.failed_items = 0;
  StartIterations(f, m, s);
}

void Run::StartIterations(Frame& f, const Machine& m, const State& s) {
  const int64_t total = static_cast<int64_t>(f.items.size());
  auto slot_free = [&] {
    return f.max_concurrency == 0 || int64_t(f.children.size()) < f.max_concurrency;
  };
  while (f.phase == Phase::kIterations && f.next_item < total && slot_free()) {
    if (iterations_left_ <= 0) {
      // The rest start in a later call: this one's events are committed first.
      f.due_ms = now_;
      return;
    }
    // A DISTRIBUTED iteration is a whole execution to start and store: it counts for five,
    // so a turn starts at most a thousand and their first steps begin sooner.
    iterations_left_ -= s.distributed ? 5 : 1;
    const int64_t index = f.next_item++;
    const Json& item = f.items[index];
    Json input;
    if (s.parameters) {
      // ItemSelector reads the Map state's effective input and $$.Map.Item.
      Json context = ContextFor(f, s, "", &item, index);
      Json effective = ApplyPath(s.input_path, f.input, f, &context);
      input = ResolvePayload(*s.parameters, ScopeFor(f, effective, &context), ip_.random_);
    } else {
      input = item;
    }
    Frame child = ChildFrame(*s.processor, std::move(input), f);
    child.item_index = index;
    if (s.distributed) {
      // Its own execution, with its own history: the Map's waits on it as on a task.
      child.phase = Phase::kChild;
      child.task_seq = ex_.next_task_seq++;
      out_.starts.push_back(IterationStart(s, child));
      f.children.push_back(std::move(child));
      continue;
    }
    Emit(f, "MapIterationStarted", {{"name", s.name}, {"index", index}});
    Drive(child, *s.processor);
    // Most iterations of small maps end at once; those never join `children`, so a map of
    // 100,000 Pass items runs without holding 100,000 frames.
    if (Ended(child)) {
      IterationEnded(f, m, s, child);
    } else {
      f.children.push_back(std::move(child));
    }
  }
  if (f.phase == Phase::kIterations && f.children.empty() && f.next_item >= total) {
    IterationsDone(f, m, s);
  }
}

void Run::SettleChild(Frame& f, const Machine& m, size_t index) {
  if (index >= f.children.size() || !Ended(f.children[index])) return;
  const State& s = *m.Find(f.state);
  if (f.phase == Phase::kBranches) {
    Frame& child = f.children[index];
    if (child.phase == Phase::kFailed) {
      const std::string error = child.error;
      const std::string cause = child.cause;
      for (size_t i = 0; i < f.children.size(); ++i) {
        if (!Ended(f.children[i])) Abort(f.children[i], *s.branches[i]);
      }
      f.children.clear();
      Emit(f, "ParallelStateFailed", Json());
      Fail(f, m, s, error, cause);
      return;
    }
    f.results[index] = child.output;
    for (const auto& c : f.children) {
      if (!Ended(c)) return;
    }
    BranchesDone(f, m, s);
    return;
  }
  if (f.phase == Phase::kIterations) {
    // Iterations keep their item index, so their order among `children` means nothing: the
    // last takes the ended one's place, rather than thousands moving up by one.
    Frame child = std::move(f.children[index]);
    if (index + 1 != f.children.size()) f.children[index] = std::move(f.children.back());
    f.children.pop_back();
    if (IterationEnded(f, m, s, child)) StartIterations(f, m, s);
  }
}

TaskStart Run::IterationStart(const State& map, const Frame& child) {
  TaskStart start;
  start.seq = child.task_seq;
  start.state = map.name;
  start.resource.kind = TaskResource::Kind::kMapIteration;
  start.resource.arn = map.location;
  start.parameters = child.input;
  return start;
}

bool Run::IterationEnded(Frame& f, const Machine& m, const State& s, Frame& child) {
  f.done_items++;
  if (child.phase == Phase::kSucceeded) {
    if (!s.distributed) {
      Emit(f, "MapIterationSucceeded", {{"name", s.name}, {"index", child.item_index}});
    }
    f.results[child.item_index] = std::move(child.output);
    return true;
  }
  if (!s.distributed) {
    Emit(f, "MapIterationFailed", {{"name", s.name}, {"index", child.item_index}});
  }
  f.failed_items++;
  f.results[child.item_index] = {{"Error", child.error}, {"Cause", child.cause}};
  const int64_t total = static_cast<int64_t>(f.items.size());
  const bool tolerance = f.tolerated_count >= 0 || f.tolerated_percent >= 0;
  bool exceeded = !tolerance;
  if (f.tolerated_count >= 0 && f.failed_items > f.tolerated_count) exceeded = true;
  if (f.tolerated_percent >= 0 && total > 0 &&
      100.0 * double(f.failed_items) / double(total) > f.tolerated_percent) {
    exceeded = true;
  }
  if (!exceeded) return true;
  for (auto& c : f.children) {
    if (!Ended(c)) {
      Abort(c, *s.processor);
      if (!s.distributed) {
        Emit(f, "MapIterationAborted", {{"name", s.name}, {"index", c.item_index}});
      }
    }
  }
  f.children.clear();
  if (s.distributed) {
    Emit(f, "MapRunFailed", {{"error", child.error}, {"cause", child.cause}});
  }
  Emit(f, "MapStateFailed", Json());
  if (tolerance) {
    Fail(f, m, s, errors::kExceedToleratedFailureThreshold,
         "The specified tolerated failure threshold was exceeded");
  } else {
    Fail(f, m, s, child.error, child.cause);
  }
  return false;
}

void Run::BranchesDone(Frame& f, const Machine& m, const State& s) {
  f.children.clear();
  Emit(f, "ParallelStateSucceeded", Json());
  Json results = std::move(f.results);
  f.results = Json::array();
  try {
    Complete(f, m, s, std::move(results), nullptr);
  } catch (const StatesError& e) {
    Fail(f, m, s, e.error(), e.cause());
  }
}

void Run::IterationsDone(Frame& f, const Machine& m, const State& s) {
  if (s.distributed) Emit(f, "MapRunSucceeded", Json());
  Emit(f, "MapStateSucceeded", Json());
  Json results = std::move(f.results);
  f.results = Json::array();
  f.items = Json();
  try {
    Complete(f, m, s, std::move(results), nullptr);
  } catch (const StatesError& e) {
    Fail(f, m, s, e.error(), e.cause());
  }
}

}  // namespace batchd::asl
