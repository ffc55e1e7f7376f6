// The indeterminate frontal QRS axis (waveform/ecg_measure.h): a QRS equiphasic in leads I and
// aVF has no axis, with a reason; a QRS with a clear net deflection keeps its axis.
#include <gtest/gtest.h>

#include <string>

#include "tests/waveform/measure_signals.h"
#include "waveform/ecg_measure.h"

namespace ecg {
namespace {

using testing::KnownEcgOptions;
using testing::MakeKnownEcg;

TEST(MeasureAxis, AnRsComplexAsDeepAsItIsTallHasAnIndeterminateQrsAxis) {
  for (double axis : {-30.0, 40.0, 120.0}) {
    KnownEcgOptions o;
    o.qrs_axis_deg = axis;
    o.s_depth = 0.97;  // the S's area cancels the q's and the R's: net about 0 in every lead
    o.noise_uV = 10;
    const EcgMeasurements m = MeasureEcg(MakeKnownEcg(o).signal);
    EXPECT_FALSE(m.qrs_axis_deg.has_value()) << axis << ": " << *m.qrs_axis_deg;
    ASSERT_TRUE(m.reasons.count("qrs_axis_deg")) << axis;
    EXPECT_NE(m.reasons.at("qrs_axis_deg").find("indeterminate: the QRS is equiphasic"),
              std::string::npos)
        << m.reasons.at("qrs_axis_deg");
    // The other waves' axes and the intervals are measured as before.
    ASSERT_TRUE(m.qrs_ms && m.p_axis_deg && m.t_axis_deg) << axis;
    EXPECT_NEAR(*m.p_axis_deg, o.p_axis_deg, 3.0);
    EXPECT_NEAR(*m.t_axis_deg, o.t_axis_deg, 3.0);
  }
}

TEST(MeasureAxis, AQrsWithAClearNetDeflectionKeepsItsAxis) {
  for (double s_depth : {0.0, 0.3, 0.6}) {
    for (double axis : {-60.0, 0.0, 75.0, 170.0}) {
      KnownEcgOptions o;
      o.qrs_axis_deg = axis;
      o.s_depth = s_depth;
      o.noise_uV = 10;
      const EcgMeasurements m = MeasureEcg(MakeKnownEcg(o).signal);
      ASSERT_TRUE(m.qrs_axis_deg.has_value())
          << s_depth << " " << axis << ": "
          << (m.reasons.count("qrs_axis_deg") ? m.reasons.at("qrs_axis_deg") : std::string());
      EXPECT_NEAR(*m.qrs_axis_deg, axis, 4.0) << s_depth;
      EXPECT_FALSE(m.reasons.count("qrs_axis_deg"));
    }
  }
}

}  // namespace
}  // namespace ecg
