#include <gtest/gtest.h>
#include <torch/torch.h>

#include "learning/embedder.h"
#include "learning/encoder.h"
#include "learning/evaluation.h"
#include "learning/model_zero.h"
#include "learning/trainer.h"
#include "learning/zero_block.h"
#include "synthetic_data.h"
#include "tests/support/test_env.h"
#include "waveform/error.h"

namespace ecg::learning {
namespace {

namespace F = torch::nn::functional;

ModelConfig ZeroBlockConfig(int64_t dim, double model_zero_share) {
  ModelConfig c = ModelConfig::Tiny();
  c.beat_branch = false;
  c.max_beats = kModelZeroMaxBeats;
  c.zero_block_dim = dim;
  c.zero_block_model_zero_share = model_zero_share;
  c.embedding_dim = c.zero_block_output_dim();
  return c;
}

double MeanCosine(const torch::Tensor& a, const torch::Tensor& b) {
  return (F::normalize(a, F::NormalizeFuncOptions().dim(1)) *
          F::normalize(b, F::NormalizeFuncOptions().dim(1)))
      .sum(1)
      .mean()
      .item<double>();
}

TEST(ModelConfig, TheZeroBlockNeedsTheModelZeroRateAndLeavesNoSliverOfLearnedDimensions) {
  EXPECT_EQ(ModelConfig::FromJson({{"width", 16}}).zero_block_dim, 0);
  EXPECT_NO_THROW(ModelConfig::FromJson({{"embedding_dim", 256}, {"zero_block_dim", 256}}));
  EXPECT_THROW(ModelConfig::FromJson({{"embedding_dim", 256}, {"zero_block_dim", 252}}), Error);
  EXPECT_THROW(ModelConfig::FromJson({{"embedding_dim", 900}, {"zero_block_dim", 900}}), Error);
  EXPECT_THROW(ModelConfig::FromJson({{"zero_block_dim", 128}, {"input_rate_hz", 250}}), Error);
  EXPECT_THROW(ModelConfig::FromJson({{"zero_block_dim", 128}, {"beat_block_dim", 32}}), Error);
  EXPECT_THROW(ModelConfig::FromJson({{"zero_block_dim", 64}, {"zero_block_shrinkage", 1.5}}),
               Error);
  ModelConfig both = ModelConfig::FromJson(
      {{"embedding_dim", 842 + 64}, {"zero_block_dim", 64}, {"zero_block_model_zero_share", 0.5}});
  EXPECT_EQ(both.learned_dim(), 0);
  ModelConfig sized = ModelConfig::FromJson({{"embedding_dim", 842 + 64 + 12},
                                             {"zero_block_dim", 64},
                                             {"zero_block_model_zero_share", 0.5},
                                             {"zero_block_size_share", 0.1}});
  EXPECT_EQ(sized.learned_dim(), 0);
  EXPECT_EQ(ModelConfig::FromJson(sized.ToJson()).zero_block_size_share, 0.1);
  EXPECT_THROW(ModelConfig::FromJson({{"zero_block_dim", 64}, {"zero_block_size_share", -0.1}}),
               Error);
}

// Features = an identity part (fixed per heart) + a nuisance part (changing between recordings,
// in a few strong directions). The positives' differences are pure nuisance, so the fitted
// whitening must make two recordings of one heart alike although the nuisance dominates them.
TEST(ZeroBlock, FitSuppressesTheDirectionsInWhichOneHeartsRecordingsDiffer) {
  torch::manual_seed(5);
  const int64_t d = kModelZeroDimension, n = 400;
  auto identity_axes = torch::randn({20, d}), nuisance_axes = torch::randn({5, d});
  auto hearts = torch::randn({n, 20}).mm(identity_axes);
  auto nuisance = [&] { return 3.0 * torch::randn({n, 5}).mm(nuisance_axes); };
  auto first = hearts + nuisance(), second = hearts + nuisance();
  ZeroBlockStatistics statistics;
  statistics.Add(first, first - second, torch::Tensor());
  ZeroBlock block(32, 0.0);
  block->Fit(statistics, 0.1, 0.5);
  const double raw_same = MeanCosine(first - first.mean(0), second - first.mean(0));
  const double whitened_same = MeanCosine(block->Whiten(first), block->Whiten(second));
  const double whitened_other = MeanCosine(block->Whiten(first), block->Whiten(second.roll(1, 0)));
  EXPECT_LT(raw_same, 0.6);
  EXPECT_GT(whitened_same, 0.9);
  EXPECT_LT(std::abs(whitened_other), 0.2);
  ZeroBlockStatistics one;
  one.Add(first.narrow(0, 0, 1), first.narrow(0, 0, 1), torch::Tensor());
  EXPECT_THROW(block->Fit(one, 0.1, 0.5), Error);
  EXPECT_THROW(one.Add(torch::zeros({2, 10}), torch::zeros({2, 10}), torch::Tensor()), Error);
}

TEST(ZeroBlock, SizeFeaturesGiveEachLeadsAmplitudeOnALogScaleAndZeroForAFlatLead) {
  // Median beats [1, 12, 70]: one spike per lead, lead k of 2^((k - 4) / 2) mV for k < 10 (0.25 to
  // 5.7 mV), lead 10 of 64 mV, lead 11 flat.
  auto beats = torch::zeros({1, 12, 70});
  for (int64_t lead = 0; lead < 10; ++lead) beats[0][lead][25] = std::pow(2.0, (lead - 4) / 2.0);
  beats[0][10][25] = 64.0;
  auto size = SizeFeatures(beats);
  ASSERT_EQ(size.sizes(), (std::vector<int64_t>{1, kZeroSizeFeatures}));
  EXPECT_NEAR(size[0][4].item<double>(), 0.0, 1e-6);  // 1 mV: the population's typical lead
  for (int64_t lead = 1; lead < 10; ++lead) {
    EXPECT_GT(size[0][lead].item<double>(), size[0][lead - 1].item<double>()) << lead;
    // Each step of sqrt(2) adds the same amount: a log scale.
    EXPECT_NEAR(size[0][lead].item<double>() - size[0][lead - 1].item<double>(),
                size[0][5].item<double>() - size[0][4].item<double>(), 1e-5)
        << lead;
  }
  EXPECT_GT(size[0][0].item<double>(), -1.0);
  EXPECT_EQ(size[0][10].item<double>(), 1.0);  // clamped
  EXPECT_EQ(size[0][11].item<double>(), 0.0);  // flat: no amplitude, not the smallest one
}

TEST(ZeroBlock, TheSizeBlockSetsApartTwoECGsOfOneShapeAndDifferentVoltage) {
  // Model zero normalises each lead's beat (after a compression), so it barely tells an ECG from
  // the same ECG at twice the voltage; the size block adds the amplitude, in every lead.
  SynthOptions options;
  options.patients = 1;
  options.ecgs_per_patient = 1;
  options.seed = 7;
  const std::vector<SyntheticEcg> cohort = SynthesiseCohort(options);
  ModelConfig config = ZeroBlockConfig(16, 0.8);
  config.zero_block_size_share = 0.1;
  config.embedding_dim = config.zero_block_output_dim();
  ASSERT_EQ(config.embedding_dim, 842 + 16 + kZeroSizeFeatures);
  EcgModel model(config);
  model->eval();
  EcgBatch batch = StackBatch(
      {PrepareEcg(cohort[0].signal, cohort[0].signal.samples_per_lead(), config)}, config);
  ModelInput input = model->Prepare(batch.signals_mV, batch.peaks);
  ModelInput doubled{input.signals_mV * 2.0, input.peaks};
  auto a = model->Embed(input), b = model->Embed(doubled);
  EXPECT_NEAR(a.norm().item<double>(), 1.0, 1e-5);
  EXPECT_NEAR(b.norm().item<double>(), 1.0, 1e-5);
  auto step = b.narrow(1, 858, 12) - a.narrow(1, 858, 12);  // ~ log 2 / 1.8 x sqrt(0.1) each
  EXPECT_GT(step.min().item<double>(), 0.08);
  EcgModel plain(ZeroBlockConfig(16, 0.8));
  plain->eval();
  const double with_size = MeanCosine(a, b);
  const double without = MeanCosine(plain->Embed(input), plain->Embed(doubled));
  EXPECT_LT(with_size, without - 0.05) << with_size << " vs " << without;
}

// Median beats [1, 12, 70] at 100 Hz (R at index 25, PR level 0) with the same narrow QRS in
// every lead: 0.3, 1, 0.3 mV at 240, 250, 260 ms.
torch::Tensor NarrowBeat() {
  auto beat = torch::zeros({1, 12, 70});
  for (int64_t lead = 0; lead < 12; ++lead) {
    beat[0][lead][24] = 0.3;
    beat[0][lead][25] = 1.0;
    beat[0][lead][26] = 0.3;
  }
  return beat;
}

double WaveValue(const torch::Tensor& wave, int64_t index) {
  return wave[0][index].item<double>() * std::sqrt(kZeroWaveFeatures / 4.0);
}

TEST(ZeroBlock, WaveFeaturesReadTheSTLevelTheTWaveAndTheFrontalAxesInMillivolts) {
  auto plain = NarrowBeat();
  auto sick = NarrowBeat();
  sick[0][7].narrow(0, 33, 8).fill_(0.2);  // V2: ST elevated by 0.2 mV from 80 to 150 ms
  for (int64_t i = 0; i <= 10; ++i) sick[0][0][45 + i] = -0.3 * (1.0 - std::abs(i - 5) / 5.0);
  auto a = WaveFeatures(plain), b = WaveFeatures(sick);
  ASSERT_EQ(b.sizes(), (std::vector<int64_t>{1, kZeroWaveFeatures}));
  const int64_t st = 3, t = 4;  // per lead: R, S, net QRS, ST, T
  EXPECT_NEAR(WaveValue(b, 7 * 5 + st), std::asinh(2.0) / 3.0, 1e-5);  // 0.2 mV on the asinh scale
  EXPECT_NEAR(WaveValue(a, 7 * 5 + st), 0.0, 1e-6);
  EXPECT_NEAR(WaveValue(b, 0 * 5 + t), std::asinh(-3.0) / 3.0, 1e-5);  // lead I's T inverted
  EXPECT_NEAR(WaveValue(b, 1 * 5 + t), 0.0, 1e-6);
  EXPECT_NEAR(WaveValue(a, 0), std::asinh(10.0) / 3.0, 1e-5);  // R of 1 mV
  // QRS axis: net areas equal in I and aVF, so atan2(2 / sqrt(3), 1), about 49 degrees.
  const double qrs_axis = std::atan2(2.0 / std::sqrt(3.0), 1.0);
  EXPECT_NEAR(WaveValue(a, 60), std::cos(qrs_axis), 1e-5);
  EXPECT_NEAR(WaveValue(a, 61), std::sin(qrs_axis), 1e-5);
  // T axis: no T wave at all is no axis; a negative T in I alone points to 180 degrees.
  EXPECT_EQ(WaveValue(a, 62), 0.0);
  EXPECT_EQ(WaveValue(a, 63), 0.0);
  EXPECT_NEAR(WaveValue(b, 62), -1.0, 1e-5);
  EXPECT_NEAR(WaveValue(b, 63), 0.0, 1e-5);
  // Lead I alone (a single-lead recording): no axis rather than one made up from a flat aVF.
  auto single = torch::zeros({1, 12, 70});
  single[0][0] = sick[0][0];
  auto c = WaveFeatures(single);
  for (int64_t k = 60; k < 64; ++k) EXPECT_EQ(WaveValue(c, k), 0.0) << k;
}

TEST(ZeroBlock, TheWaveBlocksQrsWidthGrowsWithAWideComplexAndAFlatBeatGivesZeros) {
  auto wide = torch::zeros({1, 12, 70});
  for (int64_t lead = 0; lead < 12; ++lead) {
    for (int64_t i = 19; i <= 31; ++i) wide[0][lead][i] = 1.0 - std::abs(i - 25) / 6.0;
  }
  const double narrow_width = WaveValue(WaveFeatures(NarrowBeat()), 64);
  const double wide_width = WaveValue(WaveFeatures(wide), 64);
  EXPECT_NEAR(narrow_width, (40.0 - 100.0) / 50.0, 1e-5);  // 4 steps of 10 ms above 15% of peak
  EXPECT_NEAR(wide_width, (120.0 - 100.0) / 50.0, 1e-5);   // 12 steps
  auto flat = WaveFeatures(torch::zeros({1, 12, 70}));
  EXPECT_EQ(flat.abs().max().item<double>(), 0.0);
}

TEST(ZeroBlock, TheWaveBlockSitsLastWithItsShareAndTheSharesStayBelowOne) {
  ModelConfig config = ZeroBlockConfig(16, 0.8);
  config.zero_block_size_share = 0.1;
  config.zero_block_wave_share = 0.3;
  config.embedding_dim = config.zero_block_output_dim();
  ASSERT_EQ(config.embedding_dim, 842 + 16 + kZeroSizeFeatures + kZeroWaveFeatures);
  EXPECT_EQ(ModelConfig::FromJson(config.ToJson()).zero_block_wave_share, 0.3);
  ModelConfig too_much = config;
  too_much.zero_block_wave_share = 0.9;
  EXPECT_THROW(ModelConfig::FromJson(too_much.ToJson()), Error);
  EcgModel model(config);
  model->eval();
  SynthOptions options;
  options.patients = 1;
  options.ecgs_per_patient = 1;
  options.seed = 9;
  const std::vector<SyntheticEcg> cohort = SynthesiseCohort(options);
  EcgBatch batch = StackBatch(
      {PrepareEcg(cohort[0].signal, cohort[0].signal.samples_per_lead(), config)}, config);
  ModelInput input = model->Prepare(batch.signals_mV, batch.peaks);
  auto embedding = model->Embed(input);
  EXPECT_NEAR(embedding.norm().item<double>(), 1.0, 1e-5);
  // The last kZeroWaveFeatures values are the wave block: nonzero for a real beat, in proportion
  // to sqrt(0.3) against the size block's sqrt(0.1).
  auto wave = embedding.narrow(1, config.embedding_dim - kZeroWaveFeatures, kZeroWaveFeatures);
  EXPECT_GT(wave.norm().item<double>(), 0.05);
}

class ZeroBlockModel : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    testing::WriteSyntheticArchive(dir_->File("train.ecgarch"), 16, 2, 41);
    testing::WriteSyntheticArchive(dir_->File("heldout.ecgarch"), 6, 1, 42);
  }
  static void TearDownTestSuite() { delete dir_; }
  static testing::TempDir* dir_;
};
testing::TempDir* ZeroBlockModel::dir_ = nullptr;

