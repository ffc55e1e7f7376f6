// The lead decoder trained alone (issue 17's lead I -> 11 leads beside the zero block): the
// objective that needs no pair, its high-passed loss and crop, and a run that trains the decoder
// while the zero block's embedding stays exactly as fitted.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <numeric>
#include <random>

#include "learning/dataset.h"
#include "learning/evaluation.h"
#include "learning/model_dir.h"
#include "learning/model_zero.h"
#include "learning/objectives.h"
#include "learning/trainer.h"
#include "synthetic_data.h"
#include "tests/support/test_env.h"
#include "waveform/error.h"

namespace ecg::learning {
namespace {

ObjectiveOptions LeadOnly(double highpass_hz, double crop_s) {
  ObjectiveOptions o;
  o.fingerprint_weight = 0;
  o.masked_weight = 0;
  o.longitudinal_weight = 0;
  o.lead_weight = 1;
  o.lead_highpass_hz = highpass_hz;
  o.lead_crop_s = crop_s;
  return o;
}

// The nightly shape in small: the zero block alone as the embedding, a small lead decoder.
TrainingConfig ZeroBlockLeadConfig(int64_t steps) {
  TrainingConfig c;
  c.model = ModelConfig::Tiny();
  c.model.beat_branch = false;
  c.model.max_beats = kModelZeroMaxBeats;
  c.model.zero_block_dim = 32;
  c.model.zero_block_model_zero_share = 0.5;
  c.model.embedding_dim = c.model.zero_block_output_dim();
  c.objectives = LeadOnly(0.5, 3.0);
  c.train.steps = steps;
  c.train.batch_patients = 8;
  c.train.learning_rate = 3e-3;
  c.train.lr_schedule = "cosine";
  c.train.device = "cpu";
  c.train.validation_fraction = 0.1;
  c.train.validation_batches = 1;
  c.train.log_every = 10;
  c.train.checkpoint_every = 0;
  return c;
}

class LeadDecoderTraining : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    testing::WriteSyntheticArchive(dir_->File("train.ecgarch"), 16, 2, 61);
    testing::WriteSyntheticArchive(dir_->File("heldout.ecgarch"), 8, 1, 62);
  }
  static void TearDownTestSuite() { delete dir_; }

  static std::vector<size_t> AllPatients(const EcgDataset& data) {
    std::vector<size_t> patients(data.patient_count());
    std::iota(patients.begin(), patients.end(), 0);
    return patients;
  }

  static testing::TempDir* dir_;
};
testing::TempDir* LeadDecoderTraining::dir_ = nullptr;

TEST(LeadObjective, OnlyTheFingerprintAndLongitudinalObjectivesNeedPairs) {
  EXPECT_FALSE(LeadOnly(0, 0).NeedsPairs());
  ObjectiveOptions masked = LeadOnly(0, 0);
  masked.masked_weight = 1;
  EXPECT_FALSE(masked.NeedsPairs());
  ObjectiveOptions fingerprint = LeadOnly(0, 0);
  fingerprint.fingerprint_weight = 1;
  EXPECT_TRUE(fingerprint.NeedsPairs());
  ObjectiveOptions longitudinal = LeadOnly(0, 0);
  longitudinal.longitudinal_weight = 0.1;
  EXPECT_TRUE(longitudinal.NeedsPairs());
  EXPECT_TRUE(ObjectiveOptions().NeedsPairs());
}

TEST(LeadObjective, HighPassRemovesTheBaselineAndKeepsTheWaves) {
  const double rate = 100;
  auto t = torch::arange(1000, torch::kDouble) / rate;  // 10 s
  auto wave = torch::sin(2 * M_PI * 5.0 * t);             // 5 Hz: kept
  auto baseline = 0.3 + 0.2 * torch::sin(2 * M_PI * 0.2 * t);  // offset and 0.2 Hz wander
  auto filtered = HighPass((wave + baseline).view({1, 1, 1000}), rate, 0.5).view({1000});
  EXPECT_LT((filtered - wave).abs().max().item<double>(), 1e-9);
}

TEST(LeadObjective, JsonKeepsTheHighPassAndCropAndRefusesNegativeValues) {
  ObjectiveOptions o = ObjectiveOptions::FromJson({{"lead_highpass_hz", 0.5}, {"lead_crop_s", 3}});
  EXPECT_EQ(o.lead_highpass_hz, 0.5);
  EXPECT_EQ(o.lead_crop_s, 3.0);
  EXPECT_EQ(ObjectiveOptions::FromJson(o.ToJson()).lead_crop_s, 3.0);
  EXPECT_EQ(ObjectiveOptions().lead_highpass_hz, 0.0);  // off by default: older configs unchanged
  EXPECT_THROW(ObjectiveOptions::FromJson({{"lead_highpass_hz", -1}}), Error);
  EXPECT_THROW(ObjectiveOptions::FromJson({{"lead_crop_s", -1}}), Error);
  EXPECT_EQ(TrainOptions::FromJson({{"lr_schedule", "cosine"}}).lr_schedule, "cosine");
  EXPECT_EQ(TrainOptions().lr_schedule, "constant");
  EXPECT_THROW(TrainOptions::FromJson({{"lr_schedule", "linear"}}), Error);
}

