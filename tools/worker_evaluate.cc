#include "tools/worker_evaluate.h"

#include <unordered_set>

#include "waveform/ecg_archive.h"

namespace ecg::tools {

std::vector<learning::EvalEcg> LoadHeldOutSet(const std::vector<std::string>& archives,
                                              const learning::EcgDataset& data,
                                              const learning::TrainOptions& train,
                                              size_t max_ecgs) {
  const learning::PatientSplit split = data.SplitPatients(train.validation_fraction, train.seed);
  std::unordered_set<int64_t> patient_keys;
  size_t selected = 0;
  for (size_t patient : split.validation) {
    const std::vector<size_t>& ecgs = data.patient_ecgs(patient);
    if (selected + ecgs.size() > max_ecgs) break;
    selected += ecgs.size();
    patient_keys.insert(data.keys(ecgs.front()).patient_key);
  }
  return learning::LoadEvalSet(archives, [&patient_keys](int64_t patient_key) {
    return patient_keys.count(patient_key) > 0;
  });
}

nlohmann::json GateMetrics(learning::EcgModel& model, const std::vector<learning::EvalEcg>& set,
                           const learning::EvalOptions& options) {
  learning::EvalOptions label_free = options;
  label_free.linear_probe = false;
  nlohmann::json metrics = learning::RetrievalAndProbeMetrics(
      learning::EmbedAll(model, set, label_free.batch_size), set, label_free);
  metrics.update(learning::LeadMetrics(model, set, label_free.batch_size));
  return metrics;
}

}  // namespace ecg::tools
