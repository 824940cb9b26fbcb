#include "store/migrations.h"

#include <pqxx/transaction>

#include "api/api_error.h"

namespace batchd::store::internal {
namespace {

// pg_advisory_xact_lock(classid, objid) key space of batchd; see also job_definitions.cc.
constexpr int kLockClassMigrations = 0x62617400;  // "bat\0"

constexpr std::string_view kMigration1 = R"sql(
CREATE TABLE compute_environments (
  name        text PRIMARY KEY,
  state       text NOT NULL,
  version     bigint NOT NULL DEFAULT 1,
  detail      bytea NOT NULL,  -- batch.v1.ComputeEnvironmentDetail
  created_at  bigint NOT NULL, -- epoch ms
  updated_at  bigint NOT NULL
);

CREATE TABLE job_queues (
  name        text PRIMARY KEY,
  state       text NOT NULL,
  priority    integer NOT NULL,
  version     bigint NOT NULL DEFAULT 1,
  detail      bytea NOT NULL,  -- batch.v1.JobQueueDetail
  created_at  bigint NOT NULL,
  updated_at  bigint NOT NULL
);

-- Which queues use a compute environment: the foreign key keeps an environment in use from
-- being deleted even if a queue takes it between the check and the delete.
CREATE TABLE job_queue_compute_environments (
  queue               text NOT NULL REFERENCES job_queues (name) ON DELETE CASCADE,
  compute_environment text NOT NULL REFERENCES compute_environments (name),
  ce_order            integer NOT NULL,
  PRIMARY KEY (queue, compute_environment)
);
CREATE INDEX job_queue_compute_environments_by_ce
  ON job_queue_compute_environments (compute_environment);

CREATE TABLE job_definitions (
  name        text NOT NULL,
  revision    integer NOT NULL,
  status      text NOT NULL CHECK (status IN ('ACTIVE', 'INACTIVE')),
  detail      bytea NOT NULL,  -- batch.v1.JobDefinition (status comes from the column)
  created_at  bigint NOT NULL,
  PRIMARY KEY (name, revision)
);
CREATE INDEX job_definitions_by_status ON job_definitions (status, name, revision);

CREATE TABLE jobs (
  job_id                  text PRIMARY KEY,
  job_name                text NOT NULL,
  job_queue               text NOT NULL,  -- no foreign key: finished jobs outlive their queue
  job_definition          text NOT NULL,
  job_definition_name     text NOT NULL,
  job_definition_revision integer,
  status                  text NOT NULL CHECK (status IN ('SUBMITTED', 'PENDING', 'RUNNABLE',
                            'STARTING', 'RUNNING', 'SUCCEEDED', 'FAILED')),
  status_reason           text NOT NULL DEFAULT '',
  scheduling_priority     integer NOT NULL DEFAULT 0,
  share_identifier        text NOT NULL DEFAULT '',
  created_at              bigint NOT NULL,
  started_at              bigint,
  stopped_at              bigint,
  is_cancelled            boolean NOT NULL DEFAULT false,
  is_terminated           boolean NOT NULL DEFAULT false,
  array_job_id            text,     -- the parent, for a child of an array job
  array_index             integer,
  array_size              integer NOT NULL DEFAULT 0,
  client_token            text UNIQUE,
  request_fingerprint     text NOT NULL DEFAULT '',
  version                 bigint NOT NULL DEFAULT 1,
  spec                    bytea NOT NULL,  -- batch.v1.JobDetail as submitted, without attempts
  attempts                bytea NOT NULL DEFAULT ''  -- batch.v1.JobDetail holding only attempts
);
-- The scheduler's queue order: what to place next in queue Q.
CREATE INDEX jobs_runnable ON jobs (job_queue, scheduling_priority DESC, created_at, job_id)
  WHERE status = 'RUNNABLE';
-- ListJobs, newest first, keyset on (created_at, job_id).
CREATE INDEX jobs_by_queue_status ON jobs (job_queue, status, created_at DESC, job_id DESC);
CREATE INDEX jobs_by_status ON jobs (status, created_at DESC, job_id DESC);
CREATE INDEX jobs_by_queue ON jobs (job_queue, created_at DESC, job_id DESC);
CREATE INDEX jobs_by_created ON jobs (created_at DESC, job_id DESC);
CREATE INDEX jobs_by_array ON jobs (array_job_id, created_at DESC, job_id DESC)
  WHERE array_job_id IS NOT NULL;
)sql";

// Logs are keyed by where a piece sits in its stream, so an agent's resend after a reconnect
// is a no-op; `seq` is the order pieces were stored, which readers follow.
constexpr std::string_view kMigration2 = R"sql(
CREATE TABLE job_logs (
  attempt_id  text NOT NULL,
  stream      text NOT NULL CHECK (stream IN ('stdout', 'stderr')),
  "offset"    bigint NOT NULL,  -- byte offset of data in its stream
  size        integer NOT NULL, -- octet_length(data)
  seq         bigserial NOT NULL,
  job_id      text NOT NULL,
  at          bigint NOT NULL,  -- epoch ms the agent read it
  data        bytea NOT NULL,
  truncated   boolean NOT NULL DEFAULT false,
  -- An agent resending after a reconnect may cut its output at other places: a piece is the
  -- same only with the same start and size; overlaps are trimmed when read.
  PRIMARY KEY (attempt_id, stream, "offset", size)
);
CREATE INDEX job_logs_by_seq ON job_logs (attempt_id, seq);
-- Followers ask on every poll whether the attempt's output was cut; few rows ever are.
CREATE INDEX job_logs_truncated ON job_logs (attempt_id) WHERE truncated;

CREATE TABLE nodes (
  node_id             text PRIMARY KEY,
  compute_environment text NOT NULL,
  state               text NOT NULL,
  detail              bytea NOT NULL,  -- batch.v1.NodeDetail
  updated_at          bigint NOT NULL
);
)sql";

