#pragma once
// Opaque keyset-pagination tokens: the sort key of the last item of a page, tagged with the
// listing it belongs to so a token from one call is refused by another.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace batchd::store::internal {

std::string EncodePageToken(std::string_view listing, const std::vector<std::string>& key);
// Throws INVALID_ARGUMENT on "nextToken" when `token` was not made by EncodePageToken for
// `listing` with `parts` key parts.
std::vector<std::string> DecodePageToken(std::string_view listing, const std::string& token,
                                         size_t parts);
// Rows per page: 0 or less means 100; capped so that one page stays bounded whatever the
// caller's validation allowed.
int PageSize(int max_results);
// A numeric key part of a decoded token; a bad number is a bad token.
int64_t PageTokenInt(const std::string& part);

}  // namespace batchd::store::internal
