#include "waveform/resample.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <thread>

#include "waveform/error.h"

namespace ecg {
namespace {

constexpr double kPi = 3.14159265358979323846;
const double kRates_hz[] = {100, 128, 250, 257, 360, 500, 1000, 1024};

std::vector<float> Sine(double freq_hz, double rate_hz, size_t n, double amplitude = 1000.0,
                        double offset = 0.0, double phase = 0.3) {
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i) {
    x[i] =
        static_cast<float>(offset + amplitude * std::sin(2 * kPi * freq_hz * i / rate_hz + phase));
  }
  return x;
}

// Output samples within this many of either end feel the mirrored edges.
size_t EdgeMargin(const Resampler& r) {
  return static_cast<size_t>(std::ceil(r.taps_per_output() * r.out_rate_hz() / r.in_rate_hz())) + 2;
}

// Largest |y - expected| away from the ends, relative to the amplitude.
double InteriorError(const std::vector<float>& y, const std::vector<float>& expected, size_t margin,
                     double amplitude) {
  double worst = 0;
  for (size_t i = margin; i + margin < y.size(); ++i) {
    worst = std::max(worst, std::fabs(y[i] - expected[i]) / amplitude);
  }
  return worst;
}

double InteriorRms(const std::vector<float>& y, size_t margin) {
  double sum = 0;
  size_t count = 0;
  for (size_t i = margin; i + margin < y.size(); ++i, ++count) sum += double(y[i]) * y[i];
  return std::sqrt(sum / count);
}

TEST(Resampler, OutputLengthIsTheRoundedRatioTimesTheInputLength) {
  EXPECT_EQ(Resampler(1000, 500).OutputLength(10000), 5000u);
  EXPECT_EQ(Resampler(250, 500).OutputLength(2500), 5000u);
  EXPECT_EQ(Resampler(257, 500).OutputLength(2570), 5000u);
  EXPECT_EQ(Resampler(257, 500).OutputLength(1001), 1947u);  // 1947.47
  EXPECT_EQ(Resampler(360, 500).OutputLength(7), 10u);       // 9.72
  EXPECT_EQ(Resampler(1024, 500).OutputLength(0), 0u);
  EXPECT_EQ(Resample(std::vector<float>(1001, 1.0f), 257, 500).size(), 1947u);
}

TEST(Resampler, EqualRatesCopyTheSamplesExactly) {
  const auto x = Sine(37, 500, 5000, 1234.5);
  const Resampler r(500, 500);
  EXPECT_EQ(r.taps_per_output(), 0u);
  EXPECT_EQ(r.Process(x), x);
}

TEST(Resampler, LinearRampsPassUnchangedIncludingTheEnds) {
  std::vector<float> x(1000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = 50.0f + 0.5f * i;
  const auto y = Resample(x, 1000, 500);
  for (size_t j = 0; j < y.size(); ++j) ASSERT_NEAR(y[j], 50.0 + j, 1e-2) << j;
}

TEST(Resampler, ConstantSignalsPassUnchangedAtEveryRatioIncludingTheEnds) {
  for (double in : kRates_hz) {
    for (double out : kRates_hz) {
      const auto y = Resample(std::vector<float>(997, -321.0f), in, out);
      for (float v : y) ASSERT_NEAR(v, -321.0f, 2e-3) << in << " Hz -> " << out << " Hz";
    }
  }
}

TEST(Resampler, PassbandSinesKeepAmplitudeAndPhaseWithinTwoPerMille) {
  for (double in : kRates_hz) {
    for (double out : kRates_hz) {
      const Resampler r(in, out);
      const double low_nyquist_hz = std::min(in, out) / 2;
      for (double fraction : {0.05, 0.3, 0.55}) {
        const double f = fraction * low_nyquist_hz;
        const size_t n = static_cast<size_t>(4 * in);
        const auto y = r.Process(Sine(f, in, n, 1000, 200));
        const auto expected = Sine(f, out, y.size(), 1000, 200);
        EXPECT_LT(InteriorError(y, expected, EdgeMargin(r), 1000), 2e-3)
            << in << " Hz -> " << out << " Hz, sine at " << f << " Hz";
      }
    }
  }
}

TEST(Resampler, SinesAboveTheNewNyquistFrequencyAreAttenuatedByFiftyDecibels) {
  for (double in : {1000.0, 1024.0, 500.0, 360.0}) {
    for (double out : {500.0, 360.0, 250.0, 100.0}) {
      if (out >= in) continue;
      const Resampler r(in, out);
      for (double fraction : {1.15, 1.5, 1.9}) {
        const double f = fraction * out / 2;
        if (f >= in / 2) continue;
        const auto y = r.Process(Sine(f, in, static_cast<size_t>(4 * in)));
        EXPECT_LT(InteriorRms(y, EdgeMargin(r)), 1000 / std::sqrt(2.0) * 3.2e-3)
            << in << " Hz -> " << out << " Hz, sine at " << f << " Hz";
      }
    }
  }
}

TEST(Resampler, KernelsStayShortForTheCommonEcgRates) {
  EXPECT_EQ(Resampler(250, 500).taps_per_output(), 16u);
  EXPECT_EQ(Resampler(100, 500).taps_per_output(), 16u);
  EXPECT_EQ(Resampler(1000, 500).taps_per_output(), 25u);  // half-band
  EXPECT_EQ(Resampler(1000, 500, {8, 0.8, 5.65}).taps_per_output(), 32u);
}

TEST(Resampler, ConcurrentUseGivesTheSameResultAsSequentialUse) {
  const auto x = Sine(11, 1000, 10000);
  const auto expected = Resample(x, 1000, 500);
  std::vector<std::vector<float>> results(4);
  std::vector<std::thread> threads;
  for (auto& result : results) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) result = Resampler(1000, 500).Process(x);
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& result : results) EXPECT_EQ(result, expected);
}

