#include "bench_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace batchd::bench {

void Report::Add(const std::string& name, double value, const std::string& unit) {
  std::printf("%-48s %12.1f %s\n", name.c_str(), value, unit.c_str());
  std::fflush(stdout);
  figures_.push_back({name, value, unit});
}

double Report::Value(const std::string& name) const {
  for (const auto& f : figures_) {
    if (f.name == name) return f.value;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

std::string Report::Json() const {
  std::string out = "[";
  char value[64];
  for (size_t i = 0; i < figures_.size(); ++i) {
    const Figure& f = figures_[i];
    // Names and units are the bench's own words: nothing in them needs escaping.
    std::snprintf(value, sizeof value, "%.3f", std::isfinite(f.value) ? f.value : 0.0);
    out += std::string(i == 0 ? "\n" : ",\n") + "  {\"name\": \"" + f.name +
           "\", \"value\": " + value + ", \"unit\": \"" + f.unit + "\"}";
  }
  return out + "\n]\n";
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), values.end());
  const size_t i = std::min(values.size() - 1, static_cast<size_t>(p * values.size()));
  return values[i];
}

}  // namespace batchd::bench
