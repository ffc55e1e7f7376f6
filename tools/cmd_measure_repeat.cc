// orthanc-ecg measure-repeat --data DIR [--records] [--limit N]
//
// How far the product's measurements (waveform/ecg_measure.h) move when nothing changed: every
// WFDB record under DIR (its *.hea files, searched recursively: LUDB's data/, PTB-XL's
// records500/) is canonicalised and cut into its first and second half (5 s each for a 10 s
// record), each half is measured on its own, and the serial comparison (waveform/
// serial_comparison.h) is made from the first half to the second, as if they were two ECGs of one
// patient taken seconds apart. Prints, per measurement, the number of records where both halves
// have a value, the mean and SD of the difference (second - first), the median, 95th percentile
// and largest |difference|; then every change statement the comparison raised, with its count:
// a statement between two halves of one recording is a false alarm of the serial comparison,
// except where the heart really changed within the ten seconds (a rate crossing 100 in a rhythm
// that speeds up); then how many records' halves get different rhythms, by pair.
// --records prints each record's statements with the quality of both halves. The developer
// options (--t-peak-agree-ms, --t-rank-floor, ...) set DelineationOptions fields
// (tools/delineation_flags.h), as in measure-eval. No reference annotations are read: any folder of
// 12-lead WFDB records does. Prints text; nothing is written.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tools/command.h"
#include "tools/delineation_flags.h"
#include "waveform/canonical.h"
#include "waveform/ecg_measure.h"
#include "waveform/error.h"
#include "waveform/serial_comparison.h"
#include "waveform/wfdb.h"

namespace ecg::tools {
namespace {

struct MeasureRepeatOptions {
  std::string data;        // folder of WFDB records
  bool records = false;    // each record's statements
  size_t limit = 0;        // at most this many records (0: all)
  MeasureOptions measure;  // developer variants (--t-peak-agree-ms, ...)
};

// The header paths (without ".hea") under `dir`, sorted.
std::vector<std::string> WfdbRecords(const std::string& dir) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(dir)) throw Error::NotFound("measure-repeat: no folder " + dir);
  std::vector<std::string> records;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".hea")
      records.push_back((entry.path().parent_path() / entry.path().stem()).string());
  }
  std::sort(records.begin(), records.end());
  return records;
}

// Samples [first, first + count) of every lead, with the signal's lead statuses.
EcgSignal Part(const EcgSignal& signal, size_t first, size_t count) {
  EcgSignal part(signal.sample_rate_hz(), count);
  part.mutable_mask() = signal.mask();
  for (Lead lead : AllLeads()) {
    std::copy_n(signal.lead_uV(lead) + first, count, part.lead_uV(lead));
  }
  return part;
}

// "8 beats, consistency 0.93, noisy, <rhythm>, QRS -40..52 T end 380": what the quality says of
// a half, with its median beat's QRS onset and offset and T end in ms from the R peak.
std::string QualityText(const EcgMeasurements& m, double rate_hz) {
  const MeasurementQuality& q = m.quality;
  std::string bounds = "no QRS";
  if (m.boundaries) {
    const double rate_khz = rate_hz / 1000.0;
    const auto ms = [&](size_t sample) {
      return std::to_string(std::lround(
          (static_cast<double>(sample) - static_cast<double>(m.median_r_index)) / rate_khz));
    };
    const BeatBoundaries& b = *m.boundaries;
    bounds = "QRS " + ms(b.qrs_onset) + ".." + ms(b.qrs_offset) + " T end " +
             (b.t_offset ? ms(*b.t_offset) : std::string("-"));
  }
  char text[200];
  std::snprintf(text, sizeof(text), "%zu beats, consistency %.2f%s, %s, %s", q.beats_in_median,
                q.beat_consistency, q.noisy ? ", noisy" : "", m.rhythm.c_str(), bounds.c_str());
  return text;
}

struct FieldDifferences {
  std::vector<double> values;  // second half - first half
};

// The q-quantile of sorted values (nearest rank); 0 when empty.
double Quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

// Rhythm pairs ("a | b", in name order) of the records whose halves' rhythms differ.
using RhythmFlips = std::map<std::string, size_t>;

