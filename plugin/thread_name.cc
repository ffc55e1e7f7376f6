#include "plugin/thread_name.h"

#include <pthread.h>

#include <string>

namespace ecg::plugin {

void NameCurrentThread(const char* name) {
  constexpr size_t kMaxLength = 15;  // the kernel's limit, without the terminating zero
  pthread_setname_np(pthread_self(), std::string(name).substr(0, kMaxLength).c_str());
}

}  // namespace ecg::plugin
