#include "plugin/large_stack.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <cstring>
#include <stdexcept>

namespace ecg::plugin {
namespace {

// Uses about `bytes` of stack (a local buffer the compiler cannot drop), returns a checksum.
__attribute__((noinline)) int UseStack(size_t bytes) {
  volatile char buffer[64 * 1024];
  std::memset(const_cast<char*>(buffer), 1, sizeof(buffer));
  const int here = buffer[bytes % sizeof(buffer)];
  return bytes <= sizeof(buffer) ? here : here + UseStack(bytes - sizeof(buffer));
}

struct SmallStackRun {
  int result = 0;
  bool threw = false;
};

// Like an Orthanc HTTP thread: 256 KB of stack, and a function that needs 2 MB run from it.
void* OnSmallStack(void* argument) {
  auto* run = static_cast<SmallStackRun*>(argument);
  RunOnLargeStack([&] { run->result = UseStack(size_t{2} << 20); });
  try {
    RunOnLargeStack([] { throw std::runtime_error("from the large stack"); });
  } catch (const std::runtime_error& e) {
    run->threw = std::string(e.what()) == "from the large stack";
  }
  return nullptr;
}

TEST(LargeStack, AFunctionNeedingMoreStackThanTheCallersRunsAndItsExceptionComesBack) {
  pthread_attr_t attributes;
  ASSERT_EQ(pthread_attr_init(&attributes), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attributes, 256 * 1024), 0);
  SmallStackRun run;
  pthread_t thread;
  ASSERT_EQ(pthread_create(&thread, &attributes, OnSmallStack, &run), 0);
  pthread_attr_destroy(&attributes);
  ASSERT_EQ(pthread_join(thread, nullptr), 0);
  EXPECT_EQ(run.result, 32);  // 32 buffers of 64 KB on the stack at once, each adding 1
  EXPECT_TRUE(run.threw);
}

}  // namespace
}  // namespace ecg::plugin
