// Identity check on synthetic patients: ECGs cluster by patient, patients by population cluster.
#include "storage/identity_check.h"

#include <gtest/gtest.h>

#include <random>

#include "storage/similarity_index.h"
#include "tests/storage/clustered_vectors.h"
#include "waveform/error.h"

namespace ecg {
namespace {

constexpr int kDim = 32;
constexpr int kPatients = 300;
constexpr int kEcgsPerPatient = 4;

// Patient p's ECGs: its own centre (near one of 10 population clusters) plus noise.
std::vector<float> MakePatientEcgs(uint32_t seed) {
  const auto clusters = testing::ClusterCentres(10, kDim, seed);
  const auto patients = testing::MakeClusteredVectors(kPatients, kDim, clusters, 1.0f, seed + 1);
  std::mt19937 rng(seed + 2);
  std::normal_distribution<float> gauss;
  std::vector<float> ecgs;
  for (int p = 0; p < kPatients; ++p) {
    for (int e = 0; e < kEcgsPerPatient; ++e) {
      for (int j = 0; j < kDim; ++j) {
        ecgs.push_back(patients.embeddings[p * kDim + j] + 0.5f * gauss(rng) / std::sqrt(kDim));
      }
    }
  }
  return ecgs;
}

std::vector<float> Slice(const std::vector<float>& all, int first, int count) {
  return {all.begin() + first * kDim, all.begin() + (first + count) * kDim};
}

// Scores ECG `ecg` as if filed under `patient`, with the population from `index`.
IdentityScore Score(const SimilarityIndex& index, const std::vector<float>& all, int ecg,
                    int patient) {
  std::vector<float> others;
  for (int e = 0; e < kEcgsPerPatient; ++e) {
    const int other = patient * kEcgsPerPatient + e;
    if (other == ecg) continue;
    auto row = Slice(all, other, 1);
    others.insert(others.end(), row.begin(), row.end());
  }
  SearchOptions population;
  population.scope = SearchScope::kOtherPatients;
  population.patient_key = patient;
  population.exclude_ecg_key = ecg;
  population.k = 20;
  std::vector<float> similarities;
  for (const Neighbor& n : index.Search(Slice(all, ecg, 1), population)) {
    similarities.push_back(n.similarity);
  }
  return ScoreIdentity(Slice(all, ecg, 1), others, similarities).value();
}

TEST(IdentityCheckTest, MisfiledEcgsScoreBelowWellFiledOnesWithAnAucAbove90Percent) {
  const auto all = MakePatientEcgs(21);
  SimilarityIndex index(1, kDim);
  std::vector<IndexedEcg> ecgs;
  for (int i = 0; i < kPatients * kEcgsPerPatient; ++i) {
    ecgs.push_back({i, i / kEcgsPerPatient, i});
  }
  index.Add(ecgs, all);

  std::vector<double> well_filed, misfiled;
  int flagged_well = 0, flagged_misfiled = 0;
  for (int p = 0; p < kPatients; p += 3) {
    const int ecg = p * kEcgsPerPatient;
    IdentityScore right = Score(index, all, ecg, p);
    IdentityScore wrong = Score(index, all, ecg, (p + 137) % kPatients);
    well_filed.push_back(right.z);
    misfiled.push_back(wrong.z);
    flagged_well += right.suspicious;
    flagged_misfiled += wrong.suspicious;
  }
  size_t ordered = 0;
  for (double w : well_filed) {
    for (double m : misfiled) ordered += m < w;
  }
  const double auc = ordered / double(well_filed.size() * misfiled.size());
  EXPECT_GE(auc, 0.9);
  EXPECT_LT(flagged_well, static_cast<int>(well_filed.size()) / 10);
  EXPECT_GT(flagged_misfiled, static_cast<int>(misfiled.size()) * 8 / 10);
}

TEST(IdentityCheckTest, AnEcgIdenticalToAPatientsOtherEcgIsNotSuspicious) {
  std::vector<float> ecg = {1, 0, 0, 0};
  auto score = ScoreIdentity(ecg, {2, 0, 0, 0, 0, 1, 0, 0}, {0.5f, 0.6f, 0.7f}).value();
  EXPECT_NEAR(score.best_same_patient, 1.0, 1e-9);
  EXPECT_NEAR(score.population_mean, 0.6, 1e-6);
  EXPECT_EQ(score.same_patient_count, 2u);
  EXPECT_GT(score.z, 4.0);
  EXPECT_FALSE(score.suspicious);
}

TEST(IdentityCheckTest, NothingToCompareGivesNoScoreAndBadSizesAreRefused) {
  EXPECT_FALSE(ScoreIdentity({1, 0}, {}, {0.5f}).has_value());
  EXPECT_FALSE(ScoreIdentity({1, 0}, {1, 0}, {}).has_value());
  EXPECT_THROW(ScoreIdentity({1, 0}, {1, 0, 0}, {0.5f}), Error);
  EXPECT_THROW(ScoreIdentity({0, 0}, {1, 0}, {0.5f}), Error);
}

}  // namespace
}  // namespace ecg
