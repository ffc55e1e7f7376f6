#include "tools/worker_export.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "learning/model_dir.h"
#include "waveform/canonical.h"
#include "waveform/ecg_archive.h"

namespace ecg::tools {
namespace {

namespace fs = std::filesystem;

constexpr uint32_t kSamplesPerLead = 5000;  // 10 s at 500 Hz, what the models read
constexpr int64_t kProgressEvery = 256;

struct ExportState {
  std::string store;
  int64_t last_ecg_key = 0;
  int64_t ecgs = 0;
};

ExportState ReadState(const std::string& data_dir) {
  const std::string path = data_dir + "/export.json";
  if (!fs::exists(path)) return {};
  const nlohmann::json json = learning::ReadJsonFile(path);
  return {json.value("store", ""), json.value("last_ecg_key", int64_t{0}),
          json.value("ecgs", int64_t{0})};
}

void WriteState(const std::string& data_dir, const ExportState& state) {
  const std::string path = data_dir + "/export.json";
  learning::WriteJsonFile(
      path + ".tmp",
      {{"store", state.store}, {"last_ecg_key", state.last_ecg_key}, {"ecgs", state.ecgs}});
  fs::rename(path + ".tmp", path);
}

std::vector<std::string> ListDataArchives(const std::string& data_dir) {
  std::vector<std::string> paths;
  for (const auto& entry : fs::directory_iterator(data_dir)) {
    if (entry.path().extension() == ".ecgarch") paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

// Archives written before R peaks were kept in them (version 1) make every training read
// detect the peaks again, night after night.
bool HoldsArchivesWithoutRPeaks(const std::string& data_dir) {
  for (const std::string& path : ListDataArchives(data_dir)) {
    if (!EcgArchiveReader(path).stores_r_peaks()) return true;
  }
  return false;
}

void Clear(const std::string& data_dir) {
  fs::remove_all(data_dir);
  fs::create_directories(data_dir);
}

// Appends the ECGs after state.last_ecg_key as one archive; returns how many it wrote.
int64_t AppendNewEcgs(EcgStore& store, const std::string& data_dir, ExportState* state,
                      const std::function<void(int64_t)>& on_progress) {
  char name[64];
  std::snprintf(name, sizeof name, "/ecgs-%019lld.ecgarch",
                static_cast<long long>(state->last_ecg_key + 1));
  const std::string path = data_dir + name;
  EcgArchiveWriter writer(path + ".tmp", static_cast<uint32_t>(kCanonicalRate_hz), kSamplesPerLead);
  ExportOptions options;
  options.after_ecg_key = state->last_ecg_key;
  int64_t count = 0;
  int64_t last_key = state->last_ecg_key;
  store.ExportForTraining(
      [&](const ExportedEcg& ecg) {
        writer.Append(ecg.keys, ecg.signal);
        last_key = ecg.keys.ecg_key;
        if (++count % kProgressEvery == 0) on_progress(count);
      },
      options);
  writer.Close();
  if (count == 0) {
    fs::remove(path + ".tmp");
    return 0;
  }
  fs::rename(path + ".tmp", path);
  state->last_ecg_key = last_key;
  state->ecgs += count;
  return count;
}

}  // namespace

nlohmann::json ExportSummary::ToJson() const {
  return {{"archives", archives.size()}, {"ecgs", ecgs},
          {"new_ecgs", new_ecgs},        {"rebuilt", rebuilt},
          {"seconds", seconds},          {"new_ecg_per_s", new_ecgs / std::max(1e-9, seconds)}};
}

ExportSummary ExportIncrementally(EcgStore& store, const std::string& store_identity,
                                  const std::string& data_dir,
                                  const std::function<void(int64_t)>& on_progress) {
  const auto start = std::chrono::steady_clock::now();
  fs::create_directories(data_dir);
  ExportSummary summary;
  ExportState state = ReadState(data_dir);
  const auto rebuild = [&] {
    Clear(data_dir);
    state = {store_identity, 0, 0};
    summary.rebuilt = true;
  };
  if (state.store != store_identity) {
    rebuild();
  } else if (HoldsArchivesWithoutRPeaks(data_dir)) {
    spdlog::info("export: archives of an earlier version without R peaks; rebuilding once");
    rebuild();
  }
  summary.new_ecgs = AppendNewEcgs(store, data_dir, &state, on_progress);
  if (!summary.rebuilt && state.ecgs > store.CountEcgs()) {
    spdlog::info("export: the store holds fewer ECGs than the archives (deletions); rebuilding");
    rebuild();
    summary.new_ecgs = AppendNewEcgs(store, data_dir, &state, on_progress);
  }
  WriteState(data_dir, state);
  summary.archives = ListDataArchives(data_dir);
  summary.ecgs = state.ecgs;
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace ecg::tools