TEST(Resampler, TwelveChannelsAtOnceMatchOneChannelAtATime) {
  const Resampler r(1000, 500);
  std::vector<std::vector<float>> x, y(12, std::vector<float>(r.OutputLength(3000)));
  std::vector<const float*> in;
  std::vector<float*> out;
  for (size_t c = 0; c < 12; ++c) {
    x.push_back(Sine(3.0 + 7 * c, 1000, 3000, 100.0 * c, 5.0 * c));
    in.push_back(x.back().data());
    out.push_back(y[c].data());
  }
  r.ProcessChannels(in.data(), 12, 3000, out.data());
  for (size_t c = 0; c < 12; ++c) EXPECT_EQ(y[c], r.Process(x[c])) << "channel " << c;
}

TEST(Resampler, ShortSignalsAreHandledWithoutReadingOutOfRange) {
  const auto one = Resample({5.0f}, 1000, 500);  // half-band path
  ASSERT_EQ(one.size(), 1u);
  EXPECT_NEAR(one[0], 5.0f, 1e-5f);
  for (size_t n : {2, 3, 17, 31, 47, 49}) {  // around the half-band's 24-sample reach
    const auto y = Resample(std::vector<float>(n, -7.0f), 1000, 500);
    ASSERT_EQ(y.size(), (n + 1) / 2);
    for (float v : y) EXPECT_NEAR(v, -7.0f, 1e-5f) << n;
  }
  const auto y = Resample({1.0f, 3.0f}, 100, 500);
  ASSERT_EQ(y.size(), 10u);
  // Within the range of the signal and its one-step reflections (-1 and 5).
  for (float v : y) EXPECT_TRUE(v > -1.0f && v < 5.0f) << v;
  EXPECT_NEAR(y[0], 1.0f, 0.2f);
}

TEST(Resampler, NonIntegerRatesAreApproximatedClosely) {
  const Resampler r(499.7, 500);
  const auto y = r.Process(Sine(20, 499.7, 4997));
  const auto expected = Sine(20, 500, y.size());
  EXPECT_LT(InteriorError(y, expected, EdgeMargin(r), 1000), 2e-3);
}

TEST(Resampler, RefusesNonPositiveRatesAndBadOptions) {
  EXPECT_THROW(Resampler(0, 500), Error);
  EXPECT_THROW(Resampler(500, -1), Error);
  EXPECT_THROW(Resampler(NAN, 500), Error);
  ResampleOptions options;
  options.cutoff = 1.5;
  EXPECT_THROW(Resampler(250, 500, options), Error);
}

}  // namespace
}  // namespace ecg
