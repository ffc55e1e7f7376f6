// orthanc-ecg measure-eval --ludb DIR [--dicom FILE]... [--records] [--subset A-B] [options]
//
// Accuracy of the product's measurements (waveform/ecg_measure.h) against LUDB's cardiologists:
// for every record listed in DIR/RECORDS (DIR is the LUDB folder of ../shared/data/README.md),
// the record is canonicalised and measured, its reference intervals are read from the twelve
// lead annotation files (waveform/wfdb_annotations.h: earliest onset and latest offset over the
// leads, beat by beat), and the differences (product - reference) are summarised per interval:
// n, mean difference, SD, and the IEC 60601-2-25 tolerance (PR and QRS: mean within +-10 ms, SD
// <= 10 ms; QT: +-25 ms, 30 ms; P duration has none) with pass/fail. Records where either side
// has no value are counted apart. --records adds one line per record. Each --dicom FILE is
// decoded and measured, and its device measurements (the waveform annotations) are printed
// beside the product's. --subset A-B takes only the A-th to B-th records listed in RECORDS
// (1-based; LUDB's list is in record order, so 1-50 are records 1..99 and 51-100 records
// 101..199): develop on one half, report on the other. The developer options (--qrs-threshold,
// --t-lead-rank, ...; tools/delineation_flags.h) set DelineationOptions fields, to evaluate
// variants without rebuilding.
// --boundaries adds each boundary's own error (P onset and offset, QRS onset and offset, T end:
// the product's median-beat boundary relative to its R peak minus the reference beats' mean
// relative to the product's R peak in each, over the records that have both), which tells an
// interval's error apart into its two ends; with --records, one line of them per record.
// --lead-median-reference adds the same table against LUDB's lead-median reference (each lead's
// median boundary over the beats, then the earliest onset and latest offset: the global
// boundaries of a representative beat), and the beat-by-beat reference minus the lead-median
// one (how much the reference's own beat-to-beat annotation jitter lengthens it).
// Prints text tables; nothing is written.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tools/command.h"
#include "tools/delineation_flags.h"
#include "waveform/canonical.h"
#include "waveform/dicom/decoder.h"
#include "waveform/ecg_measure.h"
#include "waveform/error.h"
#include "waveform/measurements.h"
#include "waveform/wfdb.h"
#include "waveform/wfdb_annotations.h"

