#include "plugin/thread_name.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <string>
#include <thread>

namespace ecg::plugin {
namespace {

std::string ThisThreadName() {
  char name[16] = {};
  pthread_getname_np(pthread_self(), name, sizeof(name));
  return name;
}

TEST(ThreadName, NamesOnlyTheCallingThreadAndCutsLongNames) {
  const std::string before = ThisThreadName();
  std::string short_name, long_name;
  std::thread worker([&] {
    NameCurrentThread("ecg-ingest");
    short_name = ThisThreadName();
    NameCurrentThread("ecg-a-name-longer-than-linux-keeps");
    long_name = ThisThreadName();
  });
  worker.join();
  EXPECT_EQ(short_name, "ecg-ingest");
  EXPECT_EQ(long_name, "ecg-a-name-long");
  EXPECT_EQ(ThisThreadName(), before);
}

}  // namespace
}  // namespace ecg::plugin
