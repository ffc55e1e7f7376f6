#include "learning/dataset.h"

#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "waveform/error.h"
#include "waveform/measurements.h"
#include "waveform/random.h"

namespace ecg::learning {
namespace {

constexpr double kMsPerDay = 86400000.0;

// count distinct patients of the given ones (all of them, shuffled, if fewer).
std::vector<size_t> ChoosePatients(const std::vector<size_t>& patients, size_t count,
                                   std::mt19937_64& rng) {
  std::vector<size_t> chosen = patients;
  std::shuffle(chosen.begin(), chosen.end(), rng);
  chosen.resize(std::min(count, chosen.size()));
  return chosen;
}

}  // namespace

nlohmann::json DataSummary::ToJson() const {
  return {{"ecgs", ecgs},
          {"patients", patients},
          {"patients_with_several_ecgs", patients_with_several}};
}

PreparedEcg PrepareEcg(const EcgSignal& signal, size_t valid_samples, const ModelConfig& config,
                       std::optional<size_t> offset, const std::vector<size_t>* r_peaks) {
  if (static_cast<int64_t>(std::lround(signal.sample_rate_hz())) != kModelSourceRate_hz) {
    throw Error::InvalidArgument("model input must be canonical 500 Hz, got " +
                                 std::to_string(signal.sample_rate_hz()) + " Hz");
  }
  const size_t window = static_cast<size_t>(config.window_samples_source());
  const size_t valid = std::min(valid_samples, signal.samples_per_lead());
  const size_t start =
      valid > window ? std::min(offset.value_or((valid - window) / 2), valid - window) : 0;
  const size_t copy = std::min(window, valid - std::min(valid, start));
  PreparedEcg out;
  out.signals_mV.assign(kLeadCount * window, 0.0f);
  for (Lead lead : AllLeads()) {
    const size_t l = LeadIndex(lead);
    out.present[l] = signal.status(lead) != LeadStatus::kMissing;
    const float* x = signal.lead_uV(lead) + start;
    float* y = out.signals_mV.data() + l * window;
    for (size_t t = 0; t < copy; ++t) y[t] = x[t] * 1e-3f;
  }
  out.peaks.assign(static_cast<size_t>(config.max_beats), -1);
  std::vector<size_t> detected;
  if (r_peaks == nullptr) {
    detected = DetectRPeaks(signal);
    r_peaks = &detected;
  }
  size_t k = 0;
  for (size_t p : *r_peaks) {
    const int64_t at = static_cast<int64_t>(p) - static_cast<int64_t>(start);
    if (at < 0 || at >= static_cast<int64_t>(copy)) continue;
    if (k == out.peaks.size()) break;
    out.peaks[k++] = at;
  }
  return out;
}

PreparedEcg PrepareRecord(const ArchiveRecord& record, const ModelConfig& config,
                          std::optional<size_t> offset) {
  return PrepareEcg(record.signal, record.valid_samples, config, offset,
                    record.r_peaks ? &*record.r_peaks : nullptr);
}

EcgBatch StackBatch(const std::vector<PreparedEcg>& ecgs, const ModelConfig& config) {
  const int64_t n = static_cast<int64_t>(ecgs.size());
  const int64_t window = config.window_samples_source();
  auto signals = torch::empty({n, static_cast<int64_t>(kLeadCount), window});
  auto peaks = torch::empty({n, config.max_beats}, torch::kLong);
  auto present = torch::empty({n, static_cast<int64_t>(kLeadCount)}, torch::kBool);
  for (int64_t i = 0; i < n; ++i) {
    const PreparedEcg& e = ecgs[static_cast<size_t>(i)];
    std::copy(e.signals_mV.begin(), e.signals_mV.end(), signals[i].data_ptr<float>());
    std::copy(e.peaks.begin(), e.peaks.end(), peaks[i].data_ptr<int64_t>());
    std::copy(e.present.begin(), e.present.end(), present[i].data_ptr<bool>());
  }
  return {signals, peaks, present};
}

std::vector<std::string> ListArchives(const std::string& dir_or_file) {
  namespace fs = std::filesystem;
  if (!fs::exists(dir_or_file))
    throw Error::NotFound("training data '" + dir_or_file + "' does not exist");
  if (!fs::is_directory(dir_or_file)) return {dir_or_file};
  std::vector<std::string> paths;
  for (const auto& entry : fs::directory_iterator(dir_or_file)) {
    if (entry.is_regular_file() && entry.path().extension() == ".ecgarch") {
      paths.push_back(entry.path().string());
    }
  }
  std::sort(paths.begin(), paths.end());
  if (paths.empty()) throw Error::NotFound("no *.ecgarch archive in '" + dir_or_file + "'");
  return paths;
}

EcgDataset::EcgDataset(const std::vector<std::string>& archive_paths) {
  std::map<int64_t, std::vector<size_t>> by_patient;
  for (const std::string& path : archive_paths) {
    auto reader = std::make_unique<EcgArchiveReader>(path);
    if (reader->sample_rate_hz() != kModelSourceRate_hz) {
      throw Error::InvalidArgument("archive '" + path + "' is at " +
                                   std::to_string(reader->sample_rate_hz()) +
                                   " Hz; training needs canonical 500 Hz archives");
    }
    for (uint64_t i = 0; i < reader->size(); ++i) {
      const ArchiveKeys keys = reader->ReadKeys(i);
      by_patient[keys.patient_key].push_back(entries_.size());
      entries_.push_back({readers_.size(), i, keys});
    }
    readers_.push_back(std::move(reader));
  }
  if (entries_.empty()) throw Error::InvalidArgument("training data holds no ECG");
  for (auto& [patient, ecgs] : by_patient) {
    std::stable_sort(ecgs.begin(), ecgs.end(), [&](size_t x, size_t y) {
      return entries_[x].keys.acquisition_time_ms < entries_[y].keys.acquisition_time_ms;
    });
    patients_.push_back(ecgs);
  }
}

DataSummary EcgDataset::Summary() const {
  DataSummary s;
  s.ecgs = entries_.size();
  s.patients = patients_.size();
  for (const auto& p : patients_) s.patients_with_several += p.size() > 1 ? 1 : 0;
  return s;
}

PatientSplit EcgDataset::SplitPatients(double validation_fraction, uint64_t seed) const {
  PatientSplit split;
  const auto threshold = static_cast<uint64_t>(validation_fraction * 18446744073709551615.0);
  const uint64_t purpose_seed = DeriveSeed(seed, kValidationSplitPurpose);
  for (size_t p = 0; p < patients_.size(); ++p) {
    const auto key = static_cast<uint64_t>(entries_[patients_[p].front()].keys.patient_key);
    (HashU64(key ^ purpose_seed) < threshold ? split.validation : split.train).push_back(p);
  }
  return split;
}

PreparedEcg EcgDataset::Load(size_t ecg, const ModelConfig& config, std::mt19937_64* rng) {
  const Entry& e = entries_[ecg];
  ArchiveRecord record = readers_[e.file]->Read(e.index);
  std::optional<size_t> offset;
  const auto window = static_cast<size_t>(config.window_samples_source());
  if (rng != nullptr && record.valid_samples > window) {
    offset = std::uniform_int_distribution<size_t>(0, record.valid_samples - window)(*rng);
  }
  return PrepareRecord(record, config, offset);
}

EcgBatch EcgDataset::SampleEcgs(const std::vector<size_t>& patients, size_t count,
                                 const ModelConfig& config, std::mt19937_64& rng) {
  const std::vector<size_t> chosen = ChoosePatients(patients, count, rng);
  std::vector<PreparedEcg> ecgs;
  for (size_t p : chosen) {
    const auto& own = patients_[p];
    ecgs.push_back(Load(own[std::uniform_int_distribution<size_t>(0, own.size() - 1)(rng)], config,
                        &rng));
  }
  return StackBatch(ecgs, config);
}

PairBatch EcgDataset::SamplePairs(const std::vector<size_t>& patients, size_t count,
                                  const ModelConfig& config, std::mt19937_64& rng) {
  const std::vector<size_t> chosen = ChoosePatients(patients, count, rng);
  std::vector<PreparedEcg> a, b;
  std::vector<uint8_t> timed;
  std::vector<float> gap_days;
  for (size_t p : chosen) {
    const auto& ecgs = patients_[p];
    size_t i = std::uniform_int_distribution<size_t>(0, ecgs.size() - 1)(rng);
    size_t j = i;
    if (ecgs.size() > 1) {
      j = std::uniform_int_distribution<size_t>(0, ecgs.size() - 2)(rng);
      if (j >= i) ++j;
    }
    const ArchiveKeys& ka = entries_[ecgs[i]].keys;
    const ArchiveKeys& kb = entries_[ecgs[j]].keys;
    const bool is_timed =
        i != j && ka.acquisition_time_ms != kUnknownTime && kb.acquisition_time_ms != kUnknownTime;
    timed.push_back(is_timed ? 1 : 0);
    gap_days.push_back(
        is_timed ? static_cast<float>((kb.acquisition_time_ms - ka.acquisition_time_ms) / kMsPerDay)
                 : 0.0f);
    a.push_back(Load(ecgs[i], config, &rng));
    b.push_back(Load(ecgs[j], config, &rng));
  }
  PairBatch batch;
  batch.a = StackBatch(a, config);
  batch.b = StackBatch(b, config);
  batch.timed_pair =
      torch::tensor(std::vector<int64_t>(timed.begin(), timed.end())).to(torch::kBool);
  batch.gap_days = torch::tensor(gap_days);
  return batch;
}

}  // namespace ecg::learning