namespace ecg::tools {
namespace {

struct MeasureEvalOptions {
  std::string ludb;                // LUDB folder holding RECORDS and data/
  std::vector<std::string> dicom;  // DICOM files whose device measurements are compared
  bool records = false;            // one line per record
  bool boundaries = false;         // each boundary's error against the reference, around R
  bool lead_median = false;        // also against the lead-median reference
  std::string subset;              // "A-B": only the A-th to B-th records of RECORDS (1-based)
  MeasureOptions measure;          // delineation variants (developer options)
};

// [first, last] (1-based, inclusive) from "A-B"; the whole list when empty.
std::pair<size_t, size_t> ParseSubset(const std::string& subset) {
  if (subset.empty()) return {1, SIZE_MAX};
  size_t first = 0, last = 0;
  char dash = 0;
  if (std::sscanf(subset.c_str(), "%zu%c%zu", &first, &dash, &last) != 3 || dash != '-' ||
      first < 1 || last < first)
    throw Error::InvalidArgument("--subset: expected A-B with 1 <= A <= B, got " + subset);
  return {first, last};
}

struct Interval {
  const char* name;
  const char* field;
  std::optional<double> LudbReference::*reference;
  std::optional<double> LudbIntervals::*lead_median;
  double mean_tolerance_ms;  // 0: no IEC tolerance
  double sd_tolerance_ms;
};

const Interval kIntervals[] = {
    {"PR", "pr_ms", &LudbReference::pr_ms, &LudbIntervals::pr_ms, 10, 10},
    {"QRS", "qrs_ms", &LudbReference::qrs_ms, &LudbIntervals::qrs_ms, 10, 10},
    {"QT", "qt_ms", &LudbReference::qt_ms, &LudbIntervals::qt_ms, 25, 30},
    {"P duration", "p_ms", &LudbReference::p_ms, &LudbIntervals::p_ms, 0, 0},
};

// Each boundary of the product's median beat and of the reference beats, relative to the beat's
// R peak (the product's R peaks; a reference beat takes the one inside its QRS): product minus
// the reference beats' mean, in ms, per boundary (P onset, P offset, QRS onset, QRS offset, T
// end); nullopt where either side lacks it.
constexpr size_t kBoundaries = 5;
const char* const kBoundaryNames[kBoundaries] = {"P on", "P off", "QRS on", "QRS off", "T end"};

std::array<std::optional<double>, kBoundaries> BoundaryErrors(const EcgSignal& signal,
                                                              const EcgMeasurements& m,
                                                              const LudbReference& ref) {
  std::array<std::optional<double>, kBoundaries> out;
  if (!m.boundaries) return out;
  const BeatBoundaries& b = *m.boundaries;
  const double ms = 1000.0 / signal.sample_rate_hz();
  const double r = static_cast<double>(m.median_r_index);
  const std::optional<double> product[kBoundaries] = {
      b.p_onset && m.p_ms ? std::optional<double>(*b.p_onset - r) : std::nullopt,
      b.p_offset && m.p_ms ? std::optional<double>(*b.p_offset - r) : std::nullopt, b.qrs_onset - r,
      b.qrs_offset - r, b.t_offset ? std::optional<double>(*b.t_offset - r) : std::nullopt};
  const std::vector<size_t> peaks = MeasureRhythm(signal).r_peaks;
  double sum[kBoundaries] = {};
  size_t count[kBoundaries] = {};
  for (const LudbBeat& beat : ref.beat_boundaries) {
    const auto peak = std::find_if(peaks.begin(), peaks.end(), [&](size_t p) {
      return static_cast<int64_t>(p) >= beat.qrs_onset &&
             static_cast<int64_t>(p) <= beat.qrs_offset;
    });
    if (peak == peaks.end()) continue;
    const int64_t at[kBoundaries] = {beat.p_onset, beat.p_offset, beat.qrs_onset, beat.qrs_offset,
                                     beat.t_offset};
    for (size_t k = 0; k < kBoundaries; ++k) {
      if (at[k] < 0) continue;
      sum[k] += static_cast<double>(at[k] - static_cast<int64_t>(*peak));
      ++count[k];
    }
  }
  for (size_t k = 0; k < kBoundaries; ++k) {
    if (product[k] && count[k] > 0) out[k] = (*product[k] - sum[k] / count[k]) * ms;
  }
  return out;
}

void PrintMeanSd(const char* name, const std::vector<double>& v) {
  double mean = 0, sq = 0;
  for (double d : v) mean += d;
  mean /= v.empty() ? 1 : v.size();
  for (double d : v) sq += (d - mean) * (d - mean);
  std::printf("%-11s %5zu %9.1f %7.1f\n", name, v.size(), mean,
              v.size() > 1 ? std::sqrt(sq / (v.size() - 1)) : 0.0);
}

struct Differences {
  std::vector<double> values;
  size_t product_only = 0, reference_only = 0, neither = 0;

