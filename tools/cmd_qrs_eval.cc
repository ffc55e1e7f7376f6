// orthanc-ecg qrs-eval --ptbxl DIR [--folds A-B] [--records]
//
// The product's QRS duration (waveform/ecg_measure.h) against the conduction statements of
// PTB-XL's cardiologists, at the threshold a clinician reads it by: a complete bundle branch
// block (CLBBB, CRBBB) has a QRS of 120 ms or more by definition, an incomplete one (IRBBB,
// ILBBB) 110-119 ms, and a normal ECG (NORM without any conduction statement) less than 120 ms.
// Only the 500 Hz records are measured (below 250 Hz the product gives no QRS); each ECG is
// measured as the plugin does (tools/ptbxl_measured.h). Prints, per group, how many ECGs have a
// QRS, how many of those measure 120 ms or more and 110-119 ms, and the median QRS; the group's
// statements count whatever their likelihood. --records lists the complete blocks measured
// under 120 ms and the normal ECGs measured at 120 ms or more. No LUDB-style boundaries exist
// here: this tests the one threshold the serial comparison's "new wide QRS" statement uses, on
// ECGs the delineator was never tuned on. The developer options (tools/delineation_flags.h) set
// DelineationOptions fields, e.g. to measure the earlier method versions' QRS. Prints text; nothing
// is written.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "tools/command.h"
#include "tools/delineation_flags.h"
#include "tools/ptbxl_measured.h"
#include "waveform/ecg_measure.h"
#include "waveform/ptbxl.h"

namespace ecg::tools {
namespace {

struct QrsEvalOptions {
  PtbxlSelection selection{"", 500, "", {}};  // the 500 Hz records: no QRS below 250 Hz
  bool records = false;
};

enum Group { kComplete, kIncomplete, kNormal, kOther, kGroupCount };
const char* const kGroupNames[kGroupCount] = {
    "complete bundle branch block (CLBBB, CRBBB: >= 120 ms)",
    "incomplete bundle branch block (IRBBB, ILBBB: 110-119 ms)",
    "normal ECG (NORM, no conduction statement: < 120 ms)", "other"};

bool HasAny(const PtbxlEcg& ecg, std::initializer_list<const char*> codes) {
  for (const char* code : codes) {
    if (ecg.scp_codes.count(code)) return true;
  }
  return false;
}

Group ConductionGroup(const PtbxlEcg& ecg) {
  if (HasAny(ecg, {"CLBBB", "CRBBB"})) return kComplete;
  if (HasAny(ecg, {"IRBBB", "ILBBB"})) return kIncomplete;
  const bool conduction =
      HasAny(ecg, {"IVCD", "WPW", "LAFB", "LPFB", "1AVB", "2AVB", "3AVB", "LPR", "PACE"});
  if (ecg.scp_codes.count("NORM") && !conduction) return kNormal;
  return kOther;
}

struct GroupTally {
  size_t ecgs = 0;
  std::vector<double> qrs_ms;  // the ECGs with a QRS
};

void PrintGroups(const GroupTally (&groups)[kGroupCount]) {
  std::printf("%-58s %5s %6s %9s %9s %11s\n", "PTB-XL group", "ECGs", "QRS", ">= 120", "110-119",
              "median QRS");
  for (int g = 0; g < kGroupCount; ++g) {
    std::vector<double> q = groups[g].qrs_ms;
    const size_t wide = std::count_if(q.begin(), q.end(), [](double v) { return v >= 120; });
    const size_t mid =
        std::count_if(q.begin(), q.end(), [](double v) { return v >= 110 && v < 120; });
    std::string median = "-";
    if (!q.empty()) {
      std::sort(q.begin(), q.end());
      const size_t n = q.size();
      median = std::to_string(std::lround(n % 2 ? q[n / 2] : (q[n / 2 - 1] + q[n / 2]) / 2));
    }
    std::printf("%-58s %5zu %6zu %9zu %9zu %11s\n", kGroupNames[g], groups[g].ecgs, q.size(), wide,
                mid, median.c_str());
  }
}

void RunQrsEval(const QrsEvalOptions& o) {
  GroupTally groups[kGroupCount];
  const size_t ecgs =
      ForEachMeasuredPtbxlEcg(o.selection, [&](const PtbxlEcg& ecg, const EcgMeasurements& m) {
        const Group g = ConductionGroup(ecg);
        ++groups[g].ecgs;
        if (m.qrs_ms) groups[g].qrs_ms.push_back(*m.qrs_ms);
        const bool miss = (g == kComplete && (!m.qrs_ms || *m.qrs_ms < 120)) ||
                          (g == kNormal && m.qrs_ms && *m.qrs_ms >= 120);
        if (o.records && miss) {
          std::string codes;
          for (const auto& [code, likelihood] : ecg.scp_codes) {
            codes += (codes.empty() ? "" : ",") + code;
          }
          std::printf("%6lld fold %2d %-34s QRS %s\n", static_cast<long long>(ecg.ecg_id),
                      ecg.strat_fold, codes.c_str(),
                      m.qrs_ms ? std::to_string(std::lround(*m.qrs_ms)).c_str()
                               : ("- (" + m.reasons.at("qrs_ms") + ")").c_str());
        }
      });
  std::printf("%s: %zu ECGs\n", SelectionText(o.selection).c_str(), ecgs);
  PrintGroups(groups);
}

void Setup(CLI::App& app) {
  auto options = std::make_shared<QrsEvalOptions>();
  CLI::App* cmd = app.add_subcommand(
      "qrs-eval",
      "The product's QRS duration against PTB-XL's conduction statements (bundle branch "
      "blocks: 120 ms or more), on the 500 Hz records");
  AddPtbxlOptions(*cmd, options->selection);
  cmd->add_flag("--records", options->records,
                "list complete blocks under 120 ms and normal ECGs at 120 ms or more");
  AddDelineationFlags(*cmd, options->selection.measure.delineation);
  cmd->callback([options] { RunQrsEval(*options); });
}

}  // namespace

ORTHANC_ECG_COMMAND("qrs-eval", Setup);

}  // namespace ecg::tools
