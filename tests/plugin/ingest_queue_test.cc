// The ingest queue's watermark never passes a change whose ECG is not yet written, so the saved
// cursor never skips an ECG; the queue is bounded and wakes everybody when closed.
#include "plugin/ingest_queue.h"

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
  const IngestTask first = *queue.Pop();
  const IngestTask second = *queue.Pop();
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
  ASSERT_TRUE(queue.Pop().has_value());  // a worker took it and gave up at shut-down
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
  EXPECT_FALSE(queue.Pop().has_value());
}

TEST(IngestQueueTest, WaitIdleReturnsOnceEveryTaskIsDone) {
  IngestQueue queue(4);
  ASSERT_TRUE(queue.Push(Task(1)));
  std::thread worker([&] {
    const IngestTask task = *queue.Pop();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    queue.Done(task);
  });
  EXPECT_TRUE(queue.WaitIdle());
  EXPECT_EQ(queue.in_progress(), 0u);
  worker.join();
}

TEST(IngestQueueTest, ACapacityOfZeroIsRefused) {
  EXPECT_THROW(IngestQueue queue(0), Error);
}

}  // namespace
}  // namespace ecg::plugin
