// Embeds every exported ECG with a newly trained model on the worker's device and writes the
// embeddings to the store under the model's id (EcgStore::WriteEmbeddings, a few hundred rows per
// transaction; ECGs deleted since the export are skipped by the store).
//
// The model is moved to `device` and left in eval mode; inputs are prepared exactly as the
// plugin's CPU Embedder prepares them (learning/dataset.h PrepareEcg, centre window; the R peaks
// stored in the archive are those the Embedder detects), so the vectors match what the plugin
// computes for new ECGs. Not thread-safe. Errors: those of the
// archive reader, LibTorch (out of memory on the device: c10::Error) and the store.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "learning/encoder.h"
#include "storage/ecg_store.h"

namespace ecg::tools {

struct EmbedSummary {
  int64_t ecgs = 0;     // ECGs embedded
  int64_t written = 0;  // embeddings the store accepted
  double seconds = 0;
  nlohmann::json ToJson() const;
};

// on_progress(ECGs embedded so far) after each write.
EmbedSummary EmbedIntoStore(EcgStore& store, int64_t model_id, learning::EcgModel& model,
                            const torch::Device& device, const std::vector<std::string>& archives,
                            const std::function<void(int64_t)>& on_progress);

}  // namespace ecg::tools
