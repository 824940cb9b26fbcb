// Events: what the scheduler decided or saw about a compute environment (scaling, provider
// failures), with the reason, for `batchctl events ce NAME`. Append-only; read newest first.
#include <array>

#include "api/api_error.h"
#include "store/connection_pool.h"
#include "store/page_token.h"
#include "store/row_codec.h"
#include "store/statements.h"
#include "store/store.h"
#include "store/transaction.h"

namespace batchd::store {
namespace {

using batch::v1::EventDetail;
using internal::ArrayLiteral;

constexpr std::string_view kListing = "events";

constexpr char kInsertEvents[] = R"sql(
INSERT INTO events (at, compute_environment, node_id, message)
SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[])
)sql";

constexpr char kListEvents[] = R"sql(
SELECT seq, at, compute_environment, node_id, message FROM events
WHERE compute_environment = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3
)sql";

}  // namespace

void internal::PrepareEventStatements(pqxx::connection& conn) {
  conn.prepare("events_insert", kInsertEvents);
  conn.prepare("events_list", kListEvents);
}

void Store::AddEvents(const std::vector<EventDetail>& events) {
  if (events.empty()) return;
  std::array<std::vector<std::optional<std::string>>, 4> c;
  for (const auto& event : events) {
    c[0].push_back(std::to_string(event.at()));
    c[1].push_back(event.compute_environment());
    c[2].push_back(event.node_id());
    c[3].push_back(event.message());
  }
  internal::InTransaction(*pool_, "events", [&](pqxx::work& txn) {
    txn.exec_prepared("events_insert", ArrayLiteral(c[0]), ArrayLiteral(c[1]), ArrayLiteral(c[2]),
                      ArrayLiteral(c[3]));
  });
}

Page<EventDetail> Store::ListEvents(const std::string& compute_environment, int max_results,
                                    const std::string& next_token) {
  int64_t before = std::numeric_limits<int64_t>::max();
  if (!next_token.empty()) {
    auto key = internal::DecodePageToken(kListing, next_token, 2);
    if (key[0] != compute_environment) {
      api::ThrowInvalid("nextToken", "was returned for another compute environment's events");
    }
    before = internal::PageTokenInt(key[1]);
  }
  const int limit = internal::PageSize(max_results);
  return internal::InTransaction(*pool_, "events", [&](pqxx::work& txn) {
    Page<EventDetail> page;
    auto rows = txn.exec_prepared("events_list", compute_environment, before, limit + 1);
    for (const auto& row : rows) {
      if (static_cast<int>(page.items.size()) == limit) {
        page.next_token = internal::EncodePageToken(
            kListing, {compute_environment, std::to_string(page.items.back().seq())});
        break;
      }
      EventDetail& e = page.items.emplace_back();
      e.set_seq(row["seq"].as<int64_t>());
      e.set_at(row["at"].as<int64_t>());
      e.set_compute_environment(row["compute_environment"].c_str());
      e.set_node_id(row["node_id"].c_str());
      e.set_message(row["message"].c_str());
    }
    return page;
  });
}

}  // namespace batchd::store
