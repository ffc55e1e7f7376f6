#include "learning/objectives.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <numeric>
#include <random>

#include "learning/dataset.h"
#include "synthetic_data.h"
#include "tests/support/test_env.h"
#include "waveform/error.h"

namespace ecg::learning {
namespace {

class Objectives : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    testing::WriteSyntheticArchive(dir_->File("cohort.ecgarch"), 6, 2, 5);
  }
  static void TearDownTestSuite() { delete dir_; }

  PairBatch Batch() {
    EcgDataset data({dir_->File("cohort.ecgarch")});
    std::vector<size_t> patients(data.patient_count());
    std::iota(patients.begin(), patients.end(), 0);
    std::mt19937_64 rng(1);
    return data.SamplePairs(patients, 6, ModelConfig::Tiny(), rng);
  }

  static ObjectiveOptions Only(const std::string& name) {
    ObjectiveOptions o;
    o.fingerprint_weight = name == "fingerprint" ? 1 : 0;
    o.masked_weight = name == "masked" ? 1 : 0;
    o.lead_weight = name == "lead" ? 1 : 0;
    o.longitudinal_weight = name == "longitudinal" ? 1 : 0;
    return o;
  }

  static testing::TempDir* dir_;
};
testing::TempDir* Objectives::dir_ = nullptr;

TEST_F(Objectives, EachObjectiveAloneGivesAFiniteLossAndGradients) {
  for (const std::string name : {"fingerprint", "masked", "lead", "longitudinal"}) {
    torch::manual_seed(1);
    EcgModel model(ModelConfig::Tiny());
    LossTerms terms = ComputeLosses(model, Batch(), Only(name));
    ASSERT_EQ(terms.values.size(), 1u) << name;
    ASSERT_EQ(terms.values.begin()->first, name);
    EXPECT_TRUE(std::isfinite(terms.values.begin()->second)) << name;
    EXPECT_GT(terms.values.begin()->second, 0.0) << name;
    terms.total.backward();
    double gradient = 0;
    for (const auto& p : model->parameters()) {
      if (p.grad().defined()) gradient += p.grad().abs().sum().item<double>();
    }
    EXPECT_GT(gradient, 0.0) << name;
  }
}

TEST_F(Objectives, InfoNceIsLowForMatchingViewsAndHighForShuffledOnes) {
  torch::manual_seed(2);
  auto a = torch::nn::functional::normalize(torch::randn({8, 16}),
                                            torch::nn::functional::NormalizeFuncOptions().dim(1));
  EXPECT_LT(InfoNce(a, a, 0.1).item<double>(), 0.5);
  EXPECT_GT(InfoNce(a, a.roll(1, 0), 0.1).item<double>(), 2.0);
}

TEST_F(Objectives, PairsOfPatientsWithSeveralEcgsAreTimedAndDistinct) {
  PairBatch batch = Batch();
  EXPECT_EQ(batch.timed_pair.sum().item<int64_t>(), 6);
  EXPECT_GT(batch.gap_days.abs().min().item<double>(), 0.0);
  EXPECT_GT((batch.a.signals_mV - batch.b.signals_mV).abs().max().item<double>(), 0.01);
}

TEST(ObjectiveOptions, JsonRejectsUnknownKeysAndKeepsDefaults) {
  ObjectiveOptions o = ObjectiveOptions::FromJson({{"masked_weight", 0.0}});
  EXPECT_EQ(o.masked_weight, 0.0);
  EXPECT_EQ(o.lead_weight, ObjectiveOptions().lead_weight);
  EXPECT_THROW(ObjectiveOptions::FromJson({{"fingerprint_augment", {{"rotate", true}}}}), Error);
}

}  // namespace
}  // namespace ecg::learning
