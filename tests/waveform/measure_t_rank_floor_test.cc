// The T rank floor (DelineationOptions::t_rank_floor, docs/measurements.md "T peak agreement
// for flat leads only, or with the rank lowered"): the leads that the T peak agreement leaves out
// count against t_lead_rank, so a lead left out that the rank would have passed over anyway changes
// nothing.
#include <gtest/gtest.h>

#include <cmath>
#include <initializer_list>

#include "tests/waveform/measure_signals.h"
#include "waveform/ecg_measure.h"

namespace ecg {
namespace {

using testing::KnownEcgOptions;
using testing::MakeKnownEcg;

MeasureOptions Variant(double agree_ms, int floor) {
  MeasureOptions o;
  o.delineation.t_peak_agree_ms = agree_ms;
  o.delineation.t_rank_floor = floor;
  return o;
}

// `ecg` with a half sine of `uV` from `from_s` to `to_s` after each QRS onset added to `leads`
// (precordial leads: the limb leads are not derived again).
void AddWave(testing::KnownEcg& ecg, double rate, double from_s, double to_s, double uV,
             std::initializer_list<Lead> leads) {
  const long n = static_cast<long>(ecg.signal.samples_per_lead());
  for (double on : ecg.qrs_onsets_s) {
    for (long i = std::lround((on + from_s) * rate); i <= std::lround((on + to_s) * rate); ++i) {
      if (i < 0 || i >= n) continue;
      const double wave = uV * std::sin(M_PI * (i / rate - on - from_s) / (to_s - from_s));
      for (Lead lead : leads) ecg.signal.lead_uV(lead)[i] += static_cast<float>(std::round(wave));
    }
  }
}

// V3 and V4 have their T 60 ms late (peaking within 100 ms of the others'), V5 and V6 peak on a
// late wave larger than their T. Without the agreement the 4th latest lead is V3's or V4's late
// end; the agreement alone leaves V5 and V6 out and takes the 4th latest of the others, an
// ordinary lead's; with the floor the two left out lower the rank to 2, V3's or V4's again.
TEST(MeasureTRankFloor, TwoLeadsLeftOutCountAgainstTheRank) {
  KnownEcgOptions o;
  testing::KnownEcg ecg = MakeKnownEcg(o);
  const double t_on_s = (o.qt_ms - o.t_ms) / 1000, t_off_s = o.qt_ms / 1000;  // V3, V4: T x 1.0
  AddWave(ecg, o.sample_rate_hz, t_on_s, t_off_s, -o.t_uV, {Lead::kV3, Lead::kV4});
  AddWave(ecg, o.sample_rate_hz, t_on_s + 0.06, t_off_s + 0.06, o.t_uV, {Lead::kV3, Lead::kV4});
  AddWave(ecg, o.sample_rate_hz, 0.44, 0.56, 400, {Lead::kV5, Lead::kV6});
  const EcgMeasurements now = MeasureEcg(ecg.signal),
                        agree = MeasureEcg(ecg.signal, Variant(100, 0)),
                        floor = MeasureEcg(ecg.signal, Variant(100, 2));
  ASSERT_TRUE(now.qt_ms && agree.qt_ms && floor.qt_ms);
  EXPECT_GT(*now.qt_ms, o.qt_ms + 30);
  EXPECT_LT(*agree.qt_ms, *now.qt_ms - 30);
  EXPECT_NEAR(*floor.qt_ms, *now.qt_ms, 4) << *agree.qt_ms;
}

// Four leads on the late wave: the rank cannot pass over four; left out, they lower it to the
// floor and the others' T end is taken, as with the agreement alone.
TEST(MeasureTRankFloor, ALateWaveInFourLeadsStillDoesNotEndTheT) {
  for (double noise_uV : {0.0, 15.0}) {
    KnownEcgOptions o;
    o.noise_uV = noise_uV;
    testing::KnownEcg ecg = MakeKnownEcg(o);
    AddWave(ecg, o.sample_rate_hz, 0.44, 0.56, 400, {Lead::kV1, Lead::kV2, Lead::kV5, Lead::kV6});
    const EcgMeasurements now = MeasureEcg(ecg.signal),
                          floor = MeasureEcg(ecg.signal, Variant(100, 2));
    ASSERT_TRUE(now.qt_ms && floor.qt_ms) << noise_uV;
    EXPECT_GT(*now.qt_ms, o.qt_ms + 100) << noise_uV;
    EXPECT_NEAR(*floor.qt_ms, o.qt_ms, 14) << noise_uV;
  }
}

}  // namespace
}  // namespace ecg
