#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>

#include "learning/dataset.h"
#include "learning/evaluation.h"
#include "learning/model_dir.h"
#include "learning/trainer.h"
#include "synthetic_data.h"
#include "tests/support/test_env.h"
#include "waveform/error.h"

namespace ecg::learning {
namespace {

class Training : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    testing::WriteSyntheticArchive(dir_->File("train.ecgarch"), 32, 3, 21);
    testing::WriteSyntheticArchive(dir_->File("heldout.ecgarch"), 24, 3, 22);
  }
  static void TearDownTestSuite() { delete dir_; }

  static TrainingConfig TinyConfig(int64_t steps) {
    TrainingConfig c;
    c.model = ModelConfig::Tiny();
    c.objectives.masked_weight = 0;
    c.objectives.lead_weight = 0;
    c.train.steps = steps;
    c.train.batch_patients = 12;
    c.train.device = "cpu";
    c.train.validation_fraction = 0.1;
    c.train.validation_batches = 1;
    c.train.log_every = 25;
    c.train.checkpoint_every = 0;
    c.train.learning_rate = 2e-3;
    return c;
  }

  static testing::TempDir* dir_;
};
testing::TempDir* Training::dir_ = nullptr;

TEST_F(Training, EightyStepsBeatTheRandomEncoderOnHeldOutFingerprinting) {
  EcgDataset data({dir_->File("train.ecgarch")});
  TrainingConfig config = TinyConfig(80);
  config.train.log_every = 10;
  Trainer trainer(config, data, dir_->File("model"));
  std::vector<double> fingerprint;
  trainer.Run([&](const TrainProgress& p) {
    fingerprint.push_back(p.losses.at("fingerprint"));
    return true;
  });
  ASSERT_GE(fingerprint.size(), 4u);
  EXPECT_LT(fingerprint.back(), 0.7 * fingerprint.front()) << "the fingerprint loss must fall";

  LoadedModel trained = LoadModelDir(dir_->File("model"));
  auto heldout = LoadEvalSet({dir_->File("heldout.ecgarch")});
  EvalOptions options;
  options.linear_probe = false;
  nlohmann::json result = EvaluateModel(trained.model, heldout, options);
  const double model_top1 = result["model"]["fingerprint_top1"].get<double>();
  const double random_top1 = result["random"]["fingerprint_top1"].get<double>();
  std::cout << "held-out fingerprint top-1: model " << model_top1 << ", random " << random_top1
            << ", median beat " << result["median_beat"]["fingerprint_top1"] << "\n";
  EXPECT_GE(model_top1, random_top1 + 0.15);
  EXPECT_EQ(result["data"]["fingerprint_probes"], 48);
}

TEST_F(Training, RunsWithTheSameSeedAreDeterministicOnCpu) {
  EcgDataset data({dir_->File("train.ecgarch")});
  TrainingConfig config = TinyConfig(4);
  Trainer first(config, data, dir_->File("a"));
  std::vector<std::map<std::string, double>> losses;
  for (int i = 0; i < 4; ++i) losses.push_back(first.TrainStep());

  Trainer second(config, data, dir_->File("b"));
  EXPECT_EQ(second.TrainStep(), losses[0]);
  EXPECT_EQ(second.TrainStep(), losses[1]);
}

TEST_F(Training, ACancelledRunResumesFromItsCheckpointAndEndsWithTheSameModel) {
  EcgDataset data({dir_->File("train.ecgarch")});
  TrainingConfig config = TinyConfig(4);
  config.train.log_every = 2;
  Trainer straight(config, data, dir_->File("straight"));
  straight.Run();

  Trainer cancelled(config, data, dir_->File("resumed"));
  EXPECT_THROW(cancelled.Run([](const TrainProgress&) { return false; }), Error);
  EXPECT_EQ(cancelled.step(), 2);

  Trainer resumed(config, data, dir_->File("resumed"));
  ASSERT_TRUE(resumed.Resume());
  EXPECT_EQ(resumed.step(), 2);
  resumed.Run();
  EXPECT_FALSE(std::filesystem::exists(resumed.checkpoint_dir()));

  auto a = LoadModelDir(dir_->File("straight")).model->parameters();
  auto b = LoadModelDir(dir_->File("resumed")).model->parameters();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << i;
}

TEST_F(Training, PatientSplitIsDisjointAndStable) {
  EcgDataset data({dir_->File("train.ecgarch")});
  PatientSplit a = data.SplitPatients(0.25, 7), b = data.SplitPatients(0.25, 7);
  EXPECT_EQ(a.train, b.train);
  EXPECT_EQ(a.train.size() + a.validation.size(), data.patient_count());
  for (size_t p : a.validation) {
    EXPECT_EQ(std::count(a.train.begin(), a.train.end(), p), 0);
  }
  EXPECT_GT(a.validation.size(), 2u);
}

}  // namespace
}  // namespace ecg::learning
