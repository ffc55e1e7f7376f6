// ArrivalRate counts the events of about the last second, in 100 ms buckets, from any thread.
#include "plugin/ingest/arrival_rate.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace ecg::plugin {
namespace {

using std::chrono::milliseconds;
const ArrivalRate::Clock::time_point kT0{std::chrono::seconds(1000)};

TEST(ArrivalRateTest, CountsTheEventsOfTheLastSecondOnly) {
  ArrivalRate rate;
  EXPECT_EQ(rate.Count(kT0), 0u);
  for (int i = 0; i < 5; ++i) rate.Note(kT0);
  for (int i = 0; i < 3; ++i) rate.Note(kT0 + milliseconds(500));
  EXPECT_EQ(rate.Count(kT0 + milliseconds(600)), 8u);
  EXPECT_EQ(rate.Count(kT0 + milliseconds(950)), 8u);
  EXPECT_EQ(rate.Count(kT0 + milliseconds(1050)), 3u);  // the first 100 ms have left the second
  EXPECT_EQ(rate.Count(kT0 + milliseconds(1600)), 0u);
}

TEST(ArrivalRateTest, ABucketNotedASecondLaterStartsAgainFromZero) {
  ArrivalRate rate;
  rate.Note(kT0);
  rate.Note(kT0);
  rate.Note(kT0 + milliseconds(1000));  // the same bucket, one second on
  EXPECT_EQ(rate.Count(kT0 + milliseconds(1000)), 1u);
}

TEST(ArrivalRateTest, EventsFromSeveralThreadsAreAllCounted) {
  ArrivalRate rate;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&rate] {
      for (int i = 0; i < 1000; ++i) rate.Note(kT0 + milliseconds(i % 10 * 100));
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(rate.Count(kT0 + milliseconds(950)), 4000u);
}

}  // namespace
}  // namespace ecg::plugin