TEST_F(LeadDecoderTraining, TheLeadObjectiveRunsOnOneEcgPerPatientAndTrainsOnlyTheDecoder) {
  EcgDataset data({dir_->File("train.ecgarch")});
  std::mt19937_64 rng(3);
  PairBatch batch;
  batch.a = data.SampleEcgs(AllPatients(data), 6, ModelConfig::Tiny(), rng);
  ASSERT_EQ(batch.a.signals_mV.size(0), 6);
  EXPECT_FALSE(batch.b.signals_mV.defined());
  torch::manual_seed(3);
  EcgModel model(ModelConfig::Tiny());
  LossTerms terms = ComputeLosses(model, batch, LeadOnly(0.5, 3.0));
  ASSERT_EQ(terms.values.size(), 1u);
  EXPECT_TRUE(std::isfinite(terms.values.at("lead")));
  terms.total.backward();
  for (const auto& p : model->encoder->parameters()) EXPECT_FALSE(p.grad().defined());
  double gradient = 0;
  for (const auto& p : model->lead_decoder->parameters()) {
    if (p.grad().defined()) gradient += p.grad().abs().sum().item<double>();
  }
  EXPECT_GT(gradient, 0.0);
}

TEST_F(LeadDecoderTraining, AHighPassedLeadLossIgnoresBaselineOffsetsOfTheRecordedLeads) {
  EcgDataset data({dir_->File("train.ecgarch")});
  std::mt19937_64 rng(4);
  PairBatch batch;
  batch.a = data.SampleEcgs(AllPatients(data), 6, ModelConfig::Tiny(), rng);
  PairBatch shifted = batch;
  shifted.a.signals_mV = batch.a.signals_mV.clone();
  shifted.a.signals_mV.narrow(1, 1, kLeadCount - 1).add_(0.3);  // every lead but I (the input)
  torch::manual_seed(4);
  EcgModel model(ModelConfig::Tiny());
  auto loss = [&](const PairBatch& b, double highpass_hz) {
    torch::manual_seed(5);  // the same crop
    return ComputeLosses(model, b, LeadOnly(highpass_hz, 3.0)).values.at("lead");
  };
  EXPECT_NEAR(loss(shifted, 0.5), loss(batch, 0.5), 1e-6);
  EXPECT_GT(std::abs(loss(shifted, 0) - loss(batch, 0)), 0.01);
}

TEST_F(LeadDecoderTraining, TrainingTheDecoderBesideTheZeroBlockKeepsTheEmbeddingAndLowersTheRmse) {
  EcgDataset data({dir_->File("train.ecgarch")});
  Trainer fitted_only(ZeroBlockLeadConfig(0), data, dir_->File("zero-steps"));
  fitted_only.Run();
  Trainer trained(ZeroBlockLeadConfig(60), data, dir_->File("decoder"));
  const TrainResult result = trained.Run();
  EXPECT_EQ(result.steps, 60);
  EXPECT_GT(result.ecg_per_s, 0.0);

  LoadedModel before = LoadModelDir(dir_->File("zero-steps"));
  LoadedModel after = LoadModelDir(dir_->File("decoder"));
  // The encoder (never run) and the zero block's fitted buffers are exactly as without steps.
  auto a = before.model->encoder->named_parameters();
  auto b = after.model->encoder->named_parameters();
  ASSERT_EQ(a.size(), b.size());
  for (const auto& item : a) EXPECT_TRUE(torch::equal(item.value(), b[item.key()])) << item.key();
  auto fa = before.model->encoder->named_buffers();
  auto fb = after.model->encoder->named_buffers();
  for (const auto& item : fa) EXPECT_TRUE(torch::equal(item.value(), fb[item.key()])) << item.key();

  auto heldout = LoadEvalSet({dir_->File("heldout.ecgarch")});
  EXPECT_TRUE(torch::equal(EmbedAll(before.model, heldout, 8), EmbedAll(after.model, heldout, 8)));
  const double untrained = LeadMetrics(before.model, heldout, 8)["lead_rmse_mv"].get<double>();
  const double decoder = LeadMetrics(after.model, heldout, 8)["lead_rmse_mv"].get<double>();
  std::cout << "held-out lead RMSE: untrained decoder " << untrained << " mV, trained " << decoder
            << " mV\n";
  EXPECT_LT(decoder, 0.7 * untrained);
}

}  // namespace
}  // namespace ecg::learning
