#include "dispatch/provisioner.h"

namespace batchd::dispatch {

Provisioner::Provisioner(providers::ProviderFor provider_for, int threads, int delete_tries)
    : provider_for_(std::move(provider_for)), delete_tries_(delete_tries) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
}

Provisioner::~Provisioner() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  for (auto& thread : threads_) thread.join();
}

void Provisioner::Create(const batch::v1::ComputeEnvironmentDetail& ce,
                         providers::NodeRequest request, Done done) {
  auto provider = provider_for_(ce);
  Enqueue(ce, provider,
          {[provider, request = std::move(request)] { return provider->Create(request); },
           std::move(done)});
}

void Provisioner::Delete(const batch::v1::ComputeEnvironmentDetail& ce, std::string node_id,
                         Done done) {
  auto provider = provider_for_(ce);
  Call call{[provider, node_id] {
              provider->Delete(node_id);
              return node_id;
            },
            std::move(done)};
  call.tries_left = delete_tries_;
  Enqueue(ce, provider, std::move(call));
}

void Provisioner::Enqueue(const batch::v1::ComputeEnvironmentDetail& ce,
                          const std::shared_ptr<providers::NodeProvider>& provider, Call call) {
  if (provider == nullptr) {
    call.done("no node provider of type \"" + ce.compute_resources().provider().type() + "\"", "");
    return;
  }
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    queue_.push_back(std::move(call));
  }
  cv_.notify_one();
}

void Provisioner::Work() {
  for (;;) {
    Call call;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      call = std::move(queue_.front());
      queue_.pop_front();
    }
    std::string node_id, error;
    for (;;) {
      try {
        node_id = call.run();
        error.clear();
        break;
      } catch (const std::exception& e) {
        error = e.what();
      }
      if (--call.tries_left <= 0) break;
      std::unique_lock lock(mu_);
      if (cv_.wait_for(lock, call.backoff, [this] { return stopping_; })) return;
      call.backoff *= 2;
    }
    call.done(error, node_id);
  }
}

}  // namespace batchd::dispatch
