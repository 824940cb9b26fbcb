#pragma once
// Runs node providers' calls off the scheduler's loop: they block (a cloud API, a boot
// script, an agent draining), the loop must not. Each call's outcome comes back through its
// callback, on one of the provisioner's threads. A failed delete is tried again a few times
// (the machine would otherwise linger); a failed create is not (the autoscaler backs off and
// asks again while the jobs still wait).
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "providers/provider_factory.h"

namespace batchd::dispatch {

class Provisioner {
 public:
  // The error message (empty on success) and, for a create, the id the node registers under.
  using Done = std::function<void(const std::string& error, const std::string& node_id)>;

  explicit Provisioner(providers::ProviderFor provider_for, int threads = 4, int delete_tries = 3);
  // Finishes the calls already started; drops queued ones and pending retries.
  ~Provisioner();

  void Create(const batch::v1::ComputeEnvironmentDetail& ce, providers::NodeRequest request,
              Done done);
  void Delete(const batch::v1::ComputeEnvironmentDetail& ce, std::string node_id, Done done);

 private:
  struct Call {
    std::function<std::string()> run;  // returns the node id
    Done done;
    int tries_left = 1;
    std::chrono::milliseconds backoff{1000};
  };
  // Queues the call, or answers at once when `ce` names a provider batchd does not have.
  void Enqueue(const batch::v1::ComputeEnvironmentDetail& ce,
               const std::shared_ptr<providers::NodeProvider>& provider, Call call);
  void Work();

  const providers::ProviderFor provider_for_;
  const int delete_tries_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Call> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace batchd::dispatch
