// The half-band decimator's vector paths (16 floats with AVX-512, 8 with AVX2, both with FMA)
// agree bit for bit, for lengths that end inside, at and past a vector, and down to a single
// sample; the baseline path (no FMA) agrees with them to float rounding.
#include "waveform/halfband.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace ecg {
namespace {

std::vector<std::vector<float>> Decimate(const std::vector<std::vector<float>>& in, size_t n,
                                         HalfbandIsa isa) {
  std::vector<std::vector<float>> out(in.size(), std::vector<float>((n + 1) / 2, -1.0f));
  std::vector<const float*> from;
  std::vector<float*> to;
  for (size_t c = 0; c < in.size(); ++c) {
    from.push_back(in[c].data());
    to.push_back(out[c].data());
  }
  HalfbandDecimate(from.data(), in.size(), n, to.data(), isa);
  return out;
}

TEST(Halfband, TheWidestVectorsGiveTheSameSamplesAsEightFloatVectors) {
  std::mt19937 rng(42);
  std::normal_distribution<float> noise(0.0f, 800.0f);
  for (size_t n : {1, 2, 3, 15, 16, 17, 31, 32, 33, 47, 48, 64, 97, 1001, 10000}) {
    std::vector<std::vector<float>> in(3, std::vector<float>(n));
    for (auto& channel : in) {
      for (float& x : channel) x = noise(rng);
    }
    EXPECT_EQ(Decimate(in, n, HalfbandIsa::kWidest), Decimate(in, n, HalfbandIsa::kEight))
        << n << " samples";
  }
}

TEST(Halfband, TheBaselinePathWithoutFmaDiffersOnlyByFloatRounding) {
  std::mt19937 rng(7);
  std::normal_distribution<float> noise(0.0f, 800.0f);
  for (size_t n : {1, 17, 33, 1001, 10000}) {
    std::vector<std::vector<float>> in(2, std::vector<float>(n));
    for (auto& channel : in) {
      for (float& x : channel) x = noise(rng);
    }
    const auto fused = Decimate(in, n, HalfbandIsa::kWidest);
    const auto separate = Decimate(in, n, HalfbandIsa::kBaseline);
    for (size_t c = 0; c < in.size(); ++c) {
      for (size_t j = 0; j < fused[c].size(); ++j) {
        // Inputs of a few thousand uV: a float's last bit is 2^-12 uV or less; 25 products and
        // sums can differ by a few of them.
        ASSERT_NEAR(fused[c][j], separate[c][j], 2e-3f) << n << " samples, output " << j;
      }
    }
  }
}

TEST(Halfband, AConstantSignalKeepsItsLevelToTheLastOutput) {
  for (HalfbandIsa isa : {HalfbandIsa::kWidest, HalfbandIsa::kEight, HalfbandIsa::kBaseline}) {
    for (size_t n : {1, 9, 33, 1000}) {
      const std::vector<std::vector<float>> in(2, std::vector<float>(n, 250.0f));
      for (const auto& channel : Decimate(in, n, isa)) {
        for (float y : channel) EXPECT_NEAR(y, 250.0f, 1e-3f) << n << " samples";
      }
    }
  }
}

}  // namespace
}  // namespace ecg
