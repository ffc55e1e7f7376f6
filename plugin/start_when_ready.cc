#include "plugin/start_when_ready.h"

#include <spdlog/spdlog.h>

#include <exception>

#include "plugin/thread_name.h"

namespace ecg::plugin {

StartWhenReady::~StartWhenReady() {
  Stop();
}

void StartWhenReady::Start(std::function<bool()> ready, std::function<void()> action,
                           std::chrono::milliseconds poll) {
  if (thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this, ready = std::move(ready), action = std::move(action), poll] {
    Run(ready, action, poll);
  });
}

void StartWhenReady::Stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void StartWhenReady::Run(const std::function<bool()>& ready, const std::function<void()>& action,
                         std::chrono::milliseconds poll) {
  NameCurrentThread("ecg-starter");
  try {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      const bool go = ready();
      lock.lock();
      if (go && !stopping_) {
        // Holding the lock while the action runs: Stop() waits for it to end.
        action();
        return;
      }
      wake_.wait_for(lock, poll, [this] { return stopping_; });
    }
  } catch (const std::exception& e) {
    spdlog::error("starting the plugin's background services: {}", e.what());
  }
}

}  // namespace ecg::plugin
