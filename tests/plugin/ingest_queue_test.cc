// The ingest queue's watermark never passes a change whose ECG is not yet written, so the saved
// cursor never skips an ECG; the queue is bounded and wakes everybody when closed.
#include "plugin/ingest/ingest_queue.h"

#include <gtest/gtest.h>

#include <thread>

#include "waveform/error.h"

namespace ecg::plugin {
namespace {

IngestTask Task(int64_t seq) {
  return {seq, "instance-" + std::to_string(seq), {}, false};
}

TEST(IngestQueueTest, WatermarkIsTheLastChangeReadWhenNothingIsOutstanding) {
  IngestQueue queue(4);
  EXPECT_EQ(queue.Watermark(17), 17);
}

TEST(IngestQueueTest, WatermarkStaysBelowTheOldestUnfinishedTask) {
  IngestQueue queue(4);
  ASSERT_TRUE(queue.Push(Task(5)));
  ASSERT_TRUE(queue.Push(Task(9)));
  const IngestTask first = queue.PopUpTo(1).at(0);
  const IngestTask second = queue.PopUpTo(1).at(0);
  queue.Done(second);  // seq 9 finishes before seq 5
  EXPECT_EQ(queue.Watermark(12), 4);
  queue.Done(first);
  EXPECT_EQ(queue.Watermark(12), 12);
}

TEST(IngestQueueTest, AHoldKeepsTheWatermarkBelowItsSeqUntilReleased) {
  IngestQueue queue(4);
  queue.Hold(30);
  EXPECT_EQ(queue.Watermark(30), 29);
  queue.Release(30);
  EXPECT_EQ(queue.Watermark(30), 30);
}

TEST(IngestQueueTest, AnAbandonedTaskHoldsTheWatermarkForever) {
  IngestQueue queue(4);
  ASSERT_TRUE(queue.Push(Task(3)));
  ASSERT_EQ(queue.PopUpTo(1).size(), 1u);  // a worker took it and gave up at shut-down
  queue.Close();
  EXPECT_EQ(queue.Watermark(8), 2);
}

TEST(IngestQueueTest, PushWaitsForRoomAndCloseWakesEveryone) {
  IngestQueue queue(1);
  ASSERT_TRUE(queue.Push(Task(1)));
  bool pushed = true;
  std::thread producer([&] { pushed = queue.Push(Task(2)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(queue.queued(), 1u);  // the producer waits
  queue.Close();
  producer.join();
  EXPECT_FALSE(pushed);
  EXPECT_TRUE(queue.PopUpTo(1).empty());
}

TEST(IngestQueueTest, WaitIdleReturnsOnceEveryTaskIsDone) {
  IngestQueue queue(4);
  ASSERT_TRUE(queue.Push(Task(1)));
  std::thread worker([&] {
    const IngestTask task = queue.PopUpTo(1).at(0);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    queue.Done(task);
  });
  EXPECT_TRUE(queue.WaitIdle());
  EXPECT_EQ(queue.in_progress(), 0u);
  worker.join();
}

TEST(IngestQueueTest, ABatchTakesTheOldestQueuedTasksUpToItsSizeWithoutWaitingForMore) {
  IngestQueue queue(8);
  for (int64_t seq = 1; seq <= 3; ++seq) ASSERT_TRUE(queue.Push(Task(seq)));
  const std::vector<IngestTask> first = queue.PopUpTo(2);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].seq, 1);
  EXPECT_EQ(first[1].seq, 2);
  const std::vector<IngestTask> rest = queue.PopUpTo(5);  // only one left: no waiting for five
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].seq, 3);
  EXPECT_EQ(queue.in_progress(), 3u);
  queue.Done(first[1]);
  queue.Done(rest[0]);
  EXPECT_EQ(queue.Watermark(10), 0);  // seq 1 is still being written
  queue.Done(first[0]);
  EXPECT_EQ(queue.Watermark(10), 10);
}

TEST(IngestQueueTest, ACapacityOfZeroIsRefused) {
  EXPECT_THROW(IngestQueue queue(0), Error);
}

}  // namespace
}  // namespace ecg::plugin