// Events outlive the nodes and environments they name; listed per environment, newest first.
constexpr std::string_view kMigration3 = R"sql(
CREATE TABLE events (
  seq                 bigserial PRIMARY KEY,
  at                  bigint NOT NULL,  -- epoch ms
  compute_environment text NOT NULL,
  node_id             text NOT NULL,    -- '' when about the environment as a whole
  message             text NOT NULL
);
CREATE INDEX events_by_ce ON events (compute_environment, seq DESC);
)sql";

// Array children get a row only when they first change state (100,000 rows cost seconds to
// write); until then a child reads as its parent says (children_status). Listings other than
// an array's leave children out, so their indexes need not hold them.
constexpr std::string_view kMigration4 = R"sql(
ALTER TABLE jobs ADD COLUMN children_status text
  CHECK (children_status IN ('PENDING', 'RUNNABLE'));
DROP INDEX jobs_by_queue_status;
DROP INDEX jobs_by_status;
DROP INDEX jobs_by_queue;
DROP INDEX jobs_by_created;
DROP INDEX jobs_by_array;
CREATE INDEX jobs_by_queue_status ON jobs (job_queue, status, created_at DESC, job_id DESC)
  WHERE array_job_id IS NULL;
CREATE INDEX jobs_by_status ON jobs (status, created_at DESC, job_id DESC)
  WHERE array_job_id IS NULL;
CREATE INDEX jobs_by_queue ON jobs (job_queue, created_at DESC, job_id DESC)
  WHERE array_job_id IS NULL;
CREATE INDEX jobs_by_created ON jobs (created_at DESC, job_id DESC) WHERE array_job_id IS NULL;
CREATE UNIQUE INDEX jobs_by_array ON jobs (array_job_id, array_index)
  WHERE array_job_id IS NOT NULL;
)sql";

// Schedules and the record of their runs. A run's identity is (schedule, scheduled time):
// the primary key makes firing twice impossible, and a firing writes its job, its run and the
// schedule's next time in one transaction.
constexpr std::string_view kMigration5 = R"sql(
CREATE TABLE schedules (
  name        text PRIMARY KEY,
  detail      bytea NOT NULL,  -- batch.v1.ScheduleDetail as given (no runs, no next time)
  next_run_at bigint,          -- epoch ms of the next time not yet decided; NULL: never again
  version     bigint NOT NULL DEFAULT 1,
  created_at  bigint NOT NULL,
  updated_at  bigint NOT NULL
);
CREATE TABLE schedule_runs (
  schedule     text NOT NULL REFERENCES schedules (name) ON DELETE CASCADE,
  scheduled_at bigint NOT NULL,
  outcome      text NOT NULL CHECK (outcome IN ('FIRED', 'SKIPPED', 'MISSED')),
  reason       text NOT NULL DEFAULT '',
  job_id       text,
  recorded_at  bigint NOT NULL,
  PRIMARY KEY (schedule, scheduled_at)
);
)sql";

