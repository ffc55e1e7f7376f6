#include <gtest/gtest.h>
#include <torch/torch.h>

#include "learning/embedder.h"
#include "learning/encoder.h"
#include "learning/model_config.h"
#include "learning/model_dir.h"
#include "tests/support/test_env.h"
#include "waveform/error.h"
#include "waveform/synth.h"

namespace ecg::learning {
namespace {

std::vector<SyntheticEcg> TwoEcgs() {
  SynthOptions options;
  options.patients = 2;
  options.ecgs_per_patient = 1;
  return SynthesiseCohort(options);
}

TEST(ModelConfig, JsonRoundTripKeepsEveryField) {
  ModelConfig c = ModelConfig::Tiny();
  c.reconstruction_input_leads = {Lead::kI, Lead::kV2};
  c.beat_branch = false;
  ModelConfig back = ModelConfig::FromJson(c.ToJson());
  EXPECT_EQ(back.ToJson(), c.ToJson());
}

TEST(ModelConfig, UnknownKeysAndBadValuesAreRejectedWithTheFieldName) {
  try {
    ModelConfig::FromJson({{"widht", 8}});
    FAIL() << "a typo must not pass";
  } catch (const Error& e) {
    EXPECT_TRUE(e.IsInvalidArgument());
    EXPECT_NE(std::string(e.what()).find("widht"), std::string::npos);
  }
  EXPECT_THROW(ModelConfig::FromJson({{"input_rate_hz", 300}}), Error);
  EXPECT_THROW(ModelConfig::FromJson({{"reconstruction_input_leads", {"I", "X9"}}}), Error);
}

TEST(EcgModel, TinyModelGivesUnitNormEmbeddingsOfTheConfiguredSize) {
  torch::manual_seed(1);
  EcgModel model(ModelConfig::Tiny());
  Embedder embedder(model);
  auto ecgs = TwoEcgs();
  auto batch = embedder.EmbedBatch({&ecgs[0].signal, &ecgs[1].signal});
  ASSERT_EQ(batch.sizes(), (std::vector<int64_t>{2, 256}));
  EXPECT_NEAR(batch.norm(2, 1).min().item<double>(), 1.0, 1e-4);
  EXPECT_NEAR(batch.norm(2, 1).max().item<double>(), 1.0, 1e-4);
  std::vector<float> single = embedder.Embed(ecgs[1].signal);
  EXPECT_NEAR((torch::tensor(single) - batch[1]).abs().max().item<double>(), 0.0, 1e-4);
}

TEST(ModelDir, SaveAndLoadGiveIdenticalEmbeddings) {
  testing::TempDir dir;
  torch::manual_seed(2);
  EcgModel model(ModelConfig::Tiny());
  SaveModelDir(dir.File("model"), model, {{"ecgs", 0}}, {{"steps", 0}});
  auto ecgs = TwoEcgs();
  Embedder in_memory(model);
  Embedder loaded(dir.File("model"), {1, 256});
  EXPECT_EQ(in_memory.Embed(ecgs[0].signal), loaded.Embed(ecgs[0].signal));
  LoadedModel again = LoadModelDir(dir.File("model"));
  EXPECT_EQ(again.data["ecgs"], 0);
}

TEST(ModelDir, LoadRefusesAnotherEmbeddingSizeOrAMissingDirectory) {
  testing::TempDir dir;
  EcgModel model(ModelConfig::Tiny());
  SaveModelDir(dir.File("model"), model, nlohmann::json::object(), nlohmann::json::object());
  EXPECT_THROW(LoadModelDir(dir.File("model"), torch::kCPU, 128), Error);
  try {
    LoadModelDir(dir.File("absent"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_TRUE(e.IsNotFound());
  }
}

TEST(Embedder, RefusesSignalsThatAreNotCanonical) {
  EcgModel model(ModelConfig::Tiny());
  Embedder embedder(model);
  EcgSignal at_250(250.0, 2500);
  EXPECT_THROW(embedder.Embed(at_250), Error);
}

}  // namespace
}  // namespace ecg::learning
