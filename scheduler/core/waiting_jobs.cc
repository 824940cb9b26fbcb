#include <algorithm>
#include <iterator>

#include "core/placement.h"

namespace batchd::core {

WaitingJobs::WaitingJobs(const WaitingJobs& other) { *this = other; }

WaitingJobs& WaitingJobs::operator=(const WaitingJobs& other) {
  if (this == &other) return *this;
  by_id_.clear();
  by_queue_.clear();
  for (const auto& [id, entry] : other.by_id_) Insert(entry.job, entry.score);
  added_since_pass_ = other.added_since_pass_;
  return *this;
}

void WaitingJobs::Add(const WaitingJob& job, const PlacementOptions& options) {
  // A non-positive aging period would divide by zero in the effective priority; one
  // millisecond is the fastest aging there is.
  const int64_t aging_ms = std::max<int64_t>(options.aging_ms, 1);
  Remove(job.job_id);
  Insert(job, static_cast<int64_t>(job.scheduling_priority) * aging_ms - job.created_at);
  added_since_pass_[job.queue].push_back(job.job_id);
}

const std::vector<std::string>& WaitingJobs::AddedSincePass(const std::string& queue) const {
  static const std::vector<std::string> kNone;
  auto it = added_since_pass_.find(queue);
  return it == added_since_pass_.end() ? kNone : it->second;
}

void WaitingJobs::Insert(const WaitingJob& job, int64_t score) {
  auto [it, inserted] = by_id_.try_emplace(job.job_id);
  Entry& entry = it->second;
  entry.job = job;
  entry.score = score;
  by_queue_[job.queue].emplace(Rank{score, it->first}, &entry.job);
}

bool WaitingJobs::Remove(const std::string& job_id) {
  auto it = by_id_.find(job_id);
  if (it == by_id_.end()) return false;
  auto queue = by_queue_.find(it->second.job.queue);
  if (queue != by_queue_.end()) {
    queue->second.erase(Rank{it->second.score, it->first});
    if (queue->second.empty()) by_queue_.erase(queue);
  }
  by_id_.erase(it);
  return true;
}

const WaitingJob* WaitingJobs::Find(const std::string& job_id) const {
  auto it = by_id_.find(job_id);
  return it == by_id_.end() ? nullptr : &it->second.job;
}

size_t WaitingJobs::size() const { return by_id_.size(); }

std::vector<const WaitingJob*> WaitingJobs::InOrder(const std::string& queue, size_t limit) const {
  std::vector<const WaitingJob*> jobs;
  auto it = by_queue_.find(queue);
  if (it == by_queue_.end()) return jobs;
  jobs.reserve(std::min(limit, it->second.size()));
  for (const auto& [rank, job] : it->second) {
    if (jobs.size() >= limit) break;
    jobs.push_back(job);
  }
  return jobs;
}

bool WaitingJobs::Visit(const std::string& queue, size_t limit,
                        const std::function<bool(const WaitingJob&)>& visit) const {
  auto it = by_queue_.find(queue);
  if (it == by_queue_.end()) return true;
  size_t seen = 0;
  for (const auto& [rank, job] : it->second) {
    if (seen++ >= limit || !visit(*job)) return false;
  }
  return true;
}

bool WaitingJobs::Before(const WaitingJob& a, const WaitingJob& b) const {
  return Rank{by_id_.at(a.job_id).score, a.job_id} < Rank{by_id_.at(b.job_id).score, b.job_id};
}

size_t WaitingJobs::PositionOf(const std::string& job_id) const {
  auto it = by_id_.find(job_id);
  if (it == by_id_.end()) return 0;
  const auto& queue = by_queue_.at(it->second.job.queue);
  // Linear, but only explanations ask, one job at a time.
  return static_cast<size_t>(
      std::distance(queue.begin(), queue.find(Rank{it->second.score, it->first})));
}

}  // namespace batchd::core
