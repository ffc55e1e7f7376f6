#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <thread>

#include "plugin/thread_priority.h"

namespace ecg::plugin {
namespace {

int ThisThreadNice() {
  return getpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)));
}

TEST(ThreadPriority, LowersOnlyTheCallingThread) {
  const int before = ThisThreadNice();
  int inside = before;
  std::thread worker([&inside] {
    ASSERT_TRUE(LowerCurrentThreadPriority(19));
    inside = ThisThreadNice();
  });
  worker.join();
  EXPECT_EQ(inside, 19);
  EXPECT_EQ(ThisThreadNice(), before);
}

}  // namespace
}  // namespace ecg::plugin