TEST_F(ZeroBlockModel, ZeroStepsFitTheBlockAndTheSavedModelEmbedsWithModelZeroBesideIt) {
  TrainingConfig config;
  config.model = ZeroBlockConfig(32, 0.5);
  config.train.device = "cpu";
  config.train.steps = 0;
  config.train.validation_fraction = 0.1;
  EcgDataset data({dir_->File("train.ecgarch")});
  Trainer trainer(config, data, dir_->File("model"));
  EXPECT_EQ(trainer.Run().steps, 0);
  Embedder loaded(dir_->File("model"), {1, 842 + 32});
  Embedder zero = Embedder::ModelZero();
  EcgDataset heldout({dir_->File("heldout.ecgarch")});
  for (size_t i = 0; i < heldout.ecg_count(); ++i) {
    const PreparedEcg ecg = heldout.Load(i, config.model);
    EcgBatch batch = StackBatch({ecg}, config.model);
    auto model = trainer.model();
    model->eval();
    ModelInput input = model->Prepare(batch.signals_mV, batch.peaks);
    auto embedding = model->Embed(input);
    ASSERT_EQ(embedding.size(1), 842 + 32);
    EXPECT_NEAR(embedding.norm().item<double>(), 1.0, 1e-4);
    // Model zero's features hold half of the squared norm and are model zero's embedding (the
    // rhythm features read R peaks at 100 Hz here, at 500 Hz in model zero: close, not equal).
    auto head = embedding.narrow(1, 0, 842) / std::sqrt(0.5);
    auto reference = ModelZeroEmbed(batch.signals_mV, batch.peaks);
    EXPECT_GT(MeanCosine(head, reference), 0.999);
    // The network is not run for this embedding, and the full forward agrees with it.
    EXPECT_TRUE(torch::allclose(model->Encode(input).embedding, embedding, 1e-5, 1e-6));
  }
  // The fit moved the block away from its unfitted identity map, and saving kept it.
  EcgModel unfitted(config.model);
  EXPECT_FALSE(torch::equal(unfitted->encoder->zero_block()->buffers()[1],
                            trainer.model()->encoder->zero_block()->buffers()[1]));
  auto signals = LoadEvalSet({dir_->File("heldout.ecgarch")});
  Embedder in_memory(trainer.model());
  EXPECT_EQ(in_memory.Embed(signals[0].signal), loaded.Embed(signals[0].signal));
  EXPECT_EQ(zero.dimension(), 842);
}

}  // namespace
}  // namespace ecg::learning
