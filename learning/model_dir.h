// A model directory: one trained model, versioned, self-describing.
//   MODEL_DIR/format          "orthanc-ecg-model 1"
//   MODEL_DIR/config.json     ModelConfig (learning/model_config.h)
//   MODEL_DIR/model.pt        the EcgModel's parameters and buffers (torch::save)
//   MODEL_DIR/data.json       summary of the training data (counts, never patient identifiers)
//   MODEL_DIR/metrics.json    training and validation figures
// SaveModelDir writes into a temporary sibling and renames it into place, so a reader never sees
// a half-written model. LoadModelDir builds the model from config.json, loads the weights onto the
// device and checks the embedding size when one is expected.
// Errors: Error::NotFound (no such directory or file), Error::Corruption (unreadable files, wrong
// format line, weights that do not fit the config), Error::InvalidArgument (embedding size other
// than expected), Error::Unavailable (I/O failure while writing). Free functions, thread-safe for
// distinct directories.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "learning/encoder.h"

namespace ecg::learning {

constexpr const char* kModelFormat = "orthanc-ecg-model 1";

struct LoadedModel {
  EcgModel model{nullptr};
  ModelConfig config;
  nlohmann::json data;
  nlohmann::json metrics;
};

void SaveModelDir(const std::string& dir, EcgModel& model, const nlohmann::json& data,
                  const nlohmann::json& metrics);
LoadedModel LoadModelDir(const std::string& dir, torch::Device device = torch::kCPU,
                         std::optional<int64_t> expected_embedding_dim = std::nullopt);

// Writing a directory atomically: create an empty staging sibling of `dir` (DIR.tmp), fill it,
// then publish it, which replaces `dir` by renames so that a reader sees the old model or the new
// one, never a mix.
std::string CreateStagingDirectory(const std::string& dir);
void PublishDirectory(const std::string& staging, const std::string& dir);

// Reads and writes a JSON file; errors as above with the path in the message.
nlohmann::json ReadJsonFile(const std::string& path);
void WriteJsonFile(const std::string& path, const nlohmann::json& json);

}  // namespace ecg::learning
