// orthanc-ecg rhythm-eval --ptbxl DIR [--rate 100|500] [--folds A-B] [--records]
//
// The product's rhythm label (waveform/ecg_measure.h) against the rhythm statements PTB-XL's
// cardiologists gave each ECG (ptbxl_database.csv's scp_codes; scp_statements.csv marks which
// statements are rhythms). Every ECG of the database whose record at the chosen rate is present
// under DIR, and whose stratified fold lies in A-B (PTB-XL's authors keep folds 9 and 10 for
// validation and test: develop on 1-8, check on 9-10), is canonicalised, measured as the plugin
// measures it (told its source rate), and counted in a table: the reference's rhythm group
// (rows) against the product's label (columns). Reference groups, from the statements present
// whatever their likelihood (as waveform/ptbxl.h reads superclasses): "AF/flutter" (AFIB,
// AFLT), "paced" (PACE), "sinus" (SR, STACH, SBRAD, SARRH), "other" (the remaining rhythm
// statements: SVARR, SVTAC, PSVT, BIGU, TRIGU), "not stated"; an ECG with statements of two
// groups takes the first of AF/flutter, paced, sinus, other. Then:
// - atrial fibrillation/flutter: the product's AF label against the reference's AF/flutter and
//   sinus groups (sensitivity, specificity, positive predictive value);
// - the P-wave rule of the issue ("no PR or P axis where there is no P wave"): reference AF/flutter
//   ECGs for which the product still reports a P axis or a PR, and reference sinus ECGs for which
//   it reports no P wave at all;
// - sinus arrhythmia: the share labelled "sinus, irregular RR" among SARRH and among SR.
// --records lists each ECG whose reference group and product label disagree (ecg_id, fold,
// statements, label, heart rate). The developer options (tools/delineation_flags.h) set
// DelineationOptions fields. Prints text; nothing is written.
#include <cmath>
#include <cstdio>
#include <map>
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

struct RhythmEvalOptions {
  PtbxlSelection selection;  // folder, 100 or 500 Hz records, folds
  bool records = false;      // list the disagreements
};

const char* const kGroups[] = {"AF/flutter", "paced", "sinus", "other", "not stated"};
const char* const kLabels[] = {"sinus",
                               "sinus, irregular RR",
                               "atrial fibrillation/flutter (no P wave)",
                               "regular, no P wave",
                               "paced",
                               "unknown"};
enum Group { kAf, kPaced, kSinus, kOther, kNotStated };
constexpr size_t kGroupCount = std::size(kGroups);
constexpr size_t kLabelCount = std::size(kLabels);

Group ReferenceGroup(const PtbxlEcg& ecg) {
  const auto has = [&](const char* code) { return ecg.scp_codes.count(code) > 0; };
  if (has("AFIB") || has("AFLT")) return kAf;
  if (has("PACE")) return kPaced;
  if (has("SR") || has("STACH") || has("SBRAD") || has("SARRH")) return kSinus;
  for (const char* code : {"SVARR", "SVTAC", "PSVT", "BIGU", "TRIGU"}) {
    if (has(code)) return kOther;
  }
  return kNotStated;
}

// The column of a product label; the last column ("unknown") for any label not listed.
size_t LabelColumn(const std::string& rhythm) {
  for (size_t k = 0; k + 1 < kLabelCount; ++k) {
    if (rhythm == kLabels[k]) return k;
  }
  return kLabelCount - 1;
}

std::string Statements(const PtbxlEcg& ecg) {
  std::string out;
  for (const auto& [code, likelihood] : ecg.scp_codes) out += (out.empty() ? "" : ",") + code;
  return out;
}

struct Tally {
  size_t table[kGroupCount][kLabelCount] = {};
  size_t af_with_p_measure = 0;  // reference AF/flutter, a P axis or PR reported
  size_t sinus_without_p = 0;    // reference sinus, no P wave (label without "sinus")
  size_t sarrh = 0, sarrh_irregular = 0, sr = 0, sr_irregular = 0;
};

void Count(Tally& t, const PtbxlEcg& ecg, Group group, const EcgMeasurements& m) {
  const size_t column = LabelColumn(m.rhythm);
  ++t.table[group][column];
  if (group == kAf && (m.p_axis_deg || m.pr_ms)) ++t.af_with_p_measure;
  if (group == kSinus && column != 0 && column != 1) ++t.sinus_without_p;
  const bool irregular = column == 1;
  if (ecg.scp_codes.count("SARRH")) {
    ++t.sarrh;
    t.sarrh_irregular += irregular;
  } else if (ecg.scp_codes.count("SR") && group == kSinus) {
    ++t.sr;
    t.sr_irregular += irregular;
  }
}

