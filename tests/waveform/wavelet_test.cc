// The quadratic-spline wavelet transform (waveform/wavelet.h) on signals whose transform is
// known: zero on a constant, 2^k x slope on a ramp, a modulus maximum at a step at every scale,
// and the delineator's wavelet QRS variant on a wave with known corners.
#include "waveform/wavelet.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "tests/waveform/measure_signals.h"
#include "waveform/delineation.h"
#include "waveform/ecg_measure.h"

namespace ecg {
namespace {

TEST(Wavelet, AConstantSignalHasAZeroTransformAtEveryScale) {
  const std::vector<float> x(200, 321.0f);
  const auto w = QuadraticSplineWavelet(x.data(), x.size(), 5);
  ASSERT_EQ(w.size(), 5u);
  for (const auto& scale : w) {
    ASSERT_EQ(scale.size(), x.size());
    for (double v : scale) EXPECT_DOUBLE_EQ(v, 0.0);
  }
}

TEST(Wavelet, ARampGivesTwoToTheScaleTimesItsSlopeAwayFromTheEnds) {
  std::vector<float> x(400);
  for (size_t i = 0; i < x.size(); ++i) x[i] = 3.0f * static_cast<float>(i);
  const auto w = QuadraticSplineWavelet(x.data(), x.size(), 4);
  for (int k = 1; k <= 4; ++k) {
    for (size_t i = 100; i < 300; ++i) EXPECT_NEAR(w[k - 1][i], 3.0 * (1 << k), 1e-9) << k;
  }
}

TEST(Wavelet, AStepHasItsModulusMaximumAtTheStepAtEveryScale) {
  // x jumps between samples 149 and 150: the derivative is centred at 149.5, and W[k][i] is
  // centred at i + 0.5, so the largest |W| is at 149 (the kernel is symmetric about it).
  std::vector<float> x(300, 0.0f);
  std::fill(x.begin() + 150, x.end(), 1000.0f);
  const auto w = QuadraticSplineWavelet(x.data(), x.size(), 4);
  for (int k = 1; k <= 4; ++k) {
    const auto& s = w[k - 1];
    const auto peak = std::max_element(s.begin(), s.end()) - s.begin();
    EXPECT_EQ(peak, 149) << "scale 2^" << k;
    // The kernel is symmetric: equal values either side of the centre.
    EXPECT_NEAR(s[149 - 2], s[149 + 2], 1e-9) << k;
    // And it has a finite support, which doubles with the scale: zero far from the step.
    EXPECT_DOUBLE_EQ(s[149 - (4 << k)], 0.0) << k;
    EXPECT_DOUBLE_EQ(s[149 + (4 << k)], 0.0) << k;
  }
}

TEST(Wavelet, ScalesFollowTheSampleRateFromMartinezs250Hz) {
  EXPECT_EQ(WaveletScaleAt(2, 250), 2);
  EXPECT_EQ(WaveletScaleAt(2, 500), 3);
  EXPECT_EQ(WaveletScaleAt(2, 1000), 4);
  EXPECT_EQ(WaveletScaleAt(2, 360), 3);  // log2(1.44) = 0.53 rounds up
  EXPECT_EQ(WaveletScaleAt(1, 125), 1);  // never below 2^1
}

TEST(Wavelet, TheWaveletQrsVariantFindsKnownQrsCornersWithinAFewMilliseconds) {
  testing::KnownEcgOptions o;
  o.qrs_ms = 110;
  const testing::KnownEcg ecg = testing::MakeKnownEcg(o);
  MeasureOptions options;
  DelineationOptions& d = options.delineation;
  d.qrs_wavelet = true;
  d.qrs_agree_ms = 15;
  d.qrs_wavelet_waves = 5;
  d.qrs_wavelet_any_sign = true;
  d.qrs_wavelet_settle_uV = 5;
  const EcgMeasurements m = MeasureEcg(ecg.signal, options);
  ASSERT_TRUE(m.boundaries && m.qrs_ms);
  EXPECT_NEAR(*m.qrs_ms, 110, 6);
  // Without the settling step, the wavelet's kernel reaches the sharp corners early: the
  // variant as Martinez wrote it widens this QRS (docs/measurements.md).
  d.qrs_wavelet_settle_uV = 0;
  const EcgMeasurements raw = MeasureEcg(ecg.signal, options);
  ASSERT_TRUE(raw.qrs_ms);
  EXPECT_GT(*raw.qrs_ms, *m.qrs_ms);
}

}  // namespace
}  // namespace ecg
