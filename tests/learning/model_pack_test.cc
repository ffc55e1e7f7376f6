#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>

#include "learning/embedder.h"
#include "learning/model_dir.h"
#include "learning/model_pack.h"
#include "tests/support/test_env.h"
#include "waveform/error.h"
#include "waveform/synth.h"

namespace ecg::learning {
namespace {

std::string SaveTinyModel(const testing::TempDir& dir, uint64_t seed) {
  torch::manual_seed(seed);
  EcgModel model(ModelConfig::Tiny());
  const std::string path = dir.File("model");
  SaveModelDir(path, model, {{"ecgs", 3}}, {{"steps", 7}});
  return path;
}

TEST(ModelPack, UnpackedPackEmbedsExactlyAsTheOriginalDirectory) {
  testing::TempDir dir;
  const std::string original = SaveTinyModel(dir, 3);
  const std::string bytes = PackModelDir(original);
  const std::string copy = dir.File("copy");
  UnpackModelDir(bytes, copy);

  SynthOptions options;
  options.patients = 1;
  options.ecgs_per_patient = 1;
  const EcgSignal signal = SynthesiseCohort(options)[0].signal;
  const std::vector<float> a = Embedder(original).Embed(signal);
  const std::vector<float> b = Embedder(copy).Embed(signal);
  EXPECT_EQ(a, b);
  EXPECT_EQ(LoadModelDir(copy).metrics["steps"], 7);
}

TEST(ModelPack, UnpackReplacesAnExistingModelDirectory) {
  testing::TempDir dir;
  const std::string first = SaveTinyModel(dir, 4);
  const std::string target = dir.File("target");
  UnpackModelDir(PackModelDir(first), target);
  torch::manual_seed(5);
  EcgModel other(ModelConfig::Tiny());
  const std::string second = dir.File("second");
  SaveModelDir(second, other, {}, {{"steps", 99}});
  UnpackModelDir(PackModelDir(second), target);
  EXPECT_EQ(LoadModelDir(target).metrics["steps"], 99);
}

TEST(ModelPack, TruncatedOrForeignBytesAreRefusedAndNothingIsPublished) {
  testing::TempDir dir;
  const std::string bytes = PackModelDir(SaveTinyModel(dir, 6));
  const std::string target = dir.File("target");
  for (size_t cut : {size_t{0}, size_t{5}, size_t{12}, size_t{40}, bytes.size() - 1}) {
    try {
      UnpackModelDir(bytes.substr(0, cut), target);
      FAIL() << "a pack cut at byte " << cut << " must be refused";
    } catch (const Error& e) {
      EXPECT_TRUE(e.IsCorruption()) << e.what();
    }
  }
  EXPECT_THROW(UnpackModelDir("not a model at all", target), Error);
  EXPECT_THROW(UnpackModelDir(bytes + "x", target), Error);
  EXPECT_FALSE(std::filesystem::exists(target));
}

TEST(ModelPack, PackingADirectoryWithoutWeightsSaysWhichFileIsMissing) {
  testing::TempDir dir;
  const std::string model = SaveTinyModel(dir, 7);
  std::filesystem::remove(model + "/model.pt");
  try {
    PackModelDir(model);
    FAIL() << "a model without weights must not pack";
  } catch (const Error& e) {
    EXPECT_TRUE(e.IsNotFound());
    EXPECT_NE(std::string(e.what()).find("model.pt"), std::string::npos);
  }
}

}  // namespace
}  // namespace ecg::learning