double Share(size_t part, size_t whole) {
  return whole ? 100.0 * part / whole : 0.0;
}

void PrintTally(const Tally& t, size_t ecgs) {
  std::printf("%zu ECGs; reference rhythm group (rows) against the product's label (columns)\n",
              ecgs);
  std::printf("%-11s", "");
  for (const char* label : kLabels) std::printf(" %12.12s", label);
  std::printf("\n");
  for (size_t g = 0; g < kGroupCount; ++g) {
    std::printf("%-11s", kGroups[g]);
    for (size_t l = 0; l < kLabelCount; ++l) std::printf(" %12zu", t.table[g][l]);
    std::printf("\n");
  }
  const size_t af_col = 2;
  size_t af = 0, sinus = 0;
  for (size_t l = 0; l < kLabelCount; ++l) {
    af += t.table[kAf][l];
    sinus += t.table[kSinus][l];
  }
  const size_t tp = t.table[kAf][af_col], fp = t.table[kSinus][af_col];
  std::printf(
      "atrial fibrillation/flutter label: sensitivity %zu/%zu (%.0f%%), specificity against "
      "sinus %zu/%zu (%.1f%%), positive predictive value (AF/flutter against sinus) %zu/%zu "
      "(%.0f%%)\n",
      tp, af, Share(tp, af), sinus - fp, sinus, Share(sinus - fp, sinus), tp, tp + fp,
      Share(tp, tp + fp));
  std::printf("P measured where the reference says AF/flutter (P axis or PR given): %zu of %zu\n",
              t.af_with_p_measure, af);
  std::printf("no P wave where the reference says sinus: %zu of %zu (%.1f%%)\n", t.sinus_without_p,
              sinus, Share(t.sinus_without_p, sinus));
  std::printf("\"sinus, irregular RR\": %zu of %zu SARRH (%.0f%%), %zu of %zu SR (%.1f%%)\n",
              t.sarrh_irregular, t.sarrh, Share(t.sarrh_irregular, t.sarrh), t.sr_irregular, t.sr,
              Share(t.sr_irregular, t.sr));
}

void RunRhythmEval(const RhythmEvalOptions& o) {
  Tally tally;
  const size_t ecgs = ForEachMeasuredPtbxlEcg(o.selection, [&](const PtbxlEcg& ecg,
                                                               const EcgMeasurements& m) {
    const Group group = ReferenceGroup(ecg);
    Count(tally, ecg, group, m);
    const bool agree = (group == kAf && m.rhythm == kLabels[2]) ||
                       (group == kSinus && LabelColumn(m.rhythm) <= 1) ||
                       (group == kPaced && m.rhythm == "paced");
    if (o.records && !agree && group != kNotStated) {
      std::printf("%6lld fold %2d %-28s %-40s HR %s\n", static_cast<long long>(ecg.ecg_id),
                  ecg.strat_fold, Statements(ecg).c_str(), m.rhythm.c_str(),
                  m.heart_rate_bpm ? std::to_string(std::lround(*m.heart_rate_bpm)).c_str() : "-");
    }
  });
  std::printf("%s\n", SelectionText(o.selection).c_str());
  PrintTally(tally, ecgs);
}

void Setup(CLI::App& app) {
  auto options = std::make_shared<RhythmEvalOptions>();
  CLI::App* cmd = app.add_subcommand(
      "rhythm-eval",
      "The product's rhythm label against PTB-XL's rhythm statements (atrial fibrillation, "
      "sinus, paced), and the P-wave rule in atrial fibrillation");
  AddPtbxlOptions(*cmd, options->selection);
  cmd->add_option("--rate", options->selection.rate_hz,
                  "which records: 100 (records100) or 500 (records500)");
  cmd->add_flag("--records", options->records, "list the ECGs whose label disagrees");
  AddDelineationFlags(*cmd, options->selection.measure.delineation);
  cmd->callback([options] { RunRhythmEval(*options); });
}

}  // namespace

ORTHANC_ECG_COMMAND("rhythm-eval", Setup);

}  // namespace ecg::tools