  void Add(const std::optional<double>& product, const std::optional<double>& reference) {
    if (product && reference) {
      values.push_back(*product - *reference);
    } else if (product) {
      ++product_only;
    } else if (reference) {
      ++reference_only;
    } else {
      ++neither;
    }
  }
};

// One line per interval: n, mean, SD, the IEC tolerance and pass/fail, the uncompared counts.
void PrintIntervalTable(const std::vector<Differences>& diffs) {
  std::printf("%-11s %5s %9s %7s %13s %7s  %s\n", "interval", "n", "mean", "SD", "IEC tolerance",
              "result", "not compared (product only / reference only / neither)");
  for (size_t k = 0; k < std::size(kIntervals); ++k) {
    const Interval& in = kIntervals[k];
    const std::vector<double>& v = diffs[k].values;
    double mean = 0, sq = 0;
    for (double d : v) mean += d;
    mean /= v.empty() ? 1 : v.size();
    for (double d : v) sq += (d - mean) * (d - mean);
    const double sd = v.size() > 1 ? std::sqrt(sq / (v.size() - 1)) : 0.0;
    char tolerance[32] = "-";
    const char* result = "-";
    if (in.mean_tolerance_ms > 0) {
      std::snprintf(tolerance, sizeof(tolerance), "+-%.0f / %.0f", in.mean_tolerance_ms,
                    in.sd_tolerance_ms);
      result = !v.empty() && std::abs(mean) <= in.mean_tolerance_ms && sd <= in.sd_tolerance_ms
                   ? "pass"
                   : "FAIL";
    }
    std::printf("%-11s %5zu %9.1f %7.1f %13s %7s  %zu / %zu / %zu\n", in.name, v.size(), mean, sd,
                tolerance, result, diffs[k].product_only, diffs[k].reference_only,
                diffs[k].neither);
  }
}

void PrintLudb(const MeasureEvalOptions& options) {
  std::ifstream list(options.ludb + "/RECORDS");
  if (!list) throw Error::NotFound("LUDB: " + options.ludb + "/RECORDS not found");
  std::vector<Differences> diffs(std::size(kIntervals));
  std::vector<Differences> lead_median_diffs(std::size(kIntervals));  // product - lead median
  std::vector<Differences> jitter_diffs(std::size(kIntervals));       // beat by beat - lead median
  std::map<std::string, size_t> rhythms;
  std::vector<double> boundary_errors[kBoundaries];
  std::string name;
  size_t records = 0, position = 0;
  const auto [first, last] = ParseSubset(options.subset);
  if (options.records) std::printf("%-8s %-42s", "record", "rhythm");
  for (const Interval& in : kIntervals) {
    if (options.records) std::printf(" %14s", (std::string(in.name) + " prod/ref").c_str());
  }
  if (options.records) std::printf("\n");
  while (list >> name) {
    ++position;
    if (position < first || position > last) continue;
    const std::string base = options.ludb + "/" + name;
    const EcgSignal signal = Canonicalise(ReadWfdbRecord(base).group);
    const EcgMeasurements m = MeasureEcg(signal, options.measure);
    const LudbReference ref = LudbReferenceIntervals(base);
    if (options.boundaries) {
      const auto errors = BoundaryErrors(signal, m, ref);
      for (size_t k = 0; k < kBoundaries; ++k) {
        if (errors[k]) boundary_errors[k].push_back(*errors[k]);
      }
      if (options.records) {
        std::printf("%-8s boundary errors (ms):", name.c_str());
        for (size_t k = 0; k < kBoundaries; ++k) {
          std::printf(" %s %s;", kBoundaryNames[k],
                      errors[k] ? std::to_string(std::lround(*errors[k])).c_str() : "-");
        }
        std::printf("\n");
      }
    }
    ++records;
    ++rhythms[m.rhythm];
    if (options.records) std::printf("%-8s %-42s", name.c_str(), m.rhythm.c_str());
    for (size_t k = 0; k < std::size(kIntervals); ++k) {
      const std::optional<double> product = MeasurementField(m, kIntervals[k].field);
      const std::optional<double> reference = ref.*(kIntervals[k].reference);
      const std::optional<double> lead_median = ref.lead_median.*(kIntervals[k].lead_median);
      diffs[k].Add(product, reference);
      lead_median_diffs[k].Add(product, lead_median);
      jitter_diffs[k].Add(reference, lead_median);
      char cell[40];
      std::snprintf(cell, sizeof(cell), "%s/%s",
                    product ? std::to_string(std::lround(*product)).c_str() : "-",
                    reference ? std::to_string(std::lround(*reference)).c_str() : "-");
      if (options.records) std::printf(" %14s", cell);
    }
    if (options.records) std::printf("\n");
  }
  std::printf("LUDB %s%s%s: %zu records, product - cardiologists' global reference (ms)\n",
              options.ludb.c_str(), options.subset.empty() ? "" : " --subset ",
              options.subset.c_str(), records);
  PrintIntervalTable(diffs);
  if (options.lead_median) {
    std::printf(
        "product - lead-median reference (each lead's median boundary over the beats, "
        "then the earliest onset and latest offset)\n");
    PrintIntervalTable(lead_median_diffs);
    std::printf(
        "beat-by-beat reference - lead-median reference (the reference's own "
        "lengthening by beat-to-beat annotation jitter)\n%-11s %5s %9s %7s\n",
        "interval", "n", "mean", "SD");
    for (size_t k = 0; k < std::size(kIntervals); ++k) {
      PrintMeanSd(kIntervals[k].name, jitter_diffs[k].values);
    }
  }
  if (options.boundaries) {
    std::printf("boundary: product - reference, around R (ms)\n%-11s %5s %9s %7s\n", "boundary",
                "n", "mean", "SD");
    for (size_t k = 0; k < kBoundaries; ++k) PrintMeanSd(kBoundaryNames[k], boundary_errors[k]);
  }
  std::printf("rhythm found:");
  for (const auto& [rhythm, count] : rhythms) std::printf("  %s: %zu;", rhythm.c_str(), count);
  std::printf("\n");
}

// The product's field a device measurement corresponds to, by its name; empty if none.
std::string FieldOfDeviceMeasurement(const Measurement& d) {
  std::string n;
  for (char c : d.name) n += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto has = [&](const char* s) { return n.find(s) != std::string::npos; };
  if (has("qtc")) return "qtc_bazett_ms";
  if (has("heart rate") || has("ventricular rate")) return "heart_rate_bpm";
  if (has("rr interval")) return "rr_ms";
  if (has("pr interval") || has("pq interval")) return "pr_ms";
  if (has("p duration")) return "p_ms";
  if (has("qrs duration")) return "qrs_ms";
  if (has("qt interval")) return "qt_ms";
  if (has("qrs axis")) return "qrs_axis_deg";
  if (has("p axis")) return "p_axis_deg";
  if (has("t axis")) return "t_axis_deg";
  return "";
}

void PrintDicom(const std::string& path) {
  const EcgRecord record = dicom::DecodeEcgFile(path);
  MeasureOptions options;
  options.source_sample_rate_hz = record.rhythm.sample_rate_hz;
  const EcgMeasurements m = MeasureEcg(Canonicalise(record.rhythm), options);
  std::printf("\n%s (%s %s): device measurements beside the product's (rhythm: %s)\n", path.c_str(),
              record.metadata.manufacturer.c_str(), record.metadata.model.c_str(),
              m.rhythm.c_str());
  std::printf("%-32s %10s %-6s %12s %9s\n", "device measurement", "device", "unit", "product",
              "delta");
  for (const Measurement& d : record.metadata.measurements) {
    const std::string field = FieldOfDeviceMeasurement(d);
    const std::optional<double> ours = field.empty() ? std::nullopt : MeasurementField(m, field);
    std::printf("%-32s %10g %-6s %12s %9s\n", d.name.c_str(), d.value, d.unit.c_str(),
                ours            ? std::to_string(std::lround(*ours)).c_str()
                : field.empty() ? ""
                                : "null",
                ours ? std::to_string(std::lround(*ours - d.value)).c_str() : "");
  }
  if (record.metadata.measurements.empty()) std::printf("(the file carries none)\n");
}

void Setup(CLI::App& app) {
  auto options = std::make_shared<MeasureEvalOptions>();
  CLI::App* cmd = app.add_subcommand(
      "measure-eval", "Compare the product's intervals with LUDB's cardiologists and devices");
  cmd->add_option("--ludb", options->ludb, "LUDB folder (RECORDS, data/)")->required();
  cmd->add_option("--dicom", options->dicom, "DICOM ECG with device measurements to compare");
  cmd->add_flag("--records", options->records, "one line per record");
  cmd->add_flag("--boundaries", options->boundaries,
                "each boundary's error around the R peak (P on/off, QRS on/off, T end)");
  cmd->add_flag("--lead-median-reference", options->lead_median,
                "also against each lead's median boundaries (a representative beat's reference)");
  cmd->add_option("--subset", options->subset,
                  "A-B: only the A-th to B-th records listed in RECORDS (1-based)");
  AddDelineationFlags(*cmd, options->measure.delineation);
  cmd->callback([options] {
    PrintLudb(*options);
    for (const std::string& path : options->dicom) PrintDicom(path);
  });
}

}  // namespace

ORTHANC_ECG_COMMAND("measure-eval", Setup);

}  // namespace ecg::tools
