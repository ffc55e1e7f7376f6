// Signals that cannot be measured (fully or in part) give nulls with reasons, never a crash and
// never a made-up number.
#include <gtest/gtest.h>

#include <random>

#include "tests/support/test_env.h"
#include "tests/support/wfdb_writer.h"
#include "tests/waveform/measure_signals.h"
#include "waveform/canonical.h"
#include "waveform/ecg_measure.h"
#include "waveform/wfdb.h"

namespace ecg {
namespace {

using testing::KnownEcgOptions;
using testing::MakeKnownEcg;

EcgSignal AllRecorded(double rate, size_t n) {
  EcgSignal s(rate, n);
  for (Lead lead : AllLeads()) s.set_status(lead, LeadStatus::kRecorded);
  return s;
}

// Every field null, each with a reason containing `why`.
void ExpectAllNull(const EcgMeasurements& m, const std::string& why) {
  for (const std::string& f : MeasurementFieldNames()) {
    EXPECT_FALSE(MeasurementField(m, f).has_value()) << f;
    ASSERT_TRUE(m.reasons.count(f)) << f;
    EXPECT_NE(m.reasons.at(f).find(why), std::string::npos) << f << ": " << m.reasons.at(f);
  }
  EXPECT_EQ(m.rhythm, "unknown");
}

TEST(MeasureBadSignals, AFlatLineGivesNoFigures) {
  const EcgMeasurements m = MeasureEcg(AllRecorded(500, 5000));
  ExpectAllNull(m, "flat line");
  EXPECT_TRUE(m.quality.flat);
}

TEST(MeasureBadSignals, PureNoiseGivesNoFigures) {
  EcgSignal s = AllRecorded(500, 5000);
  std::mt19937 rng(11);
  std::normal_distribution<float> noise(0, 200);
  for (size_t i = 0; i < s.data_uV().size(); ++i) s.mutable_data_uV()[i] = std::round(noise(rng));
  const EcgMeasurements m = MeasureEcg(s);
  ExpectAllNull(m, "noise");
  EXPECT_TRUE(m.quality.noisy);
}

TEST(MeasureBadSignals, AVeryShortSignalGivesNoFigures) {
  KnownEcgOptions o;
  o.duration_s = 1.2;
  ExpectAllNull(MeasureEcg(MakeKnownEcg(o).signal), "too short");
  ExpectAllNull(MeasureEcg(AllRecorded(500, 1)), "too short");
  ExpectAllNull(MeasureEcg(AllRecorded(500, 0)), "too short");
}

TEST(MeasureBadSignals, NoLeadAtAllGivesNoFigures) {
  ExpectAllNull(MeasureEcg(EcgSignal(500, 5000)), "no lead");
}

TEST(MeasureBadSignals, OneLeadGivesIntervalsButNoAxes) {
  const EcgSignal full = MakeKnownEcg({}).signal;
  EcgSignal one(500, full.samples_per_lead());
  std::copy_n(full.lead_uV(Lead::kV5), full.samples_per_lead(), one.lead_uV(Lead::kV5));
  one.set_status(Lead::kV5, LeadStatus::kRecorded);
  const EcgMeasurements m = MeasureEcg(one);
  EXPECT_TRUE(m.quality.reduced_leads);
  EXPECT_EQ(m.quality.leads_used, 1u);
  EXPECT_TRUE(m.heart_rate_bpm && m.qrs_ms && m.qt_ms);
  for (const char* axis : {"p_axis_deg", "qrs_axis_deg", "t_axis_deg"}) {
    EXPECT_FALSE(MeasurementField(m, axis).has_value());
    EXPECT_NE(m.reasons.at(axis).find("leads I and aVF"), std::string::npos);
  }
}

TEST(MeasureBadSignals, At100HzTheDurationsAreLeftOutAndTheRestMeasured) {
  KnownEcgOptions o;
  o.sample_rate_hz = 100;
  const EcgMeasurements direct = MeasureEcg(MakeKnownEcg(o).signal);
  MeasureOptions resampled_from_100;
  resampled_from_100.source_sample_rate_hz = 100;
  const EcgMeasurements declared = MeasureEcg(MakeKnownEcg({}).signal, resampled_from_100);
  for (const EcgMeasurements* m : {&direct, &declared}) {
    EXPECT_TRUE(m->quality.low_sample_rate);
    for (const char* f : {"p_ms", "pr_ms", "qrs_ms"}) {
      EXPECT_FALSE(MeasurementField(*m, f).has_value()) << f;
      EXPECT_NE(m->reasons.at(f).find("100 Hz"), std::string::npos) << f;
    }
    ASSERT_TRUE(m->heart_rate_bpm && m->qt_ms && m->qrs_axis_deg);
    EXPECT_NEAR(*m->heart_rate_bpm, 70, 1);
    EXPECT_NEAR(*m->qt_ms, 380, 15);
    EXPECT_NEAR(*m->qrs_axis_deg, 40, 5);
  }
}

TEST(MeasureBadSignals, AtrialFibrillationHasNoPWaveAndSaysWhy) {
  KnownEcgOptions o;
  o.fibrillation = true;
  const EcgMeasurements m = MeasureEcg(MakeKnownEcg(o).signal);
  EXPECT_EQ(m.rhythm, "atrial fibrillation/flutter (no P wave)");
  EXPECT_TRUE(m.quality.irregular_rr);
  for (const char* f : {"p_ms", "pr_ms", "p_axis_deg"}) {
    EXPECT_FALSE(MeasurementField(m, f).has_value()) << f;
    EXPECT_NE(m.reasons.at(f).find("atrial fibrillation"), std::string::npos) << f;
  }
  ASSERT_TRUE(m.qrs_ms && m.qt_ms && m.heart_rate_bpm);
  EXPECT_NEAR(*m.qrs_ms, 90, 8);
}

// Of 16 five-second atrial fibrillation ECGs (seeds 1-16) recorded at `rate_hz` and measured as
// an archive's record is (WFDB, canonicalised to 500 Hz, told its source rate), how many the
// product still finds a recurring P wave in (a P axis, a rhythm other than atrial fibrillation).
size_t ShortFibrillationsWithAPWave(double rate_hz) {
  size_t with_p = 0;
  for (uint32_t seed = 1; seed <= 16; ++seed) {
    KnownEcgOptions o;
    o.sample_rate_hz = rate_hz;
    o.duration_s = 5;
    o.fibrillation = true;
    o.seed = seed;
    testing::TempDir dir;
    testing::WriteWfdb(MakeKnownEcg(o).signal, dir.path(), "af");
    const WfdbRecord record = ReadWfdbRecord(dir.File("af"));
    MeasureOptions options;
    options.source_sample_rate_hz = record.group.sample_rate_hz;
    const EcgMeasurements m = MeasureEcg(Canonicalise(record.group), options);
    const bool p_wave = m.rhythm != "atrial fibrillation/flutter (no P wave)";
    EXPECT_EQ(p_wave, m.p_axis_deg.has_value()) << "seed " << seed << ": " << m.rhythm;
    with_p += p_wave;
  }
  return with_p;
}

// The P wave must recur beat by beat: each beat's P segment is compared with the median of the
// other beats' (method version 7). Compared with a median that includes the beat itself, as up to
// version 6, a short record's fibrillation waves resembled it by chance: 6 (500 Hz) and 8 (100
// Hz) of these 16 records were called sinus; now 3 and 3. The synthetic f wave is one regular
// 5.5 Hz wave in every lead (closer to coarse flutter than to fibrillation), which still passes
// for a P wave now and then; PTB-XL's real atrial fibrillation: docs/measurements.md, "Rhythm
// against PTB-XL's cardiologists".
TEST(MeasureBadSignals, ShortAtrialFibrillationRecordsRarelyPassForARecurringPWave) {
  EXPECT_LE(ShortFibrillationsWithAPWave(500), 4u);
  EXPECT_LE(ShortFibrillationsWithAPWave(100), 4u);
}

TEST(MeasureBadSignals, APWaveLongerThan200MsIsNotMeasuredButTheRhythmStays) {
  KnownEcgOptions o;
  o.p_ms = 240;
  o.pr_ms = 300;
  const EcgMeasurements m = MeasureEcg(MakeKnownEcg(o).signal);
  EXPECT_EQ(m.rhythm, "sinus");
  for (const char* f : {"p_ms", "pr_ms", "p_axis_deg"}) {
    EXPECT_FALSE(MeasurementField(m, f).has_value()) << f;
    EXPECT_NE(m.reasons.at(f).find("implausible P wave"), std::string::npos) << m.reasons.at(f);
  }
  EXPECT_TRUE(m.qrs_ms && m.qt_ms && m.qrs_axis_deg);
  // A long P wave that a P wave can be (interatrial block) is still measured.
  o.p_ms = 170;
  o.pr_ms = 230;
  const EcgMeasurements wide = MeasureEcg(MakeKnownEcg(o).signal);
  ASSERT_TRUE(wide.p_ms && wide.pr_ms && wide.p_axis_deg);
  EXPECT_NEAR(*wide.p_ms, 170, 15);
}

TEST(MeasureBadSignals, PacingSpikesGiveAPacedRhythmWithoutPWave) {
  KnownEcgOptions o;
  o.pacing_spikes = true;
  const EcgMeasurements m = MeasureEcg(MakeKnownEcg(o).signal);
  EXPECT_EQ(m.rhythm, "paced");
  EXPECT_TRUE(m.quality.pacing_spikes);
  EXPECT_FALSE(m.pr_ms.has_value());
  EXPECT_NE(m.reasons.at("pr_ms").find("paced"), std::string::npos);
  EXPECT_TRUE(m.qrs_ms.has_value());
}

TEST(MeasureBadSignals, ArbitraryRatesLengthsAndValuesNeverCrash) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> value(-5000, 5000);
  for (double rate : {50.0, 100.0, 128.0, 250.0, 257.0, 500.0, 2000.0}) {
    for (size_t n : {0, 1, 2, 3, 17, 300, 2600}) {
      EcgSignal s = AllRecorded(rate, n);
      for (size_t i = 0; i < s.data_uV().size(); ++i) s.mutable_data_uV()[i] = value(rng);
      const EcgMeasurements m = MeasureEcg(s);
      for (const std::string& f : MeasurementFieldNames()) {
        EXPECT_TRUE(MeasurementField(m, f).has_value() || m.reasons.count(f)) << f;
      }
    }
  }
}

}  // namespace
}  // namespace ecg
