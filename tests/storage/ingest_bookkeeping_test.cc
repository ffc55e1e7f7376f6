#include <gtest/gtest.h>

#include "tests/storage/store_fixture.h"

namespace ecg::testing {
namespace {

using IngestBookkeepingTest = StoreTest;

TEST_F(IngestBookkeepingTest, AnErrorSeenTwiceCountsTwoAttemptsAndKeepsTheLatestReason) {
  store_->RecordIngestError("inst-a", "decode: no waveform sequence");
  store_->RecordIngestError("inst-b", "decode: 3 channels");
  store_->RecordIngestError("inst-a", "decode: truncated waveform data");
  const std::vector<IngestError> errors = store_->ListIngestErrors(10);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].orthanc_instance_id, "inst-a");  // most recently seen first
  EXPECT_EQ(errors[0].reason, "decode: truncated waveform data");
  EXPECT_EQ(errors[0].attempts, 2);
  EXPECT_LE(errors[0].first_seen_ms, errors[0].last_seen_ms);
  EXPECT_EQ(errors[1].attempts, 1);
  EXPECT_EQ(store_->CountIngestErrors(), 2);
}

TEST_F(IngestBookkeepingTest, ErrorsArePagedAndCleared) {
  for (int i = 0; i < 5; ++i) store_->RecordIngestError("inst-" + std::to_string(i), "bad");
  EXPECT_EQ(store_->ListIngestErrors(2, 4).size(), 1u);
  store_->ClearIngestError("inst-3");
  store_->ClearIngestError("never-failed");
  EXPECT_EQ(store_->CountIngestErrors(), 4);
}

TEST_F(IngestBookkeepingTest, TheCursorIsAbsentUntilSavedThenHoldsTheLastValue) {
  EXPECT_FALSE(store_->LoadCursor().has_value());
  store_->SaveCursor(41);
  store_->SaveCursor(42);
  store_->SaveCursor(7, "other");
  EXPECT_EQ(store_->LoadCursor(), 42);
  EXPECT_EQ(store_->LoadCursor("other"), 7);
}

}  // namespace
}  // namespace ecg::testing
