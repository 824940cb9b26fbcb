// depth: the submit and turnover figures with many rows already in the database, against the
// same figures on an empty one. The rows are copied in SQL from two real jobs (one finished,
// one queued) before batchd starts: 90% finished jobs on the queue being measured, 10% jobs
// waiting on a queue with no capacity, which the scheduler takes in when it starts.
//
// This VM's speed drifts by a third and more over minutes, and seeding 10M rows takes some:
// each deep database is measured between two empty ones, and compared with their mean.
#include <pqxx/pqxx>

#include "scenarios.h"

namespace batchd::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::string Count(long rows) {
  if (rows >= 1000000 && rows % 1000000 == 0) return std::to_string(rows / 1000000) + "M";
  if (rows >= 1000 && rows % 1000 == 0) return std::to_string(rows / 1000) + "k";
  return std::to_string(rows);
}

// Rows per transaction while seeding: big enough to be quick, small enough that one failure
// does not cost the whole run.
constexpr long kSeedChunk = 100000;

// Copies job `template_id` `count` times with new ids, each older than the last.
void CopyJob(pqxx::connection& conn, const std::string& template_id, const std::string& tag,
             long count) {
  std::string columns, values;
  {
    pqxx::read_transaction txn(conn);
    for (const auto& row :
         txn.exec("SELECT column_name FROM information_schema.columns WHERE table_name = 'jobs' "
                  "ORDER BY ordinal_position")) {
      const std::string column = row[0].c_str();
      std::string value = "t." + column;
      if (column == "job_id") value = "'" + tag + "-' || g";
      if (column == "client_token") value = "NULL";
      if (column == "created_at") value = "t.created_at - g";
      columns += (columns.empty() ? "" : ", ") + column;
      values += (values.empty() ? "" : ", ") + value;
    }
  }
  for (long first = 1; first <= count; first += kSeedChunk) {
    pqxx::work txn(conn);
    txn.exec_params("INSERT INTO jobs (" + columns + ") SELECT " + values +
                        " FROM jobs t CROSS JOIN generate_series($2::bigint, $3::bigint) g "
                        "WHERE t.job_id = $1",
                    template_id, first, std::min(count, first + kSeedChunk - 1));
    txn.commit();
  }
}

// A batchd with two agents on queue "bench" and a queue "parked" with no capacity.
std::unique_ptr<BenchCluster> Prepared(BenchDatabase& db, const Args& args, std::string* url) {
  *url = db.Fresh();
  auto cluster = std::make_unique<BenchCluster>(*url);
  cluster->CreateUnmanagedQueue("bench", "bench");
  cluster->CreateUnmanagedQueue("parked", "parked");
  cluster->RegisterDefinition("true", {"/bin/true"});
  cluster->StartAgents(2, "bench", args.agent_config);
  return cluster;
}

void Measure(BenchCluster& cluster, const Args& args, Report& report, const std::string& prefix) {
  MeasureSubmit(cluster, "parked", args, report, prefix + ".submit");
  MeasureTurnover(cluster, "bench", "true", args.turnover_jobs, report, prefix + ".turnover");
}

void MeasureEmpty(BenchDatabase& db, const Args& args, Report& report, const std::string& prefix) {
  std::string url;
  auto empty = Prepared(db, args, &url);
  Measure(*empty, args, report, prefix);
}

void Compare(Report& report, const std::string& deep, const std::string& figure) {
  const double empty = (report.Value(deep + ".empty_before." + figure) +
                        report.Value(deep + ".empty_after." + figure)) /
                       2;
  report.Add(deep + "." + figure + ".vs_empty", 100 * report.Value(deep + "." + figure) / empty,
             "%");
}

}  // namespace

void Depth(BenchDatabase& db, const Args& args, Report& report) {
  for (long rows : args.depth_rows) {
    std::string url;
    auto cluster = Prepared(db, args, &url);
    const std::string queued = cluster->Submit(cluster->Request("parked"));
    const std::string finished = cluster->Submit(cluster->Request("bench"));
    cluster->WaitIdle("bench", std::chrono::seconds(30));

    const auto start = SteadyClock::now();
    {
      pqxx::connection conn(url);
      CopyJob(conn, finished, "finished", rows - rows / 10);
      CopyJob(conn, queued, "queued", rows / 10);
      pqxx::nontransaction(conn).exec("VACUUM ANALYZE jobs");
      // The rows just loaded are written out now, as a database that held them for a while
      // would have: otherwise that write-back (a gigabyte at 1M rows) lands in the measurement
      // and competes with its commits' WAL flushes.
      pqxx::nontransaction(conn).exec("CHECKPOINT");
    }
    const std::string name = "depth." + Count(rows);
    report.Add(name + ".seed", Millis(SteadyClock::now() - start) / 1000, "s");

    const auto restart = SteadyClock::now();
    cluster->Restart();
    report.Add(name + ".batchd_start", Millis(SteadyClock::now() - restart), "ms");
    cluster->StartAgents(2, "bench", args.agent_config);
    MeasureEmpty(db, args, report, name + ".empty_before");
    Measure(*cluster, args, report, name);
    MeasureEmpty(db, args, report, name + ".empty_after");
    for (const char* figure : {"submit.single.rate", "submit.batched.rate", "turnover.rate"}) {
      Compare(report, name, figure);
    }
    report.Add(name + ".batchd_rss", UsageOf(cluster->batchd_pid()).rss_mib, "MiB");
  }
}

}  // namespace batchd::bench
