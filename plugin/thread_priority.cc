#include "plugin/thread_priority.h"

#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

namespace ecg::plugin {

bool LowerCurrentThreadPriority(int nice) {
  const auto thread_id = static_cast<id_t>(syscall(SYS_gettid));
  if (setpriority(PRIO_PROCESS, thread_id, nice) == 0) return true;
  static std::atomic<bool> warned{false};
  if (!warned.exchange(true)) {
    spdlog::warn("cannot lower the priority of the ECG plugin's threads: {}", std::strerror(errno));
  }
  return false;
}

bool RunCurrentThreadOnlyWhenIdle() {
  const sched_param param{};
  if (sched_setscheduler(0, SCHED_IDLE, &param) == 0) return true;
  spdlog::warn("cannot give an ECG plugin thread the idle scheduling policy: {}",
               std::strerror(errno));
  return false;
}

}  // namespace ecg::plugin
