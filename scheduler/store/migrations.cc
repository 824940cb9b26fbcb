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
