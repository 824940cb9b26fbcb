#pragma once
// The figures a bench run prints: one "name value unit" line each as soon as it is known (a
// long run shows progress), and optionally all of them as JSON at the end.
#include <chrono>
#include <string>
#include <vector>

namespace batchd::bench {

class Report {
 public:
  void Add(const std::string& name, double value, const std::string& unit);
  // [{"name": ..., "value": ..., "unit": ...}, ...]
  std::string Json() const;
  // The value of a figure added earlier (NaN when there is none).
  double Value(const std::string& name) const;

 private:
  struct Figure {
    std::string name;
    double value;
    std::string unit;
  };
  std::vector<Figure> figures_;
};

double Percentile(std::vector<double> values, double p);

inline double Millis(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

inline double PerSecond(double count, std::chrono::steady_clock::duration d) {
  return count / std::chrono::duration<double>(d).count();
}

}  // namespace batchd::bench
