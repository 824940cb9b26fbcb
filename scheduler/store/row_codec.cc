#include "store/row_codec.h"

#include <cctype>

#include <pqxx/field>

#include "api/api_error.h"
#include "api/array_jobs.h"
#include "api/names.h"

namespace batchd::store::internal {
namespace {

using batch::v1::JobDetail;

void AppendElement(std::string& out, const std::optional<std::string>& value) {
  if (!value) {
    out += "NULL";
    return;
  }
  out += '"';
  for (char c : *value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

void ParseAttempts(const pqxx::row& row, JobDetail& job) {
  JobDetail holder;
  FromBytea(row["attempts"], &holder, "job attempts");
  job.mutable_attempts()->Swap(holder.mutable_attempts());
}

}  // namespace

pqxx::binarystring ToBytea(const google::protobuf::MessageLite& msg) {
  return pqxx::binarystring(msg.SerializeAsString());
}

void FromBytea(const pqxx::field& field, google::protobuf::MessageLite* msg,
               std::string_view what) {
  pqxx::binarystring bytes(field);
  if (!msg->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    throw api::ApiError(api::ErrorCode::kInternal,
                        "stored " + std::string(what) + " does not parse; the row is corrupt");
  }
}

namespace {

template <typename Element>
std::string JoinArray(const std::vector<Element>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    AppendElement(out, values[i]);
  }
  out += '}';
  return out;
}

}  // namespace

std::string ArrayLiteral(const std::vector<std::optional<std::string>>& values) {
  return JoinArray(values);
}

std::string ArrayLiteral(const std::vector<std::string>& values) { return JoinArray(values); }

std::string ByteaText(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
  }
  return out;
}

std::string LikePrefixPattern(std::string_view prefix) {
  std::string out;
  for (char c : prefix) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  out += '%';
  return out;
}

std::optional<int64_t> NullIfZero(int64_t value) {
  if (value == 0) return std::nullopt;
  return value;
}

std::string JobStatusText(batch::v1::JobStatus::Value status) {
  return batch::v1::JobStatus::Value_Name(status);
}

batch::v1::JobStatus::Value JobStatusFromText(const std::string& text) {
  batch::v1::JobStatus::Value status;
  if (!batch::v1::JobStatus::Value_Parse(text, &status)) {
    throw api::ApiError(api::ErrorCode::kInternal, "stored job status \"" + text + "\" is unknown");
  }
  return status;
}

std::string AttemptsBytes(const JobDetail& job) {
  JobDetail holder;
  *holder.mutable_attempts() = job.attempts();
  return holder.SerializeAsString();
}

JobDetail JobFromRow(const pqxx::row& row) {
  JobDetail job;
  FromBytea(row["spec"], &job, "job spec");
  // A child's row holds its parent's spec.
  if (!row["array_index"].is_null()) job = api::ArrayChildDetail(job, row["array_index"].as<int>());
  job.set_status(JobStatusFromText(row["status"].c_str()));
  job.set_status_reason(row["status_reason"].c_str());
  job.set_started_at(row["started_at"].as<int64_t>(0));
  job.set_stopped_at(row["stopped_at"].as<int64_t>(0));
  job.set_is_cancelled(row["is_cancelled"].as<bool>());
  job.set_is_terminated(row["is_terminated"].as<bool>());
  ParseAttempts(row, job);
  if (!job.attempts().empty()) {
    const auto& last = job.attempts().rbegin()->container();
    auto* container = job.mutable_container();
    if (last.has_exit_code()) container->set_exit_code(last.exit_code());
    if (!last.reason().empty()) container->set_reason(last.reason());
    if (!last.log_stream_name().empty()) container->set_log_stream_name(last.log_stream_name());
    if (!last.container_instance_arn().empty()) {
      container->set_container_instance_arn(last.container_instance_arn());
    }
    if (!last.task_arn().empty()) container->set_task_arn(last.task_arn());
  }
  return job;
}

batch::v1::JobSummary JobSummaryFromRow(const pqxx::row& row) {
  batch::v1::JobSummary summary;
  std::string id = row["job_id"].c_str();
  summary.set_job_arn(api::MakeArn(api::kJobKind, id));
  summary.set_job_id(id);
  summary.set_job_name(row["job_name"].c_str());
  summary.set_job_queue(row["job_queue"].c_str());
  summary.set_job_definition(row["job_definition"].c_str());
  summary.set_created_at(row["created_at"].as<int64_t>());
  summary.set_status(JobStatusFromText(row["status"].c_str()));
  summary.set_status_reason(row["status_reason"].c_str());
  summary.set_started_at(row["started_at"].as<int64_t>(0));
  summary.set_stopped_at(row["stopped_at"].as<int64_t>(0));
  JobDetail attempts;
  ParseAttempts(row, attempts);
  if (!attempts.attempts().empty()) {
    const auto& last = attempts.attempts().rbegin()->container();
    if (last.has_exit_code()) summary.mutable_container()->set_exit_code(last.exit_code());
    if (!last.reason().empty()) summary.mutable_container()->set_reason(last.reason());
  }
  int size = row["array_size"].as<int>(0);
  if (size > 0) summary.mutable_array_properties()->set_size(size);
  if (!row["array_index"].is_null()) {
    summary.mutable_array_properties()->set_index(row["array_index"].as<int>());
  }
  return summary;
}

}  // namespace batchd::store::internal
