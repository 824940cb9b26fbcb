#pragma once
// Conversions between API messages and rows: resource details are stored as serialized
// protobuf (bytea) next to the columns that queries filter, sort or update on.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/message_lite.h>
#include <pqxx/binarystring>
#include <pqxx/row>

#include "batch/v1/types.pb.h"

namespace batchd::store::internal {

pqxx::binarystring ToBytea(const google::protobuf::MessageLite& msg);
// Throws INTERNAL naming `what` when the stored bytes do not parse.
void FromBytea(const pqxx::field& field, google::protobuf::MessageLite* msg, std::string_view what);

// A PostgreSQL array literal ("{...}") of text elements; nullopt elements are NULL. Passing
// whole columns as arrays lets one prepared statement insert any number of rows (unnest).
std::string ArrayLiteral(const std::vector<std::optional<std::string>>& values);
std::string ArrayLiteral(const std::vector<std::string>& values);
// bytea in PostgreSQL's hex text form ("\x0a1b"), for use inside array literals.
std::string ByteaText(const std::string& bytes);
// A LIKE pattern matching strings that start with `prefix` (lower-cased, wildcards escaped).
std::string LikePrefixPattern(std::string_view prefix);

std::optional<int64_t> NullIfZero(int64_t value);

std::string JobStatusText(batch::v1::JobStatus::Value status);
batch::v1::JobStatus::Value JobStatusFromText(const std::string& text);

// The serialized form of the `attempts` column: a JobDetail holding only the attempts.
std::string AttemptsBytes(const batch::v1::JobDetail& job);

// Columns that JobSummaryFromRow / JobFromRow read, for SELECT lists.
inline constexpr std::string_view kJobSummaryColumns =
    "job_id, job_name, job_queue, job_definition, status, status_reason, created_at, "
    "started_at, stopped_at, is_cancelled, is_terminated, array_index, array_size, version, "
    "attempts";
inline constexpr std::string_view kJobDetailColumns =
    "job_id, job_name, job_queue, job_definition, status, status_reason, created_at, "
    "started_at, stopped_at, is_cancelled, is_terminated, array_index, array_size, version, "
    "attempts, spec";

// The job as submitted (spec) with its mutable columns laid over it; container exit code,
// reason and log stream come from the last attempt.
batch::v1::JobDetail JobFromRow(const pqxx::row& row);
batch::v1::JobSummary JobSummaryFromRow(const pqxx::row& row);

}  // namespace batchd::store::internal
