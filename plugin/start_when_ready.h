// StartWhenReady: runs an action once a condition holds, on a thread of its own, so that the
// caller (Orthanc's change thread) never waits.
//
// The plugin uses it to start the threads that read the store's tables (the search service, the
// training supervisor) only once the ingester has migrated the store (Ingester::ready()): on a
// fresh database they would otherwise query tables that do not exist yet and log errors.
//
//   StartWhenReady starter;
//   starter.Start([&] { return ingester.ready(); }, [&] { search.Start(); training.Start(); });
//   ...
//   starter.Stop();  // then stop what the action started
//
// The condition is polled every `poll` (100 ms by default); the action runs at most once per
// Start(), on the starter's thread. Stop() joins that thread: once it returns, the action has
// either run to its end or will never run, so the caller may then stop what it started.
// Start() while started does nothing. Stop() is idempotent and is called by the destructor.
// Thread safety: Start() and Stop() from one thread at a time (Orthanc's change thread and
// OrthancPluginFinalize, which never overlap). Exceptions from the action or the condition are
// caught and logged; the action is then not retried.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace ecg::plugin {

class StartWhenReady {
 public:
  StartWhenReady() = default;
  ~StartWhenReady();
  StartWhenReady(const StartWhenReady&) = delete;
  StartWhenReady& operator=(const StartWhenReady&) = delete;

  void Start(std::function<bool()> ready, std::function<void()> action,
             std::chrono::milliseconds poll = std::chrono::milliseconds(100));
  void Stop();

 private:
  void Run(const std::function<bool()>& ready, const std::function<void()>& action,
           std::chrono::milliseconds poll);

  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
};

}  // namespace ecg::plugin
