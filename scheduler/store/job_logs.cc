// Attempts' output: pieces keyed by (attempt, stream, offset, size), read back in the order stored.
#include "store/job_logs.h"

#include <algorithm>
#include <array>

#include "api/api_error.h"
#include "store/connection_pool.h"
#include "store/page_token.h"
#include "store/row_codec.h"
#include "store/statements.h"
#include "store/transaction.h"

namespace batchd::store {
namespace {

using internal::ArrayLiteral;

constexpr std::string_view kListing = "logs";
constexpr int kLogColumns = 7;
constexpr int kDefaultMaxBytes = 1 << 20;
// Rows one page looks at, whatever their size: bounds the scan when pieces are tiny.
constexpr int kMaxPiecesPerPage = 10000;

// pg_advisory_xact_lock(classid, hashtext(attempt)): see the comment in InsertLogs.
constexpr int kLockClassLogs = 0x62617402;

constexpr char kInsertLogs[] = R"sql(
INSERT INTO job_logs (attempt_id, stream, "offset", size, job_id, at, data, truncated)
SELECT a, s, o, octet_length(d), j, t, d, tr
FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::bigint[], $6::bytea[],
  $7::boolean[]) AS u(a, s, o, j, t, d, tr)
ON CONFLICT DO NOTHING
)sql";

// The pieces after `seq`, as many as fit in $3 bytes (at least one), in the order stored.
constexpr char kReadLogs[] = R"sql(
SELECT stream, "offset", seq, job_id, at, data, truncated FROM (
  SELECT stream, "offset", seq, job_id, at, data, truncated,
    sum(octet_length(data)) OVER (ORDER BY seq) AS upto,
    row_number() OVER (ORDER BY seq) AS n
  FROM job_logs WHERE attempt_id = $1 AND seq > $2 ORDER BY seq LIMIT $4) AS t
WHERE upto <= $3 OR n = 1
ORDER BY seq
)sql";

// Where a reader stands: the last piece it was given and how far each stream has reached.
struct Position {
  int64_t seq = 0;
  int64_t stdout_pos = 0;
  int64_t stderr_pos = 0;

  int64_t& Of(const std::string& stream) { return stream == "stdout" ? stdout_pos : stderr_pos; }
};

Position DecodePosition(const std::string& attempt_id, const std::string& token) {
  if (token.empty()) return {};
  auto key = internal::DecodePageToken(kListing, token, 4);
  if (key[0] != attempt_id) {
    api::ThrowInvalid("nextToken", "was returned for another attempt's logs");
  }
  return {internal::PageTokenInt(key[1]), internal::PageTokenInt(key[2]),
          internal::PageTokenInt(key[3])};
}

std::string EncodePosition(const std::string& attempt_id, const Position& p) {
  return internal::EncodePageToken(kListing,
                                   {attempt_id, std::to_string(p.seq), std::to_string(p.stdout_pos),
                                    std::to_string(p.stderr_pos)});
}

std::vector<std::string> SortedAttempts(const std::vector<LogRecord>& logs) {
  std::vector<std::string> attempts;
  attempts.reserve(logs.size());
  for (const auto& log : logs) attempts.push_back(log.attempt_id);
  std::sort(attempts.begin(), attempts.end());
  attempts.erase(std::unique(attempts.begin(), attempts.end()), attempts.end());
  return attempts;
}

}  // namespace

void internal::PrepareLogStatements(pqxx::connection& conn) {
  conn.prepare("logs_insert", kInsertLogs);
  // Sorted by key so that two writers take the locks in the same order.
  conn.prepare("logs_lock_attempts",
               "SELECT pg_advisory_xact_lock($1, k) FROM "
               "(SELECT DISTINCT hashtext(a) AS k FROM unnest($2::text[]) AS a) AS t ORDER BY k");
  conn.prepare("logs_read", kReadLogs);
  conn.prepare("logs_truncated",
               "SELECT EXISTS (SELECT 1 FROM job_logs WHERE attempt_id = $1 AND truncated)");
}

