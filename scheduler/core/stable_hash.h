#pragma once
// FNV-1a: the same on every build and platform, for names and tokens that must be made again
// the same after an upgrade of batchd (std::hash promises neither).
#include <cstdint>
#include <string_view>

namespace batchd::core {

template <typename Hash>
Hash Fnv1a(std::string_view text, Hash offset_basis, Hash prime) {
  Hash h = offset_basis;
  for (unsigned char c : text) {
    h ^= c;
    h *= prime;
  }
  return h;
}

inline uint32_t StableHash32(std::string_view text) {
  return Fnv1a<uint32_t>(text, 2166136261u, 16777619u);
}

inline uint64_t StableHash64(std::string_view text) {
  return Fnv1a<uint64_t>(text, 14695981039346656037ull, 1099511628211ull);
}

}  // namespace batchd::core