void PrintSummary(const std::vector<FieldDifferences>& fields,
                  const std::map<std::string, std::vector<std::string>>& statements,
                  const RhythmFlips& flips, size_t records) {
  std::printf("%zu records, second half - first half\n", records);
  std::printf("%-18s %5s %8s %7s %8s %8s %8s\n", "measurement", "n", "mean", "SD", "|d| 50%",
              "|d| 95%", "max |d|");
  const std::vector<std::string>& names = MeasurementFieldNames();
  for (size_t k = 0; k < names.size(); ++k) {
    const std::vector<double>& v = fields[k].values;
    double mean = 0, sq = 0;
    std::vector<double> size;  // |d|, sorted
    for (double d : v) mean += d;
    mean /= v.empty() ? 1 : static_cast<double>(v.size());
    for (double d : v) {
      sq += (d - mean) * (d - mean);
      size.push_back(std::abs(d));
    }
    std::sort(size.begin(), size.end());
    const double sd = v.size() > 1 ? std::sqrt(sq / static_cast<double>(v.size() - 1)) : 0.0;
    std::printf("%-18s %5zu %8.1f %7.1f %8.1f %8.1f %8.1f\n", names[k].c_str(), v.size(), mean, sd,
                Quantile(size, 0.5), Quantile(size, 0.95), size.empty() ? 0.0 : size.back());
  }
  std::set<std::string> stated;
  for (const auto& [code, where] : statements) stated.insert(where.begin(), where.end());
  std::printf("statements between the halves: %zu records with at least one (records):\n",
              stated.size());
  if (statements.empty()) std::printf("  none\n");
  for (const auto& [code, where] : statements) {
    std::printf("  %-20s %3zu ", code.c_str(), where.size());
    for (const std::string& record : where) std::printf(" %s", record.c_str());
    std::printf("\n");
  }
  size_t flipped = 0;
  for (const auto& [pair, count] : flips) flipped += count;
  std::printf("rhythm differs between the halves: %zu records\n", flipped);
  for (const auto& [pair, count] : flips) std::printf("  %3zu  %s\n", count, pair.c_str());
}

void RunMeasureRepeat(const MeasureRepeatOptions& o) {
  const std::vector<std::string> paths = WfdbRecords(o.data);
  std::vector<FieldDifferences> fields(MeasurementFieldNames().size());
  std::map<std::string, std::vector<std::string>> statements;
  RhythmFlips flips;
  size_t records = 0;
  for (const std::string& path : paths) {
    if (o.limit > 0 && records >= o.limit) break;
    const WfdbRecord record = ReadWfdbRecord(path);
    const EcgSignal signal = Canonicalise(record.group);
    MeasureOptions options = o.measure;  // as the plugin measures: told the source's rate
    options.source_sample_rate_hz = record.group.sample_rate_hz;
    const size_t half = signal.samples_per_lead() / 2;
    const double rate = signal.sample_rate_hz();
    if (half == 0) continue;
    const EcgMeasurements first = MeasureEcg(Part(signal, 0, half), options);
    const EcgMeasurements second = MeasureEcg(Part(signal, half, half), options);
    const SerialComparison c = CompareMeasurements(first, second);
    for (size_t k = 0; k < c.differences.size(); ++k) {
      if (c.differences[k].delta) fields[k].values.push_back(*c.differences[k].delta);
    }
    if (first.rhythm != second.rhythm) {
      ++flips[std::min(first.rhythm, second.rhythm) + " | " +
              std::max(first.rhythm, second.rhythm)];
    }
    const std::string name = std::filesystem::path(path).filename().string();
    for (const ChangeStatement& s : c.statements) {
      statements[s.code].push_back(name);
      if (o.records) {
        std::printf("%-10s %-58s halves: %s; %s\n", name.c_str(), s.text.c_str(),
                    QualityText(first, rate).c_str(), QualityText(second, rate).c_str());
      }
    }
    ++records;
  }
  PrintSummary(fields, statements, flips, records);
}

void Setup(CLI::App& app) {
  auto options = std::make_shared<MeasureRepeatOptions>();
  CLI::App* cmd = app.add_subcommand(
      "measure-repeat",
      "Measure each record's two halves apart and compare them: the measurements' repeatability "
      "and the serial comparison's false statements");
  cmd->add_option("--data", options->data, "folder of WFDB records (searched recursively)")
      ->required();
  cmd->add_flag("--records", options->records, "print each record's statements");
  cmd->add_option("--limit", options->limit, "at most this many records (0: all)");
  AddDelineationFlags(*cmd, options->measure.delineation);
  cmd->callback([options] { RunMeasureRepeat(*options); });
}

}  // namespace

ORTHANC_ECG_COMMAND("measure-repeat", Setup);

}  // namespace ecg::tools