void internal::CheckLogRecords(const std::vector<LogRecord>& logs) {
  for (size_t i = 0; i < logs.size(); ++i) {
    const auto& log = logs[i];
    const std::string field = "logs[" + std::to_string(i) + "].";
    if (log.attempt_id.empty()) api::ThrowInvalid(field + "attemptId", "must not be empty");
    if (log.stream != "stdout" && log.stream != "stderr") {
      api::ThrowInvalid(field + "stream", "must be stdout or stderr, not \"" + log.stream + "\"");
    }
    if (log.offset < 0) api::ThrowInvalid(field + "offset", "must not be negative");
  }
}

void internal::InsertLogs(pqxx::work& txn, const std::vector<LogRecord>& logs) {
  if (logs.empty()) return;
  // A reader follows `seq` and never looks back, so pieces of one attempt must become
  // visible in seq order: two writers of the same attempt take turns, each drawing its seq
  // values only after the previous one committed.
  txn.exec_prepared("logs_lock_attempts", kLockClassLogs, ArrayLiteral(SortedAttempts(logs)));
  std::array<std::vector<std::optional<std::string>>, kLogColumns> c;
  for (auto& column : c) column.reserve(logs.size());
  for (const auto& log : logs) {
    int k = 0;
    c[k++].push_back(log.attempt_id);
    c[k++].push_back(log.stream);
    c[k++].push_back(std::to_string(log.offset));
    c[k++].push_back(log.job_id);
    c[k++].push_back(std::to_string(log.at));
    c[k++].push_back(ByteaText(log.data));
    c[k++].push_back(log.truncated ? "t" : "f");
  }
  txn.exec_prepared("logs_insert", ArrayLiteral(c[0]), ArrayLiteral(c[1]), ArrayLiteral(c[2]),
                    ArrayLiteral(c[3]), ArrayLiteral(c[4]), ArrayLiteral(c[5]), ArrayLiteral(c[6]));
}

LogPage Store::ReadLogs(const std::string& attempt_id, const std::string& next_token,
                        int max_bytes) {
  Position position = DecodePosition(attempt_id, next_token);
  if (max_bytes <= 0) max_bytes = kDefaultMaxBytes;
  return internal::InTransaction(
      *pool_, "logs of attempt \"" + attempt_id + "\"", [&](pqxx::work& txn) {
        Position p = position;
        LogPage page;
        // A page whose pieces were all resends of what the reader has is not the end: read on
        // until something new comes or nothing is left.
        for (bool more = true; more && page.records.empty();) {
          auto rows =
              txn.exec_prepared("logs_read", attempt_id, p.seq, max_bytes, kMaxPiecesPerPage);
          more = !rows.empty();
          for (const auto& row : rows) {
            p.seq = row["seq"].as<int64_t>();
            LogRecord record;
            record.attempt_id = attempt_id;
            record.stream = row["stream"].c_str();
            record.offset = row["offset"].as<int64_t>();
            record.job_id = row["job_id"].c_str();
            record.at = row["at"].as<int64_t>();
            record.truncated = row["truncated"].as<bool>();
            pqxx::binarystring data(row["data"]);
            // A resend may cut the stream at other boundaries than the first send did: keep only
            // the bytes past what this reader has already been given.
            int64_t& pos = p.Of(record.stream);
            const auto size = static_cast<int64_t>(data.size());
            const int64_t end = record.offset + size;
            if (end <= pos) continue;
            const int64_t skip = std::max<int64_t>(0, pos - record.offset);
            record.data.assign(reinterpret_cast<const char*>(data.data()) + skip,
                               static_cast<size_t>(size - skip));
            record.offset += skip;
            pos = end;
            page.records.push_back(std::move(record));
          }
        }
        page.truncated = txn.exec_prepared1("logs_truncated", attempt_id)[0].as<bool>();
        page.next_token = EncodePosition(attempt_id, p);
        return page;
      });
}

}  // namespace batchd::store
