// StartWhenReady (plugin/start_when_ready.h): the action runs once, on the starter's thread, only
// after the condition holds; a Stop() before that means it never runs; Stop() returns only after
// a running action has ended.
#include "plugin/start_when_ready.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace ecg::plugin {
namespace {

using std::chrono::milliseconds;

bool WaitFor(const std::atomic<int>& value, int expected) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (value != expected && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  return value == expected;
}

TEST(StartWhenReady, RunsTheActionOnceAfterTheConditionHolds) {
  std::atomic<bool> ready{false};
  std::atomic<int> runs{0};
  StartWhenReady starter;
  starter.Start([&] { return ready.load(); }, [&] { ++runs; }, milliseconds(5));
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_EQ(runs, 0);
  ready = true;
  EXPECT_TRUE(WaitFor(runs, 1));
  std::this_thread::sleep_for(milliseconds(50));
  starter.Stop();
  EXPECT_EQ(runs, 1);
}

TEST(StartWhenReady, NeverRunsTheActionWhenStoppedBeforeTheConditionHolds) {
  std::atomic<int> checks{0};
  std::atomic<int> runs{0};
  StartWhenReady starter;
  starter.Start([&] { return ++checks > 1000000; }, [&] { ++runs; }, milliseconds(5));
  std::this_thread::sleep_for(milliseconds(30));
  starter.Stop();
  EXPECT_GT(checks, 0);
  EXPECT_EQ(runs, 0);
}

TEST(StartWhenReady, StopWaitsForARunningActionToEnd) {
  std::atomic<int> started{0};
  std::atomic<bool> ended{false};
  StartWhenReady starter;
  starter.Start([] { return true; },
                [&] {
                  ++started;
                  std::this_thread::sleep_for(milliseconds(200));
                  ended = true;
                },
                milliseconds(5));
  ASSERT_TRUE(WaitFor(started, 1));
  starter.Stop();
  EXPECT_TRUE(ended);
}

TEST(StartWhenReady, AnActionThatThrowsIsLoggedNotPropagated) {
  std::atomic<int> runs{0};
  StartWhenReady starter;
  starter.Start([] { return true; },
                [&] {
                  ++runs;
                  throw std::runtime_error("cannot start");
                },
                milliseconds(5));
  EXPECT_TRUE(WaitFor(runs, 1));
  starter.Stop();  // joins a thread that ended on the exception
  EXPECT_EQ(runs, 1);
}

}  // namespace
}  // namespace ecg::plugin
