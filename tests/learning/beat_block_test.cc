#include <gtest/gtest.h>
#include <torch/torch.h>

#include "learning/beat_block.h"
#include "learning/beats.h"
#include "learning/embedder.h"
#include "learning/encoder.h"
#include "learning/evaluation.h"
#include "learning/model_dir.h"
#include "learning/trainer.h"
#include "synthetic_data.h"
#include "tests/support/test_env.h"
#include "waveform/error.h"

namespace ecg::learning {
namespace {

ModelConfig HybridConfig(double weight) {
  ModelConfig c = ModelConfig::Tiny();
  c.beat_block_dim = 32;
  c.beat_block_weight = weight;
  return c;
}

TrainingConfig HybridTraining(double weight) {
  TrainingConfig c;
  c.model = HybridConfig(weight);
  c.train.device = "cpu";
  c.train.steps = 1;
  c.train.validation_fraction = 0.1;
  c.train.checkpoint_every = 0;
  return c;
}

TEST(ModelConfig, ConfigsWithoutTheIdentityBlockKeysLoadWithTheBlockOff) {
  ModelConfig c = ModelConfig::FromJson({{"width", 16}, {"depth", 4}});
  EXPECT_EQ(c.beat_block_dim, 0);
  EXPECT_THROW(ModelConfig::FromJson({{"beat_block_weight", 1.5}}), Error);
  EXPECT_THROW(ModelConfig::FromJson({{"beat_block_dim", 256}}), Error);
}

TEST(BeatBlock, FitCentresTheTrainingBeatsOnTheirPrincipalAxes) {
  torch::manual_seed(3);
  BeatBlock block(100, 4);
  const int64_t features = kLeadCount * BeatSamples(100);
  auto direction = torch::randn({1, features});
  // Amplitudes of both signs, away from zero: every centred row has a clear first component.
  auto amplitude = torch::cat({1.0 + torch::rand({32, 1}), -1.0 - torch::rand({32, 1})});
  auto x = 5.0 + amplitude * direction + 0.01 * torch::randn({64, features});
  block->Fit(x);
  auto beats = x.view({64, kLeadCount, BeatSamples(100)});
  auto out = block->forward(beats);
  ASSERT_EQ(out.sizes(), (std::vector<int64_t>{64, 4}));
  // One dominant axis: the first component carries nearly all of each row's norm.
  EXPECT_GT(out.select(1, 0).abs().min().item<double>(), 0.9);
  EXPECT_THROW(block->Fit(torch::zeros({1, features})), Error);
}

class HybridModel : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    testing::WriteSyntheticArchive(dir_->File("train.ecgarch"), 16, 2, 31);
    testing::WriteSyntheticArchive(dir_->File("heldout.ecgarch"), 24, 3, 32);
  }
  static void TearDownTestSuite() { delete dir_; }
  static testing::TempDir* dir_;
};
testing::TempDir* HybridModel::dir_ = nullptr;

TEST_F(HybridModel, TrainerFitsTheBlockAndSaveLoadKeepsItsStatistics) {
  EcgDataset data({dir_->File("train.ecgarch")});
  Trainer trainer(HybridTraining(0.5), data, dir_->File("model"));
  trainer.Run();
  auto heldout = LoadEvalSet({dir_->File("heldout.ecgarch")});
  Embedder in_memory(trainer.model());
  Embedder loaded(dir_->File("model"), {1, 256});
  const auto a = in_memory.Embed(heldout[0].signal);
  EXPECT_EQ(a, loaded.Embed(heldout[0].signal));
  auto e = torch::tensor(a);
  EXPECT_NEAR(e.norm().item<double>(), 1.0, 1e-4);
  // The identity block holds half of the squared norm.
  EXPECT_NEAR(e.narrow(0, 256 - 32, 32).pow(2).sum().item<double>(), 0.5, 1e-4);
  torch::manual_seed(4);
  EcgModel unfitted(HybridConfig(0.5));
  EXPECT_FALSE(torch::equal(unfitted->encoder->beat_block()->buffers()[0],
                            trainer.model()->encoder->beat_block()->buffers()[0]));
}

TEST_F(HybridModel, TheIdentityBlockAloneIdentifiesPatientsLikeTheMedianBeatBaseline) {
  EcgDataset data({dir_->File("train.ecgarch")});
  Trainer trainer(HybridTraining(1.0), data, dir_->File("block-only"));
  auto heldout = LoadEvalSet({dir_->File("heldout.ecgarch")});
  EvalOptions options;
  options.linear_probe = false;
  nlohmann::json result = EvaluateModel(trainer.model(), heldout, options);
  const double block = result["model"]["fingerprint_top1"].get<double>();
  const double baseline = result["median_beat"]["fingerprint_top1"].get<double>();
  std::cout << "held-out fingerprint top-1: identity block " << block << ", median beat "
            << baseline << "\n";
  EXPECT_GE(block, baseline - 0.1);
  // The random encoder keeps the fitted block: with weight 1 it is the same embedding.
  EXPECT_EQ(result["random"]["fingerprint_top1"], result["model"]["fingerprint_top1"]);
}

}  // namespace
}  // namespace ecg::learning
