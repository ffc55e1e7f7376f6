// Training reads the R peaks stored in the archive (waveform/ecg_archive.h version 2) instead of
// detecting them at every read, and gets the same inputs, the same fit and the same evaluation
// set as from an archive of before (version 1), where they are detected.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <fstream>
#include <numeric>
#include <random>

#include "learning/dataset.h"
#include "learning/encoder.h"
#include "learning/evaluation.h"
#include "learning/model_zero.h"
#include "learning/zero_block.h"
#include "synthetic_data.h"
#include "tests/support/test_env.h"
#include "waveform/measurements.h"
#include "waveform/synth.h"

namespace ecg::learning {
namespace {

// 6 patients x 2 ECGs of 12 s (longer than the 10 s window, so a training read draws an offset).
void WriteLongEcgs(const std::string& path, ArchiveRPeaks r_peaks) {
  SynthOptions options;
  options.patients = 6;
  options.ecgs_per_patient = 2;
  options.duration_s = 12.0;
  options.seed = 21;
  EcgArchiveWriter writer(path, 500, 6000, r_peaks);
  int64_t key = 0;
  for (const SyntheticEcg& ecg : SynthesiseCohort(options)) {
    ++key;
    writer.Append({key, static_cast<int64_t>(ecg.patient_index) + 1, key * 1000}, ecg.signal);
  }
  writer.Close();
}

void ExpectSameInput(const PreparedEcg& stored, const PreparedEcg& detected, size_t ecg) {
  EXPECT_EQ(stored.peaks, detected.peaks) << "ECG " << ecg;
  EXPECT_EQ(stored.signals_mV, detected.signals_mV) << "ECG " << ecg;
  EXPECT_GE(
      std::count_if(stored.peaks.begin(), stored.peaks.end(), [](int64_t p) { return p >= 0; }),
      8)
      << "ECG " << ecg;  // about 10 beats in the window: the comparison is not of empty lists
}

TEST(StoredRPeaks, TheDatasetGivesTheSamePeaksFromTheArchiveAsFromDetection) {
  testing::TempDir dir;
  WriteLongEcgs(dir.File("stored.ecgarch"), ArchiveRPeaks::kStore);
  WriteLongEcgs(dir.File("detected.ecgarch"), ArchiveRPeaks::kNone);
  EcgDataset stored({dir.File("stored.ecgarch")}), detected({dir.File("detected.ecgarch")});
  ASSERT_EQ(stored.ecg_count(), 12u);
  const ModelConfig config = ModelZeroInputConfig();
  std::mt19937_64 rng_stored(3), rng_detected(3);
  for (size_t i = 0; i < stored.ecg_count(); ++i) {
    ExpectSameInput(stored.Load(i, config), detected.Load(i, config), i);  // centred
    ExpectSameInput(stored.Load(i, config, &rng_stored), detected.Load(i, config, &rng_detected),
                    i);  // a random window, as in training
  }
  // And the stored peaks are what detection finds on the record.
  EcgArchiveReader reader(dir.File("stored.ecgarch"));
  const ArchiveRecord record = reader.Read(4);
  EXPECT_EQ(PrepareRecord(record, config).peaks,
            PrepareEcg(record.signal, record.valid_samples, config).peaks);
}

// Stored peaks moved by hand (still valid) come out of the dataset as stored: it does not detect.
TEST(StoredRPeaks, TheDatasetUsesTheStoredPeaksInsteadOfDetectingThem) {
  testing::TempDir dir;
  const std::string path = dir.File("stored.ecgarch");
  testing::WriteSyntheticArchive(path, 1, 1, 6);
  {
    const int32_t section[] = {3, 1000, 2000, 3000};  // count, then the peaks
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(32 + 32);  // file header, record 0's keys
    f.write(reinterpret_cast<const char*>(section), sizeof section);
  }
  EcgDataset data({path});
  const std::vector<int64_t> peaks = data.Load(0, ModelZeroInputConfig()).peaks;
  ASSERT_EQ(peaks.size(), static_cast<size_t>(kModelZeroMaxBeats));
  EXPECT_EQ(std::vector<int64_t>(peaks.begin(), peaks.begin() + 4),
            (std::vector<int64_t>{1000, 2000, 3000, -1}));
}

TEST(StoredRPeaks, TheZeroBlockFitsTheSameFromStoredPeaksAsFromDetectedOnes) {
  testing::TempDir dir;
  testing::WriteSyntheticArchive(dir.File("stored.ecgarch"), 8, 2, 4);
  testing::WriteSyntheticArchive(dir.File("detected.ecgarch"), 8, 2, 4, ArchiveRPeaks::kNone);
  ModelConfig config = ModelConfig::Tiny();
  config.beat_branch = false;
  config.max_beats = kModelZeroMaxBeats;
  config.zero_block_dim = 16;
  config.embedding_dim = config.zero_block_output_dim();
  auto fit = [&](const std::string& path) {
    EcgDataset data({path});
    std::vector<size_t> patients(data.patient_count());
    std::iota(patients.begin(), patients.end(), size_t{0});
    torch::manual_seed(1);
    EcgModel model(config);
    FitZeroBlock(*model, data, patients);
    return model->encoder->zero_block()->named_buffers();
  };
  const auto stored = fit(dir.File("stored.ecgarch")), detected = fit(dir.File("detected.ecgarch"));
  for (const auto& name : {"mean", "basis"}) {
    ASSERT_TRUE(stored.contains(name)) << name;
    EXPECT_TRUE(torch::equal(stored[name], detected[name])) << name;
  }
}

TEST(StoredRPeaks, TheEvaluationSetCarriesThemOnlyFromArchivesThatStoreThem) {
  testing::TempDir dir;
  testing::WriteSyntheticArchive(dir.File("stored.ecgarch"), 2, 2, 5);
  testing::WriteSyntheticArchive(dir.File("detected.ecgarch"), 2, 2, 5, ArchiveRPeaks::kNone);
  const std::vector<EvalEcg> stored = LoadEvalSet({dir.File("stored.ecgarch")});
  const std::vector<EvalEcg> detected = LoadEvalSet({dir.File("detected.ecgarch")});
  ASSERT_EQ(stored.size(), 4u);
  for (size_t i = 0; i < stored.size(); ++i) {
    ASSERT_TRUE(stored[i].r_peaks.has_value());
    EXPECT_FALSE(detected[i].r_peaks.has_value());
    EXPECT_EQ(*stored[i].r_peaks, DetectRPeaks(detected[i].signal));
  }
}

}  // namespace
}  // namespace ecg::learning
