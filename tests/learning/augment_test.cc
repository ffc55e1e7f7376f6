#include "learning/augment.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "waveform/synth.h"

namespace ecg::learning {
namespace {

// One synthetic 12-lead ECG as a [1, 12, T] tensor in mV.
torch::Tensor SyntheticBatch() {
  SynthOptions options;
  options.patients = 1;
  options.ecgs_per_patient = 1;
  options.duration_s = 4.0;
  const std::vector<SyntheticEcg> cohort = SynthesiseCohort(options);
  const EcgSignal& s = cohort.front().signal;
  auto x = torch::from_blob(const_cast<float*>(s.data_uV().data()),
                            {1, 12, static_cast<int64_t>(s.samples_per_lead())})
               .clone();
  return x / 1000.0;
}

// Everything random switched off; tests switch on what they check.
AugmentOptions NothingRandom() {
  AugmentOptions o;
  o.crop_fraction = 0;
  o.amplitude_scale = 0;
  o.baseline_wander_mV = 0;
  o.noise_mV = 0;
  return o;
}

double RelativeError(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a - b).norm() / b.norm()).item<double>();
}

TEST(Augment, InverseDowerTimesDowerIsCloseToTheIdentity) {
  auto product = torch::matmul(InverseDowerMatrix(), DowerMatrix());
  EXPECT_LT((product - torch::eye(3)).abs().max().item<double>(), 0.06);
}

TEST(Augment, VcgRoundTripOfADipolarEcgIsCloseToTheIdentityOnIndependentLeads) {
  torch::manual_seed(3);
  auto vcg = torch::randn({2, 3, 500}).cumsum(2) / 10.0;
  auto leads = FromVcg(vcg);
  auto round_trip = FromVcg(ToVcg(leads));
  auto index = torch::tensor(std::vector<int64_t>{0, 1, 6, 7, 8, 9, 10, 11});
  EXPECT_LT(RelativeError(round_trip.index_select(1, index), leads.index_select(1, index)), 0.08);
}

TEST(Augment, ZeroRotationWithoutOtherChangesIsExactlyTheIdentity) {
  auto x = DeriveLimbLeads(SyntheticBatch());
  AugmentOptions none = NothingRandom();
  none.vcg = true;
  none.max_rotation_deg = 0;
  none.axis_scale = 0;
  auto peaks = torch::full({1, 4}, -1, torch::kLong);
  auto out = Augment(x, peaks, 500.0, none).signals_mV;
  EXPECT_LT((out - x).abs().max().item<double>(), 1e-4);
}

TEST(Augment, AugmentedViewsKeepTheLimbLeadRelations) {
  torch::manual_seed(7);
  auto x = SyntheticBatch().repeat({4, 1, 1});
  AugmentOptions all;
  all.vcg = true;
  all.time_mask_ratio = 0.5;
  auto peaks = torch::tensor(std::vector<int64_t>{100, 600, 1100, -1}).repeat({4, 1});
  auto out = Augment(x, peaks, 500.0, all).signals_mV;
  auto i = out.select(1, 0), ii = out.select(1, 1);
  EXPECT_LT((out.select(1, 2) - (ii - i)).abs().max().item<double>(), 1e-5);
  EXPECT_LT((out.select(1, 3) + (i + ii) / 2).abs().max().item<double>(), 1e-5);
  EXPECT_LT((out.select(1, 4) - (i - ii / 2)).abs().max().item<double>(), 1e-5);
  EXPECT_LT((out.select(1, 5) - (ii - i / 2)).abs().max().item<double>(), 1e-5);
  EXPECT_GT(RelativeError(out, x), 0.05);  // the views did change
}

TEST(Augment, BeatDropoutLeavesOutSomePeaksAndKeepsTheSignal) {
  torch::manual_seed(5);
  auto x = DeriveLimbLeads(SyntheticBatch()).repeat({8, 1, 1});
  AugmentOptions dropout = NothingRandom();
  dropout.beat_dropout = 0.5;
  auto peaks = torch::arange(100, 1700, 100, torch::kLong).repeat({8, 1});  // 16 peaks per ECG
  AugmentedBatch out = Augment(x, peaks, 500.0, dropout);
  const int64_t kept = (out.peaks >= 0).sum().item<int64_t>();
  EXPECT_GT(kept, 32);  // of 128: about half are kept
  EXPECT_LT(kept, 96);
  EXPECT_TRUE(torch::equal(torch::where(out.peaks >= 0, peaks, out.peaks), out.peaks));
  EXPECT_LT((out.signals_mV - x).abs().max().item<double>(), 1e-5);
}

TEST(Augment, RotationChangesTheHeartAxisButNotTheSignalEnergyScale) {
  torch::manual_seed(11);
  auto x = DeriveLimbLeads(SyntheticBatch());
  AugmentOptions rotate = NothingRandom();
  rotate.vcg = true;
  auto out = Augment(x, torch::full({1, 1}, -1, torch::kLong), 500.0, rotate).signals_mV;
  const double ratio = (out.norm() / x.norm()).item<double>();
  EXPECT_GT(RelativeError(out, x), 0.05);
  EXPECT_GT(ratio, 0.5);
  EXPECT_LT(ratio, 1.6);
}

}  // namespace
}  // namespace ecg::learning
