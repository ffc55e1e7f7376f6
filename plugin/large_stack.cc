#include "plugin/large_stack.h"

#include <pthread.h>

#include <exception>

namespace ecg::plugin {
namespace {

struct Job {
  const std::function<void()>* fn;
  std::exception_ptr error;
};

void* RunJob(void* argument) {
  Job* job = static_cast<Job*>(argument);
  try {
    (*job->fn)();
  } catch (...) {
    job->error = std::current_exception();
  }
  return nullptr;
}

}  // namespace

void RunOnLargeStack(const std::function<void()>& fn) {
  Job job{&fn, nullptr};
  pthread_attr_t attributes;
  pthread_t thread;
  bool started = pthread_attr_init(&attributes) == 0;
  if (started) {
    started = pthread_attr_setstacksize(&attributes, kLargeStackBytes) == 0 &&
              pthread_create(&thread, &attributes, RunJob, &job) == 0;
    pthread_attr_destroy(&attributes);
  }
  if (!started) {
    fn();
    return;
  }
  pthread_join(thread, nullptr);
  if (job.error) std::rethrow_exception(job.error);
}

}  // namespace ecg::plugin