// Every change of a job's status is a new row version with an entry in each of its indexes
// (status is indexed, so no update is HOT): the fewer indexes, the cheaper each transition.
// Listings of every status scan the per-status indexes instead (jobs_query.cc).
constexpr std::string_view kMigration6 = R"sql(
DROP INDEX jobs_by_queue;
DROP INDEX jobs_by_created;
)sql";

// A unique index holds NULLs too: every row version of a job without a clientToken (nearly
// all of them) added an entry no lookup ever reads. Only tokens are indexed now.
constexpr std::string_view kMigration7 = R"sql(
ALTER TABLE jobs DROP CONSTRAINT jobs_client_token_key;
CREATE UNIQUE INDEX jobs_by_client_token ON jobs (client_token) WHERE client_token IS NOT NULL;
)sql";

// Workflows. A definition lives only in its revisions; the machine row names the current
// one. History is keyed (execution, event id), so paging a million events is one index range
// scan, and it has no foreign key: checking one on each of a turn's tens of thousands of rows
// would cost more than the rest of the insert, and a machine's executions and history are
// deleted with it explicitly. Executions leave room in each page (fillfactor) because the
// loop rewrites runtime on every step: an update that changes no indexed column can then stay
// on its page without touching the indexes.
constexpr std::string_view kMigration8 = R"sql(
CREATE TABLE state_machines (
  name        text PRIMARY KEY,
  arn         text NOT NULL,
  type        text NOT NULL CHECK (type IN ('STANDARD', 'EXPRESS')),
  status      text NOT NULL CHECK (status IN ('ACTIVE', 'DELETING')),
  description text NOT NULL DEFAULT '',
  revision    integer NOT NULL,  -- the current one
  tags        bytea NOT NULL DEFAULT '',  -- batch.v1.ListTagsForResourceResponse
  created_at  bigint NOT NULL,
  updated_at  bigint NOT NULL
);
CREATE TABLE state_machine_revisions (
  state_machine text NOT NULL REFERENCES state_machines (name) ON DELETE CASCADE,
  revision      integer NOT NULL,
  definition    text NOT NULL,
  role_arn      text NOT NULL,
  created_at    bigint NOT NULL,
  PRIMARY KEY (state_machine, revision)
);

CREATE TABLE activities (
  name       text PRIMARY KEY,
  arn        text NOT NULL,
  tags       bytea NOT NULL DEFAULT '',
  created_at bigint NOT NULL
);

CREATE TABLE executions (
  id            bigserial PRIMARY KEY,
  arn           text NOT NULL UNIQUE,  -- made from (state_machine, name): unique as they are
  state_machine text NOT NULL,
  name          text NOT NULL,
  revision      integer NOT NULL,
  status        text NOT NULL CHECK (status IN ('RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT',
                  'ABORTED', 'PENDING_REDRIVE')),
  input         text NOT NULL,
  output        text NOT NULL DEFAULT '',
  error         text NOT NULL DEFAULT '',
  cause         text NOT NULL DEFAULT '',
  start_ms      bigint NOT NULL,
  stop_ms       bigint,
  redrive_count integer NOT NULL DEFAULT 0,
  redrive_ms    bigint,
  parent_arn    text,
  runtime       text NOT NULL DEFAULT '',  -- the interpreter's state document
  next_due_ms   bigint,
  last_event_id bigint NOT NULL DEFAULT 0
) WITH (fillfactor = 80);
-- ListExecutions, newest first: one range scan per status, merged when no status is asked.
CREATE INDEX executions_by_machine ON executions (state_machine, status, start_ms DESC, id DESC);
CREATE INDEX executions_by_status ON executions (status, start_ms DESC, id DESC);
-- Recovery: the running ones and their timers.
CREATE INDEX executions_running ON executions (id) WHERE status = 'RUNNING';
CREATE INDEX executions_due ON executions (next_due_ms)
  WHERE status = 'RUNNING' AND next_due_ms IS NOT NULL;

CREATE TABLE execution_events (
  execution_id      bigint NOT NULL,
  event_id          bigint NOT NULL,
  previous_event_id bigint NOT NULL,
  type              text NOT NULL,
  ts_ms             bigint NOT NULL,
  details           text NOT NULL DEFAULT '',  -- JSON of the *EventDetails object
  PRIMARY KEY (execution_id, event_id)
);

