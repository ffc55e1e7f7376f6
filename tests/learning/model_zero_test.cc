// Model zero (learning/model_zero.h): a fixed, unit-norm embedding of one ECG that needs no
// training and no statistics of other ECGs, served through the Embedder and identifying
// synthetic patients far better than a random encoder.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "learning/embedder.h"
#include "learning/evaluation.h"
#include "learning/model_zero.h"
#include "synthetic_data.h"
#include "tests/support/test_env.h"
#include "waveform/error.h"

namespace ecg::learning {
namespace {

class ModelZero : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    testing::WriteSyntheticArchive(dir_->File("cohort.ecgarch"), 24, 3, 32);
  }
  static void TearDownTestSuite() { delete dir_; }
  static testing::TempDir* dir_;
};
testing::TempDir* ModelZero::dir_ = nullptr;

TEST_F(ModelZero, EveryRowIsAFiniteUnitVectorIndependentOfTheOtherEcgsOfItsBatch) {
  const std::vector<EvalEcg> set = LoadEvalSet({dir_->File("cohort.ecgarch")});
  const torch::Tensor all = ModelZeroEmbeddings(set, 16);
  ASSERT_EQ(all.size(0), static_cast<int64_t>(set.size()));
  ASSERT_EQ(all.size(1), kModelZeroDimension);
  EXPECT_TRUE(torch::isfinite(all).all().item<bool>());
  EXPECT_TRUE(torch::allclose(all.norm(2, 1), torch::ones({all.size(0)}), 1e-5, 1e-5));
  // No statistics of the set: one ECG alone embeds as it does among the others.
  const std::vector<EvalEcg> one(set.begin() + 5, set.begin() + 6);
  EXPECT_TRUE(torch::allclose(ModelZeroEmbeddings(one, 1)[0], all[5], 1e-5, 1e-6));
}

TEST_F(ModelZero, TheEmbedderServesItWithoutAModelFile) {
  const std::vector<EvalEcg> set = LoadEvalSet({dir_->File("cohort.ecgarch")});
  const Embedder embedder = Embedder::ModelZero();
  EXPECT_TRUE(embedder.is_model_zero());
  EXPECT_EQ(embedder.dimension(), kModelZeroDimension);
  const std::vector<float> one = embedder.Embed(set[3].signal);
  const torch::Tensor expected = ModelZeroEmbeddings({set[3]}, 1)[0];
  ASSERT_EQ(one.size(), static_cast<size_t>(kModelZeroDimension));
  EXPECT_TRUE(torch::allclose(torch::tensor(one), expected, 1e-5, 1e-6));
  const torch::Tensor batch = embedder.EmbedBatch({&set[3].signal, &set[4].signal});
  EXPECT_TRUE(torch::allclose(batch[0], expected, 1e-5, 1e-6));
  EXPECT_EQ(ModelZeroDescription()["kind"], kModelZeroKind);
  EXPECT_EQ(ModelZeroDescription()["embedding_dim"], kModelZeroDimension);
}

TEST_F(ModelZero, AFlatEcgWithoutBeatsStillGetsAUnitVector) {
  const torch::Tensor flat = torch::zeros({1, 12, 5000});
  const torch::Tensor no_peaks = torch::full({1, kModelZeroMaxBeats}, -1, torch::kLong);
  const torch::Tensor e = ModelZeroEmbed(flat, no_peaks);
  EXPECT_TRUE(torch::isfinite(e).all().item<bool>());
  EXPECT_NEAR(e.norm().item<double>(), 1.0, 1e-6);
}

TEST_F(ModelZero, TheRhythmBlockTellsAFastHeartFromASlowOneWithTheSameBeat) {
  const torch::Tensor flat = torch::zeros({2, 12, 5000});
  torch::Tensor peaks = torch::full({2, kModelZeroMaxBeats}, -1, torch::kLong);
  for (int64_t i = 0; i < 9; ++i) peaks[0][i] = 250 + 500 * i;   // 60 bpm
  for (int64_t i = 0; i < 16; ++i) peaks[1][i] = 250 + 300 * i;  // 100 bpm
  const torch::Tensor e = ModelZeroEmbed(flat, peaks);
  EXPECT_LT(torch::dot(e[0], e[1]).item<double>(), 0.9);
}

TEST_F(ModelZero, ItIdentifiesSyntheticPatientsFarBetterThanARandomEncoder) {
  const std::vector<EvalEcg> set = LoadEvalSet({dir_->File("cohort.ecgarch")});
  EvalOptions options;
  options.linear_probe = false;
  const nlohmann::json zero = ModelZeroMetrics(set, options);
  torch::manual_seed(1);
  EcgModel random(ModelConfig::Tiny());
  const nlohmann::json random_metrics =
      RetrievalAndProbeMetrics(EmbedAll(random, set, 16), set, options);
  std::cout << "fingerprint top-1: model zero " << zero["fingerprint_top1"] << ", random "
            << random_metrics["fingerprint_top1"] << "\n";
  EXPECT_GE(zero["fingerprint_top1"].get<double>(), 0.7);  // 0.79 measured
  EXPECT_GT(zero["fingerprint_top1"].get<double>(),
            random_metrics["fingerprint_top1"].get<double>() + 0.15);
  EXPECT_TRUE(zero["lead_rmse_mv"].is_null());
}

}  // namespace
}  // namespace ecg::learning
