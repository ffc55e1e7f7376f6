// The delineator against LUDB's cardiologists (../shared/data/ludb; skipped without it). The
// bounds are loose on purpose: they catch a broken delineator, not a small regression. The
// figures themselves are in docs/measurements.md (orthanc-ecg measure-eval).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "tests/support/test_env.h"
#include "waveform/canonical.h"
#include "waveform/ecg_measure.h"
#include "waveform/wfdb.h"
#include "waveform/wfdb_annotations.h"

namespace ecg {
namespace {

struct Stats {
  size_t n = 0;
  double sum = 0, sum_sq = 0;
  void Add(double d) {
    ++n;
    sum += d;
    sum_sq += d * d;
  }
  double mean() const { return sum / n; }
  double sd() const { return std::sqrt(std::max(0.0, sum_sq / n - mean() * mean())); }
};

TEST(MeasureLudb, IntervalsAgreeLooselyWithTheCardiologists) {
  const auto data = testing::SharedDataDir();
  if (!data || !std::ifstream(*data + "/ludb/data/1.hea")) GTEST_SKIP() << "no LUDB";
  Stats qrs, qt, pr;
  size_t records = 0;
  for (int record = 1; record <= 199; record += 2) {
    const std::string base = *data + "/ludb/data/" + std::to_string(record);
    if (!std::ifstream(base + ".hea")) continue;
    ++records;
    const EcgMeasurements m = MeasureEcg(Canonicalise(ReadWfdbRecord(base).group));
    const LudbReference ref = LudbReferenceIntervals(base);
    if (m.qrs_ms && ref.qrs_ms) qrs.Add(*m.qrs_ms - *ref.qrs_ms);
    if (m.qt_ms && ref.qt_ms) qt.Add(*m.qt_ms - *ref.qt_ms);
    if (m.pr_ms && ref.pr_ms) pr.Add(*m.pr_ms - *ref.pr_ms);
  }
  ASSERT_GE(records, 90u);
  EXPECT_GE(qrs.n, records * 9 / 10);
  EXPECT_GE(qt.n, records * 9 / 10);
  EXPECT_GE(pr.n, records * 7 / 10);
  EXPECT_LT(std::abs(qrs.mean()), 40);
  EXPECT_LT(qrs.sd(), 30);
  EXPECT_LT(std::abs(qt.mean()), 60);
  EXPECT_LT(qt.sd(), 50);
  EXPECT_LT(std::abs(pr.mean()), 30);
  EXPECT_LT(pr.sd(), 35);
}

TEST(MeasureLudb, ReferenceIntervalsOfTheFirstRecordArePlausible) {
  const auto data = testing::SharedDataDir();
  if (!data || !std::ifstream(*data + "/ludb/data/1.hea")) GTEST_SKIP() << "no LUDB";
  const LudbReference ref = LudbReferenceIntervals(*data + "/ludb/data/1");
  EXPECT_GE(ref.beats, 5u);
  ASSERT_TRUE(ref.qrs_ms && ref.qt_ms && ref.pr_ms && ref.p_ms);
  EXPECT_GT(*ref.qrs_ms, 60);
  EXPECT_LT(*ref.qrs_ms, 200);
  EXPECT_GT(*ref.qt_ms, 300);
  EXPECT_LT(*ref.qt_ms, 600);
  EXPECT_GT(*ref.pr_ms, *ref.p_ms);
}

TEST(MeasureLudb, ReferenceBeatBoundariesAreOrderedAndGiveTheMeanIntervals) {
  const auto data = testing::SharedDataDir();
  if (!data || !std::ifstream(*data + "/ludb/data/1.hea")) GTEST_SKIP() << "no LUDB";
  const LudbReference ref = LudbReferenceIntervals(*data + "/ludb/data/1");
  ASSERT_EQ(ref.beat_boundaries.size(), ref.beats);
  ASSERT_TRUE(ref.qrs_ms);
  double qrs_sum_ms = 0;
  for (size_t k = 0; k < ref.beat_boundaries.size(); ++k) {
    const LudbBeat& b = ref.beat_boundaries[k];
    EXPECT_LT(b.qrs_onset, b.qrs_offset);
    if (b.p_onset >= 0) {
      EXPECT_LT(b.p_onset, b.p_offset);
      EXPECT_LT(b.p_offset, b.qrs_offset);
    }
    if (b.t_offset >= 0) {
      EXPECT_GT(b.t_offset, b.qrs_offset);
    }
    if (k > 0) {
      EXPECT_GT(b.qrs_onset, ref.beat_boundaries[k - 1].qrs_onset);
    }
    qrs_sum_ms += (b.qrs_offset - b.qrs_onset) * 2.0;  // 500 Hz
  }
  EXPECT_NEAR(qrs_sum_ms / ref.beats, *ref.qrs_ms, 1e-9);
}

}  // namespace
}  // namespace ecg