-- Steps waiting on a task token: activity tasks (taken by GetActivityTask) and callbacks.
CREATE TABLE tasks (
  token             text PRIMARY KEY,
  execution_arn     text NOT NULL,
  task_seq          bigint NOT NULL,
  state_name        text NOT NULL,
  kind              text NOT NULL CHECK (kind IN ('ACTIVITY', 'CALLBACK')),
  resource          text NOT NULL DEFAULT '',
  activity_arn      text,
  input             text NOT NULL DEFAULT '',
  status            text NOT NULL CHECK (status IN ('SCHEDULED', 'STARTED')),
  worker_name       text NOT NULL DEFAULT '',
  scheduled_ms      bigint NOT NULL,
  started_ms        bigint,
  heartbeat_seconds integer NOT NULL DEFAULT 0,
  heartbeat_due_ms  bigint,
  timeout_due_ms    bigint,
  UNIQUE (execution_arn, task_seq)
);
CREATE INDEX tasks_by_schedule ON tasks (scheduled_ms, execution_arn, task_seq);
-- GetActivityTask: the oldest task of an activity that no worker has.
CREATE INDEX tasks_claimable ON tasks (activity_arn, scheduled_ms, execution_arn, task_seq)
  WHERE status = 'SCHEDULED' AND activity_arn IS NOT NULL;
)sql";

// A schedule may start executions instead of submitting jobs: its runs name the execution.
// No foreign key: executions go with their state machine, and a run outlives them as a record.
// A DISTRIBUTED Map's iterations are executions too, listed by their parent (its map run).
constexpr std::string_view kMigration9 = R"sql(
ALTER TABLE schedule_runs ADD COLUMN execution_arn text;
CREATE INDEX executions_by_parent ON executions (parent_arn, start_ms DESC, id DESC)
  WHERE parent_arn IS NOT NULL;
)sql";

// An execution's document is rewritten by every turn that moves it, megabytes at a time while a
// large Map runs; history details of job steps are kilobytes each. lz4 compresses them at a
// fraction of pglz's CPU. A server built without lz4 keeps pglz.
constexpr std::string_view kMigration10 = R"sql(
DO $$
BEGIN
  ALTER TABLE executions ALTER COLUMN runtime SET COMPRESSION lz4;
  ALTER TABLE execution_events ALTER COLUMN details SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
  NULL;
END
$$;
)sql";

}  // namespace

const std::vector<Migration>& AllMigrations() {
  static const std::vector<Migration> migrations = {
      {1, "compute environments, job queues, job definitions, jobs", kMigration1},
      {2, "job logs, nodes", kMigration2},
      {3, "events", kMigration3},
      {4, "array children written when they first change state", kMigration4},
      {5, "schedules and their runs", kMigration5},
      {6, "listings of every status served by the per-status indexes", kMigration6},
      {7, "only jobs with a clientToken in its unique index", kMigration7},
      {8, "workflows: state machines, executions and their history, activities, tasks",
       kMigration8},
      {9, "schedule runs that start executions; executions by parent", kMigration9},
      {10, "execution documents and history details compressed with lz4", kMigration10},
  };
  return migrations;
}

int SchemaVersionOf(pqxx::transaction_base& txn) {
  auto exists = txn.exec1("SELECT to_regclass('schema_migrations') IS NOT NULL");
  if (!exists[0].as<bool>()) return 0;
  return txn.exec1("SELECT coalesce(max(version), 0) FROM schema_migrations")[0].as<int>();
}

int Migrate(pqxx::connection& conn) {
  pqxx::work txn(conn);
  // Held to commit: a second batchd waits here, then sees the first one's migrations.
  txn.exec_params("SELECT pg_advisory_xact_lock($1, 0)", kLockClassMigrations);
  txn.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      "  version integer PRIMARY KEY,"
      "  description text NOT NULL,"
      "  applied_at timestamptz NOT NULL DEFAULT now())");
  int current = SchemaVersionOf(txn);
  const auto& migrations = AllMigrations();
  int latest = migrations.back().version;
  if (current > latest) {
    api::ThrowFailedPrecondition("database schema version " + std::to_string(current) +
                                 " is newer than this batchd understands (" +
                                 std::to_string(latest) + "); upgrade batchd");
  }
  for (const auto& migration : migrations) {
    if (migration.version <= current) continue;
    txn.exec(std::string(migration.sql));
    txn.exec_params("INSERT INTO schema_migrations (version, description) VALUES ($1, $2)",
                    migration.version, std::string(migration.description));
    current = migration.version;
  }
  txn.commit();
  return current;
}

}  // namespace batchd::store::internal
