#include "tools/ptbxl_measured.h"

#include <cstdio>
#include <filesystem>
#include <utility>

#include "waveform/canonical.h"
#include "waveform/error.h"
#include "waveform/wfdb.h"

namespace ecg::tools {
namespace {

std::pair<int, int> ParseFolds(const std::string& folds) {
  if (folds.empty()) return {1, 10};
  int first = 0, last = 0;
  char dash = 0;
  if (std::sscanf(folds.c_str(), "%d%c%d", &first, &dash, &last) != 3 || dash != '-' || first < 1 ||
      last < first || last > 10)
    throw Error::InvalidArgument("--folds: expected A-B with 1 <= A <= B <= 10, got " + folds);
  return {first, last};
}

}  // namespace

size_t ForEachMeasuredPtbxlEcg(
    const PtbxlSelection& selection,
    const std::function<void(const PtbxlEcg&, const EcgMeasurements&)>& visit) {
  if (selection.rate_hz != 100 && selection.rate_hz != 500)
    throw Error::InvalidArgument("--rate: 100 or 500, got " + std::to_string(selection.rate_hz));
  const auto [first_fold, last_fold] = ParseFolds(selection.folds);
  const PtbxlDatabase db = PtbxlDatabase::Read(selection.folder);
  size_t visited = 0;
  for (const PtbxlEcg& ecg : db.ecgs()) {
    if (ecg.strat_fold < first_fold || ecg.strat_fold > last_fold) continue;
    const std::string path =
        selection.folder + "/" + (selection.rate_hz == 100 ? ecg.filename_lr : ecg.filename_hr);
    if (!std::filesystem::exists(path + ".hea")) continue;
    const WfdbRecord record = ReadWfdbRecord(path);
    MeasureOptions options = selection.measure;  // as the plugin measures: told the source's rate
    options.source_sample_rate_hz = record.group.sample_rate_hz;
    visit(ecg, MeasureEcg(Canonicalise(record.group), options));
    ++visited;
  }
  if (visited == 0)
    throw Error::NotFound(selection.folder + ": no " + std::to_string(selection.rate_hz) +
                          " Hz record (records" + std::to_string(selection.rate_hz) +
                          "/) of an ECG in folds " + std::to_string(first_fold) + "-" +
                          std::to_string(last_fold) + " of ptbxl_database.csv");
  return visited;
}

std::string SelectionText(const PtbxlSelection& selection) {
  const auto [first, last] = ParseFolds(selection.folds);
  return "PTB-XL " + selection.folder + ", " + std::to_string(selection.rate_hz) +
         " Hz records, folds " + std::to_string(first) + "-" + std::to_string(last);
}

void AddPtbxlOptions(CLI::App& cmd, PtbxlSelection& selection) {
  cmd.add_option("--ptbxl", selection.folder, "PTB-XL folder (ptbxl_database.csv, records*/)")
      ->required();
  cmd.add_option("--folds", selection.folds, "only ECGs whose strat_fold lies in A-B (1-10)");
}

}  // namespace ecg::tools
