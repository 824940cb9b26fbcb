#pragma once
// The States Language works on JSON documents. Keys keep the order they were written in, as
// AWS's outputs do (Jackson keeps insertion order).
#include <nlohmann/json.hpp>

namespace batchd::asl {

using Json = nlohmann::ordered_json;

// Compact text, as AWS prints payloads in history and errors.
inline std::string Compact(const Json& value) {
  return value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace batchd::asl
