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
  std::vector<learning::EvalEcg> set;
  for (const std::string& path : archives) {
    EcgArchiveReader reader(path);
    for (uint64_t i = 0; i < reader.size(); ++i) {
      if (patient_keys.count(reader.ReadKeys(i).patient_key) == 0) continue;
      ArchiveRecord record = reader.Read(i);
      learning::EvalEcg e;
      e.signal = std::move(record.signal);
      e.valid_samples = record.valid_samples;
      e.patient_key = record.keys.patient_key;
      e.acquisition_time_ms = record.keys.acquisition_time_ms;
      set.push_back(std::move(e));
    }
  }
  return set;
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
