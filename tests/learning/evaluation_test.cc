#include "learning/evaluation.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace ecg::learning {
namespace {

// patients 0..n-1 with two ECGs each (times 1 and 2), labels alternating NORM / MI.
std::vector<EvalEcg> Cohort(int64_t patients) {
  std::vector<EvalEcg> set;
  for (int64_t p = 0; p < patients; ++p) {
    for (int64_t visit = 0; visit < 2; ++visit) {
      EvalEcg e;
      e.patient_key = p;
      e.acquisition_time_ms = 1000 * (visit + 1);
      std::array<bool, 5> classes{};
      classes[p % 2 == 0 ? 0 : 1] = true;
      e.superclasses = classes;
      set.push_back(e);
    }
  }
  return set;
}

// Each patient a random direction; visits add noise of the given size.
torch::Tensor PatientEmbeddings(int64_t patients, double noise, int64_t dim = 32) {
  torch::manual_seed(4);
  auto centre = torch::randn({patients, dim}).repeat_interleave(2, 0);
  auto e = centre + noise * torch::randn({2 * patients, dim});
  return torch::nn::functional::normalize(e, torch::nn::functional::NormalizeFuncOptions().dim(1));
}

TEST(Evaluation, PerfectPatientEmbeddingsIdentifyEveryPatient) {
  auto set = Cohort(20);
  EvalOptions options;
  options.linear_probe = false;
  auto m = RetrievalAndProbeMetrics(PatientEmbeddings(20, 0.0), set, options);
  EXPECT_EQ(m["fingerprint_top1"].get<double>(), 1.0);
  EXPECT_EQ(m["fingerprint_top5"].get<double>(), 1.0);
  EXPECT_EQ(m["same_patient_recall10"].get<double>(), 1.0);
  EXPECT_TRUE(m["linear_auc"]["10"].is_null());
}

TEST(Evaluation, NoisyEmbeddingsScoreBetweenChanceAndPerfect) {
  auto set = Cohort(40);
  EvalOptions options;
  options.linear_probe = false;
  auto m = RetrievalAndProbeMetrics(PatientEmbeddings(40, 1.0), set, options);
  const double top1 = m["fingerprint_top1"].get<double>();
  EXPECT_GT(top1, 0.2);
  EXPECT_LT(top1, 1.0);
  EXPECT_GE(m["fingerprint_top5"].get<double>(), top1);
}

TEST(Evaluation, DiagnosticPrecisionAndLinearProbeFollowTheLabels) {
  auto set = Cohort(60);
  // The label is written into the embedding's first coordinate: perfect separability.
  auto e = torch::randn({120, 8}) * 0.1;
  for (int64_t i = 0; i < 120; ++i) e[i][0] = (i / 2) % 2 == 0 ? 1.0 : -1.0;
  e = torch::nn::functional::normalize(e, torch::nn::functional::NormalizeFuncOptions().dim(1));
  EvalOptions options;
  auto m = RetrievalAndProbeMetrics(e, set, options);
  EXPECT_GT(m["diagnostic_precision10"].get<double>(), 0.95);
  EXPECT_GT(m["linear_auc"]["100"].get<double>(), 0.95);
  EXPECT_FALSE(m["linear_auc"]["1"].is_null());
}

TEST(Evaluation, AStrongerProbePenaltyStopsTheProbeFittingNoise) {
  auto set = Cohort(60);
  // The label in the first coordinate among 63 noise coordinates: the fit depends on how strongly
  // the weights are held down.
  torch::manual_seed(11);
  auto e = torch::randn({120, 64});
  for (int64_t i = 0; i < 120; ++i) e[i][0] += (i / 2) % 2 == 0 ? 1.5 : -1.5;
  EvalOptions weak, strong;
  weak.probe_l2 = 1e-4;
  strong.probe_l2 = 10;
  const double auc_weak = RetrievalAndProbeMetrics(e, set, weak)["linear_auc"]["100"].get<double>();
  const double auc_strong =
      RetrievalAndProbeMetrics(e, set, strong)["linear_auc"]["100"].get<double>();
  // With about as many coordinates as training ECGs, the weak penalty fits the noise.
  EXPECT_GT(auc_strong, auc_weak + 0.1);
  EXPECT_GT(auc_strong, 0.65);
}

TEST(Evaluation, SingleEcgPatientsGiveNullFingerprintFigures) {
  std::vector<EvalEcg> set(3);
  for (int64_t i = 0; i < 3; ++i) set[static_cast<size_t>(i)].patient_key = i;
  EvalOptions options;
  options.linear_probe = false;
  auto m = RetrievalAndProbeMetrics(torch::eye(3), set, options);
  EXPECT_TRUE(m["fingerprint_top1"].is_null());
  EXPECT_TRUE(m["same_patient_recall10"].is_null());
  EXPECT_TRUE(m["diagnostic_precision10"].is_null());
}

}  // namespace
}  // namespace ecg::learning
